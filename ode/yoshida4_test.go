package ode

import (
	"math"
	"strings"
	"testing"
)

func newYoshida4(h float64) Integrator { return Yoshida4{Step: h} }

// newYoshidaStep returns a fresh Yoshida single-step function for f in
// dimension d.
func newYoshidaStep(f Func, d int) func() stepFunc {
	return func() stepFunc {
		s := newVerlet(f, d)
		return func(x []float64, t, h float64) error { return yoshidaStep(&s, x, t, h) }
	}
}

func TestYoshida4Weights(t *testing.T) {
	t.Parallel()
	// The weights sum to one (consistency) and their cubes to zero (the
	// third-order error terms cancel).
	if e := math.Abs(2*yoshidaW1 + yoshidaW0 - 1); e > 1e-15 {
		t.Errorf("2 w1 + w0 - 1 = %.3g", e)
	}
	if e := math.Abs(2*math.Pow(yoshidaW1, 3) + math.Pow(yoshidaW0, 3)); e > 1e-14 {
		t.Errorf("2 w1^3 + w0^3 = %.3g", e)
	}
}

func TestYoshida4Order(t *testing.T) {
	t.Parallel()
	slope := orderSlope(t, newYoshida4)
	t.Logf("observed order %.3f", slope)
	if math.Abs(slope-4) > 0.3 {
		t.Errorf("observed order %.3f, want 4 ± 0.3", slope)
	}
}

func TestYoshida4BoundedEnergy(t *testing.T) {
	t.Parallel()
	checkBoundedEnergy(t, newYoshida4)
}

func TestYoshida4Symplectic(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		f    Func
		x    []float64
		h    float64
	}{
		{"pendulum", pendulum, []float64{0.8, -0.6}, 0.3},
		{"kepler", kepler, keplerStart, 0.1},
	} {
		e := symplecticError(jacobian(newYoshidaStep(c.f, len(c.x)), c.x, c.h), len(c.x))
		t.Logf("%s: |M^T J M - J| = %.3g", c.name, e)
		if e > 1e-8 {
			t.Errorf("%s: |M^T J M - J| = %.3g, want at most 1e-8", c.name, e)
		}
	}
}

func TestYoshida4Reversible(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		f    Func
		x0   []float64
	}{
		{"pendulum", pendulum, []float64{2.5, 0.3}},
		{"kepler", kepler, keplerStart},
	} {
		if e := reversalError(t, newYoshidaStep(c.f, len(c.x0)), c.x0, 0.01, 500); e > 1e-10 {
			t.Errorf("%s: 500 steps forward and back end %.3g off the start, want at most 1e-10", c.name, e)
		}
	}
}

func TestYoshida4AgreesWithDopri5(t *testing.T) {
	t.Parallel()
	// Global error C h^4 at h = 1e-2: C is about 0.1 on the pendulum and
	// about 1e3 on one period of the Kepler orbit (its fast pericentre
	// passage), both far above Dormand-Prince's error of ~1e-11.
	for _, c := range []struct {
		name string
		f    Func
		x0   []float64
		end  float64
		tol  float64
	}{
		{"pendulum", pendulum, []float64{2.5, 0.3}, 10, 1e-7},
		{"kepler", kepler, keplerStart, 2 * math.Pi, 1e-4},
	} {
		agreesWithDopri5(t, c.name, Yoshida4{Step: 1e-2}, c.f, c.x0, c.end, c.tol)
	}
}

func TestYoshida4Evaluations(t *testing.T) {
	t.Parallel()
	// Six evaluations per step (three leapfrog substeps, each force kept
	// for the next kick) plus one at the start.
	for _, c := range []struct {
		ts    []float64
		step  float64
		steps int
	}{
		{[]float64{0, 1}, 0, 1},
		{[]float64{0, 0.1}, 0.01, 10},
		{[]float64{0, 0.5, 1, 1.3}, 0.1, 13},
	} {
		var n int
		if err := (Yoshida4{Step: c.step}).Solve(make([]float64, 2*len(c.ts)), counting(oscillator, &n), []float64{1, 0}, c.ts); err != nil {
			t.Fatal(err)
		}
		if want := 1 + 6*c.steps; n != want {
			t.Errorf("ts %v, Step %v: %d evaluations, want %d (%d steps)", c.ts, c.step, n, want, c.steps)
		}
	}
}

func TestYoshida4Substeps(t *testing.T) {
	t.Parallel()
	checkSubsteps(t, newYoshida4, kepler, keplerStart, 1e-14)
}

func TestYoshida4Errors(t *testing.T) {
	t.Parallel()
	err := Yoshida4{Step: 0.1}.Solve(make([]float64, 6), oscillator, []float64{1, 2, 3}, []float64{0, 1})
	if err == nil || !strings.Contains(err.Error(), "odd") {
		t.Errorf("odd dimension: error %v, want one about the odd dimension", err)
	}
	checkSolveContract(t, Yoshida4{Step: 0.1}, Yoshida4{Step: -0.1})
}

func TestYoshida4Allocs(t *testing.T) {
	// Not parallel: testing.AllocsPerRun counts the whole process.
	checkAllocs(t, Yoshida4{Step: 0.01}, kepler, keplerStart)
}

func BenchmarkYoshida4(b *testing.B) {
	benchFixed(b, Yoshida4{Step: 0.01})
}
