package train_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/train"
)

// stepFLOPs returns the floating-point operations of the matrix products
// of one training gradient of a model of the given kind with two hidden
// layers of width n on b rows of dimension d: b times the kind's FLOPs per
// row (model.Kind.FLOPs, derived in model.NetFLOPs).
func stepFLOPs(kind string, b, d, n int) float64 {
	c := model.Config{Kind: kind, Dim: d, Hidden: []int{n, n}}.WithDefaults()
	return float64(b) * model.MustLookup(kind).FLOPs(c)
}

// benchRows returns n spring-like rows: states x ~ N(0, 1/4) in each
// coordinate and derivatives (2p, -2q).
func benchRows(n int, rng *rand.Rand) *data.Set {
	s := &data.Set{Dim: 2, X: make([]float64, 2*n), DX: make([]float64, 2*n)}
	for i := 0; i < n; i++ {
		q, p := 0.5*rng.NormFloat64(), 0.5*rng.NormFloat64()
		s.X[2*i], s.X[2*i+1] = q, p
		s.DX[2*i], s.DX[2*i+1] = 2*p, -2*q
	}
	return s
}

// BenchmarkTrainStep times one full float32 training step, LossGrad then an
// Adam update, of the spring task's models: the 2-h-h-1 HNN and the 2-h-h-2
// baseline, at full batch (750 rows, the spring train split) and with
// minibatches of 200 rows drawn without replacement from 800 (the row
// gather included), through train.Stepper, the step train.Train makes. The hidden width h is 200 as in
// the reference, with 50 and 400 beside it to show how the step scales.
func BenchmarkTrainStep(b *testing.B) {
	type shape struct {
		name        string
		batch, rows int
		hidden      int
	}
	shapes := []shape{
		{"full750/h50", 750, 750, 50},
		{"full750/h200", 750, 750, 200},
		{"full750/h400", 750, 750, 400},
		{"mini200of800/h200", 200, 800, 200},
	}
	for _, kind := range []string{"hnn", "baseline"} {
		for _, s := range shapes {
			b.Run(fmt.Sprintf("%s/%s", kind, s.name), func(b *testing.B) {
				benchTrainStep(b, kind, s.batch, s.rows, s.hidden)
			})
		}
	}
}

func benchTrainStep(b *testing.B, kind string, batch, rows, hidden int) {
	rng := rand.New(rand.NewPCG(1, 1))
	m, err := model.New[float32](model.Config{Kind: kind, Dim: 2, Hidden: []int{hidden, hidden}}, rng)
	if err != nil {
		b.Fatal(err)
	}
	bs := batch
	if batch == rows {
		bs = 0
	}
	st, err := train.NewStepper(m, benchRows(rows, rng), train.Config{Batch: bs, WeightDecay: 1e-4}, rng)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		st.Step()
	}
	sec := b.Elapsed().Seconds()
	b.ReportMetric(float64(b.N)/sec, "steps/s")
	b.ReportMetric(stepFLOPs(kind, batch, 2, hidden)*float64(b.N)/sec/1e9, "GFLOP/s")
}

// twoBodyRows returns n rows of the two-body task's dimension, 8, with
// states and derivatives drawn from N(0, 1/4): the shape, not the physics,
// is what a step's cost depends on.
func twoBodyRows(n int, rng *rand.Rand) *data.Set {
	s := &data.Set{Dim: 8, X: make([]float64, 8*n), DX: make([]float64, 8*n)}
	for i := range s.X {
		s.X[i], s.DX[i] = 0.5*rng.NormFloat64(), 0.5*rng.NormFloat64()
	}
	return s
}

// BenchmarkWorkers times a float32 training step of the two-body task's
// HNN (8-200-200-1 tanh, minibatch 200 of 8000 rows, the task's learning
// rate and weight average) with its minibatch split over 1, 2 and 4
// goroutines (Config.Workers), and reports steps per second; the speedup
// is the ratio of the workers' rates measured side by side.
func BenchmarkWorkers(b *testing.B) {
	for _, workers := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 1))
			m, err := model.New[float32](model.Config{Kind: "hnn", Dim: 8, Hidden: []int{200, 200}}, rng)
			if err != nil {
				b.Fatal(err)
			}
			c := train.Config{Batch: 200, LR: 1e-3, Average: 0.99, Workers: workers}
			st, err := train.NewStepper(m, twoBodyRows(8000, rng), c, rng)
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			b.ReportAllocs()
			for b.Loop() {
				st.Step()
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
		})
	}
}

// BenchmarkDiskSource times the step of BenchmarkWorkers (one worker) on
// 100,000 rows held in memory and read from a float32 DiskDataset, whose
// minibatches are read in the background during the previous step, and
// reports steps per second.
func BenchmarkDiskSource(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	set := twoBodyRows(100_000, rng)
	dir := b.TempDir()
	if err := data.WriteDiskDataset(dir, &data.Dataset{Train: *set}, true, nil); err != nil {
		b.Fatal(err)
	}
	d, err := data.OpenDiskDataset(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	disk, err := train.NewDiskSource[float32](d.TrainX, d.TrainDX)
	if err != nil {
		b.Fatal(err)
	}
	for _, s := range []struct {
		name string
		src  train.Source[float32]
	}{{"memory", train.NewSetSource[float32](set)}, {"disk", disk}} {
		b.Run(s.name, func(b *testing.B) {
			m, err := model.New[float32](model.Config{Kind: "hnn", Dim: 8, Hidden: []int{200, 200}}, rand.New(rand.NewPCG(1, 2)))
			if err != nil {
				b.Fatal(err)
			}
			st, err := train.NewSourceStepper(m, s.src, train.Config{Batch: 200, Average: 0.99}, rand.New(rand.NewPCG(1, 3)))
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			b.ReportAllocs()
			for b.Loop() {
				st.Step()
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
		})
	}
}
