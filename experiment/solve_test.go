package experiment

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/hnn-go/hnn/metrics"
	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/ode"
	"github.com/hnn-go/hnn/task"
)

// TestRolloutBatched checks that rolling states out together (chunks of
// rolloutChunk through ode.SolveBatch) agrees with integrating each state
// on its own to float32 rounding (products of a few rows sum in another
// order than those of many), for every model kind with a two-dimensional
// state, and gives the same bits whatever the number of cores.
func TestRolloutBatched(t *testing.T) {
	const nb, d = rolloutChunk + 7, 2 // a full chunk and a partial one
	rng := rand.New(rand.NewPCG(5, 1))
	x0 := make([]float64, nb*d)
	for i := range x0 {
		x0[i] = 2*rng.Float64() - 1
	}
	ts := metrics.Linspace(3, 31)
	for _, kind := range []string{"baseline", "hnn", "dhnn", "separable"} {
		m, err := model.New[float32](model.Config{Kind: kind, Dim: d, Hidden: []int{32, 32}}, rand.New(rand.NewPCG(5, 2)))
		if err != nil {
			t.Fatal(err)
		}
		tr := Wrap(m)
		for _, ig := range []ode.Integrator{ode.RK4{Step: 0.05}, ode.DormandPrince{RTol: 1e-9, ATol: 1e-9}} {
			want := make([]float64, nb*len(ts)*d)
			if err := ode.SolveMany(ig, tr.FieldFunc(), x0, d, ts, want, 0); err != nil {
				t.Fatal(err)
			}
			got := make([]float64, len(want))
			if err := firstError(rollMany(ig, tr, x0, d, ts, got)); err != nil {
				t.Fatal(err)
			}
			for i := range got {
				if math.Abs(got[i]-want[i]) > 1e-4*(1+math.Abs(want[i])) {
					t.Fatalf("%s, %s: value %d = %v, want %v (each state on its own)", kind, ig.Name(), i, got[i], want[i])
				}
			}
			prev := runtime.GOMAXPROCS(1)
			one := make([]float64, len(want))
			err := firstError(rollMany(ig, tr, x0, d, ts, one))
			runtime.GOMAXPROCS(prev)
			if err != nil {
				t.Fatal(err)
			}
			for i := range one {
				if math.Float64bits(one[i]) != math.Float64bits(got[i]) {
					t.Fatalf("%s, %s: value %d differs on one core: %v against %v", kind, ig.Name(), i, one[i], got[i])
				}
			}
		}
	}
}

// TestEnergyRollout checks that EnergyTruth.Rollout gives, bit for bit,
// the rollout of a start that Errors computes among all the protocol's
// starts, in a first chunk and a partial second one, and that scoring a
// run keeps those rollouts (which figures draw).
func TestEnergyRollout(t *testing.T) {
	tk, err := task.Get("spring")
	if err != nil {
		t.Fatal(err)
	}
	p := tk.Energy
	p.Starts, p.TEnd, p.Points = rolloutChunk+3, 2, 11
	e, err := NewEnergyTruth(tk, p)
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.New[float32](model.Config{Kind: "hnn", Dim: 2, Hidden: []int{16, 16}}, rand.New(rand.NewPCG(7, 1)))
	if err != nil {
		t.Fatal(err)
	}
	tr := Wrap(m)
	_, pred, err := e.Errors(tr)
	if err != nil {
		t.Fatal(err)
	}
	n := p.Points * 2
	for _, i := range []int{0, 5, rolloutChunk - 1, rolloutChunk, p.Starts - 1} {
		got, err := e.Rollout(tr, i)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != n {
			t.Fatalf("start %d: %d values, want %d", i, len(got), n)
		}
		for j, v := range got {
			if w := pred[i*n+j]; math.Float64bits(v) != math.Float64bits(w) {
				t.Fatalf("start %d value %d: %v, Errors gives %v", i, j, v, w)
			}
		}
	}
	r := &Run{Spec: Spec{Task: "spring", Energy: p}, Model: tr}
	if err := scoreEnergy(r, tk, e); err != nil {
		t.Fatal(err)
	}
	if len(r.EnergyRollouts) != len(pred) {
		t.Fatalf("scored run keeps %d rollout values, want %d", len(r.EnergyRollouts), len(pred))
	}
	for j, v := range r.EnergyRollouts {
		if math.Float64bits(v) != math.Float64bits(pred[j]) {
			t.Fatalf("kept rollout value %d: %v, Errors gives %v", j, v, pred[j])
		}
	}
}
