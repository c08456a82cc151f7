package experiment

import (
	"fmt"
	"math/rand/v2"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/metrics"
	"github.com/hnn-go/hnn/ode"
	"github.com/hnn-go/hnn/task"
)

// The kind of tasks on rows (q, v, u) of a driven system: runs report the
// row losses and SymODEN's prediction error along the task's prediction
// trajectories (task.Task.Prediction), and draw the loss curves.
func init() {
	RegisterKind(task.KindDriven, stateKind{scoreRun: scorePrediction})
}

// scorePrediction fills SymODEN's prediction error of r along t's
// prediction trajectories, drawn from the run's data source (the test
// starts of its data), if t has them.
func scorePrediction(r *Run, t *task.Task, _ *EnergyTruth) error {
	if t.Prediction == nil {
		return nil
	}
	truth, err := t.Prediction(rand.New(rand.NewPCG(r.Spec.Seed, StreamData)))
	if err != nil {
		return fmt.Errorf("experiment: %s: prediction trajectories: %w", t.Name, err)
	}
	per, err := PredictionErrors(r.State(), truth)
	if err != nil {
		return fmt.Errorf("experiment: %s %s seed %d: %w", r.Spec.Task, r.Spec.Model.Kind, r.Spec.Seed, err)
	}
	r.Metrics.Record(metrics.PredictionError, metrics.MeanStd(per), per)
	return nil
}

// PredictionErrors rolls m out from the first row of every trajectory of
// truth (rows with Traj and T, each trajectory's rows consecutive, in time
// order and equally spaced, all of the same length) over its times, with
// RK4 at one step per sample as SymODEN's analysis does, all
// trajectories in one batch, and returns each one's prediction error
// (metrics.PredictionSSE in truth's layout). It returns an error if truth
// is not such a set, if its dimension is not the model's, or if a
// rollout becomes non-finite.
func PredictionErrors(m Trained, truth *data.Set) ([]float64, error) {
	d := truth.Dim
	if d != m.Config().Dim {
		return nil, fmt.Errorf("prediction trajectories of dimension %d, the model has %d", d, m.Config().Dim)
	}
	l, err := truth.Layout.Resolve(d)
	if err != nil {
		return nil, err
	}
	n := truth.Len()
	if n == 0 || len(truth.Traj) != n || len(truth.T) != n {
		return nil, fmt.Errorf("prediction trajectories: %d rows with %d trajectory indices and %d times, want one of each per row", n, len(truth.Traj), len(truth.T))
	}
	steps := 1
	for steps < n && truth.Traj[steps] == truth.Traj[0] {
		steps++
	}
	if steps < 2 || n%steps != 0 {
		return nil, fmt.Errorf("prediction trajectories: the first of %d samples in %d rows, want at least 2 samples and equally long trajectories", steps, n)
	}
	ts := make([]float64, steps)
	for j := range ts {
		ts[j] = truth.T[j] - truth.T[0]
	}
	count := n / steps
	x0 := make([]float64, count*d)
	for k := range count {
		for j := range steps {
			if truth.Traj[k*steps+j] != truth.Traj[k*steps] || truth.T[k*steps+j]-truth.T[k*steps] != ts[j] {
				return nil, fmt.Errorf("prediction trajectories: row %d is not sample %d of trajectory %d at time %g", k*steps+j, j, truth.Traj[k*steps], ts[j])
			}
		}
		copy(x0[k*d:(k+1)*d], truth.X[k*steps*d:])
	}
	pred := make([]float64, n*d)
	for k, err := range ode.SolveBatch(ode.RK4{}, m.BatchFieldFunc(count), x0, d, ts, pred) {
		if err != nil {
			return nil, fmt.Errorf("prediction rollout from test start %d: %w", k, err)
		}
	}
	per := make([]float64, count)
	for k := range per {
		lo, hi := k*steps*d, (k+1)*steps*d
		per[k] = metrics.PredictionSSE(l, truth.X[lo:hi], pred[lo:hi])
	}
	return per, nil
}
