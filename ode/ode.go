package ode

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/hnn-go/hnn/internal/check"
)

// Func evaluates the autonomous or non-autonomous vector field
// dx/dt = f(t, x) into dst. len(dst) == len(x). A Func must not retain dst
// or x, and it may assume that dst and x do not overlap.
type Func func(dst []float64, t float64, x []float64)

// Integrator integrates an ODE and reports the state at requested output
// times.
type Integrator interface {
	// Name returns the integrator's registry name, e.g. "dopri5".
	Name() string
	// Solve integrates dx/dt = f from x0 at ts[0] and writes the state at
	// each ts[i] into dst[i*d:(i+1)*d], d = len(x0) (dst[0:d] = x0). It
	// panics if len(dst) != len(ts)*len(x0) or len(ts) == 0. It returns an
	// error (never panics) if ts is not strictly increasing or has NaN/Inf,
	// if the state becomes non-finite, if the step size underflows, or if
	// MaxSteps is exceeded.
	Solve(dst []float64, f Func, x0, ts []float64) error
}

// Options selects settings for New. Zero fields mean the integrator's
// documented defaults, and fields that do not apply to the chosen method are
// ignored.
type Options struct {
	// RTol and ATol are the relative and absolute error tolerances of
	// adaptive methods (DormandPrince).
	RTol, ATol float64
	// Step is the largest step of fixed-step methods (RK4, Leapfrog,
	// Yoshida4, ImplicitMidpoint).
	Step float64
	// Tol is the relative tolerance to which implicit methods
	// (ImplicitMidpoint) solve the implicit equation of each step.
	Tol float64
	// MaxIter bounds the iterations that implicit methods
	// (ImplicitMidpoint) spend on the implicit equation of one step.
	MaxIter int
	// MaxSteps bounds the number of steps of adaptive methods
	// (DormandPrince).
	MaxSteps int
}

// registry maps each integrator name to a constructor from Options. A new
// method adds one entry here.
var registry = map[string]func(Options) Integrator{
	"dopri5": func(o Options) Integrator {
		return DormandPrince{RTol: o.RTol, ATol: o.ATol, MaxSteps: o.MaxSteps}
	},
	"rk4": func(o Options) Integrator {
		return RK4{Step: o.Step}
	},
	"leapfrog": func(o Options) Integrator {
		return Leapfrog{Step: o.Step}
	},
	"yoshida4": func(o Options) Integrator {
		return Yoshida4{Step: o.Step}
	},
	"implicit-midpoint": func(o Options) Integrator {
		return ImplicitMidpoint{Step: o.Step, Tol: o.Tol, MaxIter: o.MaxIter}
	},
}

// New returns the integrator registered under name ("dopri5", "rk4",
// "leapfrog", "yoshida4", "implicit-midpoint")
// configured by opts. An unknown name returns an error that lists the valid
// names, and so do negative or non-finite settings in opts.
func New(name string, opts Options) (Integrator, error) {
	mk, ok := registry[name]
	if !ok {
		return nil, fmt.Errorf("ode: unknown integrator %s (valid: %s)", check.Quote(name), strings.Join(Names(), ", "))
	}
	for _, s := range []struct {
		name string
		v    float64
	}{{"RTol", opts.RTol}, {"ATol", opts.ATol}, {"Step", opts.Step}, {"Tol", opts.Tol}} {
		if !isFinite(s.v) || s.v < 0 {
			return nil, fmt.Errorf("ode: %s: invalid %s %v (want a finite value >= 0)", name, s.name, s.v)
		}
	}
	if opts.MaxSteps < 0 || opts.MaxIter < 0 {
		return nil, fmt.Errorf("ode: %s: invalid MaxSteps %d or MaxIter %d (want >= 0)", name, opts.MaxSteps, opts.MaxIter)
	}
	return mk(opts), nil
}

// Names returns the registered integrator names, sorted.
func Names() []string {
	names := make([]string, 0, len(registry))
	for name := range registry {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// SolveMany integrates B = len(x0)/d independent initial states (x0 is B*d
// values, row-major) with ig and writes dst[(b*len(ts)+i)*d : ...] = state b
// at ts[i] (layout B x T x d). newF is called once per worker goroutine to
// make a Func with its own workspace (the Func for a model is not safe for
// concurrent use). workers <= 0 means runtime.GOMAXPROCS(0), and no more
// workers than states are started. ig's Solve must be safe for concurrent
// use, as it is for every integrator in this package.
//
// Each state is integrated on its own, so the result is bitwise identical
// whatever the number of workers. On failure SolveMany returns the error of
// the lowest-index failing state, wrapped with "ode: state %d: %w"; the
// contents of dst are then unspecified for that state and the states after
// it.
//
// SolveMany panics if d <= 0, len(x0) is not a multiple of d, len(ts) == 0 or
// len(dst) != len(x0)/d*len(ts)*d.
func SolveMany(ig Integrator, newF func() Func, x0 []float64, d int, ts, dst []float64, workers int) error {
	nb, stride, workers := checkMany(x0, d, ts, dst, workers)
	if nb == 0 {
		return nil
	}

	errs := make([]error, nb)
	// next is the next state to claim; failed is the lowest failing index
	// so far, which lets workers skip states whose error could not be the
	// one reported.
	var next atomic.Int64
	var failed atomic.Int64
	failed.Store(int64(nb))
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			f := newF()
			for {
				b := int(next.Add(1) - 1)
				if b >= nb || int64(b) > failed.Load() {
					return
				}
				err := ig.Solve(dst[b*stride:(b+1)*stride], f, x0[b*d:(b+1)*d], ts)
				if err != nil {
					errs[b] = err
					for {
						cur := failed.Load()
						if int64(b) >= cur || failed.CompareAndSwap(cur, int64(b)) {
							break
						}
					}
				}
			}
		})
	}
	wg.Wait()
	for b, err := range errs {
		if err != nil {
			return fmt.Errorf("ode: state %d: %w", b, err)
		}
	}
	return nil
}

// checkMany panics unless the shapes fit SolveMany's contract and returns
// the number of states, the length of one trajectory in dst and the number
// of workers to start (GOMAXPROCS if workers <= 0, at most one per state).
func checkMany(x0 []float64, d int, ts, dst []float64, workers int) (nb, stride, w int) {
	if d <= 0 {
		panic("ode: non-positive dimension")
	}
	if len(x0)%d != 0 {
		panic("ode: len(x0) not a multiple of d")
	}
	if len(ts) == 0 {
		panic("ode: no output times")
	}
	nb = len(x0) / d
	stride = len(ts) * d
	if len(dst) != nb*stride {
		panic("ode: length mismatch")
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	return nb, stride, min(workers, nb)
}

// SolveEach is SolveMany for callers that need every state's outcome: it
// integrates all B states concurrently, each on its own, whatever others
// do, and returns each one's error (nil where it succeeded), so that a
// failing state neither stops the others nor hides their results. The
// contents of dst are unspecified for the states that failed. It panics as
// SolveMany does.
func SolveEach(ig Integrator, newF func() Func, x0 []float64, d int, ts, dst []float64, workers int) []error {
	nb, stride, workers := checkMany(x0, d, ts, dst, workers)
	errs := make([]error, nb)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			f := newF()
			for {
				b := int(next.Add(1) - 1)
				if b >= nb {
					return
				}
				errs[b] = ig.Solve(dst[b*stride:(b+1)*stride], f, x0[b*d:(b+1)*d], ts)
			}
		})
	}
	wg.Wait()
	return errs
}

// checkSolve panics unless the lengths of dst, x0 and ts fit the Solve
// contract, and returns an error if ts is not finite and strictly increasing
// or x0 is not finite.
func checkSolve(dst, x0, ts []float64) error {
	if len(ts) == 0 {
		panic("ode: no output times")
	}
	if len(dst) != len(ts)*len(x0) {
		panic("ode: length mismatch")
	}
	for i, t := range ts {
		if !isFinite(t) {
			return fmt.Errorf("ode: output time ts[%d] = %v is not finite", i, t)
		}
		if i > 0 && !(t > ts[i-1]) {
			return fmt.Errorf("ode: output times not strictly increasing: ts[%d] = %v, ts[%d] = %v", i-1, ts[i-1], i, t)
		}
	}
	if i := nonFinite(x0); i >= 0 {
		return fmt.Errorf("ode: initial state x0[%d] = %v is not finite", i, x0[i])
	}
	return nil
}

// isFinite reports whether v is neither NaN nor an infinity.
func isFinite(v float64) bool {
	return !math.IsNaN(v) && !math.IsInf(v, 0)
}

// nonFinite returns the index of the first NaN or infinite element of x, or
// -1 if all are finite.
func nonFinite(x []float64) int {
	for i, v := range x {
		if !isFinite(v) {
			return i
		}
	}
	return -1
}

// errNonFinite returns the error for a state that became non-finite at time t.
func errNonFinite(name string, t float64, x []float64) error {
	i := nonFinite(x)
	return fmt.Errorf("ode: %s: state x[%d] = %v is not finite at t = %v", name, i, x[i], t)
}
