package ode

import (
	"fmt"
	"math"
)

// ImplicitMidpoint is the implicit midpoint rule,
//
//	x' = x + h f(t + h/2, (x + x')/2),
//
// a second-order method that is symplectic for every Hamiltonian, separable
// or not (the one a general learned H needs), time-reversible, and that
// conserves every quadratic invariant exactly. The state is canonical (first
// half q, second half p) only for its symplecticity to mean something; any
// field can be integrated.
//
// The implicit equation is solved for the stage slope k = f(x + h/2 k) by
// fixed-point iteration, started from the previous step's slope (or f(x) at
// the first step): k <- f(t + h/2, x + h/2 k). The iteration stops when the
// change of h k, in the max norm, is at most Tol * max(1, |x|). A field
// evaluated in float32 (a neural network) carries about 1e-7 relative
// round-off, so the change can stall above a tight Tol: the iteration then
// stops when the change has not decreased for 3 iterations while already
// below 1e-5 * max(1, |x|), the round-off level of float32 evaluations. If
// neither happens within MaxIter iterations (the step is too large for the
// field's Lipschitz constant, h L >= 2) Solve returns an error.
type ImplicitMidpoint struct {
	// Step is the largest step size. Zero means one step per output
	// interval.
	Step float64
	// Tol is the relative tolerance of the fixed-point iteration; zero
	// means 1e-12.
	Tol float64
	// MaxIter bounds the fixed-point iterations of one step; zero means 50.
	MaxIter int
}

// Name returns "implicit-midpoint".
func (ImplicitMidpoint) Name() string { return "implicit-midpoint" }

// Solve integrates dx/dt = f from x0 at ts[0] and writes the state at each
// ts[i] into dst[i*d:(i+1)*d], d = len(x0). It panics if len(dst) !=
// len(ts)*len(x0), if len(ts) == 0, or if Step, Tol or MaxIter is negative
// or NaN. It returns an error if ts is not finite and strictly increasing,
// if the state becomes non-finite, or if the implicit equation of a step
// does not converge.
func (m ImplicitMidpoint) Solve(dst []float64, f Func, x0, ts []float64) error {
	if !(m.Tol >= 0) || m.MaxIter < 0 {
		panic("ode: negative or NaN implicit-midpoint tolerance or iteration limit")
	}
	s := newMidpoint(f, len(x0), m.Tol, m.MaxIter)
	return solveFixed("implicit-midpoint", m.Step, dst, x0, ts, s.step)
}

// midpoint holds the work buffers of implicit midpoint steps.
type midpoint struct {
	f        Func
	k, kn, y []float64
	haveK    bool
	tol      float64
	maxIter  int
}

func newMidpoint(f Func, d int, tol float64, maxIter int) *midpoint {
	if tol == 0 {
		tol = 1e-12
	}
	if maxIter == 0 {
		maxIter = 50
	}
	return &midpoint{f: f, k: make([]float64, d), kn: make([]float64, d), y: make([]float64, d), tol: tol, maxIter: maxIter}
}

// step makes one implicit midpoint step of size h in place (h may be
// negative).
func (s *midpoint) step(x []float64, t, h float64) error {
	if !s.haveK {
		s.f(s.k, t, x)
		s.haveK = true
	}
	var scale float64
	for _, v := range x {
		scale = max(scale, math.Abs(v))
	}
	scale = max(scale, 1)
	tm := t + h/2
	prev := math.Inf(1)
	stalled := 0
	var delta float64
	for it := 1; it <= s.maxIter; it++ {
		for i, v := range x {
			s.y[i] = v + h/2*s.k[i]
		}
		s.f(s.kn, tm, s.y)
		delta = 0
		for i, v := range s.kn {
			delta = max(delta, math.Abs(h*(v-s.k[i])))
		}
		s.k, s.kn = s.kn, s.k
		if !isFinite(delta) {
			break
		}
		if delta <= s.tol*scale {
			return s.finish(x, h)
		}
		if delta >= prev {
			stalled++
			if stalled >= 3 && delta <= 1e-5*scale {
				return s.finish(x, h)
			}
		} else {
			stalled = 0
		}
		prev = min(prev, delta)
	}
	return fmt.Errorf("ode: implicit-midpoint: fixed-point iteration did not converge at t=%v after %d iterations (update %v, tolerance %v); reduce the step", t, s.maxIter, delta, s.tol*scale)
}

// finish applies the converged slope: x += h k.
func (s *midpoint) finish(x []float64, h float64) error {
	for i := range x {
		x[i] += h * s.k[i]
	}
	return nil
}
