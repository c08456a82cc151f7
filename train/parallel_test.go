package train_test

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/nn"
	"github.com/hnn-go/hnn/train"
)

// trainWorkers trains a fresh 2-32-32 model of the given kind for c.Steps
// steps on set with c and fixed seeds, and returns its parameters and the
// last logged batch loss.
func trainWorkers[T nn.Float](t *testing.T, kind string, set *data.Set, c train.Config) ([]T, float64) {
	t.Helper()
	m, err := model.New[T](model.Config{Kind: kind, Dim: 2, Hidden: []int{32, 32}}, rand.New(rand.NewPCG(8, 2)))
	if err != nil {
		t.Fatal(err)
	}
	h, err := train.Train(m, set, nil, c, rand.New(rand.NewPCG(8, 3)), nil)
	if err != nil {
		t.Fatal(err)
	}
	return m.Params(), h.Log[len(h.Log)-1].Train
}

// TestWorkersTrainLikeOne trains 50 minibatch steps with 3 workers and
// with 1 and compares the final loss and parameters. Each step's gradient
// differs from one worker's by rounding only (TestPoolLossGrad); Adam's
// updates, about LR in size whatever the gradient's scale, carry such
// differences over 50 steps without amplifying them much, so the
// parameters agree to 1e-10 in float64 and 1e-4 (a tenth of the learning
// rate) in float32.
func TestWorkersTrainLikeOne(t *testing.T) {
	t.Parallel()
	ds := springData(t, 6)
	c := train.Config{Steps: 50, Batch: 64, LR: 1e-3, Average: 0.9, LogEvery: 50}
	c3 := c
	c3.Workers = 3
	for _, kind := range []string{"hnn", "baseline"} {
		t.Run(kind+"/float64", func(t *testing.T) {
			t.Parallel()
			p1, l1 := trainWorkers[float64](t, kind, &ds.Train, c)
			p3, l3 := trainWorkers[float64](t, kind, &ds.Train, c3)
			compareParams(t, p3, p1, l3, l1, 1e-10)
		})
		t.Run(kind+"/float32", func(t *testing.T) {
			t.Parallel()
			p1, l1 := trainWorkers[float32](t, kind, &ds.Train, c)
			p3, l3 := trainWorkers[float32](t, kind, &ds.Train, c3)
			compareParams(t, p3, p1, l3, l1, 1e-4)
		})
	}
}

func compareParams[T nn.Float](t *testing.T, got, want []T, gotLoss, wantLoss, tol float64) {
	t.Helper()
	var worst float64
	for i := range got {
		worst = max(worst, math.Abs(float64(got[i]-want[i])))
	}
	t.Logf("largest parameter difference %.2g, losses %.6g and %.6g", worst, gotLoss, wantLoss)
	if worst > tol {
		t.Errorf("parameters differ by up to %.3g, want at most %.3g", worst, tol)
	}
	if math.Abs(gotLoss-wantLoss) > tol*wantLoss {
		t.Errorf("last batch loss %v, want %v", gotLoss, wantLoss)
	}
}

// TestWorkersDeterministic checks that training with 3 workers is a function
// of the seeds alone, bit for bit, whichever worker finishes first.
func TestWorkersDeterministic(t *testing.T) {
	t.Parallel()
	ds := springData(t, 7)
	c := train.Config{Steps: 50, Batch: 64, Workers: 3}
	a, _ := trainWorkers[float32](t, "hnn", &ds.Train, c)
	b, _ := trainWorkers[float32](t, "hnn", &ds.Train, c)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("parameter %d differs between identical runs: %v vs %v", i, a[i], b[i])
		}
	}
}

// TestWorkersErrors checks the validation of Config.Workers.
func TestWorkersErrors(t *testing.T) {
	t.Parallel()
	if err := (train.Config{Workers: -1}).WithDefaults().Validate(); err == nil {
		t.Error("workers -1: no error")
	}
	ds := springData(t, 8)
	m, _ := model.New[float32](model.Config{Kind: "hnn", Dim: 2, Hidden: []int{4}}, rand.New(rand.NewPCG(1, 1)))
	for _, c := range []train.Config{{Batch: 8, Workers: 9}, {Workers: ds.Train.Len() + 1}} {
		if _, err := train.NewStepper(m, &ds.Train, c, rand.New(rand.NewPCG(1, 1))); err == nil {
			t.Errorf("%+v: no error", c)
		}
	}
	st, err := train.NewStepper(m, &ds.Train, train.Config{Batch: 8, Workers: 8}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatalf("one worker a row: %v", err)
	}
	st.Close()
}

// TestCloseEndsGoroutines checks that Close ends the goroutines of the
// workers and of a disk source, and that it may be called twice. It does
// not run in parallel, so that the count of goroutines is its own.
func TestCloseEndsGoroutines(t *testing.T) {
	ds := springData(t, 9)
	src := diskSources[float32](t, ds, true)
	m, _ := model.New[float32](model.Config{Kind: "hnn", Dim: 2, Hidden: []int{8}}, rand.New(rand.NewPCG(1, 1)))
	before := runtime.NumGoroutine()
	st, err := train.NewSourceStepper(m, train.Source[float32](src.train), train.Config{Batch: 16, Workers: 4}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	st.Step()
	if n := runtime.NumGoroutine(); n < before+4 {
		t.Errorf("%d goroutines running, want at least %d: 3 workers and a reader more than the %d before", n, before+4, before)
	}
	st.Close()
	st.Close()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n != before {
		t.Errorf("%d goroutines after Close, want the %d before", n, before)
	}
	defer func() {
		if recover() == nil {
			t.Error("Step after Close did not panic")
		}
	}()
	st.Step()
}

// TestStepAllocatesNothingParallel checks that a step with workers, from a
// disk source, or both allocates nothing once the Stepper has made one.
// Like TestStepAllocatesNothing it needs nn's assembly kernels.
func TestStepAllocatesNothingParallel(t *testing.T) {
	if nn.Kernel() == "generic" {
		t.Skipf("BLAS %s with kernel %s allocates inside its matrix products", nn.BLAS, nn.Kernel())
	}
	ds := springData(t, 10)
	src := diskSources[float32](t, ds, true)
	for _, tc := range []struct {
		name    string
		src     train.Source[float32]
		workers int
	}{
		{"memory/workers=3", train.NewSetSource[float32](&ds.Train), 3},
		{"disk/workers=1", src.train, 1},
		{"disk/workers=2", src.train, 2},
	} {
		m, _ := model.New[float32](model.Config{Kind: "hnn", Dim: 2, Hidden: []int{16, 16}}, rand.New(rand.NewPCG(7, 2)))
		st, err := train.NewSourceStepper(m, tc.src, train.Config{Batch: 32, Average: 0.9, Workers: tc.workers}, rand.New(rand.NewPCG(7, 3)))
		if err != nil {
			t.Fatal(err)
		}
		st.Step()
		st.Step()
		if a := testing.AllocsPerRun(20, func() { st.Step() }); a != 0 {
			t.Errorf("%s: %v allocations per step, want 0", tc.name, a)
		}
		st.Close()
	}
}
