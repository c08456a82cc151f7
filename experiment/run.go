package experiment

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/fit"
	"github.com/hnn-go/hnn/internal/atomicfile"
	"github.com/hnn-go/hnn/internal/buildinfo"
	"github.com/hnn-go/hnn/metrics"
	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/nn"
	"github.com/hnn-go/hnn/ode"
	"github.com/hnn-go/hnn/task"
	"github.com/hnn-go/hnn/train"
)

// Streams of a run's seeded sources.
const (
	streamData  = 1
	streamInit  = 2
	streamBatch = 3
)

// Files a run directory holds besides the checkpoint (model.json,
// model.npz).
const (
	SpecFile       = "config.json"
	MetricsFile    = "metrics.json"
	EvaluationFile = "evaluation.json"
	// RowsFile holds the per-row train and test losses behind the
	// metrics (arrays "train" and "test"), which Collect pools over seeds.
	RowsFile = "rows.npz"
)

// Spec describes one training run completely; it is saved as config.json.
type Spec struct {
	Task   string                 `json:"task"`
	Model  model.Config           `json:"model"`
	Train  train.Config           `json:"train"`
	Energy metrics.EnergyProtocol `json:"energy_protocol"`
	// LongHorizon is the long-horizon protocol of the task (zero Starts
	// if it has none), used when long-horizon metrics are asked for.
	LongHorizon metrics.LongHorizonProtocol `json:"long_horizon_protocol,omitzero"`
	// Data is the trajectory file of a run on measured data (hnn train
	// -data); Task is then task.FileTaskName.
	Data *task.DataSource `json:"data,omitempty"`
	// Stream is the dataset directory (data.DiskDataset, see
	// WriteDataset) of a run trained from disk in minibatches.
	Stream string `json:"stream,omitempty"`
	// LatentStep is the latent step of a pixel task (see
	// latent.Config.Step).
	LatentStep string `json:"latent_step,omitempty"`
	// DynWeight, if positive, weighs the latent-dynamics loss of a pixel
	// task instead of the reference's 0.1 (see latent.Config.DynWeight).
	DynWeight float64 `json:"dyn_weight,omitempty"`
	// Fit is the fit mode and its settings (package fit); the zero value
	// is the derivative fit.
	Fit fit.Config `json:"fit,omitzero"`
	// Frames, if positive, is the number of consecutive frames of a pixel
	// model's input instead of the reference's 2.
	Frames int `json:"frames,omitempty"`
	// LatentHorizon, if positive, adds a pixel model's rollout loss over that
	// many decoded future frames, integrated by LatentIntegrator (see
	// latent.Config.Horizon and Integrator).
	LatentHorizon    int    `json:"latent_horizon,omitempty"`
	LatentIntegrator string `json:"latent_integrator,omitempty"`
	// LatentBackward makes the rollout loss forward-backward: half of each
	// minibatch rolled out backwards in time (see latent.Config.Backward).
	LatentBackward bool `json:"latent_backward,omitempty"`
	// Variant names the hyperparameter variant of a sweep (see Variant);
	// empty for the task's reference settings.
	Variant string `json:"variant,omitempty"`
	Seed    uint64 `json:"seed"`
	Quick   bool   `json:"quick"`
}

// NewSpec returns the reference settings of a task for the given model kind
// and seed, reduced when quick is set.
func NewSpec(taskName, kind string, seed uint64, quick bool) (Spec, error) {
	t, err := task.Get(taskName)
	if err != nil {
		return Spec{}, err
	}
	tc, ep := t.Settings(quick)
	mc := model.Config{Kind: kind, Dim: t.Dim}.WithDefaults()
	if err := mc.Validate(); err != nil {
		return Spec{}, err
	}
	return Spec{Task: taskName, Model: mc, Train: tc, Energy: ep, LongHorizon: t.LongHorizonSettings(quick), LatentStep: t.LatentStep, Fit: t.Fit,
		Frames: t.Frames, LatentHorizon: t.LatentHorizon, LatentIntegrator: t.LatentIntegrator, LatentBackward: t.LatentBackward,
		Seed: seed, Quick: quick}, nil
}

// window returns the number of frames of a pixel model's input: Frames, or
// the reference's 2.
func (s Spec) window() int {
	if s.Frames > 0 {
		return s.Frames
	}
	return 2
}

// Validate returns an error naming the first invalid setting of s's model
// or training.
func (s Spec) Validate() error {
	if err := s.Model.Validate(); err != nil {
		return err
	}
	if err := s.Fit.Validate(s.Model.Kind); err != nil {
		return err
	}
	return s.Train.Validate()
}

// NewFileSpec returns the settings of a run on the trajectory file of src
// (see task.FromFile) for the given model kind and seed. The file is read
// and checked here.
func NewFileSpec(src task.DataSource, kind string, seed uint64, quick bool) (Spec, error) {
	t, err := task.FromFile(src)
	if err != nil {
		return Spec{}, err
	}
	tc, ep := t.Settings(quick)
	mc := model.Config{Kind: kind, Dim: t.Dim}.WithDefaults()
	if err := mc.Validate(); err != nil {
		return Spec{}, fmt.Errorf("%s: %w", src.Path, err)
	}
	return Spec{Task: task.FileTaskName, Model: mc, Train: tc, Energy: ep, Data: &src, Seed: seed, Quick: quick}, nil
}

// taskOf returns the task of a spec: the registered task, or the task
// made from the spec's data file.
func taskOf(s Spec) (*task.Task, error) {
	if s.Stream != "" && s.Task == task.FileTaskName {
		d, err := data.OpenDiskDataset(s.Stream)
		if err != nil {
			return nil, err
		}
		defer d.Close()
		return streamTask(s, d)
	}
	if s.Data != nil {
		return task.FromFile(*s.Data)
	}
	return task.Get(s.Task)
}

// Metrics are the results of a run, saved as metrics.json.
type Metrics struct {
	// Values holds the registered metrics (see metrics.Register) the run
	// has, by key; metrics.json has each at its top level.
	metrics.Values `json:"-"`
	// Samples holds the values behind them that Collect pools over seeds
	// (per start in metrics.json, per row in rows.npz).
	Samples metrics.Samples `json:"-"`
	// LongHorizon holds the long-horizon metrics by integrator name, when
	// they were asked for.
	LongHorizon map[string]LongHorizon `json:"long_horizon,omitempty"`
	// RolloutCurve is, for a run on measured segments, the squared state
	// error (mean over components and segments) at every step of the
	// rollouts along them, up to the shortest segment's length: the
	// prediction error against the rollout horizon.
	RolloutCurve []float64 `json:"rollout_curve,omitempty"`
	// History is the training log: the batch and test loss at every log
	// interval.
	History  *train.History `json:"history,omitempty"`
	Diverged string         `json:"diverged,omitempty"`
	// PhaseRateLog is, for a pixel run, the phase rate of a short probe
	// rollout on a few test trials at every log interval of its training,
	// and Collapse the warning, if any, that its latent stopped turning
	// (see collapseWatch).
	PhaseRateLog []StepValue `json:"phase_rate_log,omitempty"`
	Collapse     string      `json:"collapse,omitempty"`
	Seconds      float64     `json:"seconds"`
}

// record sets metric k to s with the samples behind it (nil if none).
func (m *Metrics) record(k *metrics.Metric, s metrics.Summary, samples []float64) {
	m.Set(k, s)
	if samples != nil {
		if m.Samples == nil {
			m.Samples = metrics.Samples{}
		}
		m.Samples[k.Key] = samples
	}
}

// MarshalJSON writes the registered metrics at the top level, each
// followed by its samples, then the other fields.
func (m Metrics) MarshalJSON() ([]byte, error) {
	type plain Metrics
	rest, err := json.Marshal(plain(m))
	if err != nil {
		return nil, err
	}
	return metrics.MarshalObject(metrics.Run, m.Values, m.Samples, rest)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (m *Metrics) UnmarshalJSON(b []byte) error {
	type plain Metrics
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	v, s, err := metrics.UnmarshalObject(b, metrics.Run)
	if err != nil {
		return err
	}
	p.Values, p.Samples = v, s
	*m = Metrics(p)
	return nil
}

// Run is a trained (or loaded) model with its spec and metrics.
type Run struct {
	Spec    Spec
	Metrics Metrics
	// Model is the trained model: a Trained state-space model for the
	// system and measured kinds, a *LatentModel for the pixel kind.
	Model Model
}

// Model is the trained model of a run, of whatever kind.
type Model interface {
	// Config returns the model's architecture (for a latent model, that
	// of its latent dynamics).
	Config() model.Config
	// Save writes a checkpoint into dir.
	Save(dir string) error
}

// State returns r's state-space model, or nil if r's model is not one (a
// pixel run's latent model).
func (r *Run) State() Trained {
	m, _ := r.Model.(Trained)
	return m
}

// Trained hides a model's element type behind float64 functions.
type Trained interface {
	Config() model.Config
	// FieldFunc returns a factory of float64 field evaluators (one per
	// goroutine).
	FieldFunc() func() ode.Func
	// BatchFieldFunc returns a float64 field evaluator of rows states at
	// once (for ode.SolveBatch), not safe for concurrent use.
	BatchFieldFunc(rows int) ode.BatchFunc
	// Energy returns the learned energy as a function of a state, or nil if
	// the model has none.
	Energy() func([]float64) float64
	// Dissipation returns the learned Rayleigh dissipation function D of a
	// dissipative model, or nil if the model has none.
	Dissipation() func([]float64) float64
	// Parts returns a function writing the conservative and dissipative
	// parts of a dissipative model's field at a state, or nil if the model
	// has no such split.
	Parts() func(cons, diss, x []float64)
	// RowErrors returns the per-row derivative errors on set.
	RowErrors(set *data.Set) []float64
	// Save writes a checkpoint into dir.
	Save(dir string) error
}

type trained[T nn.Float] struct{ m model.Model[T] }

// Wrap returns m as a Trained.
func Wrap[T nn.Float](m model.Model[T]) Trained { return trained[T]{m} }

func (t trained[T]) Config() model.Config       { return t.m.Config() }
func (t trained[T]) FieldFunc() func() ode.Func { return model.FieldFunc(t.m) }
func (t trained[T]) BatchFieldFunc(rows int) ode.BatchFunc {
	return model.BatchFieldFunc(t.m, rows)
}
func (t trained[T]) RowErrors(set *data.Set) []float64 {
	return metrics.RowErrors(func(rows int) metrics.Fielder[T] { return t.m.NewWorkspace(rows, false) }, set)
}
func (t trained[T]) Save(dir string) error { return model.Save(dir, t.m) }
func (t trained[T]) FitStart(c fit.Config, ts, x []float64) []float64 {
	return fit.FitStart(t.m, c, ts, x, startIters, startLR)
}

// startFitter is implemented by the Trained models whose segment starts
// can be fitted at test time (Spec.Fit.FitStarts): FitStart returns the
// start whose rollout with the integrator of c best matches the observed
// states x at times t (fit.FitStart, with startIters Adam steps of rate
// startLR).
type startFitter interface {
	FitStart(c fit.Config, t, x []float64) []float64
}

// The test-time fit of a segment's start (Spec.Fit.FitStarts): Adam steps
// and their rate, in the model's units.
const (
	startIters = 200
	startLR    = 1e-2
)

func (t trained[T]) Energy() func([]float64) float64 {
	return t.scalar(func(ws model.Workspace[T]) (func(dst, x []T), bool) {
		e, ok := ws.(model.Energy[T])
		if !ok {
			return nil, false
		}
		return e.Energy, true
	})
}

func (t trained[T]) Dissipation() func([]float64) float64 {
	return t.scalar(func(ws model.Workspace[T]) (func(dst, x []T), bool) {
		e, ok := ws.(model.Dissipative[T])
		if !ok {
			return nil, false
		}
		return e.Dissipation, true
	})
}

func (t trained[T]) Parts() func(cons, diss, x []float64) {
	ws, ok := t.m.NewWorkspace(1, false).(model.Dissipative[T])
	if !ok {
		return nil
	}
	d := t.m.Config().Dim
	x, c, g := make([]T, d), make([]T, d), make([]T, d)
	return func(cons, diss, s []float64) {
		for i, v := range s {
			x[i] = T(v)
		}
		ws.Parts(c, g, x)
		for i := range c {
			cons[i], diss[i] = float64(c[i]), float64(g[i])
		}
	}
}

// scalar returns a float64 function of one state that evaluates the scalar
// method pick finds on a one-row workspace, or nil if there is none.
func (t trained[T]) scalar(pick func(model.Workspace[T]) (func(dst, x []T), bool)) func([]float64) float64 {
	d := t.m.Config().Dim
	f, ok := pick(t.m.NewWorkspace(1, false))
	if !ok {
		return nil
	}
	x, e := make([]T, d), make([]T, 1)
	return func(s []float64) float64 {
		for i, v := range s {
			x[i] = T(v)
		}
		f(e, x)
		return float64(e[0])
	}
}

// Dataset returns the dataset of a spec: the task's generator fed by the
// run's data source, or, for a run streamed from disk, the rows it is
// evaluated on (see evalSet).
func Dataset(s Spec) (*data.Dataset, error) {
	if s.Stream != "" {
		d, err := data.OpenDiskDataset(s.Stream)
		if err != nil {
			return nil, err
		}
		defer d.Close()
		return evalSet(d)
	}
	t, err := taskOf(s)
	if err != nil {
		return nil, err
	}
	return t.Generate(rand.New(rand.NewPCG(s.Seed, streamData)))
}

// Train generates the data of s, trains the model and computes its metrics.
// If dir is not empty it writes config.json, the checkpoint and metrics.json
// there (atomically); a run that diverges still writes its last good
// checkpoint and metrics, and returns an error wrapping train.ErrDiverged.
// energy, if not nil, supplies the true rollouts of the energy protocol
// (see NewEnergyTruth); otherwise they are computed here.
func Train(s Spec, dir string, energy *EnergyTruth, progress train.Progress) (*Run, error) {
	t, err := taskOf(s)
	if err != nil {
		return nil, err
	}
	return kindOf(s, t).train(s, t, dir, energy, progress)
}

// trainWith trains the model of s with fitter (in float64 or float32, as
// s.Model.Precision says), saves its spec and checkpoint into dir (if not
// empty), evaluates it on ds with the losses and k's score (if k is not
// nil) and saves its metrics: the part of a state-space run that does not
// depend on where its training rows come from.
func trainWith(s Spec, t *task.Task, ds *data.Dataset, dir string, energy *EnergyTruth, start time.Time, k scorer,
	fitter func(float64s bool) (Trained, train.History, error)) (*Run, error) {
	m, hist, terr := fitter(s.Model.IsFloat64())
	if m == nil {
		return nil, terr
	}
	if terr != nil && !errors.Is(terr, train.ErrDiverged) {
		return nil, terr
	}
	run := &Run{Spec: s, Model: m}
	return run.finish(dir, m.Save, func() error { return run.evaluate(k, t, ds, energy) }, hist, terr, start)
}

// finish saves r's spec and checkpoint (with save) into dir if dir is not
// empty, evaluates r, and saves its metrics there: the end of every run,
// whatever its model. terr is the training's error, nil or one wrapping
// train.ErrDiverged; it is recorded in the metrics and returned with r.
func (r *Run) finish(dir string, save func(dir string) error, evaluate func() error, hist train.History, terr error, start time.Time) (*Run, error) {
	if dir != "" {
		if err := writeSpec(dir, r.Spec); err != nil {
			return nil, err
		}
		if err := save(dir); err != nil {
			return nil, err
		}
	}
	if terr != nil {
		r.Metrics.Diverged = terr.Error()
	}
	if err := evaluate(); err != nil {
		return nil, err
	}
	r.Metrics.History = &hist
	r.Metrics.Seconds = time.Since(start).Seconds()
	if dir != "" {
		if err := r.saveMetrics(dir); err != nil {
			return nil, err
		}
	}
	return r, terr
}

// fitModel trains the model of s on ds, the rows of t, with its fit mode.
// If t.Standardise is set (a data file's task unless DataSource.Raw), it
// trains in standardised units (data.FitScale of the training rows) and
// returns the model in t's units (WrapScaled); the training history's
// losses are in the standardised units.
func fitModel[T nn.Float](s Spec, t *task.Task, ds *data.Dataset, progress train.Progress) (Trained, train.History, error) {
	m, err := model.New[T](s.Model, rand.New(rand.NewPCG(s.Seed, streamInit)))
	if err != nil {
		return nil, train.History{}, err
	}
	trainSet, testSet := &ds.Train, &ds.Test
	var sc *data.Scale
	if t.Standardise {
		fitted, err := data.FitScale(trainSet)
		if err != nil {
			name := t.Name
			if s.Data != nil {
				name = s.Data.Path
			}
			return nil, train.History{}, fmt.Errorf("experiment: %s: %w", name, err)
		}
		a, b := fitted.Apply(trainSet), fitted.Apply(testSet)
		trainSet, testSet, sc = &a, &b, &fitted
	}
	h, err := fit.Train(m, trainSet, testSet, s.Fit, s.Train, rand.New(rand.NewPCG(s.Seed, streamBatch)), progress)
	if sc != nil {
		return WrapScaled(m, *sc), h, err
	}
	return Wrap(m), h, err
}

// evaluate fills the loss metrics of r on ds and then, if k is not nil,
// k's score of r (the energy MSE of a system task, the rollouts of a
// measured one); energy, if not nil, holds the true rollouts of the energy
// protocol.
func (r *Run) evaluate(k scorer, t *task.Task, ds *data.Dataset, energy *EnergyTruth) error {
	trainRows, testRows := r.State().RowErrors(&ds.Train), r.State().RowErrors(&ds.Test)
	r.Metrics.record(metrics.TrainLoss, metrics.MeanSEM(trainRows), trainRows)
	r.Metrics.record(metrics.TestLoss, metrics.MeanSEM(testRows), testRows)
	if k == nil {
		return nil
	}
	return k.score(r, t, energy)
}

// segmentChunks is the number of chunks of a single segment's per-time
// errors behind the error bar of its rollout and energy MSE, the paper's 5.
const segmentChunks = 5

// evaluateSegments rolls r's model out over every test segment of t with
// segmentIntegrator from the segment's first row (or its fitted start) and
// fills the rollout MSE and, if t has an energy, the energy MSE: the mean
// over the segment's times of the squared state error and of
// (H(data) - H(rollout))^2. With one segment the error bar is the spread
// of 5 chunk means over time; with several, over the segments.
func (r *Run) evaluateSegments(t *task.Task) error {
	segs, err := t.Segments()
	if err != nil {
		return err
	}
	var starts [][]float64
	if fc := r.Spec.Fit.WithDefaults(); fc.FitStarts {
		sf, ok := r.State().(startFitter)
		if !ok {
			return fmt.Errorf("experiment: %s %s seed %d: the model cannot fit segment starts", r.Spec.Task, r.Spec.Model.Kind, r.Spec.Seed)
		}
		// The start of every test segment is fitted to its first
		// Horizon+1 observed states, as the training segments' were.
		for _, sg := range segs {
			d := len(sg.X) / len(sg.T)
			n := min(fc.Horizon+1, len(sg.T))
			if n < 2 {
				starts = append(starts, sg.X[:d])
				continue
			}
			starts = append(starts, sf.FitStart(fc, sg.T[:n], sg.X[:n*d]))
		}
	}
	rolls, err := rolloutSegments(r.State(), segmentIntegrator(r.Spec), segs, starts)
	if err != nil {
		return fmt.Errorf("experiment: %s %s seed %d: %w", r.Spec.Task, r.Spec.Model.Kind, r.Spec.Seed, err)
	}
	var stateErr, energyErr []float64
	steps := len(segs[0].T)
	for _, sg := range segs {
		steps = min(steps, len(sg.T))
	}
	curve := make([]float64, steps)
	for i, sg := range segs {
		d := len(sg.X) / len(sg.T)
		for k := range sg.T {
			x, y := sg.X[k*d:(k+1)*d], rolls[i][k*d:(k+1)*d]
			var e float64
			for j := range x {
				e += (x[j] - y[j]) * (x[j] - y[j])
			}
			stateErr = append(stateErr, e/float64(d))
			if k < steps {
				curve[k] += e / float64(d) / float64(len(segs))
			}
			if t.System != nil {
				h := t.System.Energy(x) - t.System.Energy(y)
				energyErr = append(energyErr, h*h)
			}
		}
	}
	chunks := segmentChunks
	if len(segs) > 1 {
		chunks = len(segs)
	}
	r.Metrics.record(metrics.RolloutMSE, metrics.ChunkSEM(stateErr, chunks), nil)
	r.Metrics.RolloutCurve = curve
	if t.System != nil {
		e := metrics.ChunkSEM(energyErr, chunks)
		r.Metrics.record(metrics.EnergyMSE, e, []float64{e.Mean})
	}
	return nil
}

// segmentIntegrator returns the integrator that rolls the model of s out
// over measured segments: Dormand-Prince at rtol = atol = 1e-9, or, for a
// model trained through an integrator (the rollout fit), that integrator
// with one step per sampling interval, the map it was trained to match.
func segmentIntegrator(s Spec) ode.Integrator {
	if fc := s.Fit.WithDefaults(); fc.Integrator != "" {
		ig, err := ode.New(fc.Integrator, ode.Options{})
		if err != nil {
			panic("experiment: the rollout fit's integrator " + fc.Integrator + " is not an ode integrator")
		}
		return ig
	}
	return ode.DormandPrince{RTol: 1e-9, ATol: 1e-9}
}

// rolloutSegments rolls m out with ig from the first row of every segment (or
// from starts[i], if starts is not nil) over the segment's times (shifted
// to start at zero) and returns the trajectories.
func rolloutSegments(m Trained, ig ode.Integrator, segs []task.Segment, starts [][]float64) ([][]float64, error) {
	f := m.FieldFunc()()
	out := make([][]float64, len(segs))
	for i, sg := range segs {
		d := len(sg.X) / len(sg.T)
		ts := make([]float64, len(sg.T))
		for k, v := range sg.T {
			ts[k] = v - sg.T[0]
		}
		out[i] = make([]float64, len(sg.X))
		x0 := sg.X[:d]
		if starts != nil {
			x0 = starts[i]
		}
		if err := ig.Solve(out[i], f, x0, ts); err != nil {
			return nil, fmt.Errorf("rollout over test segment %d: %w", i, err)
		}
	}
	return out, nil
}

// Load reads a run directory written by Train: its spec, checkpoint and, if
// present, metrics and per-row losses (so that Collect can aggregate runs
// trained elsewhere).
func Load(dir string) (*Run, error) {
	r, err := LoadModel(dir)
	if err != nil {
		return nil, err
	}
	return r, r.loadMetrics(dir)
}

// LoadModel reads the spec and checkpoint of the run directory dir and
// nothing else (neither its metrics and per-row losses nor its data): what
// a rollout of the trained model needs.
func LoadModel(dir string) (*Run, error) {
	var s Spec
	if err := readJSON(filepath.Join(dir, SpecFile), &s); err != nil {
		return nil, err
	}
	k, err := specKind(s)
	if err != nil {
		return nil, fmt.Errorf("experiment: %s: %w", filepath.Join(dir, SpecFile), err)
	}
	return k.load(s, dir)
}

// loadState reads the state-space model checkpoint of a run of s from dir.
func loadState(s Spec, dir string) (*Run, error) {
	cfg, err := model.ReadConfig(dir)
	if err != nil {
		return nil, err
	}
	r := &Run{Spec: s}
	load := loadTrained[float32]
	if cfg.IsFloat64() {
		load = loadTrained[float64]
	}
	m, err := load(dir)
	if err != nil {
		return nil, err
	}
	r.Model = m
	return r, nil
}

// loadTrained reads the state-space checkpoint in dir with element type T.
func loadTrained[T nn.Float](dir string) (Trained, error) {
	m, err := model.Load[T](dir)
	if err != nil {
		return nil, err
	}
	sc, err := readScale(dir, m.Config().Dim)
	if err != nil {
		return nil, err
	}
	if sc != nil {
		return WrapScaled(m, *sc), nil
	}
	return Wrap(m), nil
}

// Evaluate recomputes the metrics of the run saved in dir from its
// checkpoint (regenerating its data from the saved seed) and writes them to
// dir/evaluation.json. With longHorizon set it also computes the
// long-horizon metrics of the run's protocol (the task's, for runs saved
// before they existed); a task without a true energy or protocol has none.
func Evaluate(dir string, longHorizon bool) (*Run, error) {
	r, err := Load(dir)
	if err != nil {
		return nil, err
	}
	t, err := taskOf(r.Spec)
	if err != nil {
		return nil, err
	}
	p := r.Spec.LongHorizon
	if !p.Enabled() {
		p = t.LongHorizonSettings(r.Spec.Quick)
	}
	if longHorizon && !p.Enabled() {
		return nil, fmt.Errorf("experiment: task %s has no long-horizon protocol (it needs a true energy)", t.Name)
	}
	start := time.Now()
	r.Metrics = Metrics{}
	if err := kindOf(r.Spec, t).evaluate(r, t); err != nil {
		return nil, err
	}
	if longHorizon {
		lt, err := NewLongTruth(t, p)
		if err != nil {
			return nil, err
		}
		if _, err := r.EvaluateLongHorizon(lt); err != nil {
			return nil, err
		}
	}
	r.Metrics.Seconds = time.Since(start).Seconds()
	return r, writeJSON(filepath.Join(dir, EvaluationFile), r.Metrics)
}

// saveMetrics writes r's rows.npz (the samples of the metrics kept per
// row, see metrics.Metric.RowsArray) and then metrics.json into dir: a run
// directory with metrics.json is complete.
func (r *Run) saveMetrics(dir string) error {
	rows := map[string]data.Array{}
	for _, m := range metrics.All() {
		if _, ok := r.Metrics.Get(m); ok && m.RowsArray != "" {
			v := r.Metrics.Samples[m.Key]
			rows[m.RowsArray] = data.Array{Shape: []int{len(v)}, Data: v}
		}
	}
	if err := data.WriteNPZ(filepath.Join(dir, RowsFile), rows); err != nil {
		return fmt.Errorf("experiment: %w", err)
	}
	return writeJSON(filepath.Join(dir, MetricsFile), r.Metrics)
}

// loadMetrics reads dir's metrics.json and rows.npz into r, those that
// exist. rows.npz must hold the rows of every metric kept per row that
// metrics.json has.
func (r *Run) loadMetrics(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, MetricsFile)); err == nil {
		if err := readJSON(filepath.Join(dir, MetricsFile), &r.Metrics); err != nil {
			return err
		}
	}
	path := filepath.Join(dir, RowsFile)
	if _, err := os.Stat(path); err != nil {
		return nil
	}
	rows, err := data.ReadNPZ(path)
	if err != nil {
		return fmt.Errorf("experiment: %w", err)
	}
	for _, m := range metrics.All() {
		if _, ok := r.Metrics.Get(m); !ok || m.RowsArray == "" {
			continue
		}
		a, ok := rows[m.RowsArray]
		if !ok || len(a.Shape) != 1 {
			return fmt.Errorf("experiment: %s: array %q missing or not 1-D", path, m.RowsArray)
		}
		if r.Metrics.Samples == nil {
			r.Metrics.Samples = metrics.Samples{}
		}
		r.Metrics.Samples[m.Key] = a.Data
	}
	return nil
}

type specFile struct {
	Spec
	Build buildinfo.Info `json:"build"`
}

func writeSpec(dir string, s Spec) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("experiment: %w", err)
	}
	return writeJSON(filepath.Join(dir, SpecFile), specFile{Spec: s, Build: buildinfo.Get(nn.BLAS)})
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("experiment: %s: %w", path, err)
	}
	if err := atomicfile.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("experiment: %w", err)
	}
	return nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("experiment: %w", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("experiment: %s: %w", path, err)
	}
	return nil
}
