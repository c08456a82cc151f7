package data

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hnn-go/hnn/internal/atomicfile"
	"github.com/hnn-go/hnn/internal/check"
)

// Names of the files of a DiskDataset in its directory.
const (
	manifestName = "dataset.json"
	trainXName   = "train_x.npy"
	trainDXName  = "train_dx.npy"
	testXName    = "test_x.npy"
	testDXName   = "test_dx.npy"
)

// manifest is the content of dataset.json.
type manifest struct {
	Dim       int               `json:"dim"`
	Dtype     string            `json:"dtype"` // "float32" or "float64"
	TrainRows int               `json:"train_rows"`
	TestRows  int               `json:"test_rows"`
	Source    map[string]string `json:"source"`
	Layout    Layout            `json:"layout,omitzero"`
}

// DiskDataset is a train/test split stored in a directory as four .npy
// row files, train_x.npy, train_dx.npy, test_x.npy and test_dx.npy, which
// hold the states and their time derivatives, and a manifest,
// dataset.json, which holds the state dimension ("dim"), the value type
// ("dtype": "float32" or "float64"), the row counts ("train_rows",
// "test_rows"), free-form metadata ("source") and, for states that are
// not canonical, their layout ("layout"). The manifest is written last,
// so that a directory holds a complete dataset if it has one.
type DiskDataset struct {
	// Dir is the directory of the dataset.
	Dir string
	// Dim is the state dimension, the number of columns of every file.
	Dim int
	// TrainX, TrainDX, TestX and TestDX are the open row files.
	TrainX, TrainDX, TestX, TestDX *RowFile
	// Meta is the "source" metadata of the manifest; it is not nil.
	Meta map[string]string
	// Layout is the layout of the states (resolved), the zero value for
	// a manifest without one (canonical states).
	Layout Layout
}

// OpenDiskDataset opens the dataset in directory dir. It returns an error
// naming the file and the field if the manifest cannot be read or is
// invalid, if a row file cannot be opened, or if the files disagree with
// the manifest or with each other: every file must have dim columns and
// the dtype of the manifest, and the train and test files train_rows and
// test_rows rows.
func OpenDiskDataset(dir string) (*DiskDataset, error) {
	mpath := filepath.Join(dir, manifestName)
	b, err := os.ReadFile(mpath)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("data: %s: %w", mpath, err)
	}
	if m.Dim < 1 {
		return nil, fmt.Errorf("data: %s: dim %d, expected a positive integer", mpath, m.Dim)
	}
	if m.Dtype != "float32" && m.Dtype != "float64" {
		return nil, fmt.Errorf("data: %s: dtype %s, expected \"float32\" or \"float64\"", mpath, check.Quote(m.Dtype))
	}
	if m.TrainRows < 0 || m.TestRows < 0 {
		return nil, fmt.Errorf("data: %s: train_rows %d and test_rows %d, expected non-negative integers", mpath, m.TrainRows, m.TestRows)
	}
	if m.Layout.declared() {
		l, err := m.Layout.Resolve(m.Dim)
		if err != nil {
			return nil, fmt.Errorf("data: %s: %s", mpath, strings.TrimPrefix(err.Error(), "data: "))
		}
		m.Layout = l
	}
	d := &DiskDataset{Dir: dir, Dim: m.Dim, Meta: m.Source, Layout: m.Layout}
	if d.Meta == nil {
		d.Meta = make(map[string]string)
	}
	files := []struct {
		f     **RowFile
		name  string
		rows  int
		field string
	}{
		{&d.TrainX, trainXName, m.TrainRows, "train_rows"},
		{&d.TrainDX, trainDXName, m.TrainRows, "train_rows"},
		{&d.TestX, testXName, m.TestRows, "test_rows"},
		{&d.TestDX, testDXName, m.TestRows, "test_rows"},
	}
	for _, file := range files {
		f, err := OpenRowFile(filepath.Join(dir, file.name))
		if err != nil {
			d.Close()
			return nil, err
		}
		*file.f = f
		var msg string
		switch {
		case f.Cols() != m.Dim:
			msg = fmt.Sprintf("%d columns, expected dim %d of %s", f.Cols(), m.Dim, mpath)
		case f.Float32() != (m.Dtype == "float32"):
			msg = fmt.Sprintf("%s values, expected dtype %s of %s", dtypeName(f.Float32()), m.Dtype, mpath)
		case f.Len() != file.rows:
			msg = fmt.Sprintf("%d rows, expected %s %d of %s", f.Len(), file.field, file.rows, mpath)
		}
		if msg != "" {
			d.Close()
			return nil, fmt.Errorf("data: %s: %s", f.Path(), msg)
		}
	}
	return d, nil
}

// dtypeName returns the manifest's name of the value type.
func dtypeName(float32 bool) string {
	if float32 {
		return "float32"
	}
	return "float64"
}

// Close closes the files of d that are open.
func (d *DiskDataset) Close() error {
	var errs []error
	for _, f := range []*RowFile{d.TrainX, d.TrainDX, d.TestX, d.TestDX} {
		if f != nil {
			errs = append(errs, f.Close())
		}
	}
	return errors.Join(errs...)
}

// DiskWriter writes a DiskDataset incrementally, as generators append
// their trajectories one by one. Nothing of an earlier dataset in the
// directory changes before Close.
//
// A DiskWriter is not safe for concurrent use.
type DiskWriter struct {
	dir   string
	dim   int
	f32   bool
	meta  map[string]string
	lay   Layout
	train [2]*RowWriter // x, dx
	test  [2]*RowWriter
	done  bool
}

// CreateDiskDataset starts writing a dataset of states of dimension dim to
// directory dir, creating the directory if needed, with float32 values if
// float32 is true and float64 values otherwise. meta becomes the
// manifest's "source" metadata; it is copied. CreateDiskDataset panics if
// dim < 1.
func CreateDiskDataset(dir string, dim int, float32 bool, meta map[string]string) (*DiskWriter, error) {
	if dim < 1 {
		panic("data: CreateDiskDataset: dim < 1")
	}
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	w := &DiskWriter{dir: dir, dim: dim, f32: float32, meta: maps.Clone(meta)}
	if w.meta == nil {
		w.meta = make(map[string]string)
	}
	for i, name := range []string{trainXName, trainDXName, testXName, testDXName} {
		rw, err := CreateRowFile(filepath.Join(dir, name), dim, float32)
		if err != nil {
			w.Abort()
			return nil, err
		}
		if i < 2 {
			w.train[i] = rw
		} else {
			w.test[i-2] = rw
		}
	}
	return w, nil
}

// SetLayout records the layout of the states in the manifest. It returns
// an error, and records nothing, if l does not fit the dimension (see
// Layout.Resolve). It panics after Close or Abort.
func (w *DiskWriter) SetLayout(l Layout) error {
	if w.done {
		panic("data: SetLayout after Close or Abort")
	}
	if !l.declared() {
		w.lay = Layout{}
		return nil
	}
	r, err := l.Resolve(w.dim)
	if err != nil {
		return fmt.Errorf("data: %s: %s", w.dir, strings.TrimPrefix(err.Error(), "data: "))
	}
	w.lay = r
	return nil
}

// AppendTrain appends states x and their derivatives dx to the training
// set, len(x)/dim rows. It returns an error naming the file and the row,
// and appends nothing, if a value cannot be stored (see RowWriter.Append).
// It panics if len(x) != len(dx), if len(x) is not a multiple of dim, or
// after Close or Abort.
func (w *DiskWriter) AppendTrain(x, dx []float64) error {
	return w.append(w.train, x, dx)
}

// AppendTest appends states x and their derivatives dx to the test set,
// as AppendTrain does to the training set.
func (w *DiskWriter) AppendTest(x, dx []float64) error {
	return w.append(w.test, x, dx)
}

func (w *DiskWriter) append(rw [2]*RowWriter, x, dx []float64) error {
	if len(x) != len(dx) {
		panic("data: DiskWriter: len(x) != len(dx)")
	}
	if len(x)%w.dim != 0 {
		panic("data: DiskWriter: len(x) is not a multiple of dim")
	}
	if w.done {
		panic("data: DiskWriter: append after Close or Abort")
	}
	// Check both before writing either, so that the files stay aligned.
	if err := rw[0].check(x); err != nil {
		return err
	}
	if err := rw[1].check(dx); err != nil {
		return err
	}
	if err := rw[0].write(x); err != nil {
		return err
	}
	return rw[1].write(dx)
}

// Close finishes the four row files, replacing those of an earlier dataset
// in the directory, and then writes the manifest. It removes an earlier
// manifest first, so that a crash midway leaves no manifest rather than one
// that describes other files. If a step fails, Close removes what it has
// not yet renamed into place and returns the error. Close returns an error
// if Close or Abort has been called before.
func (w *DiskWriter) Close() error {
	if w.done {
		return fmt.Errorf("data: %s: %w", w.dir, fs.ErrClosed)
	}
	w.done = true
	rws := []*RowWriter{w.train[0], w.train[1], w.test[0], w.test[1]}
	abort := func() {
		for _, rw := range rws {
			rw.Abort()
		}
	}
	for _, rw := range rws {
		if rw.err != nil {
			abort()
			return rw.err
		}
	}
	mpath := filepath.Join(w.dir, manifestName)
	if err := os.Remove(mpath); err != nil && !errors.Is(err, fs.ErrNotExist) {
		abort()
		return fmt.Errorf("data: %w", err)
	}
	for _, rw := range rws {
		if err := rw.Close(); err != nil {
			abort()
			return err
		}
	}
	m := manifest{
		Dim:       w.dim,
		Dtype:     dtypeName(w.f32),
		TrainRows: w.train[0].Len(),
		TestRows:  w.test[0].Len(),
		Source:    w.meta,
		Layout:    w.lay,
	}
	b, err := json.MarshalIndent(m, "", "\t")
	if err != nil {
		return fmt.Errorf("data: %s: %w", mpath, err)
	}
	if err := atomicfile.WriteFile(mpath, append(b, '\n'), 0o666); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	return nil
}

// Abort removes the temporary files, leaving the directory as it was. It
// does nothing if Close or Abort has been called before, so it may be
// deferred right after CreateDiskDataset. It returns the first error
// removing a file.
func (w *DiskWriter) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	var errs []error
	for _, rw := range []*RowWriter{w.train[0], w.train[1], w.test[0], w.test[1]} {
		if rw != nil {
			errs = append(errs, rw.Abort())
		}
	}
	return errors.Join(errs...)
}

// WriteDiskDataset writes ds to directory dir as a DiskDataset, as
// CreateDiskDataset, AppendTrain, AppendTest and Close do. The dimension
// is ds.Train.Dim, or ds.Test.Dim if the training set is empty, and the
// layout ds.Train.Layout. It returns an error, and writes nothing, if the
// sets of ds have different dimensions or layouts, if their lengths do
// not match them, if the layout does not fit, or if a value cannot be
// stored.
func WriteDiskDataset(dir string, ds *Dataset, float32 bool, meta map[string]string) error {
	dim := ds.Train.Dim
	if dim == 0 && len(ds.Train.X) == 0 {
		dim = ds.Test.Dim
	}
	if dim < 1 {
		return fmt.Errorf("data: %s: dim %d, expected a positive integer", dir, dim)
	}
	sets := []struct {
		name string
		s    *Set
	}{{"train", &ds.Train}, {"test", &ds.Test}}
	for _, set := range sets {
		s := set.s
		if s.Dim != dim && len(s.X)+len(s.DX) > 0 {
			return fmt.Errorf("data: %s: %s dim %d, expected %d like the training set", dir, set.name, s.Dim, dim)
		}
		if len(s.X)%dim != 0 || len(s.DX) != len(s.X) {
			return fmt.Errorf("data: %s: %s set has %d values of X and %d of DX, expected equal multiples of dim %d",
				dir, set.name, len(s.X), len(s.DX), dim)
		}
	}
	lt, le := ds.Train.Layout, ds.Test.Layout
	if lt.Positions != le.Positions || lt.Velocities != le.Velocities || lt.Inputs != le.Inputs || !slices.Equal(lt.Angles, le.Angles) {
		return fmt.Errorf("data: %s: test layout %+v, expected %+v like the training set", dir, le, lt)
	}
	if _, err := lt.Resolve(dim); lt.declared() && err != nil {
		return fmt.Errorf("data: %s: %s", dir, strings.TrimPrefix(err.Error(), "data: "))
	}
	w, err := CreateDiskDataset(dir, dim, float32, meta)
	if err != nil {
		return err
	}
	defer w.Abort()
	if err := w.SetLayout(lt); err != nil {
		return err
	}
	if err := w.AppendTrain(ds.Train.X, ds.Train.DX); err != nil {
		return err
	}
	if err := w.AppendTest(ds.Test.X, ds.Test.DX); err != nil {
		return err
	}
	return w.Close()
}
