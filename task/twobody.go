package task

import (
	"github.com/hnn-go/hnn/metrics"
	"github.com/hnn-go/hnn/systems"
)

// The two-body task (the paper's Task 4): systems.TwoBodyProtocol, minibatch
// 200, no weight decay (experiment-2body/train.py); energy MSE over
// t in [0, 25] at 500 points (analyze-2body.ipynb), quick t in [0, 10].
func init() {
	t := orbitTask("two-body", "Two-body problem", systems.TwoBodyProtocol(), 200, 0, 25, 10, 500,
		[4]float64{-2.2, 2.2, -2.2, 2.2},
		map[string]Published{
			"baseline": {Train: 3.27e-5, Test: 2.96e-5, Energy: 6.33e-2, EnergySEM: 3.4e-2},
			"hnn":      {Train: 3.00e-6, Test: 2.82e-6, Energy: 3.88e-5, EnergySEM: 5.0e-6},
		})
	// Long horizon: 10 starts to t = 2400, at least 100 orbital periods of
	// each (their periods are 10.7 to 23.5), 120x the training horizon;
	// fixed steps of 2/3 (16 to 35 per period).
	t.LongHorizon = metrics.LongHorizonProtocol{Starts: 10, TEnd: 2400, Points: 1201, Step: 2.0 / 3,
		Integrators: longIntegrators, Seed: 2019}
	Register(t)
}
