package latent

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkLossGrad times one gradient of the coupled loss of the
// reference-sized pixel model (1568 -> 200 (2 residual) -> 2 and back, a
// 2-200-200 latent network) on a minibatch of 200 samples, the cost of a
// training step without Adam.
func BenchmarkLossGrad(b *testing.B) {
	for _, kind := range []string{"baseline", "hnn"} {
		b.Run(kind, func(b *testing.B) {
			m, err := New[float32](Config{Kind: kind}, rand.New(rand.NewPCG(1, 1)))
			if err != nil {
				b.Fatal(err)
			}
			ws := m.NewWorkspace(200, true)
			rng := rand.New(rand.NewPCG(1, 2))
			for i := range ws.Pair() {
				ws.Pair()[i] = rng.Float32() * 0.1
			}
			grad := make([]float32, len(m.Params))
			for b.Loop() {
				ws.LossGrad(grad)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
		})
	}
}
