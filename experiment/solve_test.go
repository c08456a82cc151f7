package experiment

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/hnn-go/hnn/metrics"
	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/ode"
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
