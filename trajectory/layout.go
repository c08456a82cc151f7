package trajectory

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/internal/check"
)

// Reader reads trajectory files whose states follow a declared layout:
// which columns are positions, velocities or momenta and inputs, and
// which positions are angles (see data.Layout). The zero Reader reads
// canonical states (q, p), as the package's functions ReadFile, ReadCSV,
// ReadLipson, ReadNPZ and DecodeNPZ do.
//
// Inputs u are the last state columns, one value per row; an input that is
// constant along a trial simply repeats. In CSV and Lipson text files the
// input columns come after the positions and velocities (or momenta) and
// are named u, or u1, u2, ... for several; derivative columns, if any,
// are those of the positions and velocities only. In .npz files the
// inputs are an array u beside x (which then holds the positions and
// velocities only): of shape (K, m), constant per trial, or (K, T, m),
// one value per row, for x of shape (K, T, 2n); (m,) or (T, m) for x of
// shape (T, 2n). The derivative of an input column is zero in the
// result: inputs are not dynamics to learn.
//
// Every mismatch between the declared layout and the file is an error
// that names the file and, in one line, what was expected: missing or
// extra input columns or arrays, inputs of the wrong length, a layout
// whose columns do not add up to the file's, or angles declared on
// velocities, momenta or inputs.
type Reader struct {
	// Layout declares the columns of the states; the zero value is the
	// canonical layout of Dim/2 positions and momenta.
	Layout data.Layout
}

// declared reports whether r declares a layout other than the implicit
// canonical one.
func (lr Reader) declared() bool { return lr.Layout.Positions != 0 || !lr.Layout.Canonical() }

// isInputName reports whether name is the name of an input column: u or
// u followed by a positive integer without leading zeros.
func isInputName(name string) bool {
	if name == "u" {
		return true
	}
	rest, ok := strings.CutPrefix(name, "u")
	if !ok || rest == "" || rest[0] == '0' {
		return false
	}
	_, err := strconv.Atoi(rest)
	return err == nil
}

// inputNames returns the names of m input columns: u for one (u1 is
// accepted too), u1, ..., um for several.
func inputNames(m int) []string {
	if m == 1 {
		return []string{"u"}
	}
	names := make([]string, m)
	for j := range names {
		names[j] = "u" + strconv.Itoa(j+1)
	}
	return names
}

// plural returns "1 input" or "2 inputs".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// resolve returns the layout of states whose columns are named names (nil
// for files without names) under r's declaration, or an error message:
// for the zero Reader the canonical checks of checkDim, with a hint when
// a column is named like an input; otherwise data.Layout.Resolve's and,
// for named columns and declared inputs, the input columns' names. The
// zero Reader's layout is returned as the zero Layout.
//
// The names (nil for files without names) have their angle marks removed;
// marked says which had one. For the zero Reader, names that declare a
// layout by their convention (see namedLayout) give it; a declared layout
// must agree with the one its names declare, if any.
func (lr Reader) resolve(names []string, marked []bool, dim int) (data.Layout, error) {
	if marked == nil {
		marked = make([]bool, len(names))
	}
	var named data.Layout
	var ok bool
	var err error
	if len(names) > 0 {
		named, ok, err = namedLayout(names, marked)
	}
	if !lr.declared() {
		if err != nil {
			return data.Layout{}, err
		}
		if ok {
			if named.Canonical() {
				// Canonical names (q1, q2, p1, p2) declare nothing new.
				return data.Layout{}, nil
			}
			return named, nil
		}
	}
	l, err := lr.resolveDeclared(names, dim)
	if err != nil || !ok || !lr.declared() {
		return l, err
	}
	if len(named.Angles) == 0 {
		// A header without angle marks leaves the angles to the reader.
		named.Angles = l.Angles
	}
	if !sameLayout(l, named) {
		return data.Layout{}, fmt.Errorf("the header declares %s, the reader's layout %s", layoutWords(named), layoutWords(l))
	}
	return l, nil
}

// sameLayout reports whether the resolved layouts a and b are equal.
func sameLayout(a, b data.Layout) bool {
	return a.Positions == b.Positions && a.Velocities == b.Velocities && a.Inputs == b.Inputs && slices.Equal(a.Angles, b.Angles)
}

// layoutWords describes the resolved layout l in a few words: "1
// position (an angle: 0), 1 velocity, 1 input".
func layoutWords(l data.Layout) string {
	s := plural(l.Positions, "position")
	if len(l.Angles) > 0 {
		s += fmt.Sprintf(" (angles: %v)", l.Angles)
	}
	second := map[bool]string{true: " velocities", false: " momenta"}[l.Velocities]
	if l.Positions == 1 {
		second = map[bool]string{true: " velocity", false: " momentum"}[l.Velocities]
	}
	return s + ", " + strconv.Itoa(l.Positions) + second + ", " + plural(l.Inputs, "input")
}

// resolveDeclared is resolve for lr's declared layout, or the canonical
// one of the zero Reader.
func (lr Reader) resolveDeclared(names []string, dim int) (data.Layout, error) {
	hint := func(err error) error {
		if lr.Layout.Inputs > 0 {
			return err
		}
		for _, n := range names {
			if isInputName(n) {
				return fmt.Errorf("%w (column %s looks like an input: declare the inputs in the layout)", err, check.Quote(n))
			}
		}
		return err
	}
	if !lr.declared() {
		if err := checkDim(dim); err != nil {
			return data.Layout{}, hint(err)
		}
		return data.Layout{}, nil
	}
	m := lr.Layout.Inputs
	if names != nil && m > 0 {
		var found []string
		for _, n := range names {
			if isInputName(n) {
				found = append(found, n)
			}
		}
		switch {
		case len(found) == 0:
			return data.Layout{}, fmt.Errorf("the layout declares %s, but no column is named %s (inputs come last, named u, or u1, u2, ...)",
				plural(m, "input"), strings.Join(inputNames(m), ","))
		case len(found) < m:
			return data.Layout{}, fmt.Errorf("the layout declares %s, but only %s (%s) named like inputs: missing input columns",
				plural(m, "input"), plural(len(found), "column"), strings.Join(found, ","))
		case len(found) > m:
			return data.Layout{}, fmt.Errorf("the layout declares %s, but %d columns (%s) are named like inputs: extra input columns",
				plural(m, "input"), len(found), strings.Join(found, ","))
		}
	}
	l, err := lr.Layout.Resolve(dim)
	if err != nil {
		return data.Layout{}, hint(fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "data: ")))
	}
	if names == nil || m == 0 {
		return l, nil
	}
	want := inputNames(m)
	got := names[len(names)-m:]
	for j := range want {
		if got[j] != want[j] && !(m == 1 && got[j] == "u1") {
			last := "the last state column"
			if m > 1 {
				last = fmt.Sprintf("the last %d state columns", m)
			}
			return data.Layout{}, fmt.Errorf("the layout declares %s, expected %s named %s, found %s",
				plural(m, "input"), last, strings.Join(want, ","), check.Quote(strings.Join(got, ",")))
		}
	}
	for i, n := range names[:len(names)-m] {
		if isInputName(n) {
			return data.Layout{}, fmt.Errorf("state column %d (%s) is named like an input, but the layout declares %s (%s), the last state columns",
				i+1, n, plural(m, "input"), strings.Join(want, ","))
		}
	}
	return l, nil
}

// inputs returns the number of input columns of s's layout.
func (s *Set) inputs() int { return s.Layout.Inputs }
