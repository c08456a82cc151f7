package task

import (
	"math/rand/v2"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/metrics"
	"github.com/hnn-go/hnn/systems"
	"github.com/hnn-go/hnn/train"
)

// dampedModels are the models reproduce trains on the dissipative tasks by
// default: the dissipative HNN beside the paper's two.
var dampedModels = []string{"baseline", "hnn", "dhnn"}

// dampedEnergy is the energy protocol of the damped-spring tasks: 15
// starts drawn as the spring's (radius U[0.1, 1)), t in [0, 5] at 200
// points, by when the true energy has decayed below 1e-3 of its start;
// Dormand-Prince at rtol = atol = 1e-9, the true energy q^2 + p^2. A model
// that conserves energy (an HNN) keeps it; one that learned the
// dissipation loses it like the truth.
var dampedEnergy = metrics.EnergyProtocol{Starts: 15, TEnd: 5, Points: 200, Integrator: "dopri5", RTol: 1e-9, ATol: 1e-9, Seed: 2019, Chunks: 5}

// The damped-spring tasks. "damped-spring" is the dissipative-HNN paper's
// experiment (Sosanya & Greydanus 2022): the field of
// systems.DampedSpring sampled on its 25 x 25 grid over [-1.2, 1.2]^2,
// shuffled 80/20; Adam 1e-2, minibatches of 100, 5000 steps, no weight
// decay (their train.py), the weights' moving average (decay 0.99) kept as
// for the N-body tasks. "damped-spring-trajectories" is its trajectory
// version: 50 damped orbits from the spring's random starts, 30 clean
// points on t in [0, 3], the first half train, trained as the ideal
// spring (full batch, 2000 steps, Adam 1e-3, weight decay 1e-4). Both roll
// models out from random starts for the energy MSE.
func init() {
	sys := systems.DampedSpring{}
	tr := systems.SpringProtocol()
	tr.Noise = 0
	initial := func(rng *rand.Rand) []float64 { return tr.InitialState(rng, 2) }
	quickEnergy := dampedEnergy
	quickEnergy.Points = 100
	grid := systems.DampedSpringGrid()
	Register(&Task{
		Name:   "damped-spring",
		Kind:   KindSystem,
		Title:  "Damped spring (D-HNN)",
		System: sys,
		Dim:    2,
		Generate: func(rng *rand.Rand) (*data.Dataset, error) {
			return systems.GenerateGrid(sys, grid, rng)
		},
		Initial:     initial,
		TrainRows:   grid.Rows(),
		Train:       train.Config{Steps: 5000, LR: 1e-2, Batch: 100, LogEvery: 250, Average: orbitAverage},
		QuickTrain:  train.Config{Steps: 1000, LR: 1e-2, Batch: 100, LogEvery: 100, Average: orbitAverage},
		Energy:      dampedEnergy,
		QuickEnergy: quickEnergy,
		Bounds:      [4]float64{-1.2, 1.2, -1.2, 1.2},
		Models:      dampedModels,
		Published: map[string]Published{
			"baseline": {Test: 9.86e-5},
			"hnn":      {Test: 6.26e-1},
			"dhnn":     {Test: 5.75e-5},
		},
	})
	Register(&Task{
		Name:   "damped-spring-trajectories",
		Kind:   KindSystem,
		Title:  "Damped spring, trajectories",
		System: sys,
		Dim:    2,
		Generate: func(rng *rand.Rand) (*data.Dataset, error) {
			return systems.Generate(sys, tr, rng)
		},
		Initial:     initial,
		TrainRows:   tr.TrainRows(),
		Train:       train.Config{Steps: 2000, LR: 1e-3, WeightDecay: 1e-4, LogEvery: 100},
		QuickTrain:  train.Config{Steps: 400, LR: 1e-3, WeightDecay: 1e-4, LogEvery: 50},
		Energy:      dampedEnergy,
		QuickEnergy: quickEnergy,
		Bounds:      [4]float64{-1.2, 1.2, -1.2, 1.2},
		Models:      dampedModels,
	})
}
