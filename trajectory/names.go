package trajectory

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/internal/check"
)

// AngleMark is the suffix that marks a position column of a CSV or
// Schmidt & Lipson text header as an angle ("q1:angle"); the column's
// name is the part before it.
const AngleMark = ":angle"

// The families of column names that declare a layout in a file's header:
// positions q, velocities v or qdot, momenta p and inputs u, each
// unnumbered (one column) or numbered from 1 (q1, q2, ...).
const (
	famNone = iota
	famQ
	famV
	famQdot
	famP
	famU
)

var famPrefix = [...]string{famQ: "q", famV: "v", famQdot: "qdot", famP: "p", famU: "u"}

// family returns the family of a column name and its number (-1 for an
// unnumbered name), or famNone.
func family(name string) (fam, num int) {
	for _, f := range []int{famQdot, famQ, famV, famP, famU} {
		rest, ok := strings.CutPrefix(name, famPrefix[f])
		if !ok {
			continue
		}
		if rest == "" {
			return f, -1
		}
		if rest[0] < '0' || rest[0] > '9' {
			continue
		}
		if k, err := strconv.Atoi(rest); err == nil {
			return f, k
		}
	}
	return famNone, -1
}

// stripAngles returns names without their angle marks and which of them
// were marked.
func stripAngles(names []string) (out []string, marked []bool) {
	out = make([]string, len(names))
	marked = make([]bool, len(names))
	for i, n := range names {
		out[i], marked[i] = strings.CutSuffix(strings.TrimSpace(n), AngleMark)
	}
	return out, marked
}

// countInputs returns the number of names that name an input column (u,
// u1, u2, ...).
func countInputs(names []string) int {
	m := 0
	for _, n := range names {
		if isInputName(n) {
			m++
		}
	}
	return m
}

// layoutConvention is the rule a header follows to declare a layout, for
// error messages.
const layoutConvention = "positions q1..qn, then velocities v1..vn (or qdot1..qdotn) or momenta p1..pn, then inputs u1..um; q, v, p, u for one; angles marked q1" + AngleMark

// namedLayout returns the layout that the state column names of a header
// declare (names without their angle marks, marked saying which had one),
// and whether they declare one. Names declare a layout when every one of
// them follows the convention (positions q, velocities v or qdot, momenta
// p, inputs u; see layoutConvention), or when one of them can only be
// read that way (a qdot, an input or an angle mark); then every name must
// follow it, and an error says, in one line, which column does not:
// a misnamed or misnumbered column, positions without as many velocities
// or momenta, inputs before the state, or an angle marked on a column
// that is not a position. Names that declare nothing leave the file
// canonical (the Schmidt & Lipson "o v").
func namedLayout(names []string, marked []bool) (data.Layout, bool, error) {
	fams := make([]int, len(names))
	nums := make([]int, len(names))
	all, strict := true, false
	for i, n := range names {
		fams[i], nums[i] = family(n)
		switch {
		case fams[i] == famNone:
			all = false
		case fams[i] == famQdot, fams[i] == famU:
			strict = true
		}
		if marked[i] {
			strict = true
		}
	}
	if !all && !strict {
		return data.Layout{}, false, nil
	}
	for i, f := range fams {
		if f == famNone {
			return data.Layout{}, false, fmt.Errorf("column %s does not name a layout column (%s)", check.Quote(names[i]+mark(marked[i])), layoutConvention)
		}
	}
	// Positions first, then as many velocities or momenta, then inputs.
	n := 0
	for n < len(fams) && fams[n] == famQ {
		n++
	}
	if n == 0 {
		return data.Layout{}, false, fmt.Errorf("the state columns start with %s, expected the positions q first (%s)", check.Quote(names[0]), layoutConvention)
	}
	if 2*n > len(fams) {
		return data.Layout{}, false, fmt.Errorf("%s without as many velocities or momenta (%d state columns; %s)", plural(n, "position"), len(fams), layoutConvention)
	}
	second := fams[n]
	if second != famV && second != famQdot && second != famP {
		return data.Layout{}, false, fmt.Errorf("column %s follows the %s, expected a velocity v or qdot or a momentum p (%s)", check.Quote(names[n]), plural(n, "position"), layoutConvention)
	}
	l := data.Layout{Positions: n, Velocities: second != famP, Inputs: len(fams) - 2*n}
	want := func(f, k, count int) string {
		if count == 1 {
			return famPrefix[f] + " (or " + famPrefix[f] + "1)"
		}
		return famPrefix[f] + strconv.Itoa(k+1)
	}
	for i, f := range fams {
		var wf, k, count int
		switch {
		case i < n:
			wf, k, count = famQ, i, n
		case i < 2*n:
			wf, k, count = second, i-n, n
		default:
			wf, k, count = famU, i-2*n, l.Inputs
		}
		ok := f == wf && (nums[i] == k+1 || count == 1 && nums[i] == -1)
		if !ok {
			what := [...]string{famQ: "position", famV: "velocity", famQdot: "velocity", famP: "momentum", famU: "input"}[wf]
			return data.Layout{}, false, fmt.Errorf("state column %d is %s, expected %s %d of %d, %s (%s)",
				i+1, check.Quote(names[i]), what, k+1, count, want(wf, k, count), layoutConvention)
		}
		if marked[i] {
			if i >= n {
				what := [...]string{famV: "a velocity", famQdot: "a velocity", famP: "a momentum", famU: "an input"}[f]
				return data.Layout{}, false, fmt.Errorf("column %s is marked as an angle, but it is %s: only positions can be angles", check.Quote(names[i]+AngleMark), what)
			}
			l.Angles = append(l.Angles, i)
		}
	}
	return l, true, nil
}

func mark(m bool) string {
	if m {
		return AngleMark
	}
	return ""
}
