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
// default 200-200 tanh networks. One addition: the model ends with the
// exponential moving average of its weights (decay orbitAverage) instead of
// the last iterate, which carries the minibatch step noise of a constant
// learning rate (hnn train -average 0 gives the reference's last iterate). Its energy-MSE protocol: 15 starts drawn
// without noise from the data's start distribution (rejection included,
// systems.Orbits.InitialState; 5 chunks of 3 for the error bar), points
// times on [0, tEnd], Dormand-Prince with rtol = atol = 1e-9 for truth and
// model alike, the error measured with the true H. The quick settings train
// 400 steps and roll out over [0, quickTEnd] at 200 points. Bounds hold the
// x-y limits of the orbit figures.
// orbitAverage is the weight-averaging decay of the N-body tasks. Measured
// on two-body (3 seeds, 10,000 steps): the HNN's test loss falls from
// 3.0e-6, 8.5e-6, 9.4e-6 (last iterate) to 7.3e-7, 1.1e-6, 2.8e-6 with
// decay 0.99, 7.4e-7, 1.1e-6, 2.8e-6 with 0.995 and 1.0e-6, 1.5e-6,
// 3.1e-6 with 0.999; the baseline's (seed 0) from 2.9e-5 to 1.8e-5.
const orbitAverage = 0.99

func orbitTask(name, title string, o systems.Orbits, batch int, weightDecay, tEnd, quickTEnd float64, points int, bounds [4]float64, pub map[string]Published) *Task {
	energy := metrics.EnergyProtocol{Starts: 15, TEnd: tEnd, Points: points, Integrator: "dopri5", RTol: 1e-9, ATol: 1e-9, Seed: 2019, Chunks: 5}
	quickEnergy := energy
	quickEnergy.TEnd, quickEnergy.Points = quickTEnd, 200
	return &Task{
		Name:   name,
		Kind:   KindSystem,
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
		Train:       train.Config{Steps: 10000, LR: 1e-3, WeightDecay: weightDecay, Batch: batch, LogEvery: 500, Average: orbitAverage},
		Energy:      energy,
		QuickTrain:  train.Config{Steps: 400, LR: 1e-3, WeightDecay: weightDecay, Batch: batch, LogEvery: 50, Average: orbitAverage},
		QuickEnergy: quickEnergy,
		Bounds:      bounds,
		Published:   pub,
	}
}
