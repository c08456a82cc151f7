package task

import (
	"math/rand/v2"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/metrics"
	"github.com/hnn-go/hnn/systems"
	"github.com/hnn-go/hnn/train"
)

// orbitTask builds a gravitational N-body task on the orbit protocol o,
// trained as the reference: minibatches of batch rows drawn from the run's
// seeded source, 10,000 steps, Adam 1e-3, the given weight decay, the
// default 200-200 tanh networks. Its energy-MSE protocol: 15 starts drawn
// without noise from the data's start distribution (rejection included,
// systems.Orbits.InitialState; 5 chunks of 3 for the error bar), points
// times on [0, tEnd], Dormand-Prince with rtol = atol = 1e-9 for truth and
// model alike, the error measured with the true H. The quick settings train
// 400 steps and roll out over [0, quickTEnd] at 200 points. Bounds hold the
// x-y limits of the orbit figures.
func orbitTask(name, title string, o systems.Orbits, batch int, weightDecay, tEnd, quickTEnd float64, points int, bounds [4]float64, pub map[string]Published) *Task {
	energy := metrics.EnergyProtocol{Starts: 15, TEnd: tEnd, Points: points, Integrator: "dopri5", RTol: 1e-9, ATol: 1e-9, Seed: 2019, Chunks: 5}
	quickEnergy := energy
	quickEnergy.TEnd, quickEnergy.Points = quickTEnd, 200
	return &Task{
		Name:   name,
		Title:  title,
		System: o.System,
		Dim:    o.System.Dim(),
		Generate: func(rng *rand.Rand) (*data.Dataset, error) {
			od, err := systems.GenerateOrbits(o, rng)
			if err != nil {
				return nil, err
			}
			return od.Dataset, nil
		},
		Initial:     o.InitialState,
		TrainRows:   o.TrainRows(),
		Train:       train.Config{Steps: 10000, LR: 1e-3, WeightDecay: weightDecay, Batch: batch, LogEvery: 500},
		Energy:      energy,
		QuickTrain:  train.Config{Steps: 400, LR: 1e-3, WeightDecay: weightDecay, Batch: batch, LogEvery: 50},
		QuickEnergy: quickEnergy,
		Bounds:      bounds,
		Published:   pub,
	}
}
