package trajectory

import (
	"fmt"

	"github.com/hnn-go/hnn/internal/check"
)

// Central returns the time derivatives of the states of trial, which have
// dim variables, estimated by second-order finite differences on its
// possibly uneven time grid, in the layout of trial.X.
//
// At an interior row i, with steps h1 = t[i]-t[i-1] and h2 = t[i+1]-t[i],
// it uses the three-point formula
//
//	x'(t[i]) ≈ (-h2²·x[i-1] + (h2²-h1²)·x[i] + h1²·x[i+1]) / (h1·h2·(h1+h2)),
//
// and at the first and last rows the one-sided three-point formulas
// through the first or last three rows. All are exact for polynomials of
// degree two; their error is O(h²) for smooth trajectories, where h is the
// largest step (at the ends, the error constant is about twice that of
// the interior).
//
// Central panics if dim <= 0, if len(trial.X) != len(trial.T)*dim, or if
// the trial has fewer than three rows.
func Central(trial Trial, dim int) []float64 {
	t, x := trial.T, trial.X
	n := checkTrial(t, x, dim, 3, "Central")
	dx := make([]float64, len(x))
	for i := range n {
		// Row i's derivative is c0·x[a] + c1·x[a+1] + c2·x[a+2] for the
		// three rows a, a+1, a+2 around it.
		a := min(max(i-1, 0), n-3)
		h1, h2 := t[a+1]-t[a], t[a+2]-t[a+1]
		var c0, c1, c2 float64
		switch i - a {
		case 0: // first row, forward
			c0 = -(2*h1 + h2) / (h1 * (h1 + h2))
			c1 = (h1 + h2) / (h1 * h2)
			c2 = -h1 / (h2 * (h1 + h2))
		case 1: // interior
			c0 = -h2 / (h1 * (h1 + h2))
			c1 = (h2 - h1) / (h1 * h2)
			c2 = h1 / (h2 * (h1 + h2))
		default: // last row, backward
			c0 = h2 / (h1 * (h1 + h2))
			c1 = -(h1 + h2) / (h1 * h2)
			c2 = (h1 + 2*h2) / (h2 * (h1 + h2))
		}
		x0, x1, x2 := x[a*dim:(a+1)*dim], x[(a+1)*dim:(a+2)*dim], x[(a+2)*dim:(a+3)*dim]
		d := dx[i*dim : (i+1)*dim]
		for j := range d {
			d[j] = c0*x0[j] + c1*x1[j] + c2*x2[j]
		}
	}
	return dx
}

// Forward returns the time derivatives of the states of trial, which have
// dim variables, estimated by first-order forward differences, in the
// layout of trial.X: row i gets (x[i+1]-x[i]) / (t[i+1]-t[i]), as in the
// HNN reference (Greydanus et al. 2019, experiment-real/data.py). The
// error is O(h) for smooth trajectories; the formula is exact for
// polynomials of degree one.
//
// The last row has no successor. The reference drops it: it differences
// the n rows of real_pend_h_1.txt into n-1 derivatives and keeps the
// first n-1 states. Forward instead keeps every row and gives the last
// row the backward difference (x[n-1]-x[n-2]) / (t[n-1]-t[n-2]), the same
// value as row n-2. Rows 0 to n-2 therefore equal the reference's values;
// to reproduce its data exactly, drop the last row of each trial.
//
// Forward panics if dim <= 0, if len(trial.X) != len(trial.T)*dim, or if
// the trial has fewer than two rows.
func Forward(trial Trial, dim int) []float64 {
	t, x := trial.T, trial.X
	n := checkTrial(t, x, dim, 2, "Forward")
	dx := make([]float64, len(x))
	for i := range n - 1 {
		h := t[i+1] - t[i]
		x0, x1 := x[i*dim:(i+1)*dim], x[(i+1)*dim:(i+2)*dim]
		d := dx[i*dim : (i+1)*dim]
		for j := range d {
			d[j] = (x1[j] - x0[j]) / h
		}
	}
	copy(dx[(n-1)*dim:], dx[(n-2)*dim:(n-1)*dim])
	return dx
}

// checkTrial panics unless x holds len(t) rows of dim > 0 values and
// there are at least minRows rows. It returns the number of rows.
func checkTrial(t, x []float64, dim, minRows int, fn string) int {
	if dim <= 0 {
		panic(fmt.Sprintf("trajectory: %s: dimension %d, expected a positive one", fn, dim))
	}
	if len(x) != len(t)*dim {
		panic(fmt.Sprintf("trajectory: %s: %d state values for %d times of dimension %d", fn, len(x), len(t), dim))
	}
	if len(t) < minRows {
		panic(fmt.Sprintf("trajectory: %s: %d rows, expected at least %d", fn, len(t), minRows))
	}
	return len(t)
}

// WithDerivatives returns a copy of s in which every trial without
// derivatives has them estimated by finite differences in time. Trials
// that have derivatives, such as those read from a file, keep them. The
// derivatives of input columns (see Reader) are zero.
// Method is "central" (the default if empty), second-order differences as
// Central computes them, or "forward", the first-order differences of the
// HNN reference, as Forward computes them.
//
// It returns an error if s is not valid (see Set.Validate), if method is
// unknown, if a trial to difference has too few rows (central differences
// need three, forward differences two), or if a derivative is not finite,
// which happens when time steps are tiny next to the changes of the
// state.
func (s *Set) WithDerivatives(method string) (*Set, error) {
	var diff func(Trial, int) []float64
	minRows := 0
	switch method {
	case "", "central":
		diff, minRows, method = Central, 3, "central"
	case "forward":
		diff, minRows = Forward, 2
	default:
		return nil, s.errorf("unknown finite-difference method %s, expected \"central\" or \"forward\"", check.Quote(method))
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	out := s.clone()
	for k := range out.Trials {
		tr := &out.Trials[k]
		if tr.DX != nil {
			continue
		}
		if len(tr.T) < minRows {
			return nil, s.errorf("trial %d has %d rows; %s differences need at least %d", k, len(tr.T), method, minRows)
		}
		tr.DX = diff(*tr, out.Dim)
		// Inputs are not dynamics: their derivatives are zero, as the
		// readers give them.
		if m := out.inputs(); m > 0 {
			for i := range len(tr.T) {
				clear(tr.DX[(i+1)*out.Dim-m : (i+1)*out.Dim])
			}
		}
	}
	if err := out.Validate(); err != nil {
		return nil, fmt.Errorf("%w (%s differences)", err, method)
	}
	return out, nil
}
