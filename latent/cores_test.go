package latent

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"github.com/hnn-go/hnn/train"
)

// wideSamples returns n samples of 28x28 "frames" of rotating oscillators
// (the pixel model's input width, 1568 values for two frames): random
// smooth images whose pattern turns with the oscillator's phase.
func wideSamples(n int, seed uint64) *Samples {
	const frame, perTraj = FramePixels, 6
	rng := rand.New(rand.NewPCG(seed, 7))
	s := &Samples{Frame: frame}
	for len(s.Index) < n {
		r, th := 0.3+0.7*rng.Float64(), 2*math.Pi*rng.Float64()
		base := len(s.Frames) / frame
		for k := range perTraj {
			q, p := r*math.Cos(th-0.1*float64(k)), r*math.Sin(th-0.1*float64(k))
			for j := range frame {
				a := 2 * math.Pi * float64(j%28) / 28
				b := 2 * math.Pi * float64(j/28) / 28
				s.Frames = append(s.Frames, float32(0.5+0.4*math.Tanh(q*math.Cos(a)+p*math.Sin(b))))
			}
		}
		for k := 0; k+4 < perTraj && len(s.Index) < n; k++ {
			s.Index = append(s.Index, base+k)
		}
	}
	return s
}

// TestCoresBitIdentical trains the pixel model (the reference's widths:
// 1568 -> 200 -> 2, a latent 200-200 HNN) with the reference's one-step
// loss and with a rollout loss, under GOMAXPROCS 1, 2 and 4, and checks
// that the parameters and the logged losses are the same bit for bit: its
// 64 x 1568 by 1568 x 200 products are cut into chunks that run on as many
// goroutines as GOMAXPROCS allows, each number computed as on one. Not
// parallel: it changes GOMAXPROCS.
func TestCoresBitIdentical(t *testing.T) {
	set := wideSamples(128, 1)
	for _, c := range []Config{
		{Kind: "hnn"},
		{Kind: "hnn", Horizon: 2},
	} {
		init, err := New[float32](c, rand.New(rand.NewPCG(6, 1)))
		if err != nil {
			t.Fatal(err)
		}
		var want []float32
		var wantLog []train.Point
		for _, p := range []int{1, 2, 4} {
			old := runtime.GOMAXPROCS(p)
			m := FromParams(c, slices.Clone(init.Params))
			h, err := Train(m, set, set, train.Config{Steps: 4, LR: 1e-3, Batch: 64, LogEvery: 2}, rand.New(rand.NewPCG(6, 2)), nil)
			runtime.GOMAXPROCS(old)
			if err != nil {
				t.Fatal(err)
			}
			if want == nil {
				want, wantLog = m.Params, h.Log
				continue
			}
			for i := range want {
				if math.Float32bits(m.Params[i]) != math.Float32bits(want[i]) {
					t.Errorf("horizon %d: GOMAXPROCS %d: parameter %d = %v, with 1 %v", c.Horizon, p, i, m.Params[i], want[i])
					break
				}
			}
			for i, pt := range h.Log {
				if pt != wantLog[i] {
					t.Errorf("horizon %d: GOMAXPROCS %d: log point %d = %+v, with 1 %+v", c.Horizon, p, i, pt, wantLog[i])
				}
			}
		}
	}
}
