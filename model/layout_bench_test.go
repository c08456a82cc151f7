package model_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/model"
)

// BenchmarkLayoutLossGrad times one LossGrad call (float32) of the kinds
// that take state layouts, on SymODEN's layouts: the angle-embedded
// pendulum (one angle, its velocity, one torque) and the cart-pole (two
// positions, one an angle, two velocities, one force), batch 200, hidden
// 200, 200, beside an HNN on canonical states of the same number of
// positions, so that the costs read as ratios.
func BenchmarkLayoutLossGrad(b *testing.B) {
	const batch = 200
	for _, l := range []data.Layout{
		{Positions: 1, Velocities: true, Inputs: 1, Angles: []int{0}},
		{Positions: 2, Velocities: true, Inputs: 1, Angles: []int{1}},
	} {
		for _, kind := range []string{"hnn", "symoden", "delan", "lnn", "naive", "geometric"} {
			c := model.Config{Kind: kind, Dim: l.Dim(), Hidden: []int{200, 200}, Layout: l}
			if kind == "hnn" {
				c.Dim, c.Layout = 2*l.Positions, data.Layout{}
			}
			b.Run(fmt.Sprintf("n%d/%s", l.Positions, kind), func(b *testing.B) {
				m, err := model.New[float32](c, rand.New(rand.NewPCG(1, 5)))
				if err != nil {
					b.Fatal(err)
				}
				d := c.Dim
				rng := rand.New(rand.NewPCG(2, 5))
				x, y := make([]float32, batch*d), make([]float32, batch*d)
				for i := range x {
					x[i], y[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
				}
				ws := m.NewWorkspace(batch, true)
				grad := make([]float32, len(m.Params()))
				b.ReportAllocs()
				for b.Loop() {
					ws.LossGrad(x, y, grad)
				}
			})
		}
	}
}
