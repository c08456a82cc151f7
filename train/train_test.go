package train_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/nn"
	"github.com/hnn-go/hnn/systems"
	"github.com/hnn-go/hnn/train"
)

func springData(t *testing.T, seed uint64) *data.Dataset {
	t.Helper()
	ds, err := systems.Generate(systems.Spring{}, systems.SpringProtocol(), rand.New(rand.NewPCG(seed, 1)))
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// TestSpringReachesNoiseFloor trains an HNN on the reference spring data.
// Inputs carry Gaussian noise of std 0.1 and targets are clean, so even the
// true field has a loss near 4 x 0.1^2 / 2 per component (the paper's
// 3.6e-2); an untrained or broken model sits above 0.3.
func TestSpringReachesNoiseFloor(t *testing.T) {
	t.Parallel()
	ds := springData(t, 0)
	m, err := model.New[float32](model.Config{Kind: "hnn", Dim: 2}, rand.New(rand.NewPCG(0, 2)))
	if err != nil {
		t.Fatal(err)
	}
	ws := m.NewWorkspace(ds.Test.Len(), false)
	x, y := toF32(ds.Test.X), toF32(ds.Test.DX)
	before := ws.Loss(x, y)
	h, err := train.Train(m, &ds.Train, &ds.Test, train.Config{Steps: 600, WeightDecay: 1e-4, LogEvery: 100}, rand.New(rand.NewPCG(0, 3)), nil)
	if err != nil {
		t.Fatal(err)
	}
	after := ws.Loss(x, y)
	t.Logf("test loss %.4g -> %.4g after %d steps (%.1f s)", before, after, h.Steps, h.Seconds)
	if before < 0.3 {
		t.Fatalf("untrained test loss %.3g is already low; the check is meaningless", before)
	}
	if after > 0.05 {
		t.Errorf("test loss %.4g after training, want below 0.05 (noise floor about 0.04)", after)
	}
	if len(h.Log) != 6 || h.Log[5].Step != 600 || h.Log[5].Test != h.Log[5].Test {
		t.Errorf("log = %+v, want 6 entries ending at step 600", h.Log)
	}
}

func toF32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

// TestMinibatchDeterministic checks that minibatch training is a function of
// the seeds alone.
func TestMinibatchDeterministic(t *testing.T) {
	t.Parallel()
	ds := springData(t, 1)
	run := func() []float32 {
		m, _ := model.New[float32](model.Config{Kind: "baseline", Dim: 2, Hidden: []int{32, 32}}, rand.New(rand.NewPCG(4, 2)))
		if _, err := train.Train(m, &ds.Train, nil, train.Config{Steps: 50, Batch: 64}, rand.New(rand.NewPCG(4, 3)), nil); err != nil {
			t.Fatal(err)
		}
		return m.Params()
	}
	a, b := run(), run()
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("parameter %d differs between identical runs: %v vs %v", i, a[i], b[i])
		}
	}
}

// TestDivergenceKeepsLastGood drives the loss to infinity with a huge
// learning rate and checks the error and that the parameters are finite.
func TestDivergenceKeepsLastGood(t *testing.T) {
	t.Parallel()
	ds := springData(t, 2)
	for i := range ds.Train.DX {
		ds.Train.DX[i] *= 1e30
	}
	m, _ := model.New[float32](model.Config{Kind: "baseline", Dim: 2, Hidden: []int{8}}, rand.New(rand.NewPCG(5, 2)))
	_, err := train.Train(m, &ds.Train, nil, train.Config{Steps: 100, LR: 1e10, LogEvery: 1}, rand.New(rand.NewPCG(5, 3)), nil)
	if !errors.Is(err, train.ErrDiverged) {
		t.Fatalf("error %v, want ErrDiverged", err)
	}
	for _, p := range m.Params() {
		if math.IsNaN(float64(p)) || math.IsInf(float64(p), 0) {
			t.Fatal("parameters are not finite after divergence")
		}
	}
}

func TestConfigErrors(t *testing.T) {
	t.Parallel()
	for _, c := range []train.Config{{Steps: -1}, {LR: math.NaN()}, {WeightDecay: -1}, {Batch: -2}, {Average: 1}, {Average: -0.5}, {Average: math.NaN()}} {
		if err := c.WithDefaults().Validate(); err == nil {
			t.Errorf("%+v: no error", c)
		}
	}
	m, _ := model.New[float32](model.Config{Kind: "hnn", Dim: 4, Hidden: []int{4}}, rand.New(rand.NewPCG(1, 1)))
	ds := springData(t, 3)
	if _, err := train.Train(m, &ds.Train, nil, train.Config{Steps: 1}, rand.New(rand.NewPCG(1, 1)), nil); err == nil {
		t.Error("dimension mismatch: no error")
	}
}

// TestAverage checks parameter averaging: Train ends with the exponential
// moving average of the iterates that a Stepper with the same seeds makes,
// recomputed here in float64, and on noisy minibatch steps the average has
// a lower test loss than the last iterate.
func TestAverage(t *testing.T) {
	t.Parallel()
	ds := springData(t, 4)
	const beta, steps = 0.9, 300
	cfg := model.Config{Kind: "hnn", Dim: 2, Hidden: []int{32, 32}}
	c := train.Config{Steps: steps, Batch: 16, LR: 1e-2, Average: beta, LogEvery: 100}

	m, _ := model.New[float64](cfg, rand.New(rand.NewPCG(6, 2)))
	h, err := train.Train(m, &ds.Train, &ds.Test, c, rand.New(rand.NewPCG(6, 3)), nil)
	if err != nil {
		t.Fatal(err)
	}

	ref, _ := model.New[float64](cfg, rand.New(rand.NewPCG(6, 2)))
	st, err := train.NewStepper(ref, &ds.Train, c, rand.New(rand.NewPCG(6, 3)))
	if err != nil {
		t.Fatal(err)
	}
	avg := append([]float64(nil), ref.Params()...)
	for range steps {
		st.Step()
		for i, v := range ref.Params() {
			avg[i] = beta*avg[i] + (1-beta)*v
		}
	}
	for i, v := range m.Params() {
		if math.Abs(v-avg[i]) > 1e-12*(1+math.Abs(avg[i])) {
			t.Fatalf("parameter %d: trained %v, average of the iterates %v", i, v, avg[i])
		}
	}
	ws := m.NewWorkspace(ds.Test.Len(), false)
	averaged := ws.Loss(ds.Test.X, ds.Test.DX)
	if got := h.Log[len(h.Log)-1].Test; math.Abs(got-averaged) > 1e-12 {
		t.Errorf("logged test loss %v, the averaged model's %v", got, averaged)
	}
	last := ref.NewWorkspace(ds.Test.Len(), false).Loss(ds.Test.X, ds.Test.DX)
	t.Logf("test loss: last iterate %.4g, average %.4g", last, averaged)
	if !(averaged < last) {
		t.Errorf("averaged test loss %.4g is not below the last iterate's %.4g", averaged, last)
	}
}

// TestStepAllocatesNothing checks that a minibatch step allocates nothing
// once the Stepper is made. Only nn's assembly kernels can promise it:
// gonum's pure-Go matrix product (the generic kernel level) starts
// goroutines for large products.
func TestStepAllocatesNothing(t *testing.T) {
	if nn.Kernel() == "generic" {
		t.Skipf("BLAS %s with kernel %s allocates inside its matrix products", nn.BLAS, nn.Kernel())
	}
	ds := springData(t, 5)
	for _, kind := range model.Kinds() {
		m, err := model.New[float32](model.Config{Kind: kind, Dim: 2, Hidden: []int{16, 16}}, rand.New(rand.NewPCG(7, 2)))
		if err != nil {
			t.Fatal(err)
		}
		st, err := train.NewStepper(m, &ds.Train, train.Config{Batch: 32, Average: 0.9}, rand.New(rand.NewPCG(7, 3)))
		if err != nil {
			t.Fatal(err)
		}
		st.Step()
		if a := testing.AllocsPerRun(20, func() { st.Step() }); a != 0 {
			t.Errorf("%s: %v allocations per step, want 0", kind, a)
		}
	}
}

// TestDraw checks that Draw leaves a permutation whose first k entries are
// distinct and that it covers the set over many draws.
func TestDraw(t *testing.T) {
	t.Parallel()
	perm := []int{0, 1, 2, 3, 4, 5, 6}
	rng := rand.New(rand.NewPCG(1, 1))
	seen := map[int]bool{}
	for range 50 {
		train.Draw(perm, 3, rng)
		got := map[int]bool{}
		for _, v := range perm {
			got[v] = true
		}
		if len(got) != len(perm) {
			t.Fatalf("perm %v is no longer a permutation", perm)
		}
		for _, v := range perm[:3] {
			seen[v] = true
		}
	}
	if len(seen) != len(perm) {
		t.Errorf("50 draws of 3 saw only %v", seen)
	}
}

// TestDrawFloyd checks that DrawFloyd draws distinct rows in range and
// every row about equally often.
func TestDrawFloyd(t *testing.T) {
	const n, k, draws = 50, 7, 20000
	rng := rand.New(rand.NewPCG(3, 4))
	dst := make([]int, k)
	seen := map[int]struct{}{}
	count := make([]int, n)
	for range draws {
		train.DrawFloyd(dst, n, seen, rng)
		in := map[int]bool{}
		for _, r := range dst {
			if r < 0 || r >= n || in[r] {
				t.Fatalf("draw %v: row out of range or repeated", dst)
			}
			in[r] = true
			count[r]++
		}
	}
	// Each row is drawn with probability k/n per draw: binomial counts
	// with mean 2800 and std 49; 5 std is a loose bound over 50 rows.
	mean := float64(draws * k / n)
	for r, c := range count {
		if math.Abs(float64(c)-mean) > 5*math.Sqrt(mean) {
			t.Errorf("row %d drawn %d times, want about %.0f", r, c, mean)
		}
	}
	if allocs := testing.AllocsPerRun(100, func() { train.DrawFloyd(dst, n, seen, rng) }); allocs != 0 {
		t.Errorf("DrawFloyd allocates %v times per draw", allocs)
	}
}
