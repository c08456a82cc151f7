package latent

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkLossGrad times one gradient of the coupled loss of the
// reference-sized pixel model (M x 784 -> 200 (2 residual) -> 2 and back,
// a 2-200-200 latent network) on a minibatch of 200 samples, the cost of a
// training step without Adam: the reference's loss (M = 2, K = 0) and
// the multi-frame settings (M frames, a rollout loss over K frames by
// RK4, forward-backward), measured side by side in one run.
func BenchmarkLossGrad(b *testing.B) {
	for _, c := range []struct {
		frames, horizon int
		backward        bool
	}{
		{2, 0, false},
		{2, 3, false},
		{2, 5, false},
		{3, 3, false},
		{3, 5, false},
		{3, 5, true},
	} {
		for _, kind := range []string{"baseline", "hnn"} {
			name := fmt.Sprintf("%s/M=%d/K=%d", kind, c.frames, c.horizon)
			if c.backward {
				name += "/backward"
			}
			b.Run(name, func(b *testing.B) {
				cfg := Config{Kind: kind, Input: c.frames * 784, Horizon: c.horizon, Backward: c.backward}
				m, err := New[float32](cfg, rand.New(rand.NewPCG(1, 1)))
				if err != nil {
					b.Fatal(err)
				}
				ws := m.NewWorkspace(200, true)
				rng := rand.New(rand.NewPCG(1, 2))
				for i := range ws.Seq() {
					ws.Seq()[i] = rng.Float32() * 0.1
				}
				grad := make([]float32, len(m.Params))
				for b.Loop() {
					ws.LossGrad(grad)
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
			})
		}
	}
}
