// Command benchmarks measures how fast hnn trains the spring task and puts
// the numbers beside the raw speed of the matrix products underneath and
// beside the 2019 PyTorch reference.
//
// Usage (from the repository root):
//
//	go run ./benchmarks [-builds gonum,openblas] [-steps 200] [-warmup 20] [-repeat 3]
//	                    [-reproduce] [-reference PATH [-python python3]] [-json FILE]
//
// For every build named by -builds the command re-runs itself as a child
// process (go run [-tags openblas] ./benchmarks -child), which times
// train.Train of the spring task's HNN and baseline at full batch in float32
// and the float32 matrix products of a step's shapes through the BLAS that
// build uses, and prints them as JSON; the parent gathers the children's
// results and prints one table. With -reproduce it also builds cmd/hnn for
// every build and times a one-seed reproduction of the spring and pendulum
// rows. With -reference it runs the reference's training scripts from a
// checkout as separate programs and times them; without a usable reference
// it compares against the figures recorded in shared/REFERENCE.md §7, and
// says so. See README.md beside this file.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"

	"github.com/hnn-go/hnn/experiment"
	"github.com/hnn-go/hnn/internal/atomicfile"
	"github.com/hnn-go/hnn/internal/buildinfo"
	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/nn"
	"github.com/hnn-go/hnn/train"
)

// The task, its data seed and the models timed.
const (
	taskName = "spring"
	dataSeed = 0
)

var kinds = []string{"hnn", "baseline"}

// sgemm computes c = op(a) op(b) for row-major float32 matrices, op(a) m x k
// and op(b) k x n, through the BLAS of this build. The openblas build
// replaces it in its init (blas_openblas.go); nn's own gemm helpers are
// unexported, so this calls the same library the same way instead.
var sgemm = gonumSgemm

// matmulVia says how sgemm reaches the BLAS.
var matmulVia = "gonum blas32.Gemm, whose default implementation is the pure-Go gonum Implementation that nn calls (parallel over GOMAXPROCS goroutines for large products)"

func gonumSgemm(tA, tB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	ga := blas32.General{Rows: m, Cols: k, Stride: lda, Data: a}
	if tA {
		ga.Rows, ga.Cols = k, m
	}
	gb := blas32.General{Rows: k, Cols: n, Stride: ldb, Data: b}
	if tB {
		gb.Rows, gb.Cols = n, k
	}
	blas32.Gemm(transpose(tA), transpose(tB), 1, ga, gb, 0, blas32.General{Rows: m, Cols: n, Stride: ldc, Data: c})
}

func transpose(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

// options are the command's settings.
type options struct {
	builds    []string
	child     bool
	steps     int
	warmup    int
	repeat    int
	reproduce bool
	reference string
	python    string
	jsonPath  string
}

func main() {
	err := run(os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case err != nil:
		fmt.Fprintln(os.Stderr, "benchmarks:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("benchmarks", flag.ContinueOnError)
	fs.SetOutput(stderr)
	builds := fs.String("builds", "gonum,openblas", "comma-separated builds to measure: gonum, openblas")
	var o options
	fs.BoolVar(&o.child, "child", false, "measure this build only and print JSON (used by the parent process)")
	fs.IntVar(&o.steps, "steps", 200, "timed training steps per run")
	fs.IntVar(&o.warmup, "warmup", 20, "untimed training steps before the timed ones")
	fs.IntVar(&o.repeat, "repeat", 3, "training runs per model; the fastest counts")
	fs.BoolVar(&o.reproduce, "reproduce", false, "also time 'hnn reproduce -tasks spring,pendulum -seeds 1 -no-figures' for every build")
	fs.StringVar(&o.reference, "reference", "", "path of a checkout of the 2019 PyTorch reference (greydanus/hamiltonian-nn) to time")
	fs.StringVar(&o.python, "python", "python3", "Python interpreter for -reference")
	fs.StringVar(&o.jsonPath, "json", "", "also write the results as JSON to this file")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: go run ./benchmarks [flags]   (from the repository root)")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	switch {
	case o.steps < 1:
		return o, fmt.Errorf("-steps %d, want at least 1", o.steps)
	case o.warmup < 0:
		return o, fmt.Errorf("-warmup %d, want at least 0", o.warmup)
	case o.repeat < 1:
		return o, fmt.Errorf("-repeat %d, want at least 1", o.repeat)
	}
	for b := range strings.SplitSeq(*builds, ",") {
		b = strings.TrimSpace(b)
		if b == "" {
			continue
		}
		if b != "gonum" && b != "openblas" {
			return o, fmt.Errorf("-builds: unknown build %q (valid: gonum, openblas)", b)
		}
		if !slices.Contains(o.builds, b) {
			o.builds = append(o.builds, b)
		}
	}
	if len(o.builds) == 0 && !o.child {
		return o, errors.New("-builds: name at least one of gonum, openblas")
	}
	return o, nil
}

// Report is everything one invocation measured; -json writes it.
type Report struct {
	Machine   Machine        `json:"machine"`
	Settings  Settings       `json:"settings"`
	Builds    []*BuildResult `json:"builds"`
	Reference *Reference     `json:"reference"`
	// Speedups compare ours with the reference: ours in steps/s over the
	// reference's, that is the reference's time over ours (> 1: ours is
	// faster).
	Speedups []Speedup `json:"speedups"`
}

// Machine describes where the numbers were taken.
type Machine struct {
	NumCPU     int `json:"num_cpu"`
	GOMAXPROCS int `json:"gomaxprocs"`
	// LoadStart and LoadEnd are /proc/loadavg at the start and the end,
	// to tell whether other work shared the machine.
	LoadStart string `json:"load_start,omitempty"`
	LoadEnd   string `json:"load_end,omitempty"`
	Start     string `json:"start"`
}

// Settings records how the training steps were timed.
type Settings struct {
	Task   string `json:"task"`
	Steps  int    `json:"steps"`
	Warmup int    `json:"warmup"`
	Repeat int    `json:"repeat"`
}

// BuildResult holds one build's measurements.
type BuildResult struct {
	// Build is the build asked for, gonum or openblas.
	Build string `json:"build"`
	// Error says why the build could not be measured.
	Error     string          `json:"error,omitempty"`
	Info      *buildinfo.Info `json:"info,omitempty"`
	MatmulVia string          `json:"matmul_via,omitempty"`
	Matmul    []Matmul        `json:"matmul,omitempty"`
	Models    []ModelSpeed    `json:"models,omitempty"`
	Reproduce *Reproduce      `json:"reproduce,omitempty"`
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
	Kind   string `json:"kind"`
	Sizes  []int  `json:"sizes"`
	Rows   int    `json:"rows"`
	Hidden []int  `json:"hidden"`
	// StepsPerSec is the fastest of the runs; Runs holds every run's.
	StepsPerSec float64   `json:"steps_per_sec"`
	Runs        []float64 `json:"runs_steps_per_sec"`
	// CPUPerStep is the processor time (user and system, all threads) of
	// a step of the fastest run, in seconds; over the wall time of a step
	// it tells how many cores a step keeps busy. Zero where the operating
	// system does not say (it is read from /proc/self/stat).
	CPUPerStep float64 `json:"cpu_seconds_per_step,omitempty"`
	// FLOPs counts the matrix products of one step (see stepFLOPs).
	FLOPs  float64 `json:"flops_per_step"`
	GFLOPS float64 `json:"gflops"`
	// MatmulGFLOPS is the rate the step's products would reach at the
	// measured raw speed of their shapes, and Fraction = GFLOPS /
	// MatmulGFLOPS: 1 would mean the step does nothing but its products.
	MatmulGFLOPS float64 `json:"matmul_gflops"`
	Fraction     float64 `json:"fraction_of_matmul"`
}

// Reproduce is the wall-clock time of one reproduction.
type Reproduce struct {
	Command string  `json:"command"`
	Seconds float64 `json:"seconds,omitempty"`
	Error   string  `json:"error,omitempty"`
}

func run(args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if o.child {
		r := measureBuild(o, stderr)
		return json.NewEncoder(stdout).Encode(r)
	}
	rep := &Report{
		Machine: Machine{
			NumCPU: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0),
			LoadStart: loadavg(), Start: time.Now().Format(time.RFC3339),
		},
		Settings: Settings{Task: taskName, Steps: o.steps, Warmup: o.warmup, Repeat: o.repeat},
	}
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	// Check the reference's checkout before the long measurements.
	if o.reference != "" {
		if err := checkCheckout(o.reference); err != nil {
			return err
		}
	}
	for _, b := range o.builds {
		fmt.Fprintf(stderr, "benchmarks: measuring the %s build\n", b)
		rep.Builds = append(rep.Builds, runChild(root, b, o, stderr))
	}
	if o.reproduce {
		for _, b := range rep.Builds {
			if b.Error != "" {
				continue
			}
			fmt.Fprintf(stderr, "benchmarks: timing hnn reproduce, %s build\n", b.Build)
			b.Reproduce = timeReproduce(root, b.Build)
		}
	}
	measured := 0
	for _, b := range rep.Builds {
		if b.Error == "" {
			measured++
		}
	}
	rep.Reference = reference(o, stderr)
	rep.Speedups = speedups(rep)
	rep.Machine.LoadEnd = loadavg()
	printReport(stdout, rep)
	if o.jsonPath != "" {
		out, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		if err := atomicfile.WriteFile(o.jsonPath, append(out, '\n'), 0o644); err != nil {
			return err
		}
	}
	if measured == 0 {
		return errors.New("no build could be measured")
	}
	return nil
}

// moduleRoot returns the directory of the main module's go.mod.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("not inside the hnn module: run 'go run ./benchmarks' from the repository root")
	}
	return filepath.Dir(gomod), nil
}

func buildTags(build string) []string {
	if build == "openblas" {
		return []string{"-tags", "openblas"}
	}
	return nil
}

// runChild measures one build in a child process.
func runChild(root, build string, o options, stderr io.Writer) *BuildResult {
	args := append([]string{"run"}, buildTags(build)...)
	args = append(args, "./benchmarks", "-child",
		"-steps", strconv.Itoa(o.steps), "-warmup", strconv.Itoa(o.warmup), "-repeat", strconv.Itoa(o.repeat))
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	var out, errOut bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = io.MultiWriter(stderr, &errOut)
	res := &BuildResult{Build: build}
	if err := cmd.Run(); err != nil {
		res.Error = childError(build, err, errOut.String())
		return res
	}
	if err := json.Unmarshal(out.Bytes(), res); err != nil {
		res.Error = fmt.Sprintf("reading the child's results: %v", err)
	}
	res.Build = build
	return res
}

// childError turns a failed child into one line.
func childError(build string, err error, stderr string) string {
	line := errorLine(stderr)
	if build == "openblas" && (strings.Contains(stderr, "cblas") || strings.Contains(stderr, "lopenblas")) {
		return "not measured: the openblas build needs OpenBLAS's headers and library (Debian/Ubuntu: apt-get install libopenblas-dev): " + line
	}
	if line == "" {
		return "not measured: " + err.Error()
	}
	return fmt.Sprintf("not measured: %v: %s", err, line)
}

// errorLine returns the line of a tool's output that best says what went
// wrong: the first that mentions OpenBLAS, else the first that mentions an
// error, else the last.
func errorLine(out string) string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for _, key := range []string{"cblas", "openblas", "error"} {
		for _, l := range lines {
			if strings.Contains(strings.ToLower(l), key) {
				return strings.TrimSpace(l)
			}
		}
	}
	return strings.TrimSpace(lines[len(lines)-1])
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// measureBuild measures the build it runs in.
func measureBuild(o options, stderr io.Writer) *BuildResult {
	info := buildinfo.Get(nn.BLAS)
	res := &BuildResult{Build: nn.BLAS, Info: &info, MatmulVia: matmulVia}
	spec, err := experiment.NewSpec(taskName, "hnn", dataSeed, false)
	if err != nil {
		res.Error = err.Error()
		return res
	}
	ds, err := experiment.Dataset(spec)
	if err != nil {
		res.Error = err.Error()
		return res
	}
	rows, hidden := ds.Train.Len(), spec.Model.Hidden
	fmt.Fprintf(stderr, "%s: raw float32 products\n", nn.BLAS)
	res.Matmul = measureMatmuls(rows, hidden[0])
	for _, kind := range kinds {
		fmt.Fprintf(stderr, "%s: training the %s, %d x (%d + %d) steps\n", nn.BLAS, kind, o.repeat, o.warmup, o.steps)
		ms, err := measureTraining(kind, o)
		if err != nil {
			res.Error = err.Error()
			return res
		}
		ms.MatmulGFLOPS = matmulRate(kind, res.Matmul, rows, hidden)
		if ms.MatmulGFLOPS > 0 {
			ms.Fraction = ms.GFLOPS / ms.MatmulGFLOPS
		}
		res.Models = append(res.Models, ms)
	}
	return res
}

// measureTraining times train.Train of the spring task's model of the
// given kind on the spring dataset, float32, full batch, with the
// protocol's log interval (so the test loss is evaluated as often, per
// step, as in a full run), and returns the fastest of o.repeat runs.
func measureTraining(kind string, o options) (ModelSpeed, error) {
	spec, err := experiment.NewSpec(taskName, kind, dataSeed, false)
	if err != nil {
		return ModelSpeed{}, err
	}
	spec.Model.Precision = "float32"
	ds, err := experiment.Dataset(spec)
	if err != nil {
		return ModelSpeed{}, err
	}
	cfg := spec.Train.WithDefaults()
	cfg.Steps = o.warmup + o.steps
	cfg.Batch = 0
	ms := ModelSpeed{Kind: kind, Rows: ds.Train.Len(), Hidden: spec.Model.Hidden}
	for r := 0; r < o.repeat; r++ {
		m, err := model.New[float32](spec.Model, rand.New(rand.NewPCG(spec.Seed, 2)))
		if err != nil {
			return ms, err
		}
		ms.Sizes = m.Networks()[0].MLP.Sizes
		var t0, t1 time.Time
		var c0, c1 float64
		progress := func(step int, _ float64) {
			switch step {
			case o.warmup:
				t0, c0 = time.Now(), cpuSeconds()
			case cfg.Steps:
				t1, c1 = time.Now(), cpuSeconds()
			}
		}
		if o.warmup == 0 {
			t0, c0 = time.Now(), cpuSeconds()
		}
		if _, err := train.Train(m, &ds.Train, &ds.Test, cfg, rand.New(rand.NewPCG(spec.Seed, 3)), progress); err != nil {
			return ms, fmt.Errorf("training the %s: %w", kind, err)
		}
		rate := float64(o.steps) / t1.Sub(t0).Seconds()
		if len(ms.Runs) == 0 || rate > slices.Max(ms.Runs) {
			ms.StepsPerSec = rate
			ms.CPUPerStep = 0
			if c0 >= 0 && c1 >= 0 {
				ms.CPUPerStep = (c1 - c0) / float64(o.steps)
			}
		}
		ms.Runs = append(ms.Runs, rate)
	}
	ms.FLOPs = stepFLOPs(kind, ms.Rows, ms.Sizes)
	ms.GFLOPS = ms.FLOPs * ms.StepsPerSec / 1e9
	return ms, nil
}

// stepFLOPs counts the floating-point operations of the matrix products of
// one training gradient on b rows for a network with layer sizes
// d, n_1, ..., n_L, out, at 2 per multiply-add; the elementwise work
// (activations, loss, column sums) and Adam, which are O(b n) or O(n^2)
// rather than O(b n^2), are left out.
//
// An HNN (forward, input gradient, second-order parameter gradient) makes
// for every pair of consecutive hidden layers five n_k x n_{k+1} products
// over b rows (forward, input gradient, the adjoint Pi, the backward
// product, and the weight gradient's partner) and one, the weight gradient
// [Z; M]^T [Abar; Delta], over 2b rows: 12 b n_k n_{k+1}. With the input it
// makes x W_1, grad_x H, P W_1 and the first weight gradient over 2b rows,
// 10 b d n_1, and 2 b n_L for the scalar output. For the spring's 750 x
// (2-200-200-1): 12*750*200^2 + 10*750*2*200 + 2*750*200 = 363.3 MFLOP.
//
// A baseline (forward, backpropagation) makes three products per hidden
// pair, 6 b n_k n_{k+1}, two with the input (forward, weight gradient),
// 4 b d n_1, and three with the output (forward, weight gradient, back
// into the last hidden layer), 6 b d n_L. Spring: 180 + 3 = 183 MFLOP.
func stepFLOPs(kind string, b int, sizes []int) float64 {
	B, D := float64(b), float64(sizes[0])
	hid := sizes[1 : len(sizes)-1]
	inner := 0.0
	for k := 0; k+1 < len(hid); k++ {
		inner += float64(hid[k]) * float64(hid[k+1])
	}
	n1, nL := float64(hid[0]), float64(hid[len(hid)-1])
	if kind == "hnn" {
		return 12*B*inner + 10*B*D*n1 + 2*B*nL
	}
	return 6*B*inner + 4*B*D*n1 + 6*B*D*nL
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
	if kind == "hnn" {
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

// reproduceArgs are the arguments of the timed reproduction.
var reproduceArgs = []string{"reproduce", "-tasks", "spring,pendulum", "-seeds", "1", "-no-figures", "-no-progress"}

// timeReproduce builds cmd/hnn for build and times a one-seed reproduction
// of the spring and pendulum rows into a temporary directory.
func timeReproduce(root, build string) *Reproduce {
	r := &Reproduce{Command: "hnn " + strings.Join(reproduceArgs, " ") + " -out TMPDIR"}
	tmp, err := os.MkdirTemp("", "hnn-bench-")
	if err != nil {
		r.Error = err.Error()
		return r
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "hnn-"+build)
	args := append([]string{"build"}, buildTags(build)...)
	args = append(args, "-o", bin, "./cmd/hnn")
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		r.Error = fmt.Sprintf("go build: %v: %s", err, errorLine(string(out)))
		return r
	}
	cmd = exec.Command(bin, append(reproduceArgs, "-out", filepath.Join(tmp, "out"))...)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.Error = fmt.Sprintf("%v: %s", err, lastLine(string(out)))
		return r
	}
	r.Seconds = time.Since(start).Seconds()
	return r
}

// cpuSeconds returns the processor time, user and system, that this
// process has used, from /proc/self/stat (in units of USER_HZ, which Linux
// fixes at 100 per second for every mainstream architecture), or -1 where
// there is no such file.
func cpuSeconds() float64 {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return -1
	}
	// The command name, field 2, is in parentheses and may hold spaces;
	// utime and stime are fields 14 and 15.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return -1
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return -1
	}
	u, err1 := strconv.ParseFloat(f[11], 64)
	s, err2 := strconv.ParseFloat(f[12], 64)
	if err1 != nil || err2 != nil {
		return -1
	}
	return (u + s) / 100
}

// loadavg returns the first three fields of /proc/loadavg, or "" where there
// is none.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

// Reference holds the reference's timings, measured or recorded.
type Reference struct {
	// Measured is set when the scripts ran in this invocation.
	Measured bool `json:"measured"`
	// Source says where the numbers come from.
	Source string `json:"source"`
	// NotRun says why the reference was not run, if it was not.
	NotRun  string      `json:"not_run,omitempty"`
	Python  string      `json:"python,omitempty"`
	Scripts []RefScript `json:"scripts"`
	// Seconds is the sum over the scripts.
	Seconds float64 `json:"seconds"`
}

// RefScript is one reference training script run with its defaults.
type RefScript struct {
	Name        string   `json:"name"`
	Task        string   `json:"task"`
	Kind        string   `json:"kind"`
	Dir         string   `json:"dir"`
	Args        []string `json:"args"`
	Steps       int      `json:"steps"`
	Seconds     float64  `json:"seconds"`
	StepsPerSec float64  `json:"steps_per_sec"`
	Error       string   `json:"error,omitempty"`
}

// refScripts are the four reference runs matching hnn reproduce's spring and
// pendulum rows, with the whole-process times of shared/REFERENCE.md §7
// (PyTorch 1.13 on CPU on this workplace's 2-core machine, seed 0).
var refScripts = []struct {
	task, kind, dir string
	args            []string
	seconds         float64
}{
	{"spring", "hnn", "experiment-spring", nil, 47},
	{"spring", "baseline", "experiment-spring", []string{"--baseline"}, 24},
	{"pendulum", "hnn", "experiment-pend", nil, 64},
	{"pendulum", "baseline", "experiment-pend", []string{"--baseline"}, 33},
}

// refSteps is the number of optimiser steps of a reference script at its
// defaults: its loop runs range(total_steps+1) with --total_steps 2000.
const refSteps = 2001

const recordedSource = "reference figures from shared/REFERENCE.md §7, not measured in this run"

// refModules are what the reference's scripts import.
var refModules = []string{"torch", "numpy", "scipy", "autograd", "imageio"}

func checkCheckout(path string) error {
	for _, s := range refScripts {
		p := filepath.Join(path, s.dir, "train.py")
		if _, err := os.Stat(p); err != nil {
			return fmt.Errorf("-reference: %w (want a checkout of greydanus/hamiltonian-nn)", err)
		}
	}
	return nil
}

// reference times the reference's scripts, or returns the recorded figures
// with the reason it could not.
func reference(o options, stderr io.Writer) *Reference {
	recorded := func(why string) *Reference {
		r := &Reference{Source: recordedSource, NotRun: why}
		for _, s := range refScripts {
			r.Scripts = append(r.Scripts, RefScript{
				Name: s.dir + " " + strings.Join(append([]string{"train.py"}, s.args...), " "),
				Task: s.task, Kind: s.kind, Dir: s.dir, Args: s.args,
				Steps: refSteps, Seconds: s.seconds, StepsPerSec: refSteps / s.seconds,
			})
			r.Seconds += s.seconds
		}
		return r
	}
	if o.reference == "" {
		return recorded("no -reference PATH given")
	}
	if missing, err := missingModules(o.python); err != nil {
		return recorded(fmt.Sprintf("the reference could not be run: %s: %v", o.python, err))
	} else if len(missing) > 0 {
		return recorded(fmt.Sprintf("the reference could not be run: %s cannot import %s", o.python, strings.Join(missing, ", ")))
	}
	tmp, err := os.MkdirTemp("", "hnn-reference-")
	if err != nil {
		return recorded(err.Error())
	}
	defer os.RemoveAll(tmp)
	r := &Reference{Measured: true, Python: o.python,
		Source: fmt.Sprintf("measured in this run: %s, run with %s", o.reference, o.python)}
	for _, s := range refScripts {
		dir := filepath.Join(o.reference, s.dir)
		rs := RefScript{
			Name: s.dir + " " + strings.Join(append([]string{"train.py"}, s.args...), " "),
			Task: s.task, Kind: s.kind, Dir: dir, Args: s.args,
		}
		rs.Steps = scriptSteps(filepath.Join(dir, "train.py"))
		fmt.Fprintf(stderr, "benchmarks: running the reference %s\n", rs.Name)
		// The model the script saves goes to a temporary directory,
		// never into the checkout.
		args := append([]string{"train.py"}, s.args...)
		args = append(args, "--save_dir", tmp)
		cmd := exec.Command(o.python, args...)
		cmd.Dir = dir
		start := time.Now()
		out, err := cmd.CombinedOutput()
		rs.Seconds = time.Since(start).Seconds()
		if err != nil {
			rs.Error = fmt.Sprintf("%v: %s", err, lastLine(string(out)))
		} else {
			rs.StepsPerSec = float64(rs.Steps) / rs.Seconds
		}
		r.Seconds += rs.Seconds
		r.Scripts = append(r.Scripts, rs)
	}
	return r
}

// missingModules returns the modules of refModules that python cannot
// import.
func missingModules(python string) ([]string, error) {
	code := "import importlib.util as u\nfor m in " + pyList(refModules) + ":\n    print(m if u.find_spec(m) is None else '')\n"
	out, err := exec.Command(python, "-c", code).Output()
	if err != nil {
		return nil, err
	}
	var missing []string
	for l := range strings.SplitSeq(string(out), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			missing = append(missing, l)
		}
	}
	return missing, nil
}

func pyList(s []string) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = strconv.Quote(v)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

var totalStepsRE = regexp.MustCompile(`'--total_steps',\s*default=(\d+)`)

// scriptSteps reads a reference script's --total_steps default and returns
// the optimiser steps its loop makes at that default, refSteps if it cannot
// tell.
func scriptSteps(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return refSteps
	}
	m := totalStepsRE.FindSubmatch(b)
	if m == nil {
		return refSteps
	}
	n, err := strconv.Atoi(string(m[1]))
	if err != nil {
		return refSteps
	}
	if bytes.Contains(b, []byte("range(args.total_steps+1)")) {
		n++
	}
	return n
}

// Speedup compares one of our numbers with the reference's.
type Speedup struct {
	Build string `json:"build"`
	// What is compared: "spring hnn steps/s", "spring baseline steps/s"
	// or "reproduce seconds".
	What      string  `json:"what"`
	Ours      float64 `json:"ours"`
	Reference float64 `json:"reference"`
	// Speedup is ours over the reference in steps/s, the reference over
	// ours in seconds: above 1, ours is faster.
	Speedup float64 `json:"speedup"`
}

func speedups(rep *Report) []Speedup {
	var out []Speedup
	ref := rep.Reference
	refRate := func(task, kind string) float64 {
		for _, s := range ref.Scripts {
			if s.Task == task && s.Kind == kind && s.Error == "" {
				return s.StepsPerSec
			}
		}
		return 0
	}
	allOK := true
	for _, s := range ref.Scripts {
		allOK = allOK && s.Error == ""
	}
	for _, b := range rep.Builds {
		if b.Error != "" {
			continue
		}
		for _, m := range b.Models {
			if r := refRate(taskName, m.Kind); r > 0 {
				out = append(out, Speedup{Build: b.Build, What: taskName + " " + m.Kind + " steps/s",
					Ours: m.StepsPerSec, Reference: r, Speedup: m.StepsPerSec / r})
			}
		}
		if b.Reproduce != nil && b.Reproduce.Error == "" && allOK && ref.Seconds > 0 {
			out = append(out, Speedup{Build: b.Build, What: "reproduce seconds",
				Ours: b.Reproduce.Seconds, Reference: ref.Seconds, Speedup: ref.Seconds / b.Reproduce.Seconds})
		}
	}
	return out
}

func printReport(w io.Writer, rep *Report) {
	fmt.Fprintf(w, "hnn benchmarks: %s task, float32, full batch, train.Train on the task's dataset\n", taskName)
	fmt.Fprintf(w, "timing: fastest of %d runs, %d steps each after %d warm-up steps; test loss at the protocol's log interval\n",
		rep.Settings.Repeat, rep.Settings.Steps, rep.Settings.Warmup)
	fmt.Fprintf(w, "machine: %d CPUs, GOMAXPROCS %d; load average %s at start, %s at the end\n\n",
		rep.Machine.NumCPU, rep.Machine.GOMAXPROCS, orDash(rep.Machine.LoadStart), orDash(rep.Machine.LoadEnd))

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "build\tmodel\trows\tsteps/s\tms/step\tCPU ms/step\tMFLOP/step\tGFLOP/s\tmatmul GFLOP/s\tof matmul\t")
	for _, b := range rep.Builds {
		if b.Error != "" {
			continue
		}
		for _, m := range b.Models {
			cpu := "-"
			if m.CPUPerStep > 0 {
				cpu = fmt.Sprintf("%.1f", 1e3*m.CPUPerStep)
			}
			fmt.Fprintf(tw, "%s\t%s %s\t%d\t%.1f\t%.1f\t%s\t%.1f\t%.2f\t%.2f\t%.0f%%\t\n",
				b.Build, m.Kind, sizesString(m.Sizes), m.Rows, m.StepsPerSec, 1e3/m.StepsPerSec, cpu,
				m.FLOPs/1e6, m.GFLOPS, m.MatmulGFLOPS, 100*m.Fraction)
		}
	}
	tw.Flush()
	for _, b := range rep.Builds {
		if b.Error != "" {
			fmt.Fprintf(w, "%10s  %s\n", b.Build, b.Error)
		}
	}

	var ok []*BuildResult
	for _, b := range rep.Builds {
		if b.Error == "" && len(b.Matmul) > 0 {
			ok = append(ok, b)
		}
	}
	if len(ok) > 0 {
		fmt.Fprintf(w, "\nraw float32 matrix products of a step's shapes, GFLOP/s (best of five 0.1 s windows):\n")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprint(tw, "shape\t")
		for _, b := range ok {
			fmt.Fprintf(tw, "%s\t", b.Build)
		}
		fmt.Fprintln(tw)
		for i, s := range ok[0].Matmul {
			fmt.Fprintf(tw, "%s\t", s.Name)
			for _, b := range ok {
				if i < len(b.Matmul) {
					fmt.Fprintf(tw, "%.2f\t", b.Matmul[i].GFLOPS)
				}
			}
			fmt.Fprintln(tw)
		}
		tw.Flush()
		for _, b := range ok {
			fmt.Fprintf(w, "  %s: %s\n", b.Build, b.MatmulVia)
		}
		fmt.Fprintln(w, "  'matmul GFLOP/s' above is the step's n x n products at these speeds (their FLOPs over their summed times);")
		fmt.Fprintln(w, "  'of matmul' is GFLOP/s over that: the share of the step that runs at raw product speed.")
	}

	var repro []*BuildResult
	for _, b := range rep.Builds {
		if b.Reproduce != nil {
			repro = append(repro, b)
		}
	}
	if len(repro) > 0 {
		fmt.Fprintf(w, "\n%s (built binary, wall clock):\n", repro[0].Reproduce.Command)
		for _, b := range repro {
			if b.Reproduce.Error != "" {
				fmt.Fprintf(w, "  %-9s failed: %s\n", b.Build, b.Reproduce.Error)
				continue
			}
			fmt.Fprintf(w, "  %-9s %7.1f s\n", b.Build, b.Reproduce.Seconds)
		}
	}

	ref := rep.Reference
	fmt.Fprintln(w)
	if ref.NotRun != "" {
		fmt.Fprintf(w, "reference: %s; comparing with the %s.\n", ref.NotRun, recordedSource)
	}
	fmt.Fprintf(w, "2019 PyTorch reference, whole process per script, default arguments (%s):\n", ref.Source)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "script\tseconds\tsteps\tsteps/s\t")
	for _, s := range ref.Scripts {
		if s.Error != "" {
			fmt.Fprintf(tw, "%s\tfailed: %s\t\t\t\n", s.Name, s.Error)
			continue
		}
		fmt.Fprintf(tw, "%s\t%.1f\t%d\t%.1f\t\n", s.Name, s.Seconds, s.Steps, s.StepsPerSec)
	}
	fmt.Fprintf(tw, "total (the runs of the reproduction)\t%.1f\t\t\t\n", ref.Seconds)
	tw.Flush()

	if len(rep.Speedups) > 0 {
		label := "measured reference"
		if !ref.Measured {
			label = "recorded reference figures"
		}
		fmt.Fprintf(w, "\nspeedup over the %s (ours/reference in steps/s = reference/ours in seconds; above 1: ours faster):\n", label)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "build\tcompared\tours\treference\tspeedup\t")
		for _, s := range rep.Speedups {
			fmt.Fprintf(tw, "%s\t%s\t%.1f\t%.1f\t%.2fx\t\n", s.Build, s.What, s.Ours, s.Reference, s.Speedup)
		}
		tw.Flush()
	}
}

func sizesString(s []int) string {
	p := make([]string, len(s))
	for i, v := range s {
		p[i] = strconv.Itoa(v)
	}
	return strings.Join(p, "-")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
