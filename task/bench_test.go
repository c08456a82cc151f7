package task_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/task"
	"github.com/hnn-go/hnn/train"
)

// BenchmarkOrbitTrainStep times one optimiser step of each model on the
// N-body tasks' own datasets and reference settings (float32, 200-200 tanh,
// minibatch 200 for two-body and 600 for three-body), the per-step cost of
// their 10,000-step protocol; it also reports allocations per step.
func BenchmarkOrbitTrainStep(b *testing.B) {
	for _, name := range []string{"two-body", "three-body"} {
		tk, err := task.Get(name)
		if err != nil {
			b.Fatal(err)
		}
		ds, err := tk.Generate(rand.New(rand.NewPCG(0, 1)))
		if err != nil {
			b.Fatal(err)
		}
		for _, kind := range model.Kinds() {
			b.Run(name+"/"+kind, func(b *testing.B) {
				rng := rand.New(rand.NewPCG(1, 1))
				m, err := model.New[float32](model.Config{Kind: kind, Dim: tk.Dim}.WithDefaults(), rng)
				if err != nil {
					b.Fatal(err)
				}
				st, err := train.NewStepper(m, &ds.Train, tk.Train, rng)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				for b.Loop() {
					st.Step()
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
			})
		}
	}
}

// BenchmarkTwoBodyStepper times train.Stepper steps of the two-body task's
// models (float32, 8-200-200 tanh, the task's learning rate and weight
// average) on the task's own dataset (seed 0, the data stream of a run) at
// minibatches of 50, 200 (the protocol's) and 800 rows, and reports steps
// per second and allocations per step.
func BenchmarkTwoBodyStepper(b *testing.B) {
	tk, err := task.Get("two-body")
	if err != nil {
		b.Fatal(err)
	}
	ds, err := tk.Generate(rand.New(rand.NewPCG(0, 1)))
	if err != nil {
		b.Fatal(err)
	}
	for _, batch := range []int{50, 200, 800} {
		for _, kind := range []string{"hnn", "baseline"} {
			b.Run(fmt.Sprintf("batch=%d/%s", batch, kind), func(b *testing.B) {
				m, err := model.New[float32](model.Config{Kind: kind, Dim: tk.Dim}.WithDefaults(), rand.New(rand.NewPCG(0, 2)))
				if err != nil {
					b.Fatal(err)
				}
				cfg := tk.Train
				cfg.Batch = batch
				st, err := train.NewStepper(m, &ds.Train, cfg, rand.New(rand.NewPCG(0, 3)))
				if err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				for b.Loop() {
					st.Step()
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
			})
		}
	}
}
