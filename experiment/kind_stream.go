package experiment

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"time"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/metrics"
	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/nn"
	"github.com/hnn-go/hnn/task"
	"github.com/hnn-go/hnn/train"
)

// streamKind is the kind of runs streamed from disk (Source Streamed): they
// train in minibatches read from the dataset directory, and are evaluated
// on its rows (see evalSet) as inner, the kind of their task, scores
// them; a converted data file has no inner kind and only the losses.
type streamKind struct{ inner Kind }

func (k streamKind) scorer() scorer {
	if sc, ok := k.inner.(scorer); ok {
		return sc
	}
	return nil
}

func (k streamKind) Train(s Spec, t *task.Task, dir string, o Options) (*Run, error) {
	return trainStream(s, dir, o, k.scorer())
}

func (streamKind) Load(s Spec, dir string) (*Run, error) { return loadState(s, dir) }

func (k streamKind) Evaluate(r *Run, t *task.Task) error { return evaluateState(k.scorer(), r, t) }

func (k streamKind) Truth(t *task.Task, p metrics.EnergyProtocol) (*EnergyTruth, error) {
	if k.inner == nil {
		return nil, nil
	}
	return k.inner.Truth(t, p)
}

func (k streamKind) KeepOwnErrorBars() bool { return k.inner != nil && k.inner.KeepOwnErrorBars() }

// NewStreamSpec returns the settings of a run trained from the dataset
// directory dir (WriteDataset) for the given model kind and seed: its
// task's reference settings, or those of a data file for a converted one.
// The data are read in minibatches from disk while training (see
// train.DiskSource), so the dataset may be larger than memory.
func NewStreamSpec(dir, kind string, seed uint64, quick bool) (Spec, error) {
	d, err := data.OpenDiskDataset(dir)
	if err != nil {
		return Spec{}, err
	}
	defer d.Close()
	abs, err := filepath.Abs(dir)
	if err != nil {
		return Spec{}, fmt.Errorf("experiment: %w", err)
	}
	var s Spec
	switch tn := d.Meta[MetaTask]; tn {
	case task.FileTaskName, "":
		rows := d.TrainX.Len()
		batch := 0
		if rows > 5000 {
			batch = 1000
		}
		tc := train.Config{Steps: 2000, LR: 1e-3, WeightDecay: 1e-5, Batch: batch, LogEvery: 100}
		if quick {
			tc.Steps, tc.LogEvery = 400, 50
		}
		mc := model.Config{Kind: kind, Dim: d.Dim}.WithDefaults()
		if err := mc.Validate(); err != nil {
			return Spec{}, fmt.Errorf("%s: %w", dir, err)
		}
		s = Spec{Task: task.FileTaskName, Model: mc, Train: tc, Seed: seed, Quick: quick}
	default:
		if s, err = NewSpec(tn, kind, seed, quick); err != nil {
			return Spec{}, fmt.Errorf("experiment: %s: field %s: %w", filepath.Join(dir, "dataset.json"), MetaTask, err)
		}
		if s.Model.Dim != d.Dim {
			return Spec{}, fmt.Errorf("experiment: %s: dim %d, task %s has %d", filepath.Join(dir, "dataset.json"), d.Dim, tn, s.Model.Dim)
		}
	}
	s.Source = StreamSource(abs)
	return s, nil
}

// streamTask returns the task of a streamed run, whose registered task may
// be absent (a converted file): then a task of the dataset's dimension
// without a true energy.
func streamTask(s Spec, d *data.DiskDataset) (*task.Task, error) {
	if s.Task != task.FileTaskName {
		return task.Get(s.Task)
	}
	return &task.Task{Name: task.FileTaskName, Title: d.Meta[MetaSource], Dim: d.Dim, TrainRows: d.TrainX.Len()}, nil
}

// evalSet reads the rows that a streamed run is evaluated on: the
// training rows of the dataset's first copy (all rows of a converted
// file) and all test rows, in the layout l (the run's model's: a dataset
// directory keeps none). For a one-copy dataset of a task these are the
// rows of an in-memory run with the same seed.
func evalSet(d *data.DiskDataset, l data.Layout) (*data.Dataset, error) {
	n := d.TrainX.Len()
	if v, err := strconv.Atoi(d.Meta[MetaCopyRows]); err == nil && v > 0 && v < n {
		n = v
	}
	read := func(x, dx *data.RowFile, n int) (data.Set, error) {
		rows := make([]int, n)
		for i := range rows {
			rows[i] = i
		}
		s := data.Set{Dim: d.Dim, X: make([]float64, n*d.Dim), DX: make([]float64, n*d.Dim), Layout: l}
		if err := data.ReadRows(x, s.X, rows); err != nil {
			return s, err
		}
		return s, data.ReadRows(dx, s.DX, rows)
	}
	tr, err := read(d.TrainX, d.TrainDX, n)
	if err != nil {
		return nil, err
	}
	te, err := read(d.TestX, d.TestDX, d.TestX.Len())
	if err != nil {
		return nil, err
	}
	return &data.Dataset{Train: tr, Test: te}, nil
}

// trainStream trains the run of s from its dataset directory and
// evaluates it on the rows of evalSet with the losses and k's score (if
// k is not nil).
func trainStream(s Spec, dir string, o Options, k scorer) (*Run, error) {
	start := time.Now()
	if !s.Fit.IsDerivative() {
		return nil, fmt.Errorf("experiment: %s: the %s fit needs whole trajectories in memory; runs streamed from disk train with the derivative fit", s.Source.Dir, s.Fit.Mode)
	}
	d, err := data.OpenDiskDataset(s.Source.Dir)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	t, err := streamTask(s, d)
	if err != nil {
		return nil, err
	}
	ev, err := evalSet(d, s.Model.Layout)
	if err != nil {
		return nil, err
	}
	return trainWith(s, t, ev, dir, o.Energy, start, k, func(float64s bool) (Trained, train.History, error) {
		if float64s {
			return fitStream[float64](s, d, ev, dir, o)
		}
		return fitStream[float32](s, d, ev, dir, o)
	})
}

func fitStream[T nn.Float](s Spec, d *data.DiskDataset, ev *data.Dataset, dir string, o Options) (Trained, train.History, error) {
	m, err := model.New[T](s.Model, rand.New(rand.NewPCG(s.Seed, StreamInit)))
	if err != nil {
		return nil, train.History{}, err
	}
	src, err := train.NewDiskSource[T](d.TrainX, d.TrainDX)
	if err != nil {
		return nil, train.History{}, err
	}
	pcg := rand.NewPCG(s.Seed, StreamBatch)
	tc := s.Train
	tc.Checkpoint = o.Checkpoint(dir, pcg, nil)
	h, err := train.TrainSource(m, src, train.NewSetSource[T](&ev.Test), tc, rand.New(pcg), o.Progress)
	return Wrap(m), h, err
}
