package fit

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/train"
)

// TestCoresBitIdentical trains every fit mode (the rollout fit with
// fitted starts, through an explicit and an implicit integrator) under
// GOMAXPROCS 1, 2 and 4 and checks that the parameters, the fitted starts
// and the logged losses are the same bit for bit. The segments' batch (150
// states of the 200-wide reference network) is large enough for its
// products to be cut into chunks. Not parallel: it changes GOMAXPROCS.
func TestCoresBitIdentical(t *testing.T) {
	set := oscillator(rand.New(rand.NewPCG(9, 1)), 30, 31)
	cases := []struct {
		name, kind string
		c          Config
	}{
		{"derivative", "hnn", Config{}},
		{"midpoint", "hnn", Config{Mode: "midpoint"}},
		{"rollout-rk4-starts", "hnn", Config{Mode: "rollout", Horizon: 5, FitStarts: true}},
		{"rollout-implicit-midpoint", "hnn", Config{Mode: "rollout", Horizon: 2, Integrator: "implicit-midpoint"}},
		{"rollout-leapfrog-starts", "separable", Config{Mode: "rollout", Horizon: 5, Integrator: "leapfrog", FitStarts: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var want []float32
			var wantLog []train.Point
			for _, p := range []int{1, 2, 4} {
				old := runtime.GOMAXPROCS(p)
				m, err := model.New[float32](model.Config{Kind: c.kind, Dim: 2}, rand.New(rand.NewPCG(9, 2)))
				if err != nil {
					t.Fatal(err)
				}
				tc := train.Config{Steps: 4, Batch: 750, LR: 1e-3, LogEvery: 2}
				h, err := Train(m, set, set, c.c, tc, rand.New(rand.NewPCG(9, 3)), nil)
				runtime.GOMAXPROCS(old)
				if err != nil {
					t.Fatal(err)
				}
				got := m.Params()
				if want == nil {
					want, wantLog = got, h.Log
					continue
				}
				for i := range got {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Errorf("GOMAXPROCS %d: parameter %d = %v, with 1 %v", p, i, got[i], want[i])
						break
					}
				}
				for i, pt := range h.Log {
					if pt != wantLog[i] {
						t.Errorf("GOMAXPROCS %d: log point %d = %+v, with 1 %+v", p, i, pt, wantLog[i])
					}
				}
			}
		})
	}
}
