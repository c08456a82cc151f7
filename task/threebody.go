package task

import (
	"github.com/hnn-go/hnn/metrics"
	"github.com/hnn-go/hnn/systems"
)

// The three-body task (the paper's appendix): systems.ThreeBodyProtocol,
// minibatch 600, weight decay 1e-4 (experiment-3body/train.py); energy MSE
// over t in [0, 3] at 500 points (analyze-3body.ipynb), quick t in [0, 1.5].
func init() {
	t := orbitTask("three-body", "Three-body problem", systems.ThreeBodyProtocol(), 600, 1e-4, 3, 1.5, 500,
		[4]float64{-2, 2, -2, 2},
		map[string]Published{
			"baseline": {Train: 9.56e-2, Test: 3.80e-1, Energy: 1.09e+2, EnergySEM: 7.7e+1},
			"hnn":      {Train: 8.03e-2, Test: 4.88e-1, Energy: 4.19e-2, EnergySEM: 3.4e-2},
		})
	// Long horizon: 10 starts to t = 50, ten times the training horizon,
	// fixed steps of 0.01.
	t.LongHorizon = metrics.LongHorizonProtocol{Starts: 10, TEnd: 50, Points: 501, Step: 0.01,
		Integrators: longIntegrators, Seed: 2019}
	Register(t)
}
