package ode

import (
	"fmt"
	"math"
)

// substeps returns the number of equal substeps of at most step that cover
// [t0, t1]: ceil((t1-t0)/step), with a slack of a few ulps so that rounding
// in the ratio, as in 0.1/0.01 = 10.000000000000002, does not add one; 1 if
// step is zero. It returns an error if more than 2^52 substeps are needed.
func substeps(name string, step, t0, t1 float64) (int, error) {
	if step == 0 {
		return 1, nil
	}
	ratio := (t1 - t0) / step
	nf := math.Ceil(ratio * (1 - 4*eps))
	if !(nf <= rk4MaxSubsteps) {
		return 0, fmt.Errorf("ode: %s: step %v underflows: interval [%v, %v] needs %v substeps", name, step, t0, t1, nf)
	}
	return max(1, int(nf)), nil
}

// stepFunc advances x in place by one step of size h from time t.
type stepFunc func(x []float64, t, h float64) error

// solveFixed is the output loop shared by the fixed-step methods: it checks
// the arguments, divides every output interval into substeps of at most
// step and calls advance for each, writing the state at every output time
// into dst; it never calls advance if x0 is empty. It returns an error if
// a state becomes non-finite or advance fails.
func solveFixed(name string, step float64, dst []float64, x0, ts []float64, advance stepFunc) error {
	if !(step >= 0) || math.IsInf(step, 0) {
		panic("ode: negative, infinite or NaN " + name + " step")
	}
	if err := checkSolve(dst, x0, ts); err != nil {
		return err
	}
	d := len(x0)
	copy(dst[:d], x0)
	if d == 0 {
		return nil
	}
	for j := 1; j < len(ts); j++ {
		t0, t1 := ts[j-1], ts[j]
		n, err := substeps(name, step, t0, t1)
		if err != nil {
			return err
		}
		h := (t1 - t0) / float64(n)
		x := dst[j*d : (j+1)*d]
		copy(x, dst[(j-1)*d:j*d])
		for k := range n {
			t := t0 + float64(k)*h
			if err := advance(x, t, h); err != nil {
				return err
			}
			if nonFinite(x) >= 0 {
				return errNonFinite(name, t+h, x)
			}
		}
	}
	return nil
}

// checkCanonical returns an error unless the state has an even dimension,
// (q, p) halves, as the symplectic methods need.
func checkCanonical(name string, d int) error {
	if d%2 != 0 {
		return fmt.Errorf("ode: %s: state dimension %d is odd; symplectic methods need canonical coordinates (first half q, second half p)", name, d)
	}
	return nil
}
