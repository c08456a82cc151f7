package train_test

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/nn"
	"github.com/hnn-go/hnn/train"
)

// coresProcs are the GOMAXPROCS values under which the core-count tests
// train: one core, two, and more goroutines than this machine may have.
var coresProcs = []int{1, 2, 4}

// withProcs runs f with GOMAXPROCS set to n, and restores it.
func withProcs(n int, f func()) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(n))
	f()
}

// bitsEqual reports the first index where a and b differ in their bits,
// or -1.
func bitsEqual[T nn.Float](a, b []T) int {
	if len(a) != len(b) {
		return 0
	}
	for i := range a {
		if math.Float64bits(float64(a[i])) != math.Float64bits(float64(b[i])) {
			return i
		}
	}
	return -1
}

// TestCoresBitIdentical trains the same runs under GOMAXPROCS 1, 2 and 4
// and checks that the parameters and every logged loss are the same bit
// for bit: the steps cut their products into chunks that run on as many
// goroutines as GOMAXPROCS allows, and every number is computed as on one.
// The networks (128 wide) and batches (256 and 750 rows) are large enough
// for the products to be cut; the runs cover float32 and float64, the HNN
// and the baseline, minibatches from memory and from disk, and the full
// batch (whose HNN step runs in blocks, nn.InputGradientGrad). Not parallel: it changes GOMAXPROCS.
func TestCoresBitIdentical(t *testing.T) {
	ds := springData(t, 11)
	src := diskSources[float32](t, ds, true)
	type run struct {
		name  string
		kind  string
		f64   bool
		batch int
		disk  bool
	}
	runs := []run{
		{"hnn/float32/mini256", "hnn", false, 256, false},
		{"hnn/float32/full", "hnn", false, 0, false},
		{"hnn/float32/disk256", "hnn", false, 256, true},
		{"baseline/float32/mini256", "baseline", false, 256, false},
		{"hnn/float64/mini256", "hnn", true, 256, false},
	}
	for _, r := range runs {
		t.Run(r.name, func(t *testing.T) {
			var want32 []float32
			var want64 []float64
			var wantLog []train.Point
			for _, p := range coresProcs {
				var got32 []float32
				var got64 []float64
				var h train.History
				withProcs(p, func() {
					c := train.Config{Steps: 6, Batch: r.batch, LR: 1e-3, LogEvery: 2, Average: 0.9}
					mc := model.Config{Kind: r.kind, Dim: 2, Hidden: []int{128, 128}}
					rng := rand.New(rand.NewPCG(5, 1))
					if r.f64 {
						mc.Precision = model.Float64
						m, err := model.New[float64](mc, rng)
						if err != nil {
							t.Fatal(err)
						}
						h, err = train.Train(m, &ds.Train, &ds.Test, c, rand.New(rand.NewPCG(5, 2)), nil)
						if err != nil {
							t.Fatal(err)
						}
						got64 = m.Params()
						return
					}
					m, err := model.New[float32](mc, rng)
					if err != nil {
						t.Fatal(err)
					}
					if r.disk {
						h, err = train.TrainSource(m, train.Source[float32](src.train), train.Source[float32](src.test), c, rand.New(rand.NewPCG(5, 2)), nil)
					} else {
						h, err = train.Train(m, &ds.Train, &ds.Test, c, rand.New(rand.NewPCG(5, 2)), nil)
					}
					if err != nil {
						t.Fatal(err)
					}
					got32 = m.Params()
				})
				if wantLog == nil {
					want32, want64, wantLog = got32, got64, h.Log
					continue
				}
				if i := bitsEqual(got32, want32); !r.f64 && i >= 0 {
					t.Errorf("GOMAXPROCS %d: parameter %d = %v, with 1 %v", p, i, got32[i], want32[i])
				}
				if i := bitsEqual(got64, want64); r.f64 && i >= 0 {
					t.Errorf("GOMAXPROCS %d: parameter %d = %v, with 1 %v", p, i, got64[i], want64[i])
				}
				for i, pt := range h.Log {
					if pt != wantLog[i] {
						t.Errorf("GOMAXPROCS %d: log point %d = %+v, with 1 %+v", p, i, pt, wantLog[i])
					}
				}
			}
		})
	}
}

// TestStepAllocatesNothingCores checks that a step whose products are cut
// into chunks allocates nothing once warm, with GOMAXPROCS 2 and 4. Like
// TestStepAllocatesNothing it needs nn's assembly kernels.
func TestStepAllocatesNothingCores(t *testing.T) {
	if nn.Kernel() == "generic" {
		t.Skipf("BLAS %s with kernel %s allocates inside its matrix products", nn.BLAS, nn.Kernel())
	}
	ds := springData(t, 12)
	for _, p := range coresProcs[1:] {
		for _, batch := range []int{256, 0} {
			withProcs(p, func() {
				m, _ := model.New[float32](model.Config{Kind: "hnn", Dim: 2, Hidden: []int{128, 128}}, rand.New(rand.NewPCG(7, 2)))
				st, err := train.NewStepper(m, &ds.Train, train.Config{Batch: batch, Average: 0.9}, rand.New(rand.NewPCG(7, 3)))
				if err != nil {
					t.Fatal(err)
				}
				defer st.Close()
				for range 3 {
					st.Step()
				}
				if a := testing.AllocsPerRun(20, func() { st.Step() }); a != 0 {
					t.Errorf("GOMAXPROCS %d, batch %d: %v allocations per step, want 0", p, st.Batch(), a)
				}
			})
		}
	}
}
