package ode

import "math"

// Yoshida4 is the fourth-order symplectic composition of Yoshida (1990):
// three leapfrog (Störmer-Verlet, kick-drift-kick) substeps of sizes w1 h,
// w0 h and w1 h with
//
//	w1 = 1/(2 - 2^(1/3)) ≈ 1.3512,  w0 = -2^(1/3)/(2 - 2^(1/3)) ≈ -1.7024,
//
// so w0 + 2 w1 = 1 and the middle substep runs backwards in time. It is
// symplectic and time-reversible for separable Hamiltonians
// H = T(p) + V(q) and follows Leapfrog's conventions: the state is
// canonical (first half q, second half p, even dimension), a non-separable
// field makes it neither symplectic nor of fourth order (the caller's
// responsibility), and the force of each kick is reused by the next, so a
// step costs six evaluations of f (two per leapfrog substep), plus one at
// the start of Solve.
//
// Step is the largest step, as for RK4 and Leapfrog: each output interval is
// divided into ceil((ts[i+1]-ts[i])/Step) equal substeps, with the same
// few-ulp slack. Step zero means one step per output interval.
//
// A Yoshida4 holds only settings; its Solve allocates its workspace once per
// call and is safe for concurrent use if f is.
type Yoshida4 struct {
	// Step is the largest step size. Zero means one step per output
	// interval.
	Step float64
}

// Yoshida's composition weights; w0 + 2 w1 = 1.
var (
	yoshidaW1 = 1 / (2 - math.Cbrt(2))
	yoshidaW0 = -math.Cbrt(2) / (2 - math.Cbrt(2))
)

// Name returns "yoshida4".
func (Yoshida4) Name() string { return "yoshida4" }

// Solve integrates dx/dt = f from x0 at ts[0] and writes the state at each
// ts[i] into dst[i*d:(i+1)*d], d = len(x0), with dst[0:d] = x0. It panics if
// len(dst) != len(ts)*len(x0), if len(ts) == 0, or if Step is negative,
// infinite or NaN. It returns an error if d is odd, if ts is not finite and
// strictly increasing, if x0 or the state becomes non-finite, or if an
// output interval would need more than 2^52 substeps.
func (y Yoshida4) Solve(dst []float64, f Func, x0, ts []float64) error {
	if err := checkCanonical("yoshida4", len(x0)); err != nil {
		return err
	}
	s := newVerlet(f, len(x0))
	return solveFixed("yoshida4", y.Step, dst, x0, ts, func(x []float64, t, h float64) error {
		return yoshidaStep(&s, x, t, h)
	})
}

// yoshidaStep makes one Yoshida step of size h from time t with the
// leapfrog workspace s, x in place. h may be negative: the composition is
// symmetric, so it is time-reversible like its leapfrog substeps.
func yoshidaStep(s *verlet, x []float64, t, h float64) error {
	s.step(x, t, yoshidaW1*h)
	s.step(x, t+yoshidaW1*h, yoshidaW0*h)
	s.step(x, t+(yoshidaW1+yoshidaW0)*h, yoshidaW1*h)
	return nil
}
