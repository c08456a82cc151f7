package experiment

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/internal/buildinfo"
	"github.com/hnn-go/hnn/internal/check"
	"github.com/hnn-go/hnn/nn"
	"github.com/hnn-go/hnn/task"
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
		return StreamData
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
