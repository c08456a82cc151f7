package trajectory

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"unicode"
	"unicode/utf8"

	"github.com/hnn-go/hnn/data"

	"github.com/hnn-go/hnn/internal/check"
)

// Trial is one measured trajectory: a sequence of rows, each a time and a
// state, and optionally the time derivative of the state.
type Trial struct {
	// T holds the time of every row, strictly increasing. Steps need not
	// be uniform.
	T []float64
	// X holds the states, len(T)*Dim values, row-major: row i is
	// X[i*Dim : (i+1)*Dim].
	X []float64
	// DX holds the time derivatives of the states in the layout of X, or
	// is nil if they are not known.
	DX []float64
}

// Len returns the number of rows of tr.
func (tr *Trial) Len() int { return len(tr.T) }

// Set is a collection of trials of the same system.
type Set struct {
	// Source names where the set came from, typically a file name. Error
	// messages start with it.
	Source string
	// Names holds the names of the Dim state variables, in state order.
	Names []string
	// Dim is the state dimension. Without a layout it is an even number,
	// the first half coordinates q and the second half momenta p.
	Dim int
	// Layout declares the state's columns (positions, velocities or
	// momenta, inputs, angles; see Reader); the zero value is the
	// canonical layout of Dim/2 positions and momenta.
	Layout data.Layout
	// Trials holds the trials in the order of the source.
	Trials []Trial
}

// Len returns the total number of rows of all trials of s.
func (s *Set) Len() int {
	n := 0
	for i := range s.Trials {
		n += len(s.Trials[i].T)
	}
	return n
}

// HasDerivatives reports whether every trial of s has derivatives.
func (s *Set) HasDerivatives() bool {
	for i := range s.Trials {
		if s.Trials[i].DX == nil {
			return false
		}
	}
	return len(s.Trials) > 0
}

// Rows returns the rows of all trials of s, in order, as one data.Set
// whose Traj holds the index in s.Trials of every row's trial and whose T
// holds every row's time. Its DX is nil unless every trial has
// derivatives. The result does not share memory with s.
func (s *Set) Rows() data.Set {
	n := s.Len()
	out := data.Set{
		Layout: s.Layout,
		Dim:    s.Dim,
		X:      make([]float64, 0, n*s.Dim),
		Traj:   make([]int, 0, n),
		T:      make([]float64, 0, n),
	}
	withDX := s.HasDerivatives()
	if withDX {
		out.DX = make([]float64, 0, n*s.Dim)
	}
	for k := range s.Trials {
		tr := &s.Trials[k]
		out.X = append(out.X, tr.X...)
		out.T = append(out.T, tr.T...)
		for range tr.T {
			out.Traj = append(out.Traj, k)
		}
		if withDX {
			out.DX = append(out.DX, tr.DX...)
		}
	}
	return out
}

// clone returns a deep copy of s.
func (s *Set) clone() *Set {
	c := &Set{Source: s.Source, Names: slices.Clone(s.Names), Dim: s.Dim, Layout: s.Layout, Trials: make([]Trial, len(s.Trials))}
	c.Layout.Angles = slices.Clone(s.Layout.Angles)
	for k, tr := range s.Trials {
		c.Trials[k] = Trial{T: slices.Clone(tr.T), X: slices.Clone(tr.X), DX: slices.Clone(tr.DX)}
	}
	return c
}

// Validate returns an error if s is not a valid set of trajectories, and
// nil otherwise. A valid set has a positive Dim that its Layout fits
// (without a layout an even one), one name per state variable, and at
// least one trial. Every trial has len(X) = len(T)*Dim
// and DX either nil or as long as X; at least one row, and at least two if
// DX is nil (so that derivatives can be estimated; central differences
// need three, see WithDerivatives); finite values throughout; and times
// that strictly increase. The error names s.Source, the trial and row and
// the variable at fault.
func (s *Set) Validate() error {
	return s.validate(defaultLoc)
}

// Column indices that locators understand besides the state variables
// 0..Dim-1 and their derivatives Dim..2*Dim-1.
const (
	colRow  = -2 // the row as a whole
	colTime = -1 // the time
)

// A locator names a place in a set's source for error messages: the row
// of trial k, or one value of it, col being colRow, colTime, a state
// variable j in [0, Dim) or the derivative of variable j as Dim+j.
type locator func(s *Set, k, row, col int) string

// defaultLoc names places by trial and row index and variable name.
func defaultLoc(s *Set, k, row, col int) string {
	at := "trial " + strconv.Itoa(k) + ", row " + strconv.Itoa(row)
	if col == colRow {
		return at
	}
	return at + ", " + colName(s, col)
}

// colName returns the name of column col of s: t, a state variable or the
// derivative of one, "d" and its name.
func colName(s *Set, col int) string {
	name := func(j int) string {
		if j < len(s.Names) && s.Names[j] != "" {
			return s.Names[j]
		}
		return "x" + strconv.Itoa(j)
	}
	switch {
	case col == colTime:
		return "t"
	case col < s.Dim:
		return name(col)
	default:
		return "d" + name(col-s.Dim)
	}
}

// errorf returns an error that starts with the package name and s.Source.
func (s *Set) errorf(format string, args ...any) error {
	return sourceErrorf(s.Source, format, args...)
}

// sourceErrorf returns an error that starts with the package name and
// source, if that is not empty.
func sourceErrorf(source, format string, args ...any) error {
	prefix := "trajectory: "
	if source != "" {
		prefix += source + ": "
	}
	return fmt.Errorf(prefix+format, args...)
}

// checkDim returns an error message if dim is not a valid state dimension.
func checkDim(dim int) error {
	switch {
	case dim <= 0:
		return errors.New("no state variables, expected an even number of them: first half q, second half p")
	case dim%2 != 0:
		return fmt.Errorf("state has %d variables; canonical coordinates need an even number: first half q, second half p", dim)
	}
	return nil
}

// maxName bounds the length of a state variable's name in a file header.
const maxName = 64

// checkNames returns an error naming the first state variable name of a
// file header that is not printable UTF-8 of at most maxName bytes (as
// when a binary file is read as text); the names then appear safely in
// every later error message.
func checkNames(names []string) error {
	for i, n := range names {
		ok := len(n) <= maxName && utf8.ValidString(n)
		for _, r := range n {
			ok = ok && unicode.IsPrint(r)
		}
		if !ok {
			return fmt.Errorf("variable %d has the name %s, expected printable text of at most %d bytes", i+1, check.Quote(n), maxName)
		}
	}
	return nil
}

// validate is Validate with places named by loc.
func (s *Set) validate(loc locator) error {
	if _, err := (Reader{Layout: s.Layout}).resolve(nil, nil, s.Dim); err != nil {
		return s.errorf("%v", err)
	}
	if len(s.Names) != s.Dim {
		return s.errorf("%d names for %d state variables", len(s.Names), s.Dim)
	}
	if len(s.Trials) == 0 {
		return s.errorf("no trials, expected at least one")
	}
	d := s.Dim
	for k := range s.Trials {
		tr := &s.Trials[k]
		n := len(tr.T)
		if len(tr.X) != n*d {
			return s.errorf("trial %d: %d state values for %d rows of %d variables, expected %d", k, len(tr.X), n, d, n*d)
		}
		if tr.DX != nil && len(tr.DX) != len(tr.X) {
			return s.errorf("trial %d: %d derivative values for %d rows of %d variables, expected %d", k, len(tr.DX), n, d, n*d)
		}
		switch {
		case n == 0:
			return s.errorf("trial %d has no rows, expected at least 2", k)
		case n < 2 && tr.DX == nil:
			return s.errorf("trial %d (%s) has 1 row, expected at least 2 to estimate derivatives (3 for central differences)",
				k, loc(s, k, 0, colRow))
		}
		for i, t := range tr.T {
			if !finite(t) {
				return s.errorf("%s: time %v, expected a finite number", loc(s, k, i, colTime), t)
			}
			if i > 0 && !(t > tr.T[i-1]) {
				return s.errorf("%s: time %v does not increase from %v at %s; time must increase within a trial",
					loc(s, k, i, colTime), t, tr.T[i-1], loc(s, k, i-1, colRow))
			}
			for j, v := range tr.X[i*d : (i+1)*d] {
				if !finite(v) {
					return s.errorf("%s: value %v, expected a finite number", loc(s, k, i, j), v)
				}
			}
			if tr.DX != nil {
				for j, v := range tr.DX[i*d : (i+1)*d] {
					if !finite(v) {
						return s.errorf("%s: derivative %v, expected a finite number", loc(s, k, i, d+j), v)
					}
				}
			}
		}
	}
	return nil
}

// finite reports whether v is neither NaN nor infinite.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
