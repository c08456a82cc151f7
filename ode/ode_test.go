package ode

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
)

func TestAgreePendulum(t *testing.T) {
	t.Parallel()
	// Large-amplitude pendulum, far from its linearisation. RK4 at step
	// 1e-3 has global error ~1e-12 here and DormandPrince at tolerance
	// 1e-11 ~1e-10, so they must agree to well within 1e-8.
	x0 := []float64{2.5, 0.3}
	ts := linspace(0, 15, 61)
	a := make([]float64, len(ts)*2)
	b := make([]float64, len(ts)*2)
	if err := (DormandPrince{RTol: 1e-11, ATol: 1e-11}).Solve(a, pendulum, x0, ts); err != nil {
		t.Fatal(err)
	}
	if err := (RK4{Step: 1e-3}).Solve(b, pendulum, x0, ts); err != nil {
		t.Fatal(err)
	}
	d := maxAbsDiff(a, b)
	t.Logf("max difference %.3g", d)
	if d > 1e-8 {
		t.Errorf("dopri5 and rk4 differ by %g > 1e-8", d)
	}
}

func TestSolveErrors(t *testing.T) {
	t.Parallel()
	blowUp := func(dst []float64, _ float64, x []float64) { dst[0] = x[0] * x[0] }
	nanField := func(dst []float64, t float64, x []float64) {
		dst[0] = 1
		if t > 0.5 {
			dst[0] = math.NaN()
		}
	}
	integrators := []Integrator{DormandPrince{}, RK4{Step: 0.01}}
	for _, test := range []struct {
		name string
		f    Func
		x0   []float64
		ts   []float64
		want string
	}{
		{"repeated time", blowUp, []float64{0}, []float64{0, 1, 1}, "strictly increasing"},
		{"decreasing time", blowUp, []float64{0}, []float64{0, 2, 1}, "strictly increasing"},
		{"NaN time", blowUp, []float64{0}, []float64{0, math.NaN(), 1}, "not finite"},
		{"NaN first time", blowUp, []float64{0}, []float64{math.NaN(), 1}, "not finite"},
		{"Inf time", blowUp, []float64{0}, []float64{0, math.Inf(1)}, "not finite"},
		{"NaN state", blowUp, []float64{math.NaN()}, []float64{0, 1}, "not finite"},
		// x' = x^2 from 1 blows up at t = 1.
		{"blow-up", blowUp, []float64{1}, []float64{0, 2}, "ode: "},
		{"NaN field", nanField, []float64{0}, []float64{0, 1}, "ode: "},
	} {
		for _, ig := range integrators {
			name := ig.Name() + "/" + test.name
			dst := make([]float64, len(test.ts)*len(test.x0))
			var err error
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Errorf("%s: panic %v, want an error", name, r)
					}
				}()
				err = ig.Solve(dst, test.f, test.x0, test.ts)
			}()
			if err == nil {
				t.Errorf("%s: no error", name)
				continue
			}
			if !strings.Contains(err.Error(), test.want) {
				t.Errorf("%s: error %q does not contain %q", name, err, test.want)
			}
		}
	}
}

func TestDormandPrinceMaxSteps(t *testing.T) {
	t.Parallel()
	x0 := []float64{1, 0}
	ts := []float64{0, 100}
	dst := make([]float64, 4)
	err := DormandPrince{MaxSteps: 20}.Solve(dst, oscillator, x0, ts)
	if err == nil || !strings.Contains(err.Error(), "MaxSteps") {
		t.Errorf("MaxSteps = 20 over 16 periods: got error %v, want one about MaxSteps", err)
	}
	ig, err := New("dopri5", Options{MaxSteps: 20})
	if err != nil {
		t.Fatal(err)
	}
	if err := ig.Solve(dst, oscillator, x0, ts); err == nil {
		t.Errorf("New with MaxSteps = 20: no error")
	}
	// The default limit is ample for the same problem.
	if err := (DormandPrince{}).Solve(dst, oscillator, x0, ts); err != nil {
		t.Errorf("default MaxSteps: unexpected error %v", err)
	}
}

func TestSolvePanics(t *testing.T) {
	t.Parallel()
	for _, ig := range []Integrator{DormandPrince{}, RK4{}} {
		name := ig.Name()
		mustPanic(t, name+": short dst", func() { _ = ig.Solve(make([]float64, 3), oscillator, []float64{1, 0}, []float64{0, 1}) })
		mustPanic(t, name+": long dst", func() { _ = ig.Solve(make([]float64, 5), oscillator, []float64{1, 0}, []float64{0, 1}) })
		mustPanic(t, name+": no times", func() { _ = ig.Solve(nil, oscillator, []float64{1, 0}, nil) })
	}
	dst := make([]float64, 4)
	mustPanic(t, "negative rtol", func() { _ = DormandPrince{RTol: -1}.Solve(dst, oscillator, []float64{1, 0}, []float64{0, 1}) })
	mustPanic(t, "NaN initial step", func() {
		_ = DormandPrince{InitialStep: math.NaN()}.Solve(dst, oscillator, []float64{1, 0}, []float64{0, 1})
	})
	mustPanic(t, "negative step", func() { _ = RK4{Step: -0.1}.Solve(dst, oscillator, []float64{1, 0}, []float64{0, 1}) })
}

func TestSolveTrivial(t *testing.T) {
	t.Parallel()
	for _, ig := range []Integrator{DormandPrince{}, RK4{}} {
		// One output time: dst is x0 and f is never called.
		dst := make([]float64, 2)
		never := func([]float64, float64, []float64) { t.Errorf("%s: f called", ig.Name()) }
		if err := ig.Solve(dst, never, []float64{3, 4}, []float64{7}); err != nil {
			t.Errorf("%s: %v", ig.Name(), err)
		}
		if dst[0] != 3 || dst[1] != 4 {
			t.Errorf("%s: dst = %v, want [3 4]", ig.Name(), dst)
		}
		// Dimension zero.
		if err := ig.Solve(nil, never, nil, []float64{0, 1}); err != nil {
			t.Errorf("%s: d = 0: %v", ig.Name(), err)
		}
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	if got, want := Names(), []string{"dopri5", "implicit-midpoint", "leapfrog", "rk4", "yoshida4"}; !slices.Equal(got, want) {
		t.Errorf("Names() = %v, want %v", got, want)
	}
	for _, test := range []struct {
		name string
		opts Options
		want Integrator
	}{
		{"dopri5", Options{}, DormandPrince{}},
		{"dopri5", Options{RTol: 1e-3, ATol: 1e-5, Step: 0.1, MaxSteps: 7}, DormandPrince{RTol: 1e-3, ATol: 1e-5, MaxSteps: 7}},
		{"rk4", Options{}, RK4{}},
		{"rk4", Options{RTol: 1e-3, Step: 0.1, MaxSteps: 7}, RK4{Step: 0.1}},
	} {
		ig, err := New(test.name, test.opts)
		if err != nil {
			t.Errorf("New(%q, %+v): %v", test.name, test.opts, err)
			continue
		}
		if ig != test.want {
			t.Errorf("New(%q, %+v) = %#v, want %#v", test.name, test.opts, ig, test.want)
		}
		if ig.Name() != test.name {
			t.Errorf("New(%q).Name() = %q", test.name, ig.Name())
		}
	}
	for _, name := range Names() {
		if _, ok := registry[name]; !ok {
			t.Errorf("Names lists unregistered %q", name)
		}
	}
}

func TestNewErrors(t *testing.T) {
	t.Parallel()
	for _, test := range []struct {
		name string
		opts Options
		want string
	}{
		{"foo", Options{}, `ode: unknown integrator "foo" (valid: dopri5, implicit-midpoint, leapfrog, rk4, yoshida4)`},
		{"", Options{}, `ode: unknown integrator "" (valid: dopri5, implicit-midpoint, leapfrog, rk4, yoshida4)`},
		{"DOPRI5", Options{}, `ode: unknown integrator "DOPRI5" (valid: dopri5, implicit-midpoint, leapfrog, rk4, yoshida4)`},
		{"dopri5", Options{RTol: -1}, "RTol"},
		{"dopri5", Options{ATol: math.NaN()}, "ATol"},
		{"rk4", Options{Step: math.Inf(1)}, "Step"},
		{"dopri5", Options{MaxSteps: -1}, "MaxSteps"},
	} {
		ig, err := New(test.name, test.opts)
		if err == nil {
			t.Errorf("New(%q, %+v) = %v, want an error", test.name, test.opts, ig)
			continue
		}
		if !strings.Contains(err.Error(), test.want) {
			t.Errorf("New(%q, %+v): error %q does not contain %q", test.name, test.opts, err, test.want)
		}
	}
}

// newPendulumWorkspace returns a factory of pendulum Funcs that each use
// their own scratch slice, like a model's field, and counts the calls.
func newPendulumWorkspace(calls *atomic.Int64) func() Func {
	return func() Func {
		calls.Add(1)
		scratch := make([]float64, 2)
		return func(dst []float64, _ float64, x []float64) {
			scratch[0] = x[1]
			scratch[1] = -math.Sin(x[0])
			copy(dst, scratch)
		}
	}
}

func TestSolveMany(t *testing.T) {
	t.Parallel()
	const (
		nb = 13
		d  = 2
	)
	rng := rand.New(rand.NewPCG(1, 2))
	x0 := make([]float64, nb*d)
	for i := range x0 {
		x0[i] = 4*rng.Float64() - 2
	}
	ts := linspace(0, 5, 21)
	for _, ig := range []Integrator{DormandPrince{RTol: 1e-8, ATol: 1e-8}, RK4{Step: 0.05}} {
		// Reference: Solve per state.
		want := make([]float64, nb*len(ts)*d)
		for b := range nb {
			stride := len(ts) * d
			if err := ig.Solve(want[b*stride:(b+1)*stride], pendulum, x0[b*d:(b+1)*d], ts); err != nil {
				t.Fatal(err)
			}
		}
		for _, workers := range []int{1, 2, 7, 0, -3, 100} {
			var calls atomic.Int64
			got := make([]float64, len(want))
			if err := SolveMany(ig, newPendulumWorkspace(&calls), x0, d, ts, got, workers); err != nil {
				t.Fatalf("%s: workers=%d: %v", ig.Name(), workers, err)
			}
			for i := range got {
				if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
					t.Errorf("%s: workers=%d: not bitwise equal to Solve per state at %d", ig.Name(), workers, i)
					break
				}
			}
			if n := calls.Load(); n < 1 || (workers > 0 && n > int64(workers)) || n > nb {
				t.Errorf("%s: workers=%d: newF called %d times", ig.Name(), workers, n)
			}
		}
	}
}

func TestSolveManyErrors(t *testing.T) {
	t.Parallel()
	const d = 2
	x0 := make([]float64, 10*d)
	for i := range x0 {
		x0[i] = 0.1 * float64(i)
	}
	x0[5*d+1] = math.NaN()
	x0[8*d] = math.Inf(-1)
	ts := []float64{0, 1, 2}
	for _, workers := range []int{1, 3, 10} {
		var calls atomic.Int64
		dst := make([]float64, 10*len(ts)*d)
		err := SolveMany(DormandPrince{}, newPendulumWorkspace(&calls), x0, d, ts, dst, workers)
		if err == nil || !strings.HasPrefix(err.Error(), "ode: state 5: ") {
			t.Errorf("workers=%d: error %v, want one for state 5", workers, err)
		}
		if errors.Unwrap(err) == nil {
			t.Errorf("workers=%d: error %v does not wrap the state's error", workers, err)
		}
	}

	// No states: nothing to do.
	var calls atomic.Int64
	if err := SolveMany(RK4{}, newPendulumWorkspace(&calls), nil, d, ts, nil, 4); err != nil {
		t.Errorf("no states: %v", err)
	}

	newF := newPendulumWorkspace(&calls)
	mustPanic(t, "d = 0", func() { _ = SolveMany(RK4{}, newF, x0, 0, ts, make([]float64, 60), 1) })
	mustPanic(t, "ragged x0", func() { _ = SolveMany(RK4{}, newF, x0[:3], d, ts, make([]float64, 6), 1) })
	mustPanic(t, "no times", func() { _ = SolveMany(RK4{}, newF, x0, d, nil, nil, 1) })
	mustPanic(t, "short dst", func() { _ = SolveMany(RK4{}, newF, x0, d, ts, make([]float64, 59), 1) })
}

func TestSolveAllocs(t *testing.T) {
	// Not parallel: testing.AllocsPerRun counts the allocations of the
	// whole process.
	x0 := []float64{1, 0}
	for _, ig := range []Integrator{DormandPrince{RTol: 1e-8, ATol: 1e-8}, RK4{Step: 0.01}} {
		var allocs []float64
		// Spans differing by 100x take about 100x as many steps; the
		// allocations must not grow with them.
		for _, span := range []float64{1, 100} {
			ts := linspace(0, span, 11)
			dst := make([]float64, len(ts)*2)
			var err error
			allocs = append(allocs, testing.AllocsPerRun(20, func() {
				err = ig.Solve(dst, oscillator, x0, ts)
			}))
			if err != nil {
				t.Fatalf("%s: span %v: %v", ig.Name(), span, err)
			}
		}
		if allocs[0] != allocs[1] || allocs[1] > 1 {
			t.Errorf("%s: %v allocations per Solve for spans 1 and 100, want the same and at most 1", ig.Name(), allocs)
		}
	}
}

func ExampleNew() {
	ig, err := New("dopri5", Options{RTol: 1e-9, ATol: 1e-9})
	if err != nil {
		fmt.Println(err)
		return
	}
	// The harmonic oscillator x'' = -x as (x, v)' = (v, -x).
	f := func(dst []float64, _ float64, x []float64) {
		dst[0] = x[1]
		dst[1] = -x[0]
	}
	x0 := []float64{1, 0}
	ts := []float64{0, 1, 2, 3}
	dst := make([]float64, len(ts)*len(x0))
	if err := ig.Solve(dst, f, x0, ts); err != nil {
		fmt.Println(err)
		return
	}
	for i, t := range ts {
		fmt.Printf("t=%.0f x=%.6f v=%.6f cos(t)=%.6f\n", t, dst[2*i], dst[2*i+1], math.Cos(t))
	}

	_, err = New("euler", Options{})
	fmt.Println(err)
	// Output:
	// t=0 x=1.000000 v=0.000000 cos(t)=1.000000
	// t=1 x=0.540302 v=-0.841471 cos(t)=0.540302
	// t=2 x=-0.416147 v=-0.909297 cos(t)=-0.416147
	// t=3 x=-0.989992 v=-0.141120 cos(t)=-0.989992
	// ode: unknown integrator "euler" (valid: dopri5, implicit-midpoint, leapfrog, rk4, yoshida4)
}

func ExampleSolveMany() {
	// Three pendulums released from rest at different angles; newF gives
	// each worker its own Func.
	newF := func() Func {
		return func(dst []float64, _ float64, x []float64) {
			dst[0] = x[1]
			dst[1] = -math.Sin(x[0])
		}
	}
	const d = 2
	x0 := []float64{0.5, 0, 1.5, 0, 3, 0}
	ts := []float64{0, 2}
	dst := make([]float64, len(x0)/d*len(ts)*d)
	if err := SolveMany(DormandPrince{RTol: 1e-9, ATol: 1e-9}, newF, x0, d, ts, dst, 0); err != nil {
		fmt.Println(err)
		return
	}
	for b := range len(x0) / d {
		end := dst[(b*len(ts)+1)*d:]
		fmt.Printf("q0=%.1f: q(2)=%.4f\n", x0[b*d], end[0])
	}
	// Output:
	// q0=0.5: q(2)=-0.1947
	// q0=1.5: q(2)=-0.2371
	// q0=3.0: q(2)=2.6131
}

// TestSolveEach checks that SolveEach reports each state's outcome: a
// failing state does not stop the others, and the good ones match Solve.
func TestSolveEach(t *testing.T) {
	t.Parallel()
	// dx/dt = x^2 blows up at t = 1/x0: the start 2 fails before t = 1.
	f := func() Func { return func(dst []float64, _ float64, x []float64) { dst[0] = x[0] * x[0] } }
	x0 := []float64{0.1, 2, 0.5}
	ts := []float64{0, 1}
	dst := make([]float64, 6)
	errs := SolveEach(DormandPrince{}, f, x0, 1, ts, dst, 2)
	if errs[0] != nil || errs[1] == nil || errs[2] != nil {
		t.Fatalf("errors %v, want only state 1 to fail", errs)
	}
	for _, b := range []int{0, 2} {
		want := x0[b] / (1 - x0[b]) // x(1) = x0 / (1 - x0)
		if math.Abs(dst[2*b+1]-want) > 1e-6 {
			t.Errorf("state %d: x(1) = %v, want %v", b, dst[2*b+1], want)
		}
	}
}
