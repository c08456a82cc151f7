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
// conserves every quadratic invariant exactly. Its symplecticity refers to
// canonical states (first half q, second half p), but any field of any
// dimension can be integrated.
//
// Each step solves the implicit equation for the stage slope k, with
// x' = x + h k, by the fixed-point iteration
//
//	k <- f(t + h/2, x + h/2 k),
//
// started from an explicit predictor: the slope of the previous step, or the
// explicit Euler slope f(t, x) at the first step. With u the max norm of the
// change of h k (the update of x') and s = max(1, max_i |x_i|), the
// iteration stops and accepts its latest iterate when
//
//   - u <= Tol*s (converged); or
//   - u has not fallen below its smallest value so far for 3 iterations
//     while u <= 1e-5*s (stagnated). A field evaluated in float32, such as
//     a neural network inside a float64 Func, carries about 1e-7 relative
//     round-off, which puts a floor under u that can lie above a tight Tol;
//     the iterate is then as good as the field allows.
//
// It fails, and Solve returns an error that says to reduce the step, if u
// becomes NaN or infinite, if u has grown for 5 consecutive iterations to
// above both 1e-5*s and its first value (divergence: the fixed-point map
// contracts only if h times the field's Lipschitz constant is below about
// 2), or if neither stopping rule holds within MaxIter iterations. Each
// iteration is one evaluation of f.
//
// Step is the largest step, as for RK4: each output interval [ts[i],
// ts[i+1]] is divided into ceil((ts[i+1]-ts[i])/Step) equal substeps, with
// the same few-ulp slack, so output times are hit exactly. Step zero means
// one step per output interval.
//
// An ImplicitMidpoint holds only settings; its Solve allocates its workspace
// once per call and is safe for concurrent use if f is.
type ImplicitMidpoint struct {
	// Step is the largest step size. Zero means one step per output
	// interval.
	Step float64
	// Tol is the relative tolerance of the fixed-point iteration, see the
	// stopping rule above. Zero means 1e-12.
	Tol float64
	// MaxIter bounds the fixed-point iterations (evaluations of f) of one
	// step. Zero means 50.
	MaxIter int
}

// Defaults and thresholds of the fixed-point iteration of ImplicitMidpoint.
const (
	midpointTol     = 1e-12
	midpointMaxIter = 50
	// midpointStall is the relative update below which an iteration that
	// stops decreasing is accepted: well above the float32 round-off of a
	// field (about 1e-7 relative, times h), well below a useful accuracy.
	midpointStall = 1e-5
	// midpointStallIters and midpointGrowIters are the iterations without
	// a new smallest update that mean stagnation, and the consecutive
	// growing updates that mean divergence.
	midpointStallIters = 3
	midpointGrowIters  = 5
)

// Name returns "implicit-midpoint".
func (ImplicitMidpoint) Name() string { return "implicit-midpoint" }

// Solve integrates dx/dt = f from x0 at ts[0] and writes the state at each
// ts[i] into dst[i*d:(i+1)*d], d = len(x0), with dst[0:d] = x0. It panics if
// len(dst) != len(ts)*len(x0), if len(ts) == 0, if Step or Tol is negative,
// infinite or NaN, or if MaxIter is negative. It returns an error if ts is
// not finite and strictly increasing, if x0 or the state becomes
// non-finite, if an output interval would need more than 2^52 substeps, or
// if the implicit equation of a step cannot be solved (see the stopping
// rule in the type's documentation).
func (m ImplicitMidpoint) Solve(dst []float64, f Func, x0, ts []float64) error {
	if !(m.Tol >= 0) || math.IsInf(m.Tol, 0) || m.MaxIter < 0 {
		panic("ode: negative, infinite or NaN implicit-midpoint tolerance or negative iteration limit")
	}
	s := newMidpoint(f, len(x0), m.Tol, m.MaxIter)
	return solveFixed("implicit-midpoint", m.Step, dst, x0, ts, s.step)
}

// midpoint holds the work buffers of implicit midpoint steps.
type midpoint struct {
	f       Func
	k, kn   []float64 // the slope iterate and the next one
	y       []float64 // the midpoint state x + h/2 k
	haveK   bool      // k holds the previous step's slope
	tol     float64
	maxIter int
}

// newMidpoint returns the implicit midpoint workspace for f in dimension d,
// from one allocation; tol and maxIter zero mean the defaults.
func newMidpoint(f Func, d int, tol float64, maxIter int) midpoint {
	if tol == 0 {
		tol = midpointTol
	}
	if maxIter == 0 {
		maxIter = midpointMaxIter
	}
	work := make([]float64, 3*d)
	return midpoint{f: f, k: work[:d:d], kn: work[d : 2*d : 2*d], y: work[2*d:], tol: tol, maxIter: maxIter}
}

// step makes one implicit midpoint step of size h from time t with x in
// place. h may be negative, which runs the method backwards: it is
// time-reversible. It returns an error, leaving x unchanged, if the
// fixed-point iteration fails.
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
	var (
		delta, first float64
		best         = math.Inf(1)
		prev         = math.Inf(1)
		stalled      int
		grown        int
		it           int
	)
	for it = 1; it <= s.maxIter; it++ {
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
		if it == 1 {
			first = delta
		}
		if delta < best {
			best, stalled = delta, 0
		} else if stalled++; stalled >= midpointStallIters && delta <= midpointStall*scale {
			return s.finish(x, h)
		}
		if delta > prev {
			if grown++; grown >= midpointGrowIters && delta > midpointStall*scale && delta > first {
				break
			}
		} else {
			grown = 0
		}
		prev = delta
	}
	// The slope is garbage now; the next step starts afresh.
	s.haveK = false
	return fmt.Errorf("ode: implicit-midpoint: fixed-point iteration did not converge at t=%v after %d iterations (update %v, tolerance %v); reduce the step", t, min(it, s.maxIter), delta, s.tol*scale)
}

// finish applies the accepted slope, x += h k.
func (s *midpoint) finish(x []float64, h float64) error {
	for i, k := range s.k {
		x[i] += h * k
	}
	return nil
}
