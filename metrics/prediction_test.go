package metrics_test

import (
	"math"
	"testing"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/metrics"
)

// TestPredictionSSE checks SymODEN's prediction error against a case
// computed by hand: two samples of (q, v, u) with q an angle, where the
// angle error of the second sample, 2 pi - 0.1 - 0.2, wraps to -0.3.
func TestPredictionSSE(t *testing.T) {
	t.Parallel()
	l := data.Layout{Positions: 1, Velocities: true, Inputs: 1, Angles: []int{0}}
	truth := []float64{
		0.5, 1, 0,
		0.2, 2, 0,
	}
	pred := []float64{
		0.7, 0.5, 0, // errors 0.2, -0.5, 0: 0.04 + 0.25
		2*math.Pi - 0.1, 2.5, 0, // errors -0.3 (wrapped), 0.5, 0: 0.09 + 0.25
	}
	const want = 0.04 + 0.25 + 0.09 + 0.25
	// 1e-12: the wrap subtracts 2 pi, a few roundings of numbers near 6.
	if got := metrics.PredictionSSE(l, truth, pred); math.Abs(got-want) > 1e-12 {
		t.Errorf("PredictionSSE = %v, want %v", got, want)
	}
	// Without the angle, the second sample's position error is 2 pi - 0.3.
	plain := data.Layout{Positions: 1, Velocities: true, Inputs: 1}
	wantPlain := 0.04 + 0.25 + (2*math.Pi-0.3)*(2*math.Pi-0.3) + 0.25
	if got := metrics.PredictionSSE(plain, truth, pred); math.Abs(got-wantPlain) > 1e-12 {
		t.Errorf("PredictionSSE without angles = %v, want %v", got, wantPlain)
	}
	defer func() {
		if recover() == nil {
			t.Error("PredictionSSE of unequal lengths did not panic")
		}
	}()
	metrics.PredictionSSE(l, truth, pred[:3])
}

// TestMeanStd checks the mean ± population std that SymODEN prints:
// values 1, 2, 3, 6 have mean 3 and std sqrt((4 + 1 + 0 + 9)/4).
func TestMeanStd(t *testing.T) {
	t.Parallel()
	s := metrics.MeanStd([]float64{1, 2, 3, 6})
	if s.Mean != 3 || math.Abs(s.SEM-math.Sqrt(3.5)) > 1e-15 || s.Median != 2.5 {
		t.Errorf("MeanStd = %+v, want mean 3, std %v, median 2.5", s, math.Sqrt(3.5))
	}
	if p := metrics.PooledStd(metrics.Seeds{Samples: []float64{1, 2, 3, 6}}); p != s {
		t.Errorf("PooledStd = %+v, want %+v", p, s)
	}
}
