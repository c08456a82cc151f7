package task

import (
	"math/rand/v2"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/metrics"
	"github.com/hnn-go/hnn/systems"
	"github.com/hnn-go/hnn/train"
)

// PredictionSteps is the number of samples of SymODEN's prediction error:
// 40 samples from each test start with u = 0, at the data's spacing.
const PredictionSteps = 40

// symodenModels are the models a SymODEN task on velocity rows trains by
// default: SymODEN and its two unstructured baselines. On momentum rows
// (task 1) the geometric baseline, which knows dq/dt = q-dot, does not
// apply (SymODEN's table has none there).
var symodenModels = []string{"symoden", "naive", "geometric"}

// symodenTask returns the task of SymODEN's data protocol pr on sys
// (systems.GenerateDriven): rows in pr's layout, trained with tc (quick:
// quick), the prediction error along the test starts' 40 samples under
// u = 0 (the same starts: GenerateDriven draws them from the run's
// source whatever the inputs and points), Initial a start from pr's box
// with zero inputs, and the plot bounds of pr's box in the first position
// and its velocity or momentum.
func symodenTask(name, title string, sys systems.Driven, pr systems.DrivenProtocol, tc, quick train.Config,
	models []string, pub map[string]Published) *Task {
	layout := pr.Layout(sys)
	n := sys.Coords()
	pred := pr
	pred.Points, pred.Inputs, pred.InputVectors = PredictionSteps, []float64{0}, nil
	return &Task{
		Name:   name,
		Kind:   KindDriven,
		Title:  title,
		Dim:    layout.Dim(),
		Layout: layout,
		Driven: sys,
		Generate: func(rng *rand.Rand) (*data.Dataset, error) {
			return systems.GenerateDriven(sys, pr, rng)
		},
		Prediction: func(rng *rand.Rand) (*data.Set, error) {
			ds, err := systems.GenerateDriven(sys, pred, rng)
			if err != nil {
				return nil, err
			}
			return &ds.Test, nil
		},
		Initial: func(rng *rand.Rand) []float64 {
			x := make([]float64, layout.Dim())
			for i := range pr.Lo {
				x[i] = pr.Lo[i] + (pr.Hi[i]-pr.Lo[i])*rng.Float64()
			}
			return x
		},
		TrainRows:  pr.TrainRows(),
		Train:      tc,
		QuickTrain: quick,
		Bounds:     [4]float64{pr.Lo[0], pr.Hi[0], pr.Lo[n], pr.Hi[n]},
		Published:  pub,
		Models:     models,
	}
}

// symodenTrain returns SymODEN's training settings on the protocol pr:
// Adam at rate lr with weight decay wd, 1000 steps of one update per
// input value or vector each (SymODEN's full batch of one input's
// trajectories), that is 1000 x pr.NumInputs() steps on minibatches of
// that fraction of the rows (tasks 2-4: 5000 steps of a fifth; the fully
// actuated tasks: 9000 of a ninth), the number of updates and rows per
// update SymODEN makes. The run ends with the weights' moving average
// (0.99): at losses near 1e-6 Adam's steps spike now and then
// (pendulum-embed, seed 0: from 1.6e-06 at step 4500 to 0.13 at step
// 5000, prediction error 2.26; with the average 8.3e-04).
func symodenTrain(pr systems.DrivenProtocol, lr, wd float64) train.Config {
	k := pr.NumInputs()
	return train.Config{Steps: 1000 * k, LR: lr, WeightDecay: wd, Batch: pr.TrainRows() / k, LogEvery: 250, Average: 0.99}
}

// published returns SymODEN's printed prediction error mean ± std.
func published(mean, std float64) Published {
	return Published{Metrics: map[string]metrics.Summary{metrics.PredictionError.Key: {Mean: mean, SEM: std}}}
}

// symodenQuick is the quick settings of every SymODEN task: 600 steps of
// Adam 1e-3 on minibatches of 256 rows.
func symodenQuick(wd float64) train.Config {
	return train.Config{Steps: 600, LR: 1e-3, WeightDecay: wd, Batch: 256, LogEvery: 60}
}
