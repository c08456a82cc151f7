package experiment

import (
	"fmt"
	"time"

	"github.com/hnn-go/hnn/metrics"
	"github.com/hnn-go/hnn/task"
	"github.com/hnn-go/hnn/train"
)

// A kind is the behaviour of the runs of one kind of task (task.Kind):
// how they train, load their checkpoint and are evaluated, which energy
// truth they share and which figures they draw. Each kind is a value
// registered from its own file with registerKind (kind_system.go and
// kind_measured.go, both stateKind values, and pixels.go); a run streamed from disk (Spec.Stream)
// is of streamKind, which trains from disk and evaluates as its task's
// kind.
type kind interface {
	// train trains the model of s on the data of t, evaluates it and
	// saves the run into dir (see Train).
	train(s Spec, t *task.Task, dir string, energy *EnergyTruth, progress train.Progress) (*Run, error)
	// load reads the checkpoint of a run of s from dir.
	load(s Spec, dir string) (*Run, error)
	// evaluate recomputes the metrics of r, a run of t, from its model
	// and its data regenerated from the saved seed.
	evaluate(r *Run, t *task.Task) error
	// truth returns the true rollouts of the energy protocol p that the
	// runs of t share, or nil if the kind has none.
	truth(t *task.Task, p metrics.EnergyProtocol) (*EnergyTruth, error)
	// keepOwnErrorBars reports whether a model with a single seed keeps
	// its run's own error bars when seeds are combined.
	keepOwnErrorBars() bool
	// figures draws the figures of t from its seed-0 runs, with the
	// energy truth e of its runs (nil if none).
	figures(out *figureDir, t *task.Task, seed0 []*Run, e *EnergyTruth) error
}

var kinds = map[task.Kind]kind{}

// registerKind makes k the behaviour of the tasks of kind name. It panics
// if name has one; call it from init.
func registerKind(name task.Kind, k kind) {
	if _, ok := kinds[name]; ok {
		panic("experiment: duplicate task kind " + string(name))
	}
	kinds[name] = k
}

// kindOf returns the kind of the runs of s on t: streamKind for a run
// streamed from disk, else t's kind. It panics if t's kind has no
// behaviour registered (a task kind added without its file here).
func kindOf(s Spec, t *task.Task) kind {
	if s.Stream != "" {
		return streamKind{inner: kinds[t.Kind]}
	}
	k, ok := kinds[t.Kind]
	if !ok {
		panic(fmt.Sprintf("experiment: task %s: no behaviour registered for task kind %q", t.Name, t.Kind))
	}
	return k
}

// specKind returns the kind of s's runs without reading s's data: a run on
// a data file is measured (task.FromFile), a streamed one loads as a
// state-space run.
func specKind(s Spec) (kind, error) {
	switch {
	case s.Stream != "":
		return streamKind{}, nil
	case s.Data != nil:
		return kinds[task.KindMeasured], nil
	}
	t, err := task.Get(s.Task)
	if err != nil {
		return nil, err
	}
	return kindOf(s, t), nil
}

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
	// draw draws the kind's figures of t from its seed-0 runs, after the
	// dissipative figures every state-space kind draws.
	draw func(out *figureDir, t *task.Task, seed0 []*Run, e *EnergyTruth) error
}

func (k stateKind) train(s Spec, t *task.Task, dir string, energy *EnergyTruth, progress train.Progress) (*Run, error) {
	return trainState(k, s, t, dir, energy, progress)
}

func (stateKind) load(s Spec, dir string) (*Run, error) { return loadState(s, dir) }

func (k stateKind) evaluate(r *Run, t *task.Task) error { return evaluateState(k, r, t) }

func (k stateKind) score(r *Run, t *task.Task, energy *EnergyTruth) error {
	return k.scoreRun(r, t, energy)
}

func (k stateKind) truth(t *task.Task, p metrics.EnergyProtocol) (*EnergyTruth, error) {
	if k.newTruth == nil {
		return nil, nil
	}
	return k.newTruth(t, p)
}

func (k stateKind) keepOwnErrorBars() bool { return k.keepOwn }

func (k stateKind) figures(out *figureDir, t *task.Task, seed0 []*Run, e *EnergyTruth) error {
	if err := writeDissipativeFigures(out, t, seed0); err != nil {
		return err
	}
	return k.draw(out, t, seed0, e)
}

// trainState generates the rows of s, trains its state-space model in
// memory and evaluates it with the losses on the rows and k's score: the
// training of the system and measured kinds.
func trainState(k scorer, s Spec, t *task.Task, dir string, energy *EnergyTruth, progress train.Progress) (*Run, error) {
	start := time.Now()
	ds, err := Dataset(s)
	if err != nil {
		return nil, err
	}
	return trainWith(s, t, ds, dir, energy, start, k, func(float64s bool) (Trained, train.History, error) {
		if float64s {
			return fitModel[float64](s, t, ds, progress)
		}
		return fitModel[float32](s, t, ds, progress)
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

// streamKind is the kind of runs streamed from disk (Spec.Stream): they
// train in minibatches read from the dataset directory, and are evaluated
// on its rows (see evalSet) as inner, the kind of their task, scores
// them; a converted data file has no inner kind and only the losses.
type streamKind struct{ inner kind }

func (k streamKind) scorer() scorer {
	if sc, ok := k.inner.(scorer); ok {
		return sc
	}
	return nil
}

func (k streamKind) train(s Spec, t *task.Task, dir string, energy *EnergyTruth, progress train.Progress) (*Run, error) {
	return trainStream(s, dir, energy, k.scorer(), progress)
}

func (streamKind) load(s Spec, dir string) (*Run, error) { return loadState(s, dir) }

func (k streamKind) evaluate(r *Run, t *task.Task) error { return evaluateState(k.scorer(), r, t) }

func (k streamKind) truth(t *task.Task, p metrics.EnergyProtocol) (*EnergyTruth, error) {
	if k.inner == nil {
		return nil, nil
	}
	return k.inner.truth(t, p)
}

func (k streamKind) keepOwnErrorBars() bool { return k.inner != nil && k.inner.keepOwnErrorBars() }

func (k streamKind) figures(out *figureDir, t *task.Task, seed0 []*Run, e *EnergyTruth) error {
	if k.inner == nil {
		return nil
	}
	return k.inner.figures(out, t, seed0, e)
}
