package ode

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// nonSeparable is the field of H = (|q|^2 + |p|^2)/2 + (q.p)^2/2 in any
// even dimension (for d = 2, H = q^2/2 + p^2/2 + q^2 p^2/2): not separable,
// nonlinear, with bounded orbits since H controls |q|^2 + |p|^2.
func nonSeparable(dst []float64, _ float64, x []float64) {
	n := len(x) / 2
	q, p := x[:n], x[n:]
	var s float64
	for i := range n {
		s += q[i] * p[i]
	}
	for i := range n {
		dst[i] = p[i] + s*q[i]      // dH/dp
		dst[n+i] = -(q[i] + s*p[i]) // -dH/dq
	}
}

// nonSeparableEnergy is the Hamiltonian of nonSeparable.
func nonSeparableEnergy(x []float64) float64 {
	n := len(x) / 2
	var h, s float64
	for i := range n {
		h += (x[i]*x[i] + x[n+i]*x[n+i]) / 2
		s += x[i] * x[n+i]
	}
	return h + s*s/2
}

func newImplicitMidpoint(h float64) Integrator {
	// A tolerance far below the method's error at every step used.
	return ImplicitMidpoint{Step: h, Tol: 1e-14}
}

// newMidpointStep returns a fresh implicit midpoint single-step function
// for f in dimension d, converged to round-off: the finite differences of
// jacobian divide the iteration error by 1e-6.
func newMidpointStep(f Func, d int) func() stepFunc {
	return func() stepFunc {
		s := newMidpoint(f, d, 1e-15, 100)
		return s.step
	}
}

func TestImplicitMidpointOrder(t *testing.T) {
	t.Parallel()
	slope := orderSlope(t, newImplicitMidpoint)
	t.Logf("observed order %.3f", slope)
	if math.Abs(slope-2) > 0.3 {
		t.Errorf("observed order %.3f, want 2 ± 0.3", slope)
	}
}

func TestImplicitMidpointBoundedEnergy(t *testing.T) {
	t.Parallel()
	// The default tolerance: the iteration error must not make the
	// energy drift either.
	checkBoundedEnergy(t, func(h float64) Integrator { return ImplicitMidpoint{Step: h} })
}

func TestImplicitMidpointSymplectic(t *testing.T) {
	t.Parallel()
	// Symplectic for a non-separable H too. RK4's map serves as a
	// control: the check must be able to fail.
	for _, c := range []struct {
		name string
		f    Func
		x    []float64
		h    float64
	}{
		{"non-separable d=2", nonSeparable, []float64{0.8, -0.6}, 0.3},
		{"non-separable d=4", nonSeparable, []float64{0.8, -0.3, -0.6, 0.5}, 0.3},
		{"pendulum", pendulum, []float64{0.8, -0.6}, 0.3},
		{"kepler", kepler, keplerStart, 0.1},
	} {
		d := len(c.x)
		e := symplecticError(jacobian(newMidpointStep(c.f, d), c.x, c.h), d)
		t.Logf("%s: |M^T J M - J| = %.3g", c.name, e)
		if e > 1e-8 {
			t.Errorf("%s: |M^T J M - J| = %.3g, want at most 1e-8", c.name, e)
		}
		rk4Step := func() stepFunc {
			return func(x []float64, t, h float64) error {
				dst := make([]float64, 2*len(x))
				err := RK4{}.Solve(dst, c.f, x, []float64{t, t + h})
				copy(x, dst[len(x):])
				return err
			}
		}
		if e := symplecticError(jacobian(rk4Step, c.x, c.h), d); !(e > 1e-6) {
			t.Errorf("%s: rk4: |M^T J M - J| = %.3g, the check cannot tell a non-symplectic map", c.name, e)
		}
	}
}

func TestImplicitMidpointReversible(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		f    Func
		x0   []float64
	}{
		{"non-separable", nonSeparable, []float64{0.8, -0.3, -0.6, 0.5}},
		{"kepler", kepler, keplerStart},
	} {
		if e := reversalError(t, newMidpointStep(c.f, len(c.x0)), c.x0, 0.01, 500); e > 1e-10 {
			t.Errorf("%s: 500 steps forward and back end %.3g off the start, want at most 1e-10", c.name, e)
		}
	}
}

func TestImplicitMidpointAgreesWithDopri5(t *testing.T) {
	t.Parallel()
	// Global error C h^2 with C of order 1: 1e-4 at h = 1e-3 is ample.
	for _, c := range []struct {
		name string
		f    Func
		x0   []float64
		end  float64
	}{
		{"non-separable", nonSeparable, []float64{0.8, -0.3, -0.6, 0.5}, 10},
		{"pendulum", pendulum, []float64{2.5, 0.3}, 10},
	} {
		agreesWithDopri5(t, c.name, ImplicitMidpoint{Step: 1e-3}, c.f, c.x0, c.end, 1e-4)
	}
}

func TestImplicitMidpointNonSeparableEnergy(t *testing.T) {
	t.Parallel()
	// On the non-separable H, which Leapfrog cannot integrate
	// symplectically, the energy error of 20,000 steps stays bounded:
	// its maximum is within twice its maximum over the first tenth.
	c := energyCase{"non-separable", nonSeparable, nonSeparableEnergy, []float64{0.8, -0.3, -0.6, 0.5}, 0.1}
	ts := linspace(0, 20_000*c.h, 1001)
	d := len(c.x0)
	dst := make([]float64, len(ts)*d)
	if err := (ImplicitMidpoint{Step: c.h}).Solve(dst, c.f, c.x0, ts); err != nil {
		t.Fatal(err)
	}
	e0 := c.energy(c.x0)
	var early, all float64
	for i := range ts {
		all = max(all, math.Abs(c.energy(dst[i*d:(i+1)*d])-e0))
		if i <= len(ts)/10 {
			early = all
		}
	}
	t.Logf("energy error max %.3g (first tenth %.3g) of H = %.3g", all, early, e0)
	if !(all <= 2*early+1e-8) {
		t.Errorf("energy error grows: max %.3g, first tenth %.3g", all, early)
	}
}

func TestImplicitMidpointQuadraticInvariant(t *testing.T) {
	t.Parallel()
	// The energy of the oscillator is quadratic, so the midpoint rule
	// conserves it exactly up to the iteration tolerance and round-off,
	// even at a step as large as 0.5 (where the fixed-point map contracts
	// by h L/2 = 1/4 per iteration, so Tol 1e-15 takes about 25).
	x0 := []float64{1, 0.5}
	ts := linspace(0, 1000, 101)
	dst := make([]float64, len(ts)*2)
	if err := (ImplicitMidpoint{Step: 0.5, Tol: 1e-15}).Solve(dst, oscillator, x0, ts); err != nil {
		t.Fatal(err)
	}
	e0 := oscillatorEnergy(x0)
	for i := range ts {
		if e := math.Abs(oscillatorEnergy(dst[2*i:2*i+2]) - e0); e > 1e-12 {
			t.Fatalf("t = %v: energy error %.3g, want at most 1e-12", ts[i], e)
		}
	}
}

// noisy returns f with multiplicative noise of relative size rel from a
// seeded source, as from a network evaluated in float32 whose result
// changes with every call (the worst case for the fixed-point iteration:
// the update never falls below the noise).
func noisy(f Func, rel float64, seed uint64) Func {
	rng := rand.New(rand.NewPCG(seed, 1))
	return func(dst []float64, t float64, x []float64) {
		f(dst, t, x)
		for i := range dst {
			dst[i] *= 1 + rel*(2*rng.Float64()-1)
		}
	}
}

// float32Field returns f with its inputs and outputs rounded to float32,
// a deterministic model of a float32 network.
func float32Field(f Func) Func {
	return func(dst []float64, t float64, x []float64) {
		var y [8]float64
		for i, v := range x {
			y[i] = float64(float32(v))
		}
		f(dst, t, y[:len(x)])
		for i, v := range dst {
			dst[i] = float64(float32(v))
		}
	}
}

func TestImplicitMidpointNoisyField(t *testing.T) {
	t.Parallel()
	// With float32-level noise the update stalls near h*1e-7, far above
	// the default Tol 1e-12: the stagnation rule accepts the iterate, and
	// the trajectory stays within the noise's effect of the exact one.
	x0 := []float64{0.8, -0.3, -0.6, 0.5}
	ts := linspace(0, 10, 11)
	ref := make([]float64, len(ts)*4)
	if err := (DormandPrince{RTol: 1e-12, ATol: 1e-12}).Solve(ref, nonSeparable, x0, ts); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		f    Func
	}{
		{"noise 1e-7", noisy(nonSeparable, 1e-7, 1)},
		{"float32", float32Field(nonSeparable)},
	} {
		got := make([]float64, len(ts)*4)
		if err := (ImplicitMidpoint{Step: 0.01}).Solve(got, c.f, x0, ts); err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		// Method error about 1e-4 at h = 0.01, noise effects about 1e-6.
		e := maxAbsDiff(got, ref)
		t.Logf("%s: %.3g off Dormand-Prince", c.name, e)
		if e > 1e-3 {
			t.Errorf("%s: %.3g off Dormand-Prince, want at most 1e-3", c.name, e)
		}
	}
	// Noise of 1e-2 keeps the update near h*1e-2 = 1e-4, above the
	// stagnation threshold 1e-5: that is a failure to converge.
	err := ImplicitMidpoint{Step: 0.01}.Solve(make([]float64, len(ts)*4), noisy(nonSeparable, 1e-2, 2), x0, ts)
	if err == nil || !strings.Contains(err.Error(), "did not converge") {
		t.Errorf("noise 1e-2: error %v, want a convergence error", err)
	}
}

func TestImplicitMidpointErrors(t *testing.T) {
	t.Parallel()
	// A stiff field with a huge step: h L = 1000 makes the fixed-point map
	// expand, and the divergence is caught early.
	stiff := func(dst []float64, _ float64, x []float64) { dst[0], dst[1] = -1000*x[0], -1000*x[1] }
	var n int
	err := ImplicitMidpoint{Step: 1}.Solve(make([]float64, 4), counting(stiff, &n), []float64{1, 1}, []float64{0, 1})
	if err == nil || !strings.Contains(err.Error(), "ode: implicit-midpoint: fixed-point iteration did not converge at t=0 after") ||
		!strings.HasSuffix(err.Error(), "reduce the step") {
		t.Errorf("stiff field: error %v, want a convergence error", err)
	}
	if n > 10 {
		t.Errorf("stiff field: %d evaluations before giving up, want the divergence caught within 10", n)
	}
	t.Logf("stiff field: %v", err)
	// A contraction too slow for MaxIter iterations: h L / 2 = 1/4 gains
	// less than 2 digits in 2 iterations, and New passes MaxIter on.
	ig, err := New("implicit-midpoint", Options{Step: 0.5, Tol: 1e-15, MaxIter: 2})
	if err != nil {
		t.Fatal(err)
	}
	err = ig.Solve(make([]float64, 4), oscillator, []float64{1, 0}, []float64{0, 1})
	if err == nil || !strings.Contains(err.Error(), "after 2 iterations") {
		t.Errorf("MaxIter 2: error %v, want a convergence error after 2 iterations", err)
	}
	// Invalid settings: errors from New, panics from Solve.
	for _, o := range []Options{{Tol: -1}, {Tol: math.NaN()}, {Tol: math.Inf(1)}, {MaxIter: -2}} {
		if _, err := New("implicit-midpoint", o); err == nil {
			t.Errorf("New with %+v: no error", o)
		}
	}
	dst := make([]float64, 4)
	mustPanic(t, "negative Tol", func() { _ = ImplicitMidpoint{Tol: -1}.Solve(dst, oscillator, []float64{1, 0}, []float64{0, 1}) })
	mustPanic(t, "NaN Tol", func() { _ = ImplicitMidpoint{Tol: math.NaN()}.Solve(dst, oscillator, []float64{1, 0}, []float64{0, 1}) })
	mustPanic(t, "negative MaxIter", func() { _ = ImplicitMidpoint{MaxIter: -1}.Solve(dst, oscillator, []float64{1, 0}, []float64{0, 1}) })
	checkSolveContract(t, ImplicitMidpoint{Step: 0.1}, ImplicitMidpoint{Step: -0.1})
	// Any dimension may be integrated, odd ones too: x' = -x.
	decay := func(dst []float64, _ float64, x []float64) {
		for i, v := range x {
			dst[i] = -v
		}
	}
	got := make([]float64, 6)
	if err := (ImplicitMidpoint{Step: 1e-3}).Solve(got, decay, []float64{1, 2, 3}, []float64{0, 1}); err != nil {
		t.Fatal(err)
	}
	if e := maxAbsDiff(got[3:], []float64{math.Exp(-1), 2 * math.Exp(-1), 3 * math.Exp(-1)}); e > 1e-6 {
		t.Errorf("x' = -x in d = 3: error %.3g", e)
	}
}

func TestImplicitMidpointSubsteps(t *testing.T) {
	t.Parallel()
	// The slope predictor differs between the two ways, so agreement is up
	// to the iteration tolerance.
	checkSubsteps(t, newImplicitMidpoint, nonSeparable, []float64{0.8, -0.3, -0.6, 0.5}, 1e-12)
}

func TestImplicitMidpointAllocs(t *testing.T) {
	// Not parallel: testing.AllocsPerRun counts the whole process.
	checkAllocs(t, ImplicitMidpoint{Step: 0.01}, kepler, keplerStart)
}

func BenchmarkImplicitMidpoint(b *testing.B) {
	benchFixed(b, ImplicitMidpoint{Step: 0.01})
}
