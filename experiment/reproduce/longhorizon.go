package reproduce

import (
	"math"

	"github.com/hnn-go/hnn/experiment"
)

// combineLongHorizon aggregates the long-horizon metrics of several seeds:
// drifts and valid times by their mean, relative errors by their
// geometric mean, failures by their sum.
func combineLongHorizon(per []map[string]experiment.LongHorizon) map[string]*experiment.LongHorizon {
	out := map[string]*experiment.LongHorizon{}
	names := map[string][]experiment.LongHorizon{}
	for _, m := range per {
		for name, lh := range m {
			names[name] = append(names[name], lh)
		}
	}
	for name, ls := range names {
		var drift, rel, floor, valid []float64
		c := &experiment.LongHorizon{Horizon: ls[0].Horizon, Step: ls[0].Step}
		for _, l := range ls {
			drift = append(drift, float64(l.EnergyDrift))
			rel = append(rel, float64(l.RelativeError))
			floor = append(floor, float64(l.ChaosFloor))
			valid = append(valid, float64(l.ValidTime))
			c.Failed += l.Failed
		}
		c.EnergyDrift = experiment.JSONFloat(nanMean(drift))
		c.RelativeError = experiment.JSONFloat(math.Exp(nanMean(logs(rel))))
		c.ChaosFloor = experiment.JSONFloat(math.Exp(nanMean(logs(floor))))
		c.ValidTime = experiment.JSONFloat(nanMean(valid))
		out[name] = c
	}
	return out
}

func logs(v []float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = math.Log(x)
	}
	return out
}

// nanMean returns the mean of the finite values of v, or NaN if there are
// none (a seed whose every rollout failed).
func nanMean(v []float64) float64 {
	var s float64
	n := 0
	for _, x := range v {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			s += x
			n++
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return s / float64(n)
}
