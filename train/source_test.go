package train_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"testing"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/nn"
	"github.com/hnn-go/hnn/train"
)

// sources are the training and test sources of a DiskDataset.
type sources[T nn.Float] struct {
	ds          *data.DiskDataset
	train, test *train.DiskSource[T]
}

// diskSources writes ds to a DiskDataset in a temporary directory, with
// float32 values if f32 is set, opens it and returns its sources; the test
// closes the files at its end.
func diskSources[T nn.Float](t *testing.T, ds *data.Dataset, f32 bool) sources[T] {
	t.Helper()
	dir := t.TempDir()
	if err := data.WriteDiskDataset(dir, ds, f32, map[string]string{"test": t.Name()}); err != nil {
		t.Fatal(err)
	}
	d, err := data.OpenDiskDataset(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	tr, err := train.NewDiskSource[T](d.TrainX, d.TrainDX)
	if err != nil {
		t.Fatal(err)
	}
	te, err := train.NewDiskSource[T](d.TestX, d.TestDX)
	if err != nil {
		t.Fatal(err)
	}
	return sources[T]{d, tr, te}
}

// roundSet returns s with its values rounded to float32, the numbers a
// float32 file holds.
func roundSet(s data.Set) data.Set {
	r := s
	r.X, r.DX = make([]float64, len(s.X)), make([]float64, len(s.DX))
	for i := range s.X {
		r.X[i], r.DX[i] = float64(float32(s.X[i])), float64(float32(s.DX[i]))
	}
	return r
}

// TestDiskMatchesMemory trains from a DiskDataset written from a
// data.Dataset and from the Dataset itself, with the same seeds, and
// checks that the parameters and the whole history (batch and test losses)
// are the same bit for bit: the files hold the same numbers as the model's
// converted Set (a float32 file read into float32 equals float64 data
// converted to float32; a float32 file read into float64 equals the data
// rounded to float32), and the reader draws the same minibatches in the
// same order. It covers minibatches with and without workers and the full
// batch, which a disk source gathers once.
func TestDiskMatchesMemory(t *testing.T) {
	t.Parallel()
	ds := springData(t, 11)
	for _, tc := range []struct {
		f32     bool // the file's values
		model   string
		c       train.Config
		rounded bool // compare with the data rounded to float32
	}{
		{f32: false, model: "float64", c: train.Config{Batch: 32, Average: 0.9}},
		{f32: true, model: "float32", c: train.Config{Batch: 32, Average: 0.9}},
		{f32: false, model: "float32", c: train.Config{Batch: 32}},
		{f32: true, model: "float64", c: train.Config{Batch: 32}, rounded: true},
		{f32: true, model: "float32", c: train.Config{Batch: 50, Workers: 2}},
		{f32: false, model: "float64", c: train.Config{Batch: 50, Workers: 3}},
		{f32: true, model: "float32", c: train.Config{}},
		{f32: true, model: "float32", c: train.Config{Workers: 2}},
	} {
		tc.c.Steps, tc.c.LogEvery, tc.c.LR = 60, 20, 3e-3
		name := fmt.Sprintf("file_f32=%v/model=%s/batch=%d/workers=%d", tc.f32, tc.model, tc.c.Batch, tc.c.Workers)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			mem := ds
			if tc.rounded {
				mem = &data.Dataset{Train: roundSet(ds.Train), Test: roundSet(ds.Test)}
			}
			if tc.model == "float32" {
				testDiskMatchesMemory[float32](t, ds, mem, tc.f32, tc.c)
			} else {
				testDiskMatchesMemory[float64](t, ds, mem, tc.f32, tc.c)
			}
		})
	}
}

func testDiskMatchesMemory[T nn.Float](t *testing.T, ds, mem *data.Dataset, f32 bool, c train.Config) {
	src := diskSources[T](t, ds, f32)
	cfg := model.Config{Kind: "hnn", Dim: 2, Hidden: []int{16, 16}}
	m1, _ := model.New[T](cfg, rand.New(rand.NewPCG(9, 2)))
	h1, err := train.Train(m1, &mem.Train, &mem.Test, c, rand.New(rand.NewPCG(9, 3)), nil)
	if err != nil {
		t.Fatal(err)
	}
	m2, _ := model.New[T](cfg, rand.New(rand.NewPCG(9, 2)))
	h2, err := train.TrainSource(m2, src.train, src.test, c, rand.New(rand.NewPCG(9, 3)), nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range m1.Params() {
		if m2.Params()[i] != v {
			t.Fatalf("parameter %d: %v from disk, %v from memory", i, m2.Params()[i], v)
		}
	}
	if fmt.Sprint(h1.Log) != fmt.Sprint(h2.Log) {
		t.Errorf("history from disk %v, from memory %v", h2.Log, h1.Log)
	}
}

// TestTrainSourceMatchesTrain checks that TrainSource on in-memory sources
// is Train: the same parameters and history, bit for bit, also with a test
// set of more rows than a disk source's test chunk.
func TestTrainSourceMatchesTrain(t *testing.T) {
	t.Parallel()
	ds := springData(t, 12)
	ds.Test = *randomRows(2500, 2, rand.New(rand.NewPCG(12, 4)))
	c := train.Config{Steps: 40, Batch: 25, LogEvery: 10, Average: 0.5}
	cfg := model.Config{Kind: "baseline", Dim: 2, Hidden: []int{16}}
	m1, _ := model.New[float32](cfg, rand.New(rand.NewPCG(9, 2)))
	h1, err := train.Train(m1, &ds.Train, &ds.Test, c, rand.New(rand.NewPCG(9, 3)), nil)
	if err != nil {
		t.Fatal(err)
	}
	m2, _ := model.New[float32](cfg, rand.New(rand.NewPCG(9, 2)))
	h2, err := train.TrainSource[float32](m2, train.NewSetSource[float32](&ds.Train), train.NewSetSource[float32](&ds.Test), c, rand.New(rand.NewPCG(9, 3)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(h1.Log, m1.Params()) != fmt.Sprint(h2.Log, m2.Params()) {
		t.Errorf("TrainSource differs from Train: history %v, want %v", h2.Log, h1.Log)
	}
}

// failing is a Source that fails on its fail-th Gather.
type failing struct {
	train.Source[float32]
	calls, fail int
}

var errInjected = errors.New("injected read error")

func (f *failing) Gather(bx, by []float32, rows []int) error {
	f.calls++
	if f.calls == f.fail {
		return errInjected
	}
	return f.Source.Gather(bx, by, rows)
}

// TestReadErrorSurfaces checks that an error reading the data ends
// training with that error, not ErrDiverged, and finite parameters: an
// error injected into the 5th minibatch (which the reader gathers during
// step 4 and step 5 waits for), a closed training file, and a closed test
// file.
func TestReadErrorSurfaces(t *testing.T) {
	t.Parallel()
	ds := springData(t, 13)
	c := train.Config{Steps: 20, Batch: 16, LogEvery: 2, Workers: 2}
	cfg := model.Config{Kind: "hnn", Dim: 2, Hidden: []int{8}}
	for _, tc := range []struct {
		name      string
		sources   func(s sources[float32]) (tr, te train.Source[float32])
		want      error
		wantSteps int
	}{
		{"injected", func(s sources[float32]) (tr, te train.Source[float32]) {
			return &failing{Source: s.train, fail: 5}, s.test
		}, errInjected, 4},
		{"closed training file", func(s sources[float32]) (tr, te train.Source[float32]) {
			s.ds.TrainDX.Close()
			return s.train, s.test
		}, os.ErrClosed, 0},
		{"closed test file", func(s sources[float32]) (tr, te train.Source[float32]) {
			s.ds.TestX.Close()
			return s.train, s.test
		}, os.ErrClosed, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tr, te := tc.sources(diskSources[float32](t, ds, true))
			m, _ := model.New[float32](cfg, rand.New(rand.NewPCG(9, 2)))
			h, err := train.TrainSource(m, tr, te, c, rand.New(rand.NewPCG(9, 3)), nil)
			t.Logf("error: %v", err)
			if !errors.Is(err, tc.want) || errors.Is(err, train.ErrDiverged) {
				t.Errorf("error %v, want one wrapping %v and not ErrDiverged", err, tc.want)
			}
			if h.Steps != tc.wantSteps {
				t.Errorf("%d steps made, want %d", h.Steps, tc.wantSteps)
			}
			for _, p := range m.Params() {
				if math.IsNaN(float64(p)) || math.IsInf(float64(p), 0) {
					t.Fatal("parameters are not finite")
				}
			}
		})
	}
	// The Stepper reports the cause and makes no further steps.
	s := diskSources[float32](t, ds, true)
	m, _ := model.New[float32](cfg, rand.New(rand.NewPCG(9, 2)))
	st, err := train.NewSourceStepper[float32](m, &failing{Source: s.train, fail: 2}, c, rand.New(rand.NewPCG(9, 3)))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if l := st.Step(); math.IsNaN(l) || st.Err() != nil {
		t.Fatalf("step 1: loss %v, error %v", l, st.Err())
	}
	for step := 2; step <= 3; step++ {
		if l := st.Step(); !math.IsNaN(l) || !errors.Is(st.Err(), errInjected) {
			t.Errorf("step %d: loss %v, error %v; want NaN and the injected error", step, l, st.Err())
		}
	}
}

// TestDiskMemoryBounded trains from a DiskDataset of 2e6 rows of dimension
// 4 in float32, 64 MB of training files (a data.Set of it would take 128
// MB, and its float32 copy in a SetSource 64 MB more), and checks that the
// heap grows by less than 8 MiB, whatever the size of the set: the model,
// the Adam state, the batch buffers, the workspaces of the 1024-row test
// chunks (about 3 MiB together) and the heap's own slack. (A set of more
// than 2^20 rows draws its minibatches by DrawFloyd, without a permutation
// of its rows.)
func TestDiskMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 64 MB")
	}
	const rows, dim, chunk = 2_000_000, 4, 1 << 16
	dir := t.TempDir()
	w, err := data.CreateDiskDataset(dir, dim, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	rng := rand.New(rand.NewPCG(14, 1))
	set := randomRows(chunk, dim, rng)
	for lo := 0; lo < rows; lo += chunk {
		k := min(chunk, rows-lo)
		if err := w.AppendTrain(set.X[:k*dim], set.DX[:k*dim]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.AppendTest(set.X[:5000*dim], set.DX[:5000*dim]); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	set = nil

	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapInuse, ms.HeapInuse
	d, err := data.OpenDiskDataset(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	tr, err := train.NewDiskSource[float32](d.TrainX, d.TrainDX)
	if err != nil {
		t.Fatal(err)
	}
	te, err := train.NewDiskSource[float32](d.TestX, d.TestDX)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := model.New[float32](model.Config{Kind: "hnn", Dim: dim, Hidden: []int{32, 32}}, rand.New(rand.NewPCG(14, 2)))
	c := train.Config{Steps: 200, Batch: 256, LogEvery: 100, Workers: 2}
	h, err := train.TrainSource(m, tr, te, c, rand.New(rand.NewPCG(14, 3)), func(int, float64) {
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapInuse)
	})
	if err != nil {
		t.Fatal(err)
	}
	bound := uint64(8 << 20)
	t.Logf("%d steps in %.2f s; heap grew by %.1f MiB at most, bound %.1f MiB, training files %.1f MiB",
		h.Steps, h.Seconds, float64(peak-base)/(1<<20), float64(bound)/(1<<20), float64(2*rows*dim*4)/(1<<20))
	if peak-base > bound {
		t.Errorf("heap grew by %d bytes, want at most %d", peak-base, bound)
	}
}

// randomRows returns n rows of dimension d drawn from N(0, 1/4).
func randomRows(n, d int, rng *rand.Rand) *data.Set {
	s := &data.Set{Dim: d, X: make([]float64, n*d), DX: make([]float64, n*d)}
	for i := range s.X {
		s.X[i], s.DX[i] = 0.5*rng.NormFloat64(), 0.5*rng.NormFloat64()
	}
	return s
}
