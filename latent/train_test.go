package latent

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/hnn-go/hnn/train"
)

// oscillatorSamples renders trajectories of a harmonic oscillator rotating
// by a fixed angle per frame as smooth 8-pixel "frames", a stand-in for the
// pendulum's: n samples from trajectories of 10 frames (8 samples each).
func oscillatorSamples(n int, seed uint64) *Samples {
	const frame, perTraj = 8, 10
	rng := rand.New(rand.NewPCG(seed, 9))
	s := &Samples{Frame: frame}
	const dt = 0.1
	for len(s.Index) < n {
		r := 0.3 + 0.7*rng.Float64()
		th := 2 * math.Pi * rng.Float64()
		base := len(s.Frames) / frame
		for k := range perTraj {
			q, p := r*math.Cos(th-dt*float64(k)), r*math.Sin(th-dt*float64(k))
			for j := range frame {
				a := 2 * math.Pi * float64(j) / frame
				s.Frames = append(s.Frames, float32(0.5+0.4*math.Tanh(q*math.Cos(a)+p*math.Sin(a))))
			}
		}
		for k := 0; k+2 < perTraj && len(s.Index) < n; k++ {
			s.Index = append(s.Index, base+k)
		}
	}
	return s
}

// TestTrainLowersLoss trains a small model briefly and checks that the test
// loss falls well below its start, and that the same seeds give the same
// parameters.
func TestTrainLowersLoss(t *testing.T) {
	t.Parallel()
	trainSet, testSet := oscillatorSamples(256, 1), oscillatorSamples(64, 2)
	c := Config{Kind: "hnn", Input: 16, Width: 32, Residual: 1, Hidden: []int{32, 32}}
	run := func() (*Model[float32], train.History) {
		m, err := New[float32](c, rand.New(rand.NewPCG(4, 1)))
		if err != nil {
			t.Fatal(err)
		}
		h, err := Train(m, trainSet, testSet, train.Config{Steps: 400, LR: 3e-3, Batch: 64, LogEvery: 100, Average: 0.9}, rand.New(rand.NewPCG(4, 2)), nil)
		if err != nil {
			t.Fatal(err)
		}
		return m, h
	}
	m, h := run()
	before := NewEvaluator(FromParams(c, mustNew(t, c).Params), 64).Losses(testSet, nil).Total
	after := NewEvaluator(m, 64).Losses(testSet, nil).Total
	t.Logf("test loss %.4g -> %.4g; log %+v", before, after, h.Log)
	if !(after < before/4) {
		t.Errorf("test loss %.4g after training, %.4g before; want a 4x drop", after, before)
	}
	if got := h.Log[len(h.Log)-1].Test; math.Abs(got-after) > 1e-9 {
		t.Errorf("logged test loss %v, evaluated %v", got, after)
	}
	m2, _ := run()
	for i := range m.Params {
		if m.Params[i] != m2.Params[i] {
			t.Fatalf("parameter %d differs between identical runs", i)
		}
	}
}

func mustNew(t *testing.T, c Config) *Model[float32] {
	m, err := New[float32](c, rand.New(rand.NewPCG(4, 1)))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestTrainErrors(t *testing.T) {
	t.Parallel()
	m := mustNew(t, Config{Kind: "baseline", Input: 16, Width: 8, Residual: 1, Hidden: []int{8}})
	if _, err := Train(m, &Samples{Frame: 8}, nil, train.Config{Steps: 1}, rand.New(rand.NewPCG(1, 1)), nil); err == nil {
		t.Error("empty set: no error")
	}
	if _, err := Train(m, oscillatorSamples(8, 1), nil, train.Config{Steps: 1, Batch: -1}, rand.New(rand.NewPCG(1, 1)), nil); err == nil {
		t.Error("bad config: no error")
	}
	wrong := &Samples{Frame: 4, Frames: make([]float32, 12), Index: []int{0}}
	if _, err := Train(m, wrong, nil, train.Config{Steps: 1}, rand.New(rand.NewPCG(1, 1)), nil); err == nil {
		t.Error("wrong input width: no error")
	}
	short := &Samples{Frame: 8, Frames: make([]float32, 16), Index: []int{0}}
	if _, err := Train(m, short, nil, train.Config{Steps: 1}, rand.New(rand.NewPCG(1, 1)), nil); err == nil {
		t.Error("a sample past the last frame: no error")
	}
	// A huge learning rate diverges; the parameters stay finite.
	s := oscillatorSamples(32, 3)
	for i := range s.Frames {
		s.Frames[i] *= 1e30
	}
	_, err := Train(m, s, nil, train.Config{Steps: 50, LR: 1e10, LogEvery: 1}, rand.New(rand.NewPCG(1, 1)), nil)
	if !errors.Is(err, train.ErrDiverged) {
		t.Errorf("err = %v, want ErrDiverged", err)
	}
	for _, p := range m.Params {
		if math.IsNaN(float64(p)) || math.IsInf(float64(p), 0) {
			t.Fatal("parameters not finite after divergence")
		}
	}
}

// TestTrainWatch checks that TrainWatch calls its watch once per log
// interval, with or without a test set, after progress has received the
// interval's step, and on the parameters the model ends with at the last
// one (the moving average, with Average set).
func TestTrainWatch(t *testing.T) {
	t.Parallel()
	for _, withTest := range []bool{true, false} {
		m := mustNew(t, Config{Kind: "hnn", Input: 16, Width: 8, Residual: 1, Hidden: []int{8}})
		var test *Samples
		if withTest {
			test = oscillatorSamples(8, 5)
		}
		var step int
		var steps []int
		var seen []float32
		h, err := TrainWatch(m, oscillatorSamples(32, 4), test, train.Config{Steps: 25, LR: 1e-3, Batch: 8, LogEvery: 10, Average: 0.9},
			rand.New(rand.NewPCG(5, 2)), func(s int, _ float64) { step = s },
			func() { steps, seen = append(steps, step), append(seen[:0], m.Params...) })
		if err != nil {
			t.Fatal(err)
		}
		if want := []int{10, 20, 25}; !slices.Equal(steps, want) || len(h.Log) != len(want) {
			t.Errorf("test set %v: watched at steps %v (log of %d), want %v", withTest, steps, len(h.Log), want)
		}
		if !slices.Equal(seen, m.Params) {
			t.Errorf("test set %v: the last watch saw other parameters than the model ends with", withTest)
		}
	}
}
