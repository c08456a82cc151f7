package task

import "github.com/hnn-go/hnn/systems"

func init() {
	Register(idealTask("pendulum", "Ideal pendulum", systems.Pendulum{}, systems.PendulumProtocol(),
		[4]float64{-3.2, 3.2, -3.2, 3.2},
		map[string]Published{
			"baseline": {Train: 3.26e-2, Test: 3.53e-2, Energy: 4.15e-2, EnergySEM: 9.6e-3},
			"hnn":      {Train: 3.28e-2, Test: 3.56e-2, Energy: 2.49e-2, EnergySEM: 5.4e-3},
		}))
}
