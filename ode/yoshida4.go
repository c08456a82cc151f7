package ode

import "math"

// Yoshida4 is the fourth-order symplectic composition of Yoshida (1990):
// three leapfrog (Störmer-Verlet) substeps of sizes w1 h, w0 h, w1 h with
// w1 = 1/(2 - 2^(1/3)) and w0 = -2^(1/3)/(2 - 2^(1/3)). Like Leapfrog it is
// for separable Hamiltonians H = T(p) + V(q) in canonical coordinates
// (first half q, second half p), costs three leapfrog steps per step (about
// four evaluations of f, the forces shared between substeps), and is
// time-reversible.
type Yoshida4 struct {
	// Step is the largest step size. Zero means one step per output
	// interval.
	Step float64
}

// Yoshida's composition weights.
var (
	yoshidaW1 = 1 / (2 - math.Cbrt(2))
	yoshidaW0 = -math.Cbrt(2) / (2 - math.Cbrt(2))
)

// Name returns "yoshida4".
func (Yoshida4) Name() string { return "yoshida4" }

// Solve integrates dx/dt = f from x0 at ts[0] and writes the state at each
// ts[i] into dst; its contract is Leapfrog.Solve's.
func (y Yoshida4) Solve(dst []float64, f Func, x0, ts []float64) error {
	if err := checkCanonical("yoshida4", len(x0)); err != nil {
		return err
	}
	s := newVerlet(f, len(x0))
	return solveFixed("yoshida4", y.Step, dst, x0, ts, func(x []float64, t, h float64) error {
		return yoshidaStep(s, x, t, h)
	})
}

// yoshidaStep makes one Yoshida step of size h with the leapfrog s.
func yoshidaStep(s *verlet, x []float64, t, h float64) error {
	s.step(x, t, yoshidaW1*h)
	s.step(x, t+yoshidaW1*h, yoshidaW0*h)
	s.step(x, t+(yoshidaW1+yoshidaW0)*h, yoshidaW1*h)
	return nil
}
