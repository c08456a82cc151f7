package experiment

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/metrics"
	"github.com/hnn-go/hnn/ode"
	"github.com/hnn-go/hnn/systems"
	"github.com/hnn-go/hnn/task"
)

// The kind of tasks on rows (q, v, u) of a driven system: runs report the
// row losses and, along the task's prediction trajectories
// (task.Task.Prediction), SymODEN's prediction error and the energy MSE
// of the system's exact energy; they draw the loss curves.
func init() {
	RegisterKind(task.KindDriven, stateKind{scoreRun: func(r *Run, t *task.Task, _ *EnergyTruth) error {
		if err := scorePrediction(r, t); err != nil {
			return err
		}
		return scoreEnergyError(r, t)
	}})
}

// scorePrediction fills SymODEN's prediction error of r along t's
// prediction trajectories, drawn from the run's data source (the test
// starts of its data), if t has them, and the energy MSE along them: for
// every start the mean over its samples of (E(true) - E(predicted))^2,
// E the driven system's exact energy, mean over the starts ± the std of
// 5 chunk means / sqrt(5), as the system tasks' energy MSE.
func scorePrediction(r *Run, t *task.Task) error {
	if t.Prediction == nil {
		return nil
	}
	truth, err := t.Prediction(rand.New(rand.NewPCG(r.Spec.Seed, StreamData)))
	if err != nil {
		return fmt.Errorf("experiment: %s: prediction trajectories: %w", t.Name, err)
	}
	per, pred, err := Predict(r.State(), truth)
	if err != nil {
		return fmt.Errorf("experiment: %s %s seed %d: %w", r.Spec.Task, r.Spec.Model.Kind, r.Spec.Seed, err)
	}
	r.Metrics.Record(metrics.PredictionError, metrics.MeanStd(per), per)
	if t.Driven == nil {
		return nil
	}
	energy, err := DrivenEnergy(t.Driven, truth.Layout, truth.Dim)
	if err != nil {
		return fmt.Errorf("experiment: %s: %w", t.Name, err)
	}
	d, steps := truth.Dim, truth.Len()/len(per)
	perE := make([]float64, len(per))
	for k := range perE {
		var s float64
		for j := range steps {
			i := (k*steps + j) * d
			e := energy(truth.X[i:i+d]) - energy(pred[i:i+d])
			s += e * e
		}
		perE[k] = s / float64(steps)
	}
	r.Metrics.Record(metrics.EnergyMSE, metrics.ChunkSEM(perE, segmentChunks), perE)
	return nil
}

// scoreEnergyError fills the Lagrangian-network paper's energy error of
// r (metrics.EnergyError) if t has an energy scale: from every start of
// the run's energy protocol (drawn with t.Initial), the model rolled out
// with the protocol's integrator to its horizon, |E(x(T)) - E(x(0))| /
// t.EnergyScale with E the driven system's exact energy.
func scoreEnergyError(r *Run, t *task.Task) error {
	p := r.Spec.Energy
	if t.EnergyScale == 0 || t.Driven == nil || p.Starts == 0 {
		return nil
	}
	if err := p.Validate(); err != nil {
		return fmt.Errorf("experiment: %s: %w", t.Name, err)
	}
	ig, err := p.NewIntegrator()
	if err != nil {
		return fmt.Errorf("experiment: %s: %w", t.Name, err)
	}
	m := r.State()
	d := m.Config().Dim
	l := m.Config().Layout
	if t.Observed.Positions != 0 {
		// The rows are not what the model was told (task.Task.Observed).
		l = t.Observed
	}
	energy, err := DrivenEnergy(t.Driven, l, d)
	if err != nil {
		return fmt.Errorf("experiment: %s: %w", t.Name, err)
	}
	x0 := p.InitialStates(t.Initial)
	ts := p.Times()
	out := make([]float64, len(x0)*len(ts))
	for k, err := range ode.SolveBatch(ig, m.BatchFieldFunc(p.Starts), x0, d, ts, out) {
		if err != nil {
			return fmt.Errorf("experiment: %s %s seed %d: energy-error rollout from start %d: %w", r.Spec.Task, r.Spec.Model.Kind, r.Spec.Seed, k, err)
		}
	}
	per := make([]float64, p.Starts)
	for k := range per {
		end := out[((k+1)*len(ts)-1)*d : (k+1)*len(ts)*d]
		per[k] = math.Abs(energy(end)-energy(x0[k*d:(k+1)*d])) / t.EnergyScale
	}
	r.Metrics.Record(metrics.EnergyError, metrics.MeanSEM(per), per)
	return nil
}

// DrivenEnergy returns the exact energy of sys as a function of a state in
// the layout l of dimension d: E(q, q-dot) of sys, with q-dot = M^-1(q) p
// on momentum rows. The function holds workspace: one caller at a time.
func DrivenEnergy(sys systems.Driven, l data.Layout, d int) (func(x []float64) float64, error) {
	l, err := l.Resolve(d)
	if err != nil {
		return nil, err
	}
	n, m := sys.Coords(), sys.Inputs()
	if l.Positions != n || l.Inputs != m {
		return nil, fmt.Errorf("rows of %d positions and %d inputs, the system %s has %d and %d", l.Positions, l.Inputs, sys.Name(), n, m)
	}
	if l.Velocities {
		return func(x []float64) float64 { return sys.Energy(x[:n], x[n:2*n]) }, nil
	}
	c := systems.NewCanonical(sys, make([]float64, m))
	v := make([]float64, n)
	return func(x []float64) float64 {
		c.Velocity(v, x[:n], x[n:2*n])
		return sys.Energy(x[:n], v)
	}, nil
}

// PredictionErrors rolls m out from the first row of every trajectory of
// truth (rows with Traj and T, each trajectory's rows consecutive, in time
// order, all at the first one's times from their start, to 1e-9
// relative) over its times, with
// RK4 at one step per sample as SymODEN's analysis does, all
// trajectories in one batch, and returns each one's prediction error
// (metrics.PredictionSSE in truth's layout). It returns an error if truth
// is not such a set, if its dimension is not the model's, or if a
// rollout becomes non-finite.
func PredictionErrors(m Trained, truth *data.Set) ([]float64, error) {
	per, _, err := Predict(m, truth)
	return per, err
}

// Predict returns PredictionErrors' errors and the predicted states, in
// the rows of truth.
func Predict(m Trained, truth *data.Set) ([]float64, []float64, error) {
	d := truth.Dim
	if d != m.Config().Dim {
		return nil, nil, fmt.Errorf("prediction trajectories of dimension %d, the model has %d", d, m.Config().Dim)
	}
	l, err := truth.Layout.Resolve(d)
	if err != nil {
		return nil, nil, err
	}
	n := truth.Len()
	if n == 0 || len(truth.Traj) != n || len(truth.T) != n {
		return nil, nil, fmt.Errorf("prediction trajectories: %d rows with %d trajectory indices and %d times, want one of each per row", n, len(truth.Traj), len(truth.T))
	}
	steps := 1
	for steps < n && truth.Traj[steps] == truth.Traj[0] {
		steps++
	}
	if steps < 2 || n%steps != 0 {
		return nil, nil, fmt.Errorf("prediction trajectories: the first of %d samples in %d rows, want at least 2 samples and equally long trajectories", steps, n)
	}
	ts := make([]float64, steps)
	for j := range ts {
		ts[j] = truth.T[j] - truth.T[0]
	}
	count := n / steps
	x0 := make([]float64, count*d)
	for k := range count {
		for j := range steps {
			// 1e-9 relative: times a file or a sum of steps rounds.
			if dt := truth.T[k*steps+j] - truth.T[k*steps]; truth.Traj[k*steps+j] != truth.Traj[k*steps] || math.Abs(dt-ts[j]) > 1e-9*(1+math.Abs(ts[j])) {
				return nil, nil, fmt.Errorf("prediction trajectories: row %d is not sample %d of trajectory %d at time %g", k*steps+j, j, truth.Traj[k*steps], ts[j])
			}
		}
		copy(x0[k*d:(k+1)*d], truth.X[k*steps*d:])
	}
	pred := make([]float64, n*d)
	for k, err := range ode.SolveBatch(ode.RK4{}, m.BatchFieldFunc(count), x0, d, ts, pred) {
		if err != nil {
			return nil, nil, fmt.Errorf("prediction rollout from test start %d: %w", k, err)
		}
	}
	per := make([]float64, count)
	for k := range per {
		lo, hi := k*steps*d, (k+1)*steps*d
		per[k] = metrics.PredictionSSE(l, truth.X[lo:hi], pred[lo:hi])
	}
	return per, pred, nil
}
