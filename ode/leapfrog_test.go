package ode

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/stat"
)

// This file tests Leapfrog and holds the helpers that the tests of the other
// symplectic methods (yoshida4_test.go, midpoint_test.go) share.

// kepler is a body around a fixed centre, H = |p|^2/2 - 1/|q|, state
// (qx, qy, px, py): separable.
func kepler(dst []float64, _ float64, x []float64) {
	r := math.Hypot(x[0], x[1])
	r3 := r * r * r
	dst[0], dst[1] = x[2], x[3]
	dst[2], dst[3] = -x[0]/r3, -x[1]/r3
}

// keplerEnergy is the Hamiltonian of kepler.
func keplerEnergy(x []float64) float64 {
	return (x[2]*x[2]+x[3]*x[3])/2 - 1/math.Hypot(x[0], x[1])
}

// keplerStart is the pericentre of an orbit of eccentricity 0.5 and
// semi-major axis 1 (energy -1/2, period 2 pi).
var keplerStart = []float64{0.5, 0, 0, math.Sqrt(3)}

// oscillatorEnergy is the Hamiltonian (q^2 + p^2)/2 of oscillator.
func oscillatorEnergy(x []float64) float64 { return (x[0]*x[0] + x[1]*x[1]) / 2 }

// chain returns the field of n unit masses joined by unit springs with
// fixed ends, H = |p|^2/2 + sum_i (q_{i+1} - q_i)^2/2 with q_0 = q_{n+1} =
// 0, state (q_1..q_n, p_1..p_n): separable, of any size.
func chain(n int) Func {
	return func(dst []float64, _ float64, x []float64) {
		q, p := x[:n], x[n:]
		copy(dst[:n], p)
		for i := range n {
			a := -2 * q[i]
			if i > 0 {
				a += q[i-1]
			}
			if i < n-1 {
				a += q[i+1]
			}
			dst[n+i] = a
		}
	}
}

// counting returns f wrapped to count its calls into n.
func counting(f Func, n *int) Func {
	return func(dst []float64, t float64, x []float64) {
		*n++
		f(dst, t, x)
	}
}

// orderSlope returns the slope of log(error at t = 10) against log(step) on
// the harmonic oscillator from (1, 0.5), the observed order of newIG. The
// steps 0.2 to 0.025 are in the asymptotic regime of all the methods here
// and keep the errors (1e-2 to 1e-9) far above round-off.
func orderSlope(t *testing.T, newIG func(h float64) Integrator) float64 {
	t.Helper()
	x0 := []float64{1, 0.5}
	ts := []float64{0, 10}
	want := exactTrajectory(x0, ts)
	var logH, logE []float64
	for _, h := range []float64{0.2, 0.1, 0.05, 0.025} {
		ig := newIG(h)
		dst := make([]float64, 4)
		if err := ig.Solve(dst, oscillator, x0, ts); err != nil {
			t.Fatalf("%s at step %v: %v", ig.Name(), h, err)
		}
		logH = append(logH, math.Log(h))
		logE = append(logE, math.Log(maxAbsDiff(dst[2:], want[2:])))
	}
	_, slope := stat.LinearRegression(logH, logE, nil, false)
	return slope
}

// energyCase is a Hamiltonian system with its energy, a start and a step at
// which RK4 drifts over 100,000 steps while a symplectic method does not.
type energyCase struct {
	name   string
	f      Func
	energy func([]float64) float64
	x0     []float64
	h      float64
}

// energyCases are the harmonic oscillator and the Kepler orbit of
// eccentricity 0.5. At these steps RK4's energy error grows steadily to
// about 0.3 (of energies 0.5 and -0.5) over 100,000 steps, about 20x the
// error of leapfrog and implicit midpoint; larger Kepler steps make RK4
// escape the orbit rather than drift.
var energyCases = []energyCase{
	{"oscillator", oscillator, oscillatorEnergy, []float64{1, 0}, 0.3},
	{"kepler", kepler, keplerEnergy, keplerStart, 0.1},
}

// energyErrors integrates c for 100,000 steps with ig, sampling 1001
// states, and returns the largest energy error over the first tenth of the
// run and over the whole run, and the error at the end.
func energyErrors(t *testing.T, c energyCase, ig Integrator) (early, all, last float64) {
	t.Helper()
	const steps = 100_000
	ts := linspace(0, steps*c.h, 1001)
	d := len(c.x0)
	dst := make([]float64, len(ts)*d)
	if err := ig.Solve(dst, c.f, c.x0, ts); err != nil {
		t.Fatalf("%s %s: %v", c.name, ig.Name(), err)
	}
	e0 := c.energy(c.x0)
	for i := range ts {
		e := math.Abs(c.energy(dst[i*d:(i+1)*d]) - e0)
		all = max(all, e)
		if i <= len(ts)/10 {
			early = all
		}
		last = e
	}
	return early, all, last
}

// checkBoundedEnergy checks, for every energy case, that newIG keeps the
// energy error bounded over 100,000 steps (its maximum over the whole run
// within twice its maximum over the first tenth, up to round-off) while RK4
// at the same step ends at least 10x further off than newIG ever is.
func checkBoundedEnergy(t *testing.T, newIG func(h float64) Integrator) {
	t.Helper()
	for _, c := range energyCases {
		ig := newIG(c.h)
		_, _, rk := energyErrors(t, c, RK4{Step: c.h})
		early, all, _ := energyErrors(t, c, ig)
		t.Logf("%s, step %v: %s energy error max %.3g (first tenth %.3g); rk4 at the end %.3g (%.0fx)",
			c.name, c.h, ig.Name(), all, early, rk, rk/all)
		// Round-off in the energy accumulates like a random walk, far
		// below 1e-8 over the run (implicit midpoint conserves the
		// oscillator's quadratic energy exactly, up to it).
		if !(all <= 2*early+1e-8) {
			t.Errorf("%s: %s energy error grows: max %.3g, first tenth %.3g", c.name, ig.Name(), all, early)
		}
		if !(rk >= 10*all) {
			t.Errorf("%s: rk4 energy error at the end %.3g, want at least 10x %s's max %.3g", c.name, rk, ig.Name(), all)
		}
	}
}

// jacobian returns the Jacobian of the one-step map of size h at x, by
// central differences of step 1e-6 (truncation error about 1e-12,
// round-off about 1e-10), row-major d x d. newStep makes a fresh single-step
// function, so no state carries over between the evaluations.
func jacobian(newStep func() stepFunc, x []float64, h float64) []float64 {
	d := len(x)
	m := make([]float64, d*d)
	const delta = 1e-6
	a, b := make([]float64, d), make([]float64, d)
	for j := range d {
		copy(a, x)
		copy(b, x)
		a[j] += delta
		b[j] -= delta
		if err := newStep()(a, 0, h); err != nil {
			panic(err)
		}
		if err := newStep()(b, 0, h); err != nil {
			panic(err)
		}
		for i := range d {
			m[i*d+j] = (a[i] - b[i]) / (2 * delta)
		}
	}
	return m
}

// symplecticError returns max |M^T J M - J| for a row-major d x d matrix
// M, J = [0 I; -I 0] with n = d/2: zero for a symplectic map.
func symplecticError(m []float64, d int) float64 {
	n := d / 2
	j := func(a, b int) float64 {
		switch {
		case a < n && b == a+n:
			return 1
		case a >= n && b == a-n:
			return -1
		}
		return 0
	}
	var e float64
	for r := range d {
		for c := range d {
			// (M^T J M)_{rc} = sum_{a,b} M_{ar} J_{ab} M_{bc}.
			var s float64
			for a := range d {
				b := a + n
				if a >= n {
					b = a - n
				}
				s += m[a*d+r] * j(a, b) * m[b*d+c]
			}
			e = max(e, math.Abs(s-j(r, c)))
		}
	}
	return e
}

// reversalError steps n times with h from x0 and then n times with -h, each
// leg with a fresh single-step function, and returns the distance from x0.
func reversalError(t *testing.T, newStep func() stepFunc, x0 []float64, h float64, n int) float64 {
	t.Helper()
	x := append([]float64(nil), x0...)
	for _, hh := range []float64{h, -h} {
		step := newStep()
		for range n {
			if err := step(x, 0, hh); err != nil {
				t.Fatal(err)
			}
		}
	}
	return maxAbsDiff(x, x0)
}

// checkSolveContract checks what every integrator shares: panics on bad
// lengths and steps, errors for bad times and states, and the trivial
// cases (one output time, dimension zero) that never call f.
func checkSolveContract(t *testing.T, ig Integrator, negative Integrator) {
	t.Helper()
	name := ig.Name()
	x0 := []float64{1, 0}
	mustPanic(t, name+": short dst", func() { _ = ig.Solve(make([]float64, 3), oscillator, x0, []float64{0, 1}) })
	mustPanic(t, name+": no times", func() { _ = ig.Solve(nil, oscillator, x0, nil) })
	mustPanic(t, name+": negative step", func() { _ = negative.Solve(make([]float64, 4), oscillator, x0, []float64{0, 1}) })
	for _, c := range []struct {
		x0, ts []float64
		want   string
	}{
		{x0, []float64{0, 1, 1}, "strictly increasing"},
		{x0, []float64{0, math.NaN()}, "not finite"},
		{[]float64{math.NaN(), 0}, []float64{0, 1}, "not finite"},
		{[]float64{math.Inf(1), 0}, []float64{0, 1}, "not finite"},
	} {
		err := ig.Solve(make([]float64, len(c.ts)*2), oscillator, c.x0, c.ts)
		if err == nil || !strings.HasPrefix(err.Error(), "ode: ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: x0 %v, ts %v: error %v, want one containing %q", name, c.x0, c.ts, err, c.want)
		}
	}
	// A field that turns NaN: the non-finite state is an error, not output.
	nanField := func(dst []float64, t float64, x []float64) {
		dst[0], dst[1] = x[1], -x[0]
		if t > 0.5 {
			dst[0], dst[1] = math.NaN(), math.NaN()
		}
	}
	if err := ig.Solve(make([]float64, 4), nanField, x0, []float64{0, 1}); err == nil {
		t.Errorf("%s: NaN field: no error", name)
	}
	never := func([]float64, float64, []float64) { t.Errorf("%s: f called", name) }
	dst := make([]float64, 2)
	if err := ig.Solve(dst, never, []float64{3, 4}, []float64{7}); err != nil || dst[0] != 3 || dst[1] != 4 {
		t.Errorf("%s: one output time: dst %v, err %v; want [3 4], nil", name, dst, err)
	}
	if err := ig.Solve(nil, never, nil, []float64{0, 1}); err != nil {
		t.Errorf("%s: d = 0: %v", name, err)
	}
}

// checkSubsteps checks that solving interval by interval with one step each
// gives the same result as one Solve with Step: the output times are hit
// exactly with ceil(length/Step) equal substeps.
func checkSubsteps(t *testing.T, newIG func(h float64) Integrator, f Func, x0 []float64, tol float64) {
	t.Helper()
	ts := []float64{0, 0.13, 0.5, 0.51, 1.7}
	const step = 0.1
	d := len(x0)
	got := make([]float64, len(ts)*d)
	ig := newIG(step)
	if err := ig.Solve(got, f, x0, ts); err != nil {
		t.Fatal(err)
	}
	x := append([]float64(nil), x0...)
	for i := 1; i < len(ts); i++ {
		n := int(math.Ceil((ts[i] - ts[i-1]) / step))
		sub := linspace(ts[i-1], ts[i], n+1)
		for j := 1; j < len(sub); j++ {
			pair := make([]float64, 2*d)
			if err := newIG(0).Solve(pair, f, x, []float64{sub[j-1], sub[j]}); err != nil {
				t.Fatal(err)
			}
			copy(x, pair[d:])
		}
		if e := maxAbsDiff(x, got[i*d:(i+1)*d]); e > tol {
			t.Errorf("%s: ts[%d] = %v: differs by %.3g from %d single steps", ig.Name(), i, ts[i], e, n)
		}
	}
}

// checkAllocs checks that Solve allocates the same, small number of times
// for 10 and for 1000 steps: nothing is allocated per step.
func checkAllocs(t *testing.T, ig Integrator, f Func, x0 []float64) {
	t.Helper()
	var allocs []float64
	for _, n := range []int{10, 1000} {
		ts := []float64{0, float64(n) * 0.01}
		dst := make([]float64, 2*len(x0))
		var err error
		allocs = append(allocs, testing.AllocsPerRun(10, func() { err = ig.Solve(dst, f, x0, ts) }))
		if err != nil {
			t.Fatalf("%s: %v", ig.Name(), err)
		}
	}
	t.Logf("%s: %v allocations per Solve for 10 and 1000 steps", ig.Name(), allocs)
	if allocs[0] != allocs[1] || allocs[1] > 2 {
		t.Errorf("%s: %v allocations per Solve for 10 and 1000 steps, want the same and at most 2", ig.Name(), allocs)
	}
}

// benchFixed benchmarks 1000 steps of size 0.01 of ig on a small system
// (the Kepler orbit, d = 4) and a large one (a chain of 256 springs,
// d = 512), and reports the time and the allocations per step.
func benchFixed(b *testing.B, ig Integrator) {
	const steps = 1000
	for _, c := range []struct {
		name string
		f    Func
		x0   []float64
	}{
		{"small/d=4", kepler, keplerStart},
		{"large/d=512", chain(256), func() []float64 {
			x := make([]float64, 512)
			for i := range 256 {
				x[i] = math.Sin(math.Pi * float64(i+1) / 257)
			}
			return x
		}()},
	} {
		b.Run(c.name, func(b *testing.B) {
			ts := []float64{0, steps * 0.01}
			dst := make([]float64, 2*len(c.x0))
			b.ReportAllocs()
			var ms0, ms1 runtime.MemStats
			runtime.ReadMemStats(&ms0)
			for b.Loop() {
				if err := ig.Solve(dst, c.f, c.x0, ts); err != nil {
					b.Fatal(err)
				}
			}
			runtime.ReadMemStats(&ms1)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*steps), "ns/step")
			b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/float64(b.N*steps), "allocs/step")
		})
	}
}

func newLeapfrog(h float64) Integrator { return Leapfrog{Step: h} }

// newVerletStep returns a fresh leapfrog single-step function for f in
// dimension d.
func newVerletStep(f Func, d int) func() stepFunc {
	return func() stepFunc {
		s := newVerlet(f, d)
		return s.step
	}
}

func TestLeapfrogOrder(t *testing.T) {
	t.Parallel()
	slope := orderSlope(t, newLeapfrog)
	t.Logf("observed order %.3f", slope)
	if math.Abs(slope-2) > 0.3 {
		t.Errorf("observed order %.3f, want 2 ± 0.3", slope)
	}
}

func TestLeapfrogBoundedEnergy(t *testing.T) {
	t.Parallel()
	checkBoundedEnergy(t, newLeapfrog)
}

func TestLeapfrogSymplectic(t *testing.T) {
	t.Parallel()
	// The one-step map of a separable field, nonlinear and of large step,
	// preserves the symplectic form up to the finite-difference error.
	for _, c := range []struct {
		name string
		f    Func
		x    []float64
		h    float64
	}{
		{"pendulum", pendulum, []float64{0.8, -0.6}, 0.3},
		{"kepler", kepler, keplerStart, 0.1},
		{"chain", chain(3), []float64{0.3, -0.2, 0.5, 0.1, 0.7, -0.4}, 0.5},
	} {
		e := symplecticError(jacobian(newVerletStep(c.f, len(c.x)), c.x, c.h), len(c.x))
		t.Logf("%s: |M^T J M - J| = %.3g", c.name, e)
		if e > 1e-8 {
			t.Errorf("%s: |M^T J M - J| = %.3g, want at most 1e-8", c.name, e)
		}
	}
}

func TestLeapfrogReversible(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		f    Func
		x0   []float64
	}{
		{"pendulum", pendulum, []float64{2.5, 0.3}},
		{"kepler", kepler, keplerStart},
	} {
		if e := reversalError(t, newVerletStep(c.f, len(c.x0)), c.x0, 0.01, 500); e > 1e-10 {
			t.Errorf("%s: 500 steps forward and back end %.3g off the start, want at most 1e-10", c.name, e)
		}
	}
}

func TestLeapfrogAgreesWithDopri5(t *testing.T) {
	t.Parallel()
	// Global error C h^2 at h = 1e-3: C is about 1 on the large-amplitude
	// pendulum and about 100 on one period of the Kepler orbit, whose
	// pericentre passage is fast. Dormand-Prince's own error is ~1e-11.
	for _, c := range []struct {
		name string
		f    Func
		x0   []float64
		end  float64
		tol  float64
	}{
		{"pendulum", pendulum, []float64{2.5, 0.3}, 10, 1e-5},
		{"kepler", kepler, keplerStart, 2 * math.Pi, 1e-3},
	} {
		agreesWithDopri5(t, c.name, Leapfrog{Step: 1e-3}, c.f, c.x0, c.end, c.tol)
	}
}

func TestLeapfrogEvaluations(t *testing.T) {
	t.Parallel()
	// Two evaluations of f per step, the force kept from one step's last
	// kick for the next step's first, across output times too, plus one
	// at the start. The substep counts follow RK4's rule, ulp slack
	// included.
	for _, c := range []struct {
		ts    []float64
		step  float64
		steps int
	}{
		{[]float64{0, 1}, 0, 1},
		{[]float64{0, 1}, 0.1, 10},
		{[]float64{0, 0.1}, 0.01, 10},
		{[]float64{0.7, 0.8}, 0.01, 10},
		{[]float64{0, 0.3}, 0.1, 3},
		{[]float64{0, 0.1}, 0.03, 4},
		{[]float64{0, 0.5, 1, 1.3}, 0.1, 13},
	} {
		var n int
		if err := (Leapfrog{Step: c.step}).Solve(make([]float64, 2*len(c.ts)), counting(oscillator, &n), []float64{1, 0}, c.ts); err != nil {
			t.Fatal(err)
		}
		if want := 1 + 2*c.steps; n != want {
			t.Errorf("ts %v, Step %v: %d evaluations, want %d (%d steps)", c.ts, c.step, n, want, c.steps)
		}
	}
}

func TestLeapfrogSubsteps(t *testing.T) {
	t.Parallel()
	// Bitwise the same up to the order of additions in t.
	checkSubsteps(t, newLeapfrog, kepler, keplerStart, 1e-14)
}

func TestLeapfrogErrors(t *testing.T) {
	t.Parallel()
	// An odd dimension cannot be split into (q, p): an error, since it
	// comes from data.
	err := Leapfrog{Step: 0.1}.Solve(make([]float64, 6), oscillator, []float64{1, 2, 3}, []float64{0, 1})
	if err == nil || !strings.Contains(err.Error(), "odd") {
		t.Errorf("odd dimension: error %v, want one about the odd dimension", err)
	}
	// V(q) = -q^4/4 sends q to infinity in finite time: the overflowing
	// state is an error.
	quartic := func(dst []float64, _ float64, x []float64) { dst[0], dst[1] = x[1], x[0]*x[0]*x[0] }
	err = Leapfrog{Step: 0.1}.Solve(make([]float64, 4), quartic, []float64{1, 1}, []float64{0, 10})
	if err == nil || !strings.Contains(err.Error(), "not finite") {
		t.Errorf("blow-up: error %v, want a non-finite state", err)
	}
	checkSolveContract(t, Leapfrog{Step: 0.1}, Leapfrog{Step: -0.1})
	mustPanic(t, "NaN step", func() {
		_ = Leapfrog{Step: math.NaN()}.Solve(make([]float64, 4), oscillator, []float64{1, 0}, []float64{0, 1})
	})
}

func TestLeapfrogAllocs(t *testing.T) {
	// Not parallel: testing.AllocsPerRun counts the whole process.
	checkAllocs(t, Leapfrog{Step: 0.01}, kepler, keplerStart)
}

func TestLeapfrogConcurrent(t *testing.T) {
	t.Parallel()
	// One Leapfrog value shared by many goroutines gives each the result
	// of a lone Solve.
	ig := Leapfrog{Step: 0.01}
	ts := linspace(0, 20, 21)
	want := make([]float64, len(ts)*4)
	if err := ig.Solve(want, kepler, keplerStart, ts); err != nil {
		t.Fatal(err)
	}
	x0 := append([]float64(nil), keplerStart...)
	dst := make([]float64, 8*len(ts)*4)
	if err := SolveMany(ig, func() Func { return kepler }, slices.Repeat(x0, 8), 4, ts, dst, 4); err != nil {
		t.Fatal(err)
	}
	for b := range 8 {
		if e := maxAbsDiff(dst[b*len(want):(b+1)*len(want)], want); e != 0 {
			t.Errorf("state %d differs by %.3g from a lone Solve", b, e)
		}
	}
}

func BenchmarkLeapfrog(b *testing.B) {
	benchFixed(b, Leapfrog{Step: 0.01})
}

// ExampleLeapfrog_kepler integrates a Kepler orbit of eccentricity 0.5 for
// 100 periods: the energy error stays bounded, about 1e-4 here.
func ExampleLeapfrog_kepler() {
	ts := []float64{0, 200 * math.Pi}
	dst := make([]float64, 8)
	if err := (Leapfrog{Step: 0.01}).Solve(dst, kepler, keplerStart, ts); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("energy %.3f -> %.3f\n", keplerEnergy(dst[:4]), keplerEnergy(dst[4:]))
	// Output: energy -0.500 -> -0.500
}
