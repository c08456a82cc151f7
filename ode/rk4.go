package ode

import (
	"fmt"
	"math"
)

// RK4 is the classical fixed-step 4th-order Runge-Kutta method.
//
// Step is the largest step: each output interval [ts[i], ts[i+1]] is divided
// into ceil((ts[i+1]-ts[i])/Step) equal substeps, so output times are hit
// exactly. The ratio is rounded down to an integer when it is within a few
// ulps of one, so that an interval of 0.1 with Step 0.01 takes 10 substeps
// even though 0.1/0.01 rounds to 10.000000000000002. Step zero means one
// step per output interval.
//
// An RK4 holds only settings; its Solve allocates its workspace per call and
// is safe for concurrent use if f is.
type RK4 struct {
	// Step is the largest step size. Zero means one step per output
	// interval.
	Step float64
}

// rk4MaxSubsteps bounds the substeps of one output interval; beyond it the
// step size is too small to advance time reliably in float64.
const rk4MaxSubsteps = 1 << 52

// eps is the machine epsilon of float64, 2^-52.
const eps = 0x1p-52

// Name returns "rk4".
func (RK4) Name() string { return "rk4" }

// Solve integrates dx/dt = f from x0 at ts[0] and writes the state at each
// ts[i] into dst[i*d:(i+1)*d], d = len(x0), with dst[0:d] = x0. It panics if
// len(dst) != len(ts)*len(x0), if len(ts) == 0, or if r.Step is negative or
// NaN. It returns an error if ts is not finite and strictly increasing, if x0
// or the state becomes non-finite, or if an output interval would need more
// than 2^52 substeps.
func (r RK4) Solve(dst []float64, f Func, x0, ts []float64) error {
	if !(r.Step >= 0) {
		panic("ode: negative or NaN RK4 step")
	}
	if err := checkSolve(dst, x0, ts); err != nil {
		return err
	}
	d := len(x0)
	copy(dst[:d], x0)
	if len(ts) == 1 || d == 0 {
		return nil
	}

	// All work buffers come from one allocation.
	work := make([]float64, 5*d)
	tmp, k1, k2, k3, k4 := work[0:d], work[d:2*d], work[2*d:3*d], work[3*d:4*d], work[4*d:5*d]

	for j := 1; j < len(ts); j++ {
		t0, t1 := ts[j-1], ts[j]
		n := 1
		if r.Step > 0 {
			// The slack of a few ulps keeps rounding in the ratio from
			// adding a substep, as in 0.1/0.01 = 10.000000000000002.
			ratio := (t1 - t0) / r.Step
			nf := math.Ceil(ratio * (1 - 4*eps))
			if !(nf <= rk4MaxSubsteps) {
				return fmt.Errorf("ode: rk4: step %v underflows: interval [%v, %v] needs %v substeps", r.Step, t0, t1, nf)
			}
			n = max(1, int(nf))
		}
		h := (t1 - t0) / float64(n)
		// y is the output slot of the previous time and x the current one;
		// the first substep reads y and every substep writes x.
		y := dst[(j-1)*d : j*d]
		x := dst[j*d : (j+1)*d]
		for k := range n {
			t := t0 + float64(k)*h
			src := x
			if k == 0 {
				src = y
			}
			f(k1, t, src)
			for i := range tmp {
				tmp[i] = src[i] + h/2*k1[i]
			}
			f(k2, t+h/2, tmp)
			for i := range tmp {
				tmp[i] = src[i] + h/2*k2[i]
			}
			f(k3, t+h/2, tmp)
			for i := range tmp {
				tmp[i] = src[i] + h*k3[i]
			}
			f(k4, t+h, tmp)
			for i := range x {
				x[i] = src[i] + h/6*(k1[i]+2*k2[i]+2*k3[i]+k4[i])
			}
			if nonFinite(x) >= 0 {
				return errNonFinite("rk4", t+h, x)
			}
		}
	}
	return nil
}
