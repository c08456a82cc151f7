package task

import (
	"math/rand/v2"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/metrics"
	"github.com/hnn-go/hnn/systems"
	"github.com/hnn-go/hnn/train"
)

func init() {
	Register(idealTask("spring", "Ideal mass-spring", systems.Spring{}, systems.SpringProtocol(),
		[4]float64{-1.2, 1.2, -1.2, 1.2},
		map[string]Published{
			"baseline": {Train: 3.71e-2, Test: 3.67e-2, Energy: 1.71e-1, EnergySEM: 2.1e-2},
			"hnn":      {Train: 3.69e-2, Test: 3.59e-2, Energy: 3.84e-4, EnergySEM: 6.5e-5},
		}))
}

// longIntegrators are the integrators of every task's long-horizon
// protocol: the classical fixed-step RK4, the adaptive Dormand-Prince the
// paper used, and the implicit midpoint rule, symplectic for any H.
var longIntegrators = []string{"rk4", "dopri5", "implicit-midpoint"}

// idealTask builds a task for a 1-D ideal system trained as the reference:
// full batch, 2000 steps, Adam 1e-3, weight decay 1e-4. Its energy MSE
// protocol: 15 starts drawn without noise from the data's initial-state
// distribution (5 chunks of 3 for the error bar), 1000 points on t in
// [0, 100], Dormand-Prince with rtol = atol = 1e-9 for truth and model
// alike. The horizon is long (about 32 spring periods, 40 small-swing
// pendulum periods) because energy drift, what an HNN fixes, grows with
// time; the reference notebooks' own rollouts grew to t = 67 through a
// time-rescaling quirk. The quick settings use t in [0, 20] at 200 points.
// The long-horizon protocol rolls 10 starts out to t = 30, ten times the
// training trajectories' [0, 3], at 301 points, fixed steps of 0.05
// (about 63 per spring period).
func idealTask(name, title string, sys systems.System, tr systems.Trajectories, bounds [4]float64, pub map[string]Published) *Task {
	energy := metrics.EnergyProtocol{Starts: 15, TEnd: 100, Points: 1000, Integrator: "dopri5", RTol: 1e-9, ATol: 1e-9, Seed: 2019, Chunks: 5}
	quickEnergy := energy
	quickEnergy.TEnd, quickEnergy.Points = 20, 200
	return &Task{
		Name:   name,
		Kind:   KindSystem,
		Title:  title,
		System: sys,
		Dim:    sys.Dim(),
		Generate: func(rng *rand.Rand) (*data.Dataset, error) {
			return systems.Generate(sys, tr, rng)
		},
		Initial: func(rng *rand.Rand) []float64 {
			return tr.InitialState(rng, sys.Dim())
		},
		TrainRows:   tr.TrainRows(),
		Train:       train.Config{Steps: 2000, LR: 1e-3, WeightDecay: 1e-4, LogEvery: 100},
		Energy:      energy,
		QuickTrain:  train.Config{Steps: 400, LR: 1e-3, WeightDecay: 1e-4, LogEvery: 50},
		QuickEnergy: quickEnergy,
		LongHorizon: metrics.LongHorizonProtocol{Starts: 10, TEnd: 30, Points: 301, Step: 0.05,
			Integrators: longIntegrators, Seed: 2019},
		Bounds:    bounds,
		Published: pub,
	}
}
