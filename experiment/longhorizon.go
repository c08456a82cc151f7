package experiment

import (
	"fmt"
	"math"
	"slices"

	"github.com/hnn-go/hnn/metrics"
	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/ode"
	"github.com/hnn-go/hnn/systems"
	"github.com/hnn-go/hnn/task"
)

// LongHorizon holds one model's long-horizon metrics with one integrator
// (the "long_horizon" entries of metrics.json and results.json):
//
//   - EnergyDrift: |H(x_t) - H(x_0)| / |H(x_0)| with the true H, averaged
//     over the rollout's times and then over the starts;
//   - RelativeError: |x_pred - x_true| / (|x_pred| + |x_true|), the
//     geometric mean over the rollout's times after the start and over
//     the starts;
//   - ChaosFloor: the same error of the true system started from a
//     perturbed start, the floor no model can beat on a chaotic system;
//   - ValidTime: the first time the normalised error mean((x_true -
//     x_pred)^2) / mean(x_true^2) exceeds the threshold, averaged over the
//     starts (the horizon when it never does);
//   - Horizon: the rollout's end time, and Step the largest step of a
//     fixed-step integrator.
//
// A rollout that fails (the state leaves the finite numbers or an implicit
// step does not converge) counts in Failed and is left out of the means;
// when every rollout fails the means are NaN, written as null in JSON.
type LongHorizon struct {
	EnergyDrift   JSONFloat `json:"energy_drift"`
	RelativeError JSONFloat `json:"relative_error"`
	ChaosFloor    JSONFloat `json:"chaos_floor"`
	ValidTime     JSONFloat `json:"valid_time"`
	Horizon       float64   `json:"horizon"`
	Step          float64   `json:"step,omitempty"`
	Failed        int       `json:"failed,omitempty"`
}

// JSONFloat is a float64 that is written as null in JSON when it is NaN or
// infinite, which encoding/json cannot represent.
type JSONFloat float64

// MarshalJSON implements json.Marshaler.
func (f JSONFloat) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	return []byte(fmt.Sprintf("%v", v)), nil
}

// UnmarshalJSON implements json.Unmarshaler; null reads as NaN.
func (f *JSONFloat) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*f = JSONFloat(math.NaN())
		return nil
	}
	var v float64
	if _, err := fmt.Sscan(string(b), &v); err != nil {
		return fmt.Errorf("experiment: number %s: %w", b, err)
	}
	*f = JSONFloat(v)
	return nil
}

// LongSeries holds the curves behind a LongHorizon for figures: at every
// output time, the energy drift averaged over the starts and the
// geometric mean of the relative error over the starts.
type LongSeries struct {
	Drift, RelativeError []float64
}

// LongTruth holds the true rollouts of a task's long-horizon protocol,
// computed once and shared by every model and seed.
type LongTruth struct {
	Protocol metrics.LongHorizonProtocol
	System   systems.System
	// X0 holds the starts (Starts x D) and Times the output times; States
	// and Perturbed hold the true trajectories from X0 and from the
	// perturbed starts (Starts x Points x D).
	X0, Times, States, Perturbed []float64
	// Floor is the chaos floor and FloorSeries its curve over time.
	Floor       float64
	FloorSeries []float64
}

// NewLongTruth draws the protocol's starts for task t and integrates the
// true system from them and from their perturbations with Dormand-Prince.
func NewLongTruth(t *task.Task, p metrics.LongHorizonProtocol) (*LongTruth, error) {
	if t.System == nil {
		return nil, fmt.Errorf("experiment: task %s has no true energy", t.Name)
	}
	p = p.WithDefaults()
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("experiment: %s: %w", t.Name, err)
	}
	d := t.Dim
	x0, pert := p.InitialStates(t.Initial)
	lt := &LongTruth{Protocol: p, System: t.System, X0: x0, Times: p.Times()}
	ig := ode.DormandPrince{RTol: p.TruthTol, ATol: p.TruthTol, MaxSteps: 10_000_000}
	sys := t.System
	newF := func() ode.Func { return func(dst []float64, _ float64, x []float64) { sys.Field(dst, x) } }
	lt.States = make([]float64, p.Starts*p.Points*d)
	lt.Perturbed = make([]float64, len(lt.States))
	if err := ode.SolveMany(ig, newF, x0, d, lt.Times, lt.States, 0); err != nil {
		return nil, fmt.Errorf("experiment: %s: long-horizon truth: %w", t.Name, err)
	}
	if err := ode.SolveMany(ig, newF, pert, d, lt.Times, lt.Perturbed, 0); err != nil {
		return nil, fmt.Errorf("experiment: %s: long-horizon perturbed truth: %w", t.Name, err)
	}
	ok := make([]bool, p.Starts)
	for i := range ok {
		ok[i] = true
	}
	lt.Floor, _, _, lt.FloorSeries, _ = lt.score(lt.Perturbed, ok)
	return lt, nil
}

// Evaluate rolls m out from the protocol's starts with each named
// integrator (the protocol's own when names is empty) and returns its
// metrics and curves by integrator name. An unknown integrator name is an
// error; a rollout that fails is counted in LongHorizon.Failed.
func (lt *LongTruth) Evaluate(m Trained, names []string) (map[string]LongHorizon, map[string]*LongSeries, error) {
	if len(names) == 0 {
		names = lt.Protocol.Integrators
	}
	p := lt.Protocol
	d := lt.System.Dim()
	out := make(map[string]LongHorizon, len(names))
	curves := make(map[string]*LongSeries, len(names))
	for _, name := range names {
		ig, err := p.NewIntegrator(name)
		if err != nil {
			return nil, nil, err
		}
		pred := make([]float64, len(lt.States))
		ok := make([]bool, p.Starts)
		for b, err := range rollMany(ig, m, lt.X0, d, lt.Times, pred) {
			ok[b] = err == nil
		}
		rel, drift, valid, relSeries, driftSeries := lt.score(pred, ok)
		lh := LongHorizon{
			EnergyDrift: JSONFloat(drift), RelativeError: JSONFloat(rel),
			ChaosFloor: JSONFloat(lt.Floor), ValidTime: JSONFloat(valid), Horizon: p.TEnd,
		}
		if name != "dopri5" {
			lh.Step = p.Step
		}
		for _, o := range ok {
			if !o {
				lh.Failed++
			}
		}
		out[name] = lh
		curves[name] = &LongSeries{Drift: driftSeries, RelativeError: relSeries}
	}
	return out, curves, nil
}

// score returns, over the starts marked ok, the geometric-mean relative
// error of the trajectories pred against the truth, the mean energy
// drift, the mean valid time, and the curves over time.
func (lt *LongTruth) score(pred []float64, ok []bool) (rel, drift, valid float64, relSeries, driftSeries []float64) {
	p := lt.Protocol
	d := lt.System.Dim()
	n := p.Points
	stride := n * d
	relT := make([]float64, n)
	normT := make([]float64, n)
	driftT := make([]float64, n)
	relSeries = make([]float64, n)
	driftSeries = make([]float64, n)
	var logs, drifts, valids []float64
	for b, good := range ok {
		if !good {
			continue
		}
		tr, pr := lt.States[b*stride:(b+1)*stride], pred[b*stride:(b+1)*stride]
		metrics.RelativeError(relT, pr, tr, d)
		metrics.NormalizedError(normT, pr, tr, d)
		// Every rollout starts at the true start, so the drift is
		// measured from the true H(x_0).
		metrics.EnergyDrift(driftT, lt.System.Energy, pr, d)
		for i := range n {
			relSeries[i] += math.Log(max(relT[i], 1e-16))
			driftSeries[i] += driftT[i]
		}
		logs = append(logs, math.Log(metrics.GeoMean(relT[1:])))
		drifts = append(drifts, metrics.Mean(driftT))
		valids = append(valids, metrics.ValidTime(lt.Times, normT, p.Threshold))
	}
	k := float64(len(logs))
	for i := range n {
		relSeries[i] = math.Exp(relSeries[i] / k)
		driftSeries[i] /= k
	}
	// Every rollout starts exactly at its start: the curves begin after it.
	relSeries[0], driftSeries[0] = math.NaN(), math.NaN()
	return math.Exp(metrics.Mean(logs)), metrics.Mean(drifts), metrics.Mean(valids), relSeries, driftSeries
}

// longIntegrators returns the integrators a model of the given kind is
// rolled out with under p: the protocol's, plus those the kind lists
// (model.Kind.Integrators: leapfrog for a separable energy, whose field the
// explicit symplectic methods assume) that are registered.
func longIntegrators(p metrics.LongHorizonProtocol, kind string) []string {
	names := slices.Clone(p.Integrators)
	k, err := model.Lookup(kind)
	if err != nil {
		return names
	}
	for _, n := range k.Integrators {
		if !slices.Contains(names, n) && slices.Contains(ode.Names(), n) {
			names = append(names, n)
		}
	}
	return names
}

// EvaluateLongHorizon computes r's long-horizon metrics against lt, with
// the protocol's integrators (and those the model's kind adds), stores
// them in r.Metrics.LongHorizon and returns the curves for figures.
func (r *Run) EvaluateLongHorizon(lt *LongTruth) (map[string]*LongSeries, error) {
	lh, curves, err := lt.Evaluate(r.State(), longIntegrators(lt.Protocol, r.Spec.Model.Kind))
	if err != nil {
		return nil, fmt.Errorf("experiment: %s %s seed %d: long horizon: %w", r.Spec.Task, r.Spec.Model.Kind, r.Spec.Seed, err)
	}
	r.Metrics.LongHorizon = lh
	return curves, nil
}
