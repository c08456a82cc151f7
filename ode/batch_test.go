package ode

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestSolveBatch checks that SolveBatch gives, for every registered
// integrator, bit for bit the states of solving each start on its own, and
// that it evaluates the field once per round for the whole batch.
func TestSolveBatch(t *testing.T) {
	t.Parallel()
	const (
		nb = 13
		d  = 2
	)
	rng := rand.New(rand.NewPCG(1, 3))
	x0 := make([]float64, nb*d)
	for i := range x0 {
		x0[i] = 4*rng.Float64() - 2
	}
	ts := linspace(0, 5, 21)
	for _, name := range Names() {
		ig, err := New(name, Options{RTol: 1e-8, ATol: 1e-8, Step: 0.05})
		if err != nil {
			t.Fatal(err)
		}
		want := make([]float64, nb*len(ts)*d)
		var singles int
		for b := range nb {
			stride := len(ts) * d
			f := func(dst []float64, tb float64, x []float64) { singles++; pendulum(dst, tb, x) }
			if err := ig.Solve(want[b*stride:(b+1)*stride], f, x0[b*d:(b+1)*d], ts); err != nil {
				t.Fatal(err)
			}
		}
		var batches int
		batch := func(dst, tr, x []float64) {
			if len(x) != nb*d || len(tr) != nb || len(dst) != nb*d {
				t.Fatalf("%s: batch of %d values, %d times", name, len(x), len(tr))
			}
			batches++
			for r := range nb {
				pendulum(dst[r*d:(r+1)*d], tr[r], x[r*d:(r+1)*d])
			}
		}
		got := make([]float64, len(want))
		for b, err := range SolveBatch(ig, batch, x0, d, ts, got) {
			if err != nil {
				t.Fatalf("%s: state %d: %v", name, b, err)
			}
		}
		for i := range got {
			if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
				t.Fatalf("%s: value %d = %v, want %v (Solve per state)", name, i, got[i], want[i])
			}
		}
		// Every round evaluates all states at once: at least the largest
		// number of evaluations one state needs, at most all of them.
		if batches*nb < singles || batches > singles {
			t.Errorf("%s: %d batches for %d single evaluations of %d states", name, batches, singles, nb)
		}
	}
}

// TestSolveBatchErrors checks that a failing state is reported without
// stopping or changing the others.
func TestSolveBatchErrors(t *testing.T) {
	t.Parallel()
	// dx/dt = x^2 blows up at t = 1/x0: the start 2 fails before t = 1, the
	// start NaN at once.
	f := func(dst, _, x []float64) {
		for i, v := range x {
			dst[i] = v * v
		}
	}
	x0 := []float64{0.1, 2, 0.5, math.NaN()}
	ts := []float64{0, 1}
	dst := make([]float64, 8)
	errs := SolveBatch(DormandPrince{}, f, x0, 1, ts, dst)
	if errs[0] != nil || errs[1] == nil || errs[2] != nil || errs[3] == nil {
		t.Fatalf("errors %v, want states 1 and 3 to fail", errs)
	}
	for _, b := range []int{0, 2} {
		want := x0[b] / (1 - x0[b]) // x(1) = x0 / (1 - x0)
		if math.Abs(dst[2*b+1]-want) > 1e-6 {
			t.Errorf("state %d: x(1) = %v, want %v", b, dst[2*b+1], want)
		}
	}
	if errs := SolveBatch(DormandPrince{}, f, nil, 1, ts, nil); len(errs) != 0 {
		t.Errorf("no states: %v", errs)
	}
}

// TestSolveBatchLockStep checks DormandPrince's lock-step batches against
// Solve state by state, bit for bit and error for error, where the states
// end differently: three reach the end, one starts non-finite, and one
// blows up (its step size underflows, or with MaxSteps 600 it runs out of
// steps first); with the initial step estimated (a trial round) and given.
func TestSolveBatchLockStep(t *testing.T) {
	t.Parallel()
	f := func(dst []float64, _ float64, x []float64) {
		dst[0] = x[1]
		dst[1] = -math.Sin(x[0]) + x[1]*x[1]*x[0]*0.01
	}
	x0 := []float64{0.3, 0.1, 2.9, -0.2, math.NaN(), 0, 1, 4, -1.5, 0.7}
	ts := linspace(0, 30, 13)
	const d = 2
	for _, dp := range []DormandPrince{
		{RTol: 1e-9, ATol: 1e-9},
		{RTol: 1e-6, ATol: 1e-6, InitialStep: 0.05},
		{RTol: 1e-9, ATol: 1e-9, MaxSteps: 600},
	} {
		nb := len(x0) / d
		stride := len(ts) * d
		want := make([]float64, nb*stride)
		wantErr := make([]error, nb)
		for b := range nb {
			wantErr[b] = dp.Solve(want[b*stride:(b+1)*stride], f, x0[b*d:(b+1)*d], ts)
		}
		got := make([]float64, len(want))
		errs := SolveBatch(dp, func(dst, tr, x []float64) {
			for r := range nb {
				f(dst[r*d:(r+1)*d], tr[r], x[r*d:(r+1)*d])
			}
		}, x0, d, ts, got)
		failed := 0
		for b := range nb {
			if (errs[b] == nil) != (wantErr[b] == nil) || errs[b] != nil && errs[b].Error() != wantErr[b].Error() {
				t.Fatalf("%+v: state %d: error %v, Solve's %v", dp, b, errs[b], wantErr[b])
			}
			if errs[b] != nil {
				failed++
				continue
			}
			for i := b * stride; i < (b+1)*stride; i++ {
				if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
					t.Fatalf("%+v: state %d value %d = %v, Solve's %v", dp, b, i, got[i], want[i])
				}
			}
		}
		if failed == 0 || failed == nb {
			t.Errorf("%+v: %d of %d states failed; the case should mix both", dp, failed, nb)
		}
	}
}
