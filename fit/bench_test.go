package fit

import (
	"math/rand/v2"
	"testing"

	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/train"
)

// BenchmarkFitStep times one full-batch optimiser step of each fit mode
// on the same 750 rows (25 oscillator trajectories of 30 rows, the
// spring task's size) with the reference's 200-200 networks in float32:
// the cost of a step of each mode relative to the derivative fit's is
// the ratio of their times, measured side by side in one run.
func BenchmarkFitStep(b *testing.B) {
	set := oscillator(rand.New(rand.NewPCG(1, 1)), 25, 30)
	cases := []struct {
		name, kind string
		c          Config
	}{
		{"hnn/derivative", "hnn", Config{}},
		{"hnn/midpoint", "hnn", Config{Mode: "midpoint"}},
		{"hnn/rollout-rk4-5", "hnn", Config{Mode: "rollout", Horizon: 5}},
		{"hnn/rollout-implicit-midpoint-5", "hnn", Config{Mode: "rollout", Horizon: 5, Integrator: "implicit-midpoint"}},
		{"separable/derivative", "separable", Config{}},
		{"separable/rollout-leapfrog-5", "separable", Config{Mode: "rollout", Horizon: 5, Integrator: "leapfrog"}},
		{"separable/rollout-leapfrog-5-starts", "separable", Config{Mode: "rollout", Horizon: 5, Integrator: "leapfrog", FitStarts: true}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(2, 2))
			m, err := model.New[float32](model.Config{Kind: c.kind, Dim: 2}, rng)
			if err != nil {
				b.Fatal(err)
			}
			tc := train.Config{LR: 1e-3}
			var st train.Steps[float32]
			switch mode, _ := Lookup(c.c.Mode); {
			case mode.Rollout:
				r, err := NewRollout(m, set, c.c, tc, rng)
				if err != nil {
					b.Fatal(err)
				}
				st = r
			default:
				rows := set
				if !mode.Derivatives {
					mr := MidpointRows(set)
					rows = &mr
				}
				s, err := train.NewStepper(m, rows, tc, rng)
				if err != nil {
					b.Fatal(err)
				}
				defer s.Close()
				st = s
			}
			for b.Loop() {
				st.Step()
			}
		})
	}
}
