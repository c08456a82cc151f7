package main

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"time"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/experiment"
	"github.com/hnn-go/hnn/internal/buildinfo"
	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/nn"
	"github.com/hnn-go/hnn/train"
)

// Streams of the timed runs' seeded sources, as in package experiment:
// experiment.Dataset draws the data from stream 1, the initial weights
// come from stream 2 and the minibatches from stream 3.
const (
	streamInit  = 2
	streamBatch = 3
)

// sgemm computes c = op(a) op(b) for row-major float32 matrices, op(a) m x k
// and op(b) k x n, through nn.Sgemm, the product nn's networks use: nn's
// assembly kernels in the default (asm) build, gonum's pure-Go BLAS in the
// purego (gonum) build. The openblas build replaces it in its init
// (blas_openblas.go) by a direct call of cblas_sgemm.
var sgemm = nnSgemm

// matmulVia says how sgemm reaches the BLAS; the openblas build replaces it.
var matmulVia = ""

// measureSteps says whether the build times training steps; the openblas
// build, which only times OpenBLAS's raw products, clears it.
var measureSteps = true

func nnSgemm(tA, tB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	nn.Sgemm(tA, tB, m, n, k, 1, a, lda, b, ldb, 0, c, ldc)
}

// nnMatmulVia describes nn.Sgemm in this build.
func nnMatmulVia() string {
	if nn.Kernel() == "generic" {
		return "nn.Sgemm: gonum's pure-Go Implementation (parallel over GOMAXPROCS goroutines for large products)"
	}
	return "nn.Sgemm: nn's " + nn.Kernel() + " assembly kernels (one core)"
}

// TaskResult holds one build's measurements of one task.
type TaskResult struct {
	Task string `json:"task"`
	// Generate is the time to make the task's dataset.
	Generate Generation `json:"generate"`
	// Batch is the number of rows of a training step: the task's
	// minibatch, or all training rows for full batch.
	Batch  int          `json:"batch"`
	Matmul []Matmul     `json:"matmul,omitempty"`
	Models []ModelSpeed `json:"models,omitempty"`
}

// Generation is the time experiment.Dataset takes to make a task's data
// (seed 0, the data stream of a run), the fastest of -repeat runs.
type Generation struct {
	// Trajectories counts the trajectories (orbits for the N-body tasks)
	// behind the training and test rows.
	Trajectories int `json:"trajectories"`
	TrainRows    int `json:"train_rows"`
	TestRows     int `json:"test_rows"`
	// Millis is the fastest run's wall time in milliseconds; Runs holds
	// every run's.
	Millis float64   `json:"ms"`
	Runs   []float64 `json:"runs_ms"`
}

// Matmul is the speed of one float32 product c = op(a) op(b), op(a) m x k.
type Matmul struct {
	Name   string  `json:"name"`
	TransA bool    `json:"trans_a"`
	TransB bool    `json:"trans_b"`
	M      int     `json:"m"`
	N      int     `json:"n"`
	K      int     `json:"k"`
	GFLOPS float64 `json:"gflops"`
}

// ModelSpeed is the training speed of one model.
type ModelSpeed struct {
	Kind  string `json:"kind"`
	Sizes []int  `json:"sizes"`
	// Rows is the number of rows of a step (the batch).
	Rows   int   `json:"rows"`
	Hidden []int `json:"hidden"`
	// Train is the task's training configuration the steps were made
	// with (Steps and LogEvery do not matter to a Stepper).
	Train train.Config `json:"train"`
	// StepsPerSec is the fastest of the runs; Runs holds every run's.
	StepsPerSec float64   `json:"steps_per_sec"`
	MsPerStep   float64   `json:"ms_per_step"`
	Runs        []float64 `json:"runs_steps_per_sec"`
	// CPUPerStep is the processor time (user and system, all threads) of
	// a step of the fastest run, in seconds; over the wall time of a step
	// it tells how many cores a step keeps busy. Zero where the operating
	// system does not say (it is read from /proc/self/stat).
	CPUPerStep float64 `json:"cpu_seconds_per_step,omitempty"`
	// AllocsPerStep is the heap allocations (runtime.MemStats.Mallocs)
	// per timed step of the fastest run, BytesPerStep their bytes.
	AllocsPerStep float64 `json:"allocs_per_step"`
	BytesPerStep  float64 `json:"bytes_per_step"`
	// FLOPs counts the matrix products of one step (see stepFLOPs).
	FLOPs  float64 `json:"flops_per_step"`
	GFLOPS float64 `json:"gflops"`
	// MatmulGFLOPS is the rate the step's products would reach at the
	// measured raw speed of their shapes, and Fraction = GFLOPS /
	// MatmulGFLOPS: 1 would mean the step does nothing but its products.
	MatmulGFLOPS float64 `json:"matmul_gflops"`
	Fraction     float64 `json:"fraction_of_matmul"`
}

// measureBuild measures the build it runs in, task by task.
func measureBuild(o options, stderr io.Writer) *BuildResult {
	info := buildinfo.Get(nn.BLAS)
	res := &BuildResult{Build: nn.BLAS, Info: &info, MatmulVia: matmulVia, Kernel: nn.Kernel()}
	if res.MatmulVia == "" {
		res.MatmulVia = nnMatmulVia()
	}
	res.PeakGFLOPS = nn.PeakGFLOPS(time.Second)
	for _, name := range o.tasks {
		tr, err := measureTask(name, o, stderr)
		if err != nil {
			res.Error = err.Error()
			return res
		}
		res.Tasks = append(res.Tasks, tr)
	}
	return res
}

// measureTask times the data generation of a task, the raw products of its
// step's shapes (before and after the training, keeping each shape's
// better figure, so that a disturbance in one pass does not count), and
// the training steps of each model.
func measureTask(name string, o options, stderr io.Writer) (TaskResult, error) {
	tr := TaskResult{Task: name}
	spec, err := experiment.NewSpec(name, "hnn", dataSeed, false)
	if err != nil {
		return tr, err
	}
	fmt.Fprintf(stderr, "%s: %s: generating the data %d times\n", nn.BLAS, name, o.repeat)
	ds, gen, err := measureGeneration(spec, o.repeat)
	if err != nil {
		return tr, fmt.Errorf("%s: generating the data: %w", name, err)
	}
	tr.Generate = gen
	tr.Batch = ds.Train.Len()
	if b := spec.Train.Batch; b > 0 && b < tr.Batch {
		tr.Batch = b
	}
	hidden := spec.Model.Hidden
	fmt.Fprintf(stderr, "%s: %s: raw float32 products\n", nn.BLAS, name)
	tr.Matmul = measureMatmuls(tr.Batch, hidden[0])
	for _, kind := range kinds {
		if !measureSteps {
			break
		}
		fmt.Fprintf(stderr, "%s: %s: stepping the %s, %d x (%d + %d) steps of %d rows\n",
			nn.BLAS, name, kind, o.repeat, o.warmup, o.steps, tr.Batch)
		ms, err := measureTraining(name, kind, ds, o)
		if err != nil {
			return tr, err
		}
		tr.Models = append(tr.Models, ms)
	}
	fmt.Fprintf(stderr, "%s: %s: raw float32 products again\n", nn.BLAS, name)
	for i, m := range measureMatmuls(tr.Batch, hidden[0]) {
		tr.Matmul[i].GFLOPS = max(tr.Matmul[i].GFLOPS, m.GFLOPS)
	}
	for i := range tr.Models {
		ms := &tr.Models[i]
		ms.MatmulGFLOPS = matmulRate(ms.Kind, tr.Matmul, tr.Batch, ms.Hidden)
		if ms.MatmulGFLOPS > 0 {
			ms.Fraction = ms.GFLOPS / ms.MatmulGFLOPS
		}
	}
	return tr, nil
}

// measureGeneration makes the dataset of spec repeat times with
// experiment.Dataset, the generator and seeded data stream a run uses,
// and returns the dataset with the fastest time.
func measureGeneration(spec experiment.Spec, repeat int) (*data.Dataset, Generation, error) {
	var g Generation
	var ds *data.Dataset
	for range repeat {
		start := time.Now()
		d, err := experiment.Dataset(spec)
		if err != nil {
			return nil, g, err
		}
		ms := 1e3 * time.Since(start).Seconds()
		g.Runs = append(g.Runs, ms)
		ds = d
	}
	g.Millis = slices.Min(g.Runs)
	g.TrainRows, g.TestRows = ds.Train.Len(), ds.Test.Len()
	g.Trajectories = trajectories(&ds.Train) + trajectories(&ds.Test)
	return ds, g, nil
}

// trajectories counts the distinct trajectories of a set's rows, 0 if the
// set does not record them.
func trajectories(s *data.Set) int {
	seen := map[int]bool{}
	for _, k := range s.Traj {
		seen[k] = true
	}
	return len(seen)
}

// measureTraining times train.Stepper steps of the task's model of the
// given kind, float32, on ds with the task's own training configuration
// (its batch, learning rate, weight decay and weight average), and
// returns the fastest of o.repeat runs of o.warmup untimed and o.steps
// timed steps, each run with fresh weights and optimiser.
func measureTraining(taskName, kind string, ds *data.Dataset, o options) (ModelSpeed, error) {
	spec, err := experiment.NewSpec(taskName, kind, dataSeed, false)
	if err != nil {
		return ModelSpeed{}, err
	}
	spec.Model.Precision = model.Float32
	cfg := spec.Train.WithDefaults()
	ms := ModelSpeed{Kind: kind, Hidden: spec.Model.Hidden, Train: cfg}
	for range o.repeat {
		m, err := model.New[float32](spec.Model, rand.New(rand.NewPCG(spec.Seed, streamInit)))
		if err != nil {
			return ms, err
		}
		ms.Sizes = model.Networks(m)[0].MLP.Sizes
		st, err := train.NewStepper(m, &ds.Train, cfg, rand.New(rand.NewPCG(spec.Seed, streamBatch)))
		if err != nil {
			return ms, fmt.Errorf("%s %s: %w", taskName, kind, err)
		}
		ms.Rows = st.Batch()
		loss := 0.0
		for range o.warmup {
			loss = st.Step()
		}
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		t0, c0 := time.Now(), cpuSeconds()
		for range o.steps {
			loss = st.Step()
		}
		t1, c1 := time.Now(), cpuSeconds()
		runtime.ReadMemStats(&m1)
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			return ms, fmt.Errorf("%s %s: the loss became %v: %w", taskName, kind, loss, train.ErrDiverged)
		}
		rate := float64(o.steps) / t1.Sub(t0).Seconds()
		if len(ms.Runs) == 0 || rate > slices.Max(ms.Runs) {
			ms.StepsPerSec = rate
			ms.CPUPerStep = 0
			if c0 >= 0 && c1 >= 0 {
				ms.CPUPerStep = (c1 - c0) / float64(o.steps)
			}
			ms.AllocsPerStep = float64(m1.Mallocs-m0.Mallocs) / float64(o.steps)
			ms.BytesPerStep = float64(m1.TotalAlloc-m0.TotalAlloc) / float64(o.steps)
		}
		ms.Runs = append(ms.Runs, rate)
	}
	ms.MsPerStep = 1e3 / ms.StepsPerSec
	ms.FLOPs = stepFLOPs(spec.Model, ms.Rows)
	ms.GFLOPS = ms.FLOPs * ms.StepsPerSec / 1e9
	return ms, nil
}

// stepFLOPs counts the floating-point operations of the matrix products of
// one training gradient on b rows of a model of c: b times its kind's FLOPs
// per row (model.Kind.FLOPs; the count for one network is derived in
// model.NetFLOPs). It panics if c's kind is not registered.
func stepFLOPs(c model.Config, b int) float64 {
	return float64(b) * model.MustLookup(c.Kind).FLOPs(c.WithDefaults())
}

// matmulShapes returns the shapes of a step's n x n products on b rows:
// the forward product, the product by a transposed weight matrix, and the
// weight gradients over 2b rows (HNN) and b rows (baseline).
func matmulShapes(b, n int) []Matmul {
	return []Matmul{
		{Name: fmt.Sprintf("%dx%d · %dx%d", b, n, n, n), M: b, N: n, K: n},
		{Name: fmt.Sprintf("%dx%d · (%dx%d)^T", b, n, n, n), TransB: true, M: b, N: n, K: n},
		{Name: fmt.Sprintf("(%dx%d)^T · %dx%d", 2*b, n, 2*b, n), TransA: true, M: n, N: n, K: 2 * b},
		{Name: fmt.Sprintf("(%dx%d)^T · %dx%d", b, n, b, n), TransA: true, M: n, N: n, K: b},
	}
}

// measureMatmuls times each of matmulShapes.
func measureMatmuls(b, n int) []Matmul {
	shapes := matmulShapes(b, n)
	for i := range shapes {
		shapes[i].GFLOPS = timeGemm(shapes[i])
	}
	return shapes
}

// timeGemm returns the best rate, in GFLOP/s, of five windows of at least
// 0.1 s of back-to-back products of shape s.
func timeGemm(s Matmul) float64 {
	rng := rand.New(rand.NewPCG(1, 1))
	fill := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(rng.NormFloat64())
		}
		return v
	}
	a, b, c := fill(s.M*s.K), fill(s.K*s.N), make([]float32, s.M*s.N)
	lda, ldb := s.K, s.N
	if s.TransA {
		lda = s.M
	}
	if s.TransB {
		ldb = s.K
	}
	flops := 2 * float64(s.M) * float64(s.N) * float64(s.K)
	sgemm(s.TransA, s.TransB, s.M, s.N, s.K, a, lda, b, ldb, c, s.N)
	best := 0.0
	for range 5 {
		start, reps := time.Now(), 0
		for time.Since(start) < 100*time.Millisecond {
			sgemm(s.TransA, s.TransB, s.M, s.N, s.K, a, lda, b, ldb, c, s.N)
			reps++
		}
		best = max(best, flops*float64(reps)/time.Since(start).Seconds()/1e9)
	}
	return best
}

// matmulRate returns the rate at which a step's n x n products would run
// at the measured raw speeds: their FLOPs over the sum of each product's
// FLOPs divided by its shape's speed. Per hidden pair an HNN makes two
// forward-shaped products (Z W, Pi W), two by a transposed weight (the input
// gradient and the backward product) and the 2b-row weight gradient; a
// baseline one forward, one transposed and one b-row weight gradient. It
// assumes equal hidden widths (it uses the first) and returns 0 without
// measurements.
func matmulRate(kind string, mm []Matmul, b int, hidden []int) float64 {
	if len(mm) != 4 || len(hidden) < 2 {
		return 0
	}
	base := 2 * float64(b) * float64(hidden[0]) * float64(hidden[0])
	type part struct {
		flops float64
		rate  float64
	}
	var parts []part
	if k, err := model.Lookup(kind); err == nil && k.SecondOrder {
		parts = []part{{2 * base, mm[0].GFLOPS}, {2 * base, mm[1].GFLOPS}, {2 * base, mm[2].GFLOPS}}
	} else {
		parts = []part{{base, mm[0].GFLOPS}, {base, mm[1].GFLOPS}, {base, mm[3].GFLOPS}}
	}
	var total, sec float64
	for _, p := range parts {
		if p.rate <= 0 {
			return 0
		}
		total += p.flops
		sec += p.flops / p.rate
	}
	return total / sec
}
