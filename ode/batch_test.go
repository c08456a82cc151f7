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
