package model_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync/atomic"
	"testing"

	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/ode"
	"github.com/hnn-go/hnn/systems"
	"github.com/hnn-go/hnn/train"
)

// countingModel counts the field evaluations of the workspaces it makes.
type countingModel struct {
	model.Model[float32]
	evals *atomic.Int64
}

func (m countingModel) NewWorkspace(batch int, train bool) model.Workspace[float32] {
	return countingWorkspace{m.Model.NewWorkspace(batch, train), m.evals}
}

type countingWorkspace struct {
	model.Workspace[float32]
	evals *atomic.Int64
}

func (w countingWorkspace) Field(dst, x []float32) {
	w.evals.Add(1)
	w.Workspace.Field(dst, x)
}

// springHNN returns a float32 2-h-h-1 HNN briefly trained on the spring
// task (minibatches of 75 rows), so that its field turns like a spring's
// and an adaptive integrator takes the step sizes it takes on a trained
// model; an untrained network's field is nearly constant near the origin
// and would be integrated in a handful of steps.
func springHNN(b *testing.B, h, steps int) model.Model[float32] {
	b.Helper()
	ds, err := systems.Generate(systems.Spring{}, systems.SpringProtocol(), rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		b.Fatal(err)
	}
	m, err := model.New[float32](model.Config{Kind: "hnn", Dim: 2, Hidden: []int{h, h}}, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		b.Fatal(err)
	}
	c := train.Config{Steps: steps, LR: 3e-3, Batch: 75}
	if _, err := train.Train(m, &ds.Train, nil, c, rand.New(rand.NewPCG(1, 3)), nil); err != nil {
		b.Fatal(err)
	}
	return m
}

// BenchmarkRollout times model.Rollout of a float32 2-h-h-1 HNN, briefly
// trained on the spring task, from 16 initial states on the spring's start
// distribution (radius in [0.1, 1)), with output at 200 points on t in
// [0, 20] (the quick energy protocol): by Dormand-Prince at rtol = atol =
// 1e-9, as the energy protocol, and by RK4 at step 0.01. The hidden width h
// is 200 as in the reference, with 32 beside it. It reports the initial
// states rolled out per second over all workers (GOMAXPROCS of them) and
// the field evaluations per state.
func BenchmarkRollout(b *testing.B) {
	const (
		d      = 2
		starts = 16
		points = 200
		tEnd   = 20.0
	)
	ts := make([]float64, points)
	for i := range ts {
		ts[i] = float64(i) * (tEnd / (points - 1))
	}
	ts[points-1] = tEnd
	rng := rand.New(rand.NewPCG(1, 4))
	x0 := make([]float64, starts*d)
	for i := 0; i < starts; i++ {
		a, r := 2*math.Pi*rng.Float64(), 0.1+0.9*rng.Float64()
		x0[i*d], x0[i*d+1] = r*math.Cos(a), r*math.Sin(a)
	}
	integrators := []struct {
		name string
		ig   ode.Integrator
	}{
		{"dopri5", ode.DormandPrince{RTol: 1e-9, ATol: 1e-9}},
		{"rk4", ode.RK4{Step: 0.01}},
	}
	models := map[int]model.Model[float32]{}
	for _, it := range integrators {
		for _, h := range []int{32, 200} {
			b.Run(fmt.Sprintf("%s/h%d", it.name, h), func(b *testing.B) {
				if models[h] == nil {
					models[h] = springHNN(b, h, 300)
				}
				var evals atomic.Int64
				m := countingModel{models[h], &evals}
				dst := make([]float64, starts*points*d)
				for b.Loop() {
					if err := model.Rollout(dst, m, it.ig, x0, ts, 0); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(starts*b.N)/b.Elapsed().Seconds(), "states/s")
				b.ReportMetric(float64(evals.Load())/float64(starts*b.N), "evals/state")
			})
		}
	}
}

// BenchmarkLossGrad times one LossGrad call (float32, the training
// precision) of every model kind on a batch of 200 rows of dimension 8
// with hidden widths 200, 200, side by side so that the two-network kinds
// can be read as ratios to the HNN.
func BenchmarkLossGrad(b *testing.B) {
	const batch, dim = 200, 8
	for _, kind := range model.Kinds() {
		b.Run(kind, func(b *testing.B) {
			m, err := model.New[float32](model.Config{Kind: kind, Dim: dim, Hidden: []int{200, 200}}, rand.New(rand.NewPCG(1, 5)))
			if err != nil {
				b.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(2, 5))
			x, y := make([]float32, batch*dim), make([]float32, batch*dim)
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
