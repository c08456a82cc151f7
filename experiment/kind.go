package experiment

import (
	"time"

	"github.com/hnn-go/hnn/metrics"
	"github.com/hnn-go/hnn/task"
	"github.com/hnn-go/hnn/train"
)

// A Kind is the behaviour of the runs of one kind of task (task.Kind):
// how they train, load their checkpoint and are evaluated, and which
// energy truth they share. Each kind is a value registered with
// RegisterKind from its own file or package: the state-space kinds here
// (kind_system.go and kind_measured.go, both stateKind values), the pixel
// kind in package experiment/pixel, which registers itself when imported.
// A run streamed from disk (Source.Kind Streamed) is of streamKind, which
// trains from disk and evaluates as its task's kind. A kind's figures are
// registered apart, in package experiment/report.
type Kind interface {
	// Train trains the model of s on the data of t, evaluates it and
	// saves the run into dir (see TrainWith), with the settings of o
	// that change none of its numbers: the energy truth the runs of t
	// share, progress, checkpoints (o.Checkpoint gives the loop's) and
	// the stop signal.
	Train(s Spec, t *task.Task, dir string, o Options) (*Run, error)
	// Load reads the checkpoint of a run of s from dir.
	Load(s Spec, dir string) (*Run, error)
	// Evaluate recomputes the metrics of r, a run of t, from its model
	// and its data regenerated from the saved seed.
	Evaluate(r *Run, t *task.Task) error
	// Truth returns the true rollouts of the energy protocol p that the
	// runs of t share, or nil if the kind has none.
	Truth(t *task.Task, p metrics.EnergyProtocol) (*EnergyTruth, error)
	// KeepOwnErrorBars reports whether a model with a single seed keeps
	// its run's own error bars when seeds are combined.
	KeepOwnErrorBars() bool
}

// RowCoster is implemented by the kinds whose training rows cost more
// than a state-space row: RowCost is the factor, relative to a
// state-space baseline's row (200-wide hidden layers), that schedules the
// costliest runs first (see KindOf and reproduce's scheduling).
type RowCoster interface {
	RowCost() float64
}

var kinds = map[task.Kind]Kind{}

// RegisterKind makes k the behaviour of the tasks of kind name. It panics
// if name has one; call it from init.
func RegisterKind(name task.Kind, k Kind) {
	if _, ok := kinds[name]; ok {
		panic("experiment: duplicate task kind " + string(name))
	}
	kinds[name] = k
}

// KindOf returns the kind of the runs of s on t: streamKind for a run
// streamed from disk, else t's kind. It panics if t's kind has no
// behaviour registered (a task kind whose package is not imported).
func KindOf(s Spec, t *task.Task) Kind { return s.Source.kind(t) }

// scorer fills the metrics a state-space run has beyond its row losses:
// what the system and measured kinds add.
type scorer interface {
	score(r *Run, t *task.Task, energy *EnergyTruth) error
}

// stateKind is a kind of task whose runs train a state-space model on
// rows in memory (the system and measured kinds): they share training,
// loading and the row losses, and differ in the fields below, which each
// kind's file sets.
type stateKind struct {
	// scoreRun fills the metrics beyond the row losses; energy, if not
	// nil, holds the true rollouts of the energy protocol.
	scoreRun func(r *Run, t *task.Task, energy *EnergyTruth) error
	// newTruth, if not nil, computes the true rollouts of the energy
	// protocol p that the runs of t share.
	newTruth func(t *task.Task, p metrics.EnergyProtocol) (*EnergyTruth, error)
	// keepOwn is keepOwnErrorBars.
	keepOwn bool
}

func (k stateKind) Train(s Spec, t *task.Task, dir string, o Options) (*Run, error) {
	return trainState(k, s, t, dir, o)
}

func (stateKind) Load(s Spec, dir string) (*Run, error) { return loadState(s, dir) }

func (k stateKind) Evaluate(r *Run, t *task.Task) error { return evaluateState(k, r, t) }

func (k stateKind) score(r *Run, t *task.Task, energy *EnergyTruth) error {
	return k.scoreRun(r, t, energy)
}

func (k stateKind) Truth(t *task.Task, p metrics.EnergyProtocol) (*EnergyTruth, error) {
	if k.newTruth == nil {
		return nil, nil
	}
	return k.newTruth(t, p)
}

func (k stateKind) KeepOwnErrorBars() bool { return k.keepOwn }

// trainState generates the rows of s, trains its state-space model in
// memory and evaluates it with the losses on the rows and k's score: the
// training of the system and measured kinds.
func trainState(k scorer, s Spec, t *task.Task, dir string, o Options) (*Run, error) {
	start := time.Now()
	ds, err := Dataset(s)
	if err != nil {
		return nil, err
	}
	return trainWith(s, t, ds, dir, o.Energy, start, k, func(float64s bool) (Trained, train.History, error) {
		if float64s {
			return fitModel[float64](s, t, ds, dir, o)
		}
		return fitModel[float32](s, t, ds, dir, o)
	})
}

// evaluateState recomputes the metrics of a state-space run: the losses
// on its regenerated rows and k's score.
func evaluateState(k scorer, r *Run, t *task.Task) error {
	ds, err := Dataset(r.Spec)
	if err != nil {
		return err
	}
	return r.evaluate(k, t, ds, nil)
}
