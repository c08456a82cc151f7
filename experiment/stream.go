package experiment

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"time"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/internal/buildinfo"
	"github.com/hnn-go/hnn/internal/check"
	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/nn"
	"github.com/hnn-go/hnn/task"
	"github.com/hnn-go/hnn/train"
)

// Keys of a dataset directory's metadata (data.DiskDataset.Meta) that
// WriteDataset sets.
const (
	MetaTask     = "task"      // registered task name, or task.FileTaskName
	MetaSeed     = "seed"      // seed of the first copy
	MetaCopies   = "copies"    // number of generated copies
	MetaCopyRows = "copy_rows" // training rows of the first copy
	MetaSource   = "source"    // the converted file, for task.FileTaskName
)

// WriteOptions says what WriteDataset writes.
type WriteOptions struct {
	// Task is the registered task whose generator makes the data; or
	// Data, if not nil, is a trajectory file to convert.
	Task string
	Data *task.DataSource
	// Seed is the seed of the first copy: copy 0 is exactly the data
	// of a run of Task with this seed.
	Seed uint64
	// Copies is the number of datasets of the task generated one after
	// the other into the training files (default 1); every copy draws
	// from its own seeded source. The test rows are those of copy 0, a
	// test set of the task's own size.
	Copies Setting[int]
	// Float32 stores the rows as float32, half the size.
	Float32 bool
	// Progress, if not nil, gets one line per 10% of the copies.
	Progress io.Writer
}

// copyStream returns the data stream of copy k: copy 0 uses the runs' data
// stream, the others streams no run uses.
func copyStream(k int) uint64 {
	if k == 0 {
		return streamData
	}
	return 1<<32 + uint64(k)
}

// WriteDataset writes a dataset directory (data.DiskDataset) into dir: the
// training and test rows of o.Copies datasets of a task, generated and
// appended one copy at a time so that memory holds one copy whatever the
// total size, or the rows of a converted trajectory file. The directory's
// files are written atomically, its manifest last.
func WriteDataset(dir string, o WriteOptions) error {
	copies := 1
	if v, ok := o.Copies.Get(); ok {
		if err := check.Count("copies", v, 1, check.MaxCopies); err != nil {
			return err
		}
		copies = v
	}
	meta := map[string]string{MetaSeed: strconv.FormatUint(o.Seed, 10), MetaCopies: strconv.Itoa(copies),
		"build": buildinfo.Get(nn.BLAS).Version}
	if o.Data != nil {
		if copies != 1 {
			return errors.New("experiment: a converted file has one copy")
		}
		t, err := task.FromFile(*o.Data)
		if err != nil {
			return err
		}
		ds, err := t.Generate(nil)
		if err != nil {
			return err
		}
		meta[MetaTask], meta[MetaSource] = task.FileTaskName, o.Data.Path
		meta[MetaCopyRows] = strconv.Itoa(ds.Train.Len())
		return data.WriteDiskDataset(dir, ds, o.Float32, meta)
	}
	t, err := task.Get(o.Task)
	if err != nil {
		return err
	}
	if t.Generate == nil {
		return fmt.Errorf("experiment: task %s has no state-space data to write", t.Name)
	}
	meta[MetaTask] = t.Name
	var w *data.DiskWriter
	for k := range copies {
		ds, err := t.Generate(rand.New(rand.NewPCG(o.Seed, copyStream(k))))
		if err != nil {
			if w != nil {
				w.Abort()
			}
			return err
		}
		if k == 0 {
			meta[MetaCopyRows] = strconv.Itoa(ds.Train.Len())
			if w, err = data.CreateDiskDataset(dir, t.Dim, o.Float32, meta); err != nil {
				return err
			}
			if err := w.AppendTest(ds.Test.X, ds.Test.DX); err != nil {
				w.Abort()
				return err
			}
		}
		if err := w.AppendTrain(ds.Train.X, ds.Train.DX); err != nil {
			w.Abort()
			return err
		}
		if o.Progress != nil && (k+1)%max(1, copies/10) == 0 {
			fmt.Fprintf(o.Progress, "%s: %d of %d copies\n", dir, k+1, copies)
		}
	}
	return w.Close()
}

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
// file) and all test rows. For a one-copy dataset of a task these are
// the rows of an in-memory run with the same seed.
func evalSet(d *data.DiskDataset) (*data.Dataset, error) {
	n := d.TrainX.Len()
	if v, err := strconv.Atoi(d.Meta[MetaCopyRows]); err == nil && v > 0 && v < n {
		n = v
	}
	read := func(x, dx *data.RowFile, n int) (data.Set, error) {
		rows := make([]int, n)
		for i := range rows {
			rows[i] = i
		}
		s := data.Set{Dim: d.Dim, X: make([]float64, n*d.Dim), DX: make([]float64, n*d.Dim)}
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
func trainStream(s Spec, dir string, energy *EnergyTruth, k scorer, progress train.Progress) (*Run, error) {
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
	ev, err := evalSet(d)
	if err != nil {
		return nil, err
	}
	return trainWith(s, t, ev, dir, energy, start, k, func(float64s bool) (Trained, train.History, error) {
		if float64s {
			return fitStream[float64](s, d, ev, progress)
		}
		return fitStream[float32](s, d, ev, progress)
	})
}

func fitStream[T nn.Float](s Spec, d *data.DiskDataset, ev *data.Dataset, progress train.Progress) (Trained, train.History, error) {
	m, err := model.New[T](s.Model, rand.New(rand.NewPCG(s.Seed, streamInit)))
	if err != nil {
		return nil, train.History{}, err
	}
	src, err := train.NewDiskSource[T](d.TrainX, d.TrainDX)
	if err != nil {
		return nil, train.History{}, err
	}
	h, err := train.TrainSource(m, src, train.NewSetSource[T](&ev.Test), s.Train, rand.New(rand.NewPCG(s.Seed, streamBatch)), progress)
	return Wrap(m), h, err
}
