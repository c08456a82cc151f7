package data_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hnn-go/hnn/data"
)

// testDataset returns a dataset of dimension dim with the given numbers of
// train and test rows.
func testDataset(dim, train, test int) *data.Dataset {
	return &data.Dataset{
		Train: data.Set{Dim: dim, X: randomRows(train, dim, 21), DX: randomRows(train, dim, 22)},
		Test:  data.Set{Dim: dim, X: randomRows(test, dim, 23), DX: randomRows(test, dim, 24)},
	}
}

// readAll returns all rows of f.
func readAll(t *testing.T, f *data.RowFile) []float64 {
	t.Helper()
	idx := make([]int, f.Len())
	for i := range idx {
		idx[i] = i
	}
	dst := make([]float64, f.Len()*f.Cols())
	if err := data.ReadRows(f, dst, idx); err != nil {
		t.Fatal(err)
	}
	return dst
}

// storedAll returns vals as a file of float32 values, if f32, stores them.
func storedAll(vals []float64, f32 bool) []float64 {
	out := make([]float64, len(vals))
	for i, v := range vals {
		out[i] = stored(v, f32)
	}
	return out
}

func TestDiskDatasetRoundTrip(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		dim, train, test int
		f32              bool
	}{
		{dim: 2, train: 100, test: 30},
		{dim: 4, train: 100, test: 30, f32: true},
		{dim: 3, train: 5, test: 0},
		{dim: 3, train: 0, test: 5},
	} {
		t.Run(fmt.Sprintf("dim=%d/train=%d/test=%d/f32=%t", tc.dim, tc.train, tc.test, tc.f32), func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "ds")
			ds := testDataset(tc.dim, tc.train, tc.test)
			meta := map[string]string{"system": "spring", "seed": "1"}
			if err := data.WriteDiskDataset(dir, ds, tc.f32, meta); err != nil {
				t.Fatal(err)
			}
			if names := dirNames(t, dir); !slices.Equal(names, []string{"dataset.json", "test_dx.npy", "test_x.npy", "train_dx.npy", "train_x.npy"}) {
				t.Errorf("directory holds %q", names)
			}
			d, err := data.OpenDiskDataset(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if d.Dir != dir || d.Dim != tc.dim || !maps.Equal(d.Meta, meta) {
				t.Errorf("Dir, Dim, Meta = %q, %d, %v, want %q, %d, %v", d.Dir, d.Dim, d.Meta, dir, tc.dim, meta)
			}
			for _, c := range []struct {
				name string
				f    *data.RowFile
				want []float64
			}{
				{"train_x", d.TrainX, ds.Train.X},
				{"train_dx", d.TrainDX, ds.Train.DX},
				{"test_x", d.TestX, ds.Test.X},
				{"test_dx", d.TestDX, ds.Test.DX},
			} {
				if got := readAll(t, c.f); !slices.Equal(got, storedAll(c.want, tc.f32)) {
					t.Errorf("%s: values differ", c.name)
				}
				if c.f.Path() != filepath.Join(dir, c.name+".npy") || c.f.Float32() != tc.f32 {
					t.Errorf("%s: Path %q, Float32 %t", c.name, c.f.Path(), c.f.Float32())
				}
			}
			b, err := os.ReadFile(filepath.Join(dir, "dataset.json"))
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]any
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			dtype := map[bool]string{false: "float64", true: "float32"}[tc.f32]
			if m["dim"] != float64(tc.dim) || m["dtype"] != dtype || m["train_rows"] != float64(tc.train) || m["test_rows"] != float64(tc.test) {
				t.Errorf("dataset.json: %s", b)
			}
		})
	}
}

func TestDiskWriter(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "ds")
	meta := map[string]string{"k": "v"}
	w, err := data.CreateDiskDataset(dir, 2, false, meta)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	meta["k"] = "changed" // The writer keeps a copy.
	var x, dx []float64
	for i := range 5 {
		xi, dxi := randomRows(i+1, 2, uint64(2*i)), randomRows(i+1, 2, uint64(2*i+1))
		if err := w.AppendTrain(xi, dxi); err != nil {
			t.Fatal(err)
		}
		x, dx = append(x, xi...), append(dx, dxi...)
	}
	// A bad value in dx appends nothing, not even x.
	err = w.AppendTrain([]float64{1, 2}, []float64{3, math.NaN()})
	if want := filepath.Join(dir, "train_dx.npy") + ": row 15, column 1: value NaN"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v, want one containing %q", err, want)
	}
	if err := w.AppendTest([]float64{1, 2}, []float64{3, 4}); err != nil {
		t.Fatal(err)
	}
	if names := dirNames(t, dir); len(names) != 4 || slices.Contains(names, "dataset.json") {
		t.Errorf("before Close: directory holds %q, want four temporary files", names)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); !errors.Is(err, fs.ErrClosed) {
		t.Errorf("second Close: error %v, want fs.ErrClosed", err)
	}
	d, err := data.OpenDiskDataset(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if d.TrainX.Len() != 15 || d.TestX.Len() != 1 || d.Meta["k"] != "v" {
		t.Errorf("%d train rows, %d test rows, meta %v, want 15, 1, map[k:v]", d.TrainX.Len(), d.TestX.Len(), d.Meta)
	}
	if !slices.Equal(readAll(t, d.TrainX), x) || !slices.Equal(readAll(t, d.TrainDX), dx) {
		t.Errorf("training rows differ")
	}
	if !slices.Equal(readAll(t, d.TestDX), []float64{3, 4}) {
		t.Errorf("test rows differ")
	}
}

func TestDiskWriterAbort(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := data.WriteDiskDataset(dir, testDataset(2, 10, 5), false, nil); err != nil {
		t.Fatal(err)
	}
	before := readDir(t, dir)
	w, err := data.CreateDiskDataset(dir, 3, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.AppendTrain([]float64{1, 2, 3}, []float64{4, 5, 6}); err != nil {
		t.Fatal(err)
	}
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	if err := w.Abort(); err != nil {
		t.Errorf("second Abort: %v", err)
	}
	if after := readDir(t, dir); !maps.Equal(before, after) {
		t.Errorf("Abort changed the directory")
	}
	d, err := data.OpenDiskDataset(dir)
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
}

// readDir returns the contents of the files in dir by name.
func readDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := make(map[string]string)
	for _, name := range dirNames(t, dir) {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		m[name] = string(b)
	}
	return m
}

func TestOpenDiskDatasetError(t *testing.T) {
	t.Parallel()
	writeManifest := func(s string) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			if err := os.WriteFile(filepath.Join(dir, "dataset.json"), []byte(s), 0o666); err != nil {
				t.Fatal(err)
			}
		}
	}
	writeNPY := func(name string, a data.Array) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			if err := data.WriteNPY(filepath.Join(dir, name), a); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, dir string)
		file   string // the file the error must name
		want   string
	}{
		{"no manifest", func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, "dataset.json")) },
			"dataset.json", "no such file"},
		{"bad json", writeManifest(`{"dim": 2,`), "dataset.json", "unexpected end of JSON input"},
		{"dim type", writeManifest(`{"dim": "2", "dtype": "float64"}`), "dataset.json", "dim"},
		{"dim zero", writeManifest(`{"dtype": "float64", "train_rows": 3, "test_rows": 2}`), "dataset.json", "dim 0, expected a positive integer"},
		{"dtype", writeManifest(`{"dim": 2, "dtype": "int8", "train_rows": 3, "test_rows": 2}`), "dataset.json", `dtype "int8"`},
		{"negative rows", writeManifest(`{"dim": 2, "dtype": "float64", "train_rows": -3, "test_rows": 2}`), "dataset.json", "train_rows -3"},
		{"dim != cols", writeManifest(`{"dim": 3, "dtype": "float64", "train_rows": 3, "test_rows": 2}`), "train_x.npy", "2 columns, expected dim 3"},
		{"dtype != file", writeManifest(`{"dim": 2, "dtype": "float32", "train_rows": 3, "test_rows": 2}`), "train_x.npy", "float64 values, expected dtype float32"},
		{"train_rows", writeManifest(`{"dim": 2, "dtype": "float64", "train_rows": 4, "test_rows": 2}`), "train_x.npy", "3 rows, expected train_rows 4"},
		{"test_dx rows", writeNPY("test_dx.npy", data.Array{Shape: []int{3, 2}, Data: make([]float64, 6)}), "test_dx.npy", "3 rows, expected test_rows 2"},
		{"train_dx cols", writeNPY("train_dx.npy", data.Array{Shape: []int{3, 1}, Data: make([]float64, 3)}), "train_dx.npy", "1 columns, expected dim 2"},
		{"test_x 1-D", writeNPY("test_x.npy", data.Array{Shape: []int{4}, Data: make([]float64, 4)}), "test_x.npy", "expected 2 dimensions"},
		{"missing file", func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, "train_dx.npy")) },
			"train_dx.npy", "no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if err := data.WriteDiskDataset(dir, testDataset(2, 3, 2), false, nil); err != nil {
				t.Fatal(err)
			}
			tc.change(t, dir)
			d, err := data.OpenDiskDataset(dir)
			if err == nil {
				d.Close()
				t.Fatal("no error")
			}
			msg := err.Error()
			if !strings.Contains(msg, filepath.Join(dir, tc.file)) || !strings.Contains(msg, tc.want) || strings.Contains(msg, "\n") {
				t.Errorf("error %q, want one line naming %s and containing %q", msg, tc.file, tc.want)
			}
		})
	}
}

func TestWriteDiskDatasetError(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		ds   *data.Dataset
		want string
	}{
		{"dim zero", &data.Dataset{}, "dim 0"},
		{"test dim", &data.Dataset{
			Train: data.Set{Dim: 2, X: []float64{1, 2}, DX: []float64{3, 4}},
			Test:  data.Set{Dim: 3, X: []float64{1, 2, 3}, DX: []float64{3, 4, 5}},
		}, "test dim 3, expected 2"},
		{"ragged X", &data.Dataset{Train: data.Set{Dim: 2, X: []float64{1, 2, 3}, DX: []float64{3, 4, 5}}}, "train set has 3 values of X"},
		{"short DX", &data.Dataset{Train: data.Set{Dim: 2, X: []float64{1, 2}, DX: []float64{3}}}, "1 of DX"},
		{"NaN", &data.Dataset{Test: data.Set{Dim: 1, X: []float64{1, math.NaN()}, DX: []float64{3, 4}}}, "test_x.npy: row 1, column 0: value NaN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			err := data.WriteDiskDataset(dir, tc.ds, false, nil)
			if err == nil || !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one naming %s and containing %q", err, dir, tc.want)
			}
			if names := dirNames(t, dir); len(names) != 0 {
				t.Errorf("directory holds %q, want nothing", names)
			}
		})
	}
}

func ExampleWriteDiskDataset() {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	ds := &data.Dataset{
		Train: data.Set{Dim: 2, X: []float64{1, 0, 0, 1, -1, 0}, DX: []float64{0, -1, 1, 0, 0, 1}},
		Test:  data.Set{Dim: 2, X: []float64{0, -1}, DX: []float64{-1, 0}},
	}
	if err := data.WriteDiskDataset(dir, ds, true, map[string]string{"system": "spring"}); err != nil {
		log.Fatal(err)
	}
	d, err := data.OpenDiskDataset(dir)
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	x := make([]float64, d.Dim)
	if err := data.ReadRows(d.TrainX, x, []int{2}); err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.TrainX.Len(), d.TestX.Len(), d.Meta["system"], x)
	// Output: 3 1 spring [-1 0]
}

// TestDiskDatasetLayout checks that a dataset keeps the layout of its
// states on disk, that a manifest without one reads as canonical, and
// that layouts that do not fit are refused with one-line errors.
func TestDiskDatasetLayout(t *testing.T) {
	t.Parallel()
	ds := testDataset(3, 4, 2)
	l := data.Layout{Velocities: true, Inputs: 1, Angles: []int{0}}
	ds.Train.Layout, ds.Test.Layout = l, l
	dir := t.TempDir()
	if err := data.WriteDiskDataset(dir, ds, false, nil); err != nil {
		t.Fatal(err)
	}
	d, err := data.OpenDiskDataset(dir)
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	if got := d.Layout; got.Positions != 1 || !got.Velocities || got.Inputs != 1 || !slices.Equal(got.Angles, []int{0}) {
		t.Errorf("layout %+v, want %+v resolved", got, l)
	}

	plain := t.TempDir()
	if err := data.WriteDiskDataset(plain, testDataset(2, 3, 2), false, nil); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(plain, "dataset.json"))
	if err != nil || strings.Contains(string(b), "layout") {
		t.Errorf("a canonical dataset's manifest names a layout: %s (%v)", b, err)
	}
	if d, err := data.OpenDiskDataset(plain); err != nil || !d.Layout.Canonical() || d.Layout.Positions != 0 {
		t.Errorf("canonical dataset: layout %+v, %v", d.Layout, err)
	} else {
		d.Close()
	}
	// A manifest whose layout does not fit its dim.
	bad := strings.Replace(string(b), `"dim": 2,`, `"dim": 2, "layout": {"angles": [1]},`, 1)
	if err := os.WriteFile(filepath.Join(plain, "dataset.json"), []byte(bad), 0o666); err != nil {
		t.Fatal(err)
	}
	if _, err := data.OpenDiskDataset(plain); err == nil || !strings.Contains(err.Error(), "dataset.json: layout: angle column 1 is one of the momenta") {
		t.Errorf("angle on a momentum in the manifest: %v", err)
	}

	mixed := testDataset(3, 4, 2)
	mixed.Train.Layout = l
	if err := data.WriteDiskDataset(t.TempDir(), mixed, false, nil); err == nil || !strings.Contains(err.Error(), "test layout") {
		t.Errorf("different layouts: %v", err)
	}
	odd := testDataset(3, 4, 2)
	odd.Train.Layout, odd.Test.Layout = data.Layout{Inputs: 2}, data.Layout{Inputs: 2}
	if err := data.WriteDiskDataset(t.TempDir(), odd, false, nil); err == nil || !strings.Contains(err.Error(), "3 columns with 2 inputs") {
		t.Errorf("layout that does not fit: %v", err)
	}
	w, err := data.CreateDiskDataset(t.TempDir(), 4, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	if err := w.SetLayout(data.Layout{Inputs: 1}); err == nil {
		t.Error("SetLayout accepted 1 input beside an odd number of positions and momenta")
	}
	if err := w.SetLayout(data.Layout{Velocities: true, Inputs: 2}); err != nil {
		t.Errorf("SetLayout: %v", err)
	}
}
