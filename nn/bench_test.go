package nn

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkHNNGradient times one full HNN training gradient (forward, input
// gradient, second-order parameter gradient) in float32, for the reference
// architecture 2-200-200-1 at several batch sizes.
func BenchmarkHNNGradient(b *testing.B) {
	for _, batch := range []int{32, 200, 750} {
		b.Run(fmt.Sprint(batch), func(b *testing.B) {
			sizes := []int{2, 200, 200, 1}
			rng := rand.New(rand.NewPCG(1, 1))
			m := New[float32](sizes, Tanh, rng)
			ws := m.NewWorkspace(batch, true)
			x := make([]float32, batch*2)
			p := make([]float32, batch*2)
			for i := range x {
				x[i] = float32(rng.NormFloat64())
				p[i] = float32(rng.NormFloat64()) * 1e-3
			}
			grad := make([]float32, len(m.Params))
			// About 6 products of 2 B N^2 flops each.
			flops := 12 * float64(batch) * 200 * 200
			for b.Loop() {
				m.InputGradient(ws, x)
				m.BackwardInputGradient(ws, grad, p)
			}
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkForward times a float32 forward pass of a 2-200-200-2 baseline.
func BenchmarkBaselineGradient(b *testing.B) {
	for _, batch := range []int{32, 750} {
		b.Run(fmt.Sprint(batch), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 1))
			m := New[float32]([]int{2, 200, 200, 2}, Tanh, rng)
			ws := m.NewWorkspace(batch, false)
			x := make([]float32, batch*2)
			grad := make([]float32, len(m.Params))
			for b.Loop() {
				out := m.Forward(ws, x)
				m.Backward(ws, grad, out)
			}
		})
	}
}

// BenchmarkTanh32 times the fused float32 tanh activation on one 750 x 200
// layer.
func BenchmarkTanh32(b *testing.B) {
	z := make([]float32, 750*200)
	s1, s2 := make([]float32, len(z)), make([]float32, len(z))
	rng := rand.New(rand.NewPCG(1, 1))
	src := make([]float32, len(z))
	for i := range src {
		src[i] = float32(2 * rng.NormFloat64())
	}
	for b.Loop() {
		copy(z, src)
		tanhAct32(z, s1, s2)
	}
}
