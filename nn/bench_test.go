package nn

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
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

// BenchmarkSgemm times the float32 products of an HNN step of the reference
// network (batch 750, width 200) at every kernel level, with the core's
// measured FMA peak beside them (PeakGFLOPS) for the assembly levels.
func BenchmarkSgemm(b *testing.B) {
	shapes := []struct {
		name    string
		tA, tB  bool
		m, n, k int
	}{
		{"NN_750x200x200", false, false, 750, 200, 200},
		{"NT_750x200x200", false, true, 750, 200, 200},
		{"TN_200x200x1500", true, false, 200, 200, 1500},
		{"NN_750x1x200", false, false, 750, 1, 200},
		{"NT_750x2x200", false, true, 750, 2, 200},
		{"TN_2x200x1500", true, false, 2, 200, 1500},
		// The pixel model's widest layers at a minibatch of 100: the
		// encoder's first layer, the decoder's last, and the latter's
		// input gradient.
		{"NN_100x200x1568", false, false, 100, 200, 1568},
		{"NN_100x1568x200", false, false, 100, 1568, 200},
		{"NT_100x200x1568", false, true, 100, 200, 1568},
	}
	for _, l := range supportedLevels() {
		restore := setKernelLevel(l)
		if peak := PeakGFLOPS(50 * time.Millisecond); peak > 0 {
			b.Run(levelNames[l]+"/peak", func(b *testing.B) {
				for b.Loop() {
					peak = max(peak, PeakGFLOPS(0))
				}
				b.ReportMetric(peak, "GFLOP/s")
			})
		}
		for _, s := range shapes {
			b.Run(levelNames[l]+"/"+s.name, func(b *testing.B) {
				rng := rand.New(rand.NewPCG(1, 2))
				ar, ac := s.m, s.k
				if s.tA {
					ar, ac = s.k, s.m
				}
				br, bc := s.k, s.n
				if s.tB {
					br, bc = s.n, s.k
				}
				x := make([]float32, ar*ac+br*bc)
				for i := range x {
					x[i] = float32(rng.NormFloat64())
				}
				a, bm := x[:ar*ac], x[ar*ac:]
				c := make([]float32, s.m*s.n)
				for b.Loop() {
					gemm(s.tA, s.tB, s.m, s.n, s.k, 1, a, ac, bm, bc, 0, c, s.n)
				}
				b.ReportMetric(2*float64(s.m*s.n*s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
		restore()
	}
}
