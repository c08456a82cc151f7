package metrics

import (
	"math"

	"github.com/hnn-go/hnn/data"
)

// PredictionSSE returns SymODEN's prediction error of one trajectory: the
// sum over its samples and every state channel of the squared difference
// between the true states truth and the predicted states pred (both
// samples x d values, d = l.Dim()), the difference of every angle of the
// layout l taken modulo 2 pi (data.Layout.Sub). l must be resolved (see
// data.Layout.Resolve). It panics if len(truth) != len(pred) or their
// length is not a multiple of l.Dim().
func PredictionSSE(l data.Layout, truth, pred []float64) float64 {
	d := l.Dim()
	if len(truth) != len(pred) || d == 0 || len(truth)%d != 0 {
		panic("metrics: PredictionSSE: length mismatch")
	}
	diff := make([]float64, d)
	var s float64
	for i := 0; i < len(truth); i += d {
		l.Sub(diff, pred[i:i+d], truth[i:i+d])
		for _, v := range diff {
			s += v * v
		}
	}
	return s
}

// MeanStd returns the mean of v with its standard deviation (population,
// as NumPy's std) in the SEM field, and the median: the "mean ± std"
// over trajectories that SymODEN prints.
func MeanStd(v []float64) Summary {
	if len(v) == 0 {
		return Summary{math.NaN(), math.NaN(), math.NaN()}
	}
	m := Mean(v)
	return Summary{Mean: m, SEM: std(v, m), Median: Median(v)}
}

// PooledStd combines seeds by the mean ± std of all their samples pooled
// (SymODEN's prediction error: the spread over the test starts of every
// seed).
func PooledStd(s Seeds) Summary { return MeanStd(s.Samples) }
