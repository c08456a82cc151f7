package nn

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

func BenchmarkZZStep(b *testing.B) {
	for _, batch := range []int{750, 1125} {
		for _, kind := range []string{"hnn", "base"} {
			b.Run(fmt.Sprint(kind, batch), func(b *testing.B) {
				rng := rand.New(rand.NewPCG(1, 1))
				out := 1
				if kind == "base" {
					out = 2
				}
				m := New[float32]([]int{2, 200, 200, out}, Tanh, rng)
				ws := m.NewWorkspace(batch, kind == "hnn")
				x := randRows[float32](rng, batch*2)
				grad := make([]float32, len(m.Params))
				U := 2 * float64(batch) * 200 * 200
				flops := 6 * U
				if kind == "base" {
					flops = 3 * U
				}
				for b.Loop() {
					if kind == "hnn" {
						m.InputGradientGrad(ws, x, grad, func(p, g []float32, lo, hi int) { copy(p, g) })
					} else {
						m.ForwardGrad(ws, x, grad, func(o []float32, lo, hi int) {})
					}
				}
				b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

func BenchmarkZZShapes(b *testing.B) {
	shapes := []struct {
		name    string
		tA, tB  bool
		m, n, k int
		beta    float32
	}{
		{"NN_125x200x200", false, false, 125, 200, 200, 1},
		{"NT_125x200x200", false, true, 125, 200, 200, 0},
		{"TN_200x200x125acc", true, false, 200, 200, 125, 1},
		{"TN_200x200x250acc", true, false, 200, 200, 250, 1},
		{"NN_126x208x200", false, false, 126, 208, 200, 1},
		{"NN_120x192x200", false, false, 120, 192, 200, 1},
	}
	for _, s := range shapes {
		b.Run(s.name, func(b *testing.B) {
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
				gemm(s.tA, s.tB, s.m, s.n, s.k, 1, a, ac, bm, bc, s.beta, c, s.n)
			}
			b.ReportMetric(2*float64(s.m*s.n*s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
