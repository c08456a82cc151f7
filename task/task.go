package task

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/fit"
	"github.com/hnn-go/hnn/internal/check"
	"github.com/hnn-go/hnn/latent"
	"github.com/hnn-go/hnn/metrics"
	"github.com/hnn-go/hnn/pixels"
	"github.com/hnn-go/hnn/systems"
	"github.com/hnn-go/hnn/train"
)

// Kind names a kind of task: where its runs' data come from, how they
// are evaluated and which figures they draw. Package experiment holds the
// behaviour of each kind, registered under its name; see doc.go for how
// to add one.
type Kind string

// The kinds of task.
const (
	// KindSystem tasks generate their data from System, a physical system
	// with a true energy (Generate, Initial): runs report the energy MSE
	// of the Energy protocol and, if LongHorizon is enabled, the
	// long-horizon metrics; figures are Figure 2 or N-body orbits.
	KindSystem Kind = "system"
	// KindMeasured tasks train on measured trajectories (Generate) and
	// roll models out along the test Segments: runs report the rollout
	// MSE along them and, if System is not nil, the energy MSE along
	// them with System's energy; figures are the rollouts.
	KindMeasured Kind = "measured"
	// KindPixels tasks train latent models on rendered images of a
	// pendulum (Pixels, QuickPixels, Latent): runs report the pixel
	// metrics; figures are frame strips, animations and latent portraits.
	KindPixels Kind = "pixels"
	// KindDriven tasks train on rows (q, v, u) of a driven system
	// (Driven, Generate) with a declared Layout: runs report the row
	// losses and, if Prediction is set, SymODEN's prediction error along
	// its trajectories; figures are the loss curves.
	KindDriven Kind = "driven"
)

// Task is one experiment.
type Task struct {
	// Name is the registry name used on the command line.
	Name string
	// Kind is the kind of the task, which says which of the fields below
	// it uses.
	Kind Kind
	// Title is a human-readable name, as in the paper's Table 1.
	Title string
	// System is the physical system with its true energy, or nil for
	// measured data without one.
	System systems.System
	// Dim is the state dimension.
	Dim int
	// Layout declares the columns of the task's states: positions,
	// velocities or momenta, inputs, angles. The zero value is the
	// canonical layout (q, p); a run's model takes it as its
	// model.Config.Layout, so only the model kinds with Kind.Layouts run
	// a task with another.
	Layout data.Layout
	// Observed, if its Positions is not zero, is the layout the task's
	// rows really have where Layout relabels them: the rows of
	// double-pendulum-as-canonical are (q, q-dot), declared to its models
	// as canonical (q, p) so that an HNN trains on them as if they were.
	// The exact energies of the metrics read the rows in Observed; the
	// models and the standardisation see Layout. The zero value means the
	// rows are what Layout says.
	Observed data.Layout
	// Driven is the driven system behind a KindDriven task's rows, with
	// its exact energy, mass matrix and input matrix; nil for the other
	// kinds.
	Driven systems.Driven
	// Prediction, if not nil, returns a KindDriven task's prediction
	// trajectories: the true rows (with Traj and T; each trajectory's rows
	// in time order, equally spaced) that a model is rolled out along from
	// each one's first row, given the source rng that Generate was given
	// (the test starts depend on it). Runs report the prediction error
	// (metrics.PredictionError) along them.
	Prediction func(rng *rand.Rand) (*data.Set, error)
	// EnergyScale, if not zero, makes a KindDriven task's runs report the
	// Lagrangian-network paper's energy error (metrics.EnergyError): from
	// each start of the Energy protocol (drawn with Initial), the model
	// rolled out to TEnd with its integrator, |E(x(TEnd)) - E(x(0))| /
	// EnergyScale with E the system's exact energy (the double pendulum's
	// 29.4, its largest potential energy).
	EnergyScale float64
	// Generate makes the task's dataset from rng, following the reference
	// protocol.
	Generate func(rng *rand.Rand) (*data.Dataset, error)
	// Initial draws one noise-free initial state from the task's test
	// distribution, for the energy protocol and figures.
	Initial func(rng *rand.Rand) []float64
	// TrainRows is the number of training rows the generator makes (used
	// to schedule runs).
	TrainRows int
	// Train holds the training settings of the reference.
	Train train.Config
	// Energy is the energy-MSE protocol.
	Energy metrics.EnergyProtocol
	// Quick holds reduced settings for a fast run (-quick).
	QuickTrain  train.Config
	QuickEnergy metrics.EnergyProtocol
	// LongHorizon is the long-horizon protocol (hnn reproduce
	// -long-horizon), rolled out ten times longer than the training data;
	// zero Starts means the task has none.
	LongHorizon metrics.LongHorizonProtocol
	// Bounds are the phase-space plot limits (qmin, qmax, pmin, pmax) for
	// 2-D systems, and the x-y limits (xmin, xmax, ymin, ymax) of the orbit
	// figures for N-body tasks.
	Bounds [4]float64
	// Published holds the paper's Table 1 numbers by model name.
	Published map[string]Published

	// Segments, if not nil, returns the measured test segments that models
	// are rolled out over (tasks on measured data): every run then reports
	// the rollout MSE along them, and, if System is not nil, the energy
	// MSE along them with System's energy instead of the Energy protocol.
	Segments func() ([]Segment, error)
	// Available, if not nil, returns an error when the task cannot run
	// here, such as a data file that is absent; reproduce skips such a
	// task with the error as its reason.
	Available func() error
	// Source is the data file of a task made by FromFile.
	Source *DataSource
	// Models, if not nil, are the models reproduce trains on the task when
	// none are asked for (else baseline and hnn).
	Models []string
	// Pixels, if not nil, makes this a task on images (the pixel
	// pendulum): its data are this pixels.Config's, rendered for the run's
	// seed, its models latent ones (package latent); Generate is nil.
	// QuickPixels is the reduced dataset of -quick.
	Pixels, QuickPixels *pixels.Config
	// Fit is the task's fit mode (package fit); the zero value is the
	// derivative fit.
	Fit fit.Config
	// Standardise makes a state-space task's runs train in standardised
	// units: the states, times and derivatives are changed by the
	// canonical scale of the training rows (data.FitScale), and the model
	// is reported back in the task's units (every metric, rollout and
	// figure), its scale saved beside the checkpoint. FromFile sets it
	// unless DataSource.Raw.
	Standardise bool
	// Latent holds a pixel task's settings of its latent model and loss
	// (package latent): the frames of the encoder's input, the latent
	// step of the dynamics loss, the rollout loss's horizon, integrator and
	// direction, the dynamics weight. Its Kind, Hidden and Activation are
	// left empty: the latent dynamics are the run's model (see
	// experiment.Spec.Latent). Nil for the other kinds.
	Latent *latent.Config
}

// Published is one model's row of the paper's Table 1.
type Published struct {
	Train     float64 `json:"train_loss"`
	Test      float64 `json:"test_loss"`
	Energy    float64 `json:"energy_mse"`
	EnergySEM float64 `json:"energy_mse_sem"`
	// Metrics holds published values of other registered metrics by
	// key (SymODEN's prediction error, metrics.PredictionError, with its
	// spread in SEM as the paper gives it), which the report shows beside
	// ours in the metric's section.
	Metrics map[string]metrics.Summary `json:"metrics,omitempty"`
}

var registry = map[string]*Task{}

// Register adds t to the registry. It panics if the name is taken or t
// has no Kind; call it from init.
func Register(t *Task) {
	if _, ok := registry[t.Name]; ok {
		panic("task: duplicate task " + t.Name)
	}
	if t.Kind == "" {
		panic("task: task " + t.Name + " has no Kind")
	}
	registry[t.Name] = t
}

// Table1 lists the tasks of the paper's Table 1 that hnn has, in its
// order: what hnn reproduce runs by default.
var Table1 = []string{"spring", "pendulum", "real-pendulum", "two-body", "three-body", "pixel-pendulum"}

// Names returns the registered task names in Table 1 order where known,
// then alphabetically.
func Names() []string {
	order := []string{"spring", "pendulum", "real-pendulum", "real-pendulum-central", "two-body", "three-body", "pixel-pendulum", "damped-spring", "damped-spring-trajectories",
		"pendulum-torque", "pendulum-embed", "cartpole", "acrobot", "double-pendulum", "double-pendulum-as-canonical"}
	var out []string
	for _, n := range order {
		if _, ok := registry[n]; ok {
			out = append(out, n)
		}
	}
	var rest []string
	for n := range registry {
		if !slices.Contains(order, n) {
			rest = append(rest, n)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

// Get returns the task with the given name, or an error listing the valid
// names.
func Get(name string) (*Task, error) {
	t, ok := registry[name]
	if !ok {
		return nil, fmt.Errorf("task: unknown task %s (valid: %s)", check.Quote(name), strings.Join(Names(), ", "))
	}
	return t, nil
}

// Runnable returns an error when the task cannot run here, such as a data
// file that is absent (Available's error), and nil otherwise.
func (t *Task) Runnable() error {
	if t.Available == nil {
		return nil
	}
	return t.Available()
}

// Settings returns the training settings and energy protocol, reduced when
// quick is set.
func (t *Task) Settings(quick bool) (train.Config, metrics.EnergyProtocol) {
	if quick {
		return t.QuickTrain, t.QuickEnergy
	}
	return t.Train, t.Energy
}

// LongHorizonSettings returns the long-horizon protocol, reduced when quick
// is set: 3 starts over a quarter of the horizon at a quarter of the
// points.
func (t *Task) LongHorizonSettings(quick bool) metrics.LongHorizonProtocol {
	p := t.LongHorizon
	if quick && p.Enabled() {
		p.Starts = min(p.Starts, 3)
		p.TEnd /= 4
		p.Points = max(2, (p.Points-1)/4+1)
	}
	return p
}
