// Command benchmarks measures how fast hnn makes the data of its tasks and
// trains on them, and puts the numbers beside the raw speed of the matrix
// products underneath and beside the 2019 PyTorch reference.
//
// Usage (from the repository root):
//
//	go run ./benchmarks [-tasks spring,two-body] [-builds asm,gonum,openblas]
//	                    [-steps 200] [-warmup 20] [-repeat 3] [-reproduce] [-whole]
//	                    [-reference PATH [-python python3] [-rounds 1]] [-json FILE]
//
// For every build named by -builds the command re-runs itself as a child
// process (go run [-tags openblas] ./benchmarks -child), which, for every
// task named by -tasks, times the task's data generation, single
// train.Stepper steps of its HNN and baseline in float32 with the task's
// own training settings (full batch for spring, minibatches of 200 for
// two-body), and the float32 matrix products of a step's shapes through
// the BLAS that build uses, and prints them as JSON; the parent gathers
// the children's results and prints one table. With -reproduce it also
// builds cmd/hnn for every build and times a one-seed reproduction of the
// spring and pendulum rows; with -whole it times 'hnn train TASK -model
// hnn' for every task. With -reference it runs the reference's training
// scripts from a checkout as separate programs and times them; without a
// usable reference it compares against the figures recorded in
// shared/REFERENCE.md §7, and says so; -rounds N times our commands and the
// reference's scripts in turn N times and reports the median of each
// round's speedups. See README.md beside this file.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hnn-go/hnn/internal/atomicfile"
	"github.com/hnn-go/hnn/internal/buildinfo"
	"github.com/hnn-go/hnn/internal/check"
	"github.com/hnn-go/hnn/nn"
	"github.com/hnn-go/hnn/task"
)

// dataSeed is the seed of the timed runs' data, initial weights and
// minibatches.
const dataSeed = 0

// kinds are the models timed.
var kinds = []string{"hnn", "baseline"}

// defaultTasks are the tasks measured without -tasks.
const defaultTasks = "spring,two-body"

// options are the command's settings.
type options struct {
	tasks     []string
	builds    []string
	child     bool
	steps     int
	warmup    int
	repeat    int
	reproduce bool
	whole     bool
	reference string
	rounds    int
	python    string
	jsonPath  string
	// -scale: the scale-out measurements (scale.go).
	scale      bool
	scaleTrain string
	cgroup     string
	copies     []int
	memCapMB   int
	scaleParts []string
	// -symoden: SymODEN's task-2 script beside hnn (symoden.go).
	symoden      string
	symodenSteps int
}

func main() {
	if err := nn.CheckKernelEnv(); err != nil {
		fmt.Fprintln(os.Stderr, "benchmarks:", err)
		os.Exit(1)
	}
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
	tasks := fs.String("tasks", defaultTasks, "comma-separated tasks to measure: "+strings.Join(task.Names(), ", "))
	builds := fs.String("builds", "asm,openblas", "comma-separated builds to measure: asm (the default build), gonum (-tags purego), openblas (-tags openblas: OpenBLAS's raw products only, beside nn's)")
	var o options
	fs.BoolVar(&o.child, "child", false, "measure this build only and print JSON (used by the parent process)")
	fs.IntVar(&o.steps, "steps", 200, "timed training steps per run")
	fs.IntVar(&o.warmup, "warmup", 20, "untimed training steps before the timed ones")
	fs.IntVar(&o.repeat, "repeat", 3, "data generations and training runs per model; the fastest counts")
	fs.BoolVar(&o.reproduce, "reproduce", false, "also time 'hnn reproduce -tasks spring,pendulum -seeds 1 -no-figures' for every build")
	fs.BoolVar(&o.whole, "whole", false, "also time 'hnn train TASK -model hnn' (data, training, evaluation) for every task and build")
	fs.StringVar(&o.reference, "reference", "", "path of a checkout of the 2019 PyTorch reference (greydanus/hamiltonian-nn) to time")
	fs.IntVar(&o.rounds, "rounds", 1, "with -reference and -reproduce or -whole: time the hnn commands and the reference's scripts in turn this many times and report each round's speedups and their median")
	fs.StringVar(&o.python, "python", "python3", "Python interpreter for -reference and -symoden")
	fs.StringVar(&o.jsonPath, "json", "", "also write the results as JSON to this file")
	fs.BoolVar(&o.scale, "scale", false, "measure the scale-out features in this build instead: training steps/s against -workers, sweep throughput against worker count, peak memory of training from disk against dataset size")
	copies := fs.String("copies", "25,100,400", "with -scale: dataset sizes, in copies of the two-body data (5.1 MB of float32 training rows each)")
	parts := fs.String("scale-parts", "cores,workers,sweep,memory", "with -scale: the measurements to make (cores: steps/s of the spring, two-body and pixel HNN against GOMAXPROCS 1, 2 and all)")
	fs.IntVar(&o.memCapMB, "memory-cap-mb", 0, "with -scale: run the disk-training children in a cgroup limited to this many MiB (needs a writable memory cgroup)")
	fs.StringVar(&o.scaleTrain, "scale-train", "", "train from this dataset directory and print JSON (the child of -scale)")
	fs.StringVar(&o.cgroup, "cgroup", "", "with -scale-train: join this cgroup first")
	fs.StringVar(&o.symoden, "symoden", "", "instead: time SymODEN's task-2 training script from this export of Physics-aware-AI/Symplectic-ODENet beside 'hnn train pendulum-embed -model symoden', whole processes in turn, -repeat rounds (-python runs it)")
	fs.IntVar(&o.symodenSteps, "symoden-steps", 0, "with -symoden: the script's --total_steps (0: its default), and hnn the same number of updates")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: go run ./benchmarks [flags]   (from the repository root)")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %s", check.Quote(fs.Arg(0)))
	}
	for _, c := range []struct {
		name      string
		n, lo, hi int
	}{{"-steps", o.steps, 1, check.MaxSteps}, {"-warmup", o.warmup, 0, check.MaxSteps}, {"-repeat", o.repeat, 1, 1000}, {"-rounds", o.rounds, 1, 100},
		{"-symoden-steps", o.symodenSteps, 0, check.MaxSteps / symodenInputs}} {
		if err := check.Count(c.name, c.n, c.lo, c.hi); err != nil {
			return o, err
		}
	}
	var err error
	for c := range strings.SplitSeq(*copies, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil {
			return o, fmt.Errorf("-copies: %s is not a count", check.Quote(c))
		}
		if err := check.Count("-copies", n, 1, check.MaxCopies); err != nil {
			return o, err
		}
		o.copies = append(o.copies, n)
	}
	if o.scaleParts, err = splitList("-scale-parts", *parts, []string{"cores", "workers", "sweep", "memory"}, "part"); err != nil {
		return o, err
	}
	if o.memCapMB < 0 {
		return o, fmt.Errorf("-memory-cap-mb %d, want at least 0", o.memCapMB)
	}
	if o.tasks, err = splitList("-tasks", *tasks, task.Names(), "task"); err != nil {
		return o, err
	}
	if o.builds, err = splitList("-builds", *builds, []string{"asm", "gonum", "openblas"}, "build"); err != nil {
		return o, err
	}
	if len(o.tasks) == 0 {
		return o, fmt.Errorf("-tasks: name at least one of %s", strings.Join(task.Names(), ", "))
	}
	if len(o.builds) == 0 && !o.child {
		return o, errors.New("-builds: name at least one of asm, gonum, openblas")
	}
	if o.rounds > 1 && (o.reference == "" || !(o.reproduce || o.whole)) {
		return o, fmt.Errorf("-rounds %d needs -reference and -reproduce or -whole", o.rounds)
	}
	return o, nil
}

// splitList splits a comma-separated flag value into its distinct
// non-empty names, in order, and returns an error naming the first that is
// not one of valid.
func splitList(flagName, value string, valid []string, what string) ([]string, error) {
	var out []string
	for s := range strings.SplitSeq(value, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if !slices.Contains(valid, s) {
			return nil, fmt.Errorf("%s: unknown %s %s (valid: %s)", flagName, what, check.Quote(s), strings.Join(valid, ", "))
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out, nil
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
	// Rounds are the -rounds rounds of whole commands, ours then the
	// reference's scripts (the first is Builds' and Reference's), and
	// RoundMedians the median over them of each whole-command speedup,
	// with the median seconds of each side.
	Rounds       []Round   `json:"rounds,omitempty"`
	RoundMedians []Speedup `json:"round_medians,omitempty"`
}

// Round is one round of -rounds: the hnn commands of every build, then the
// reference's scripts, and the speedups of the whole commands between them.
type Round struct {
	Builds    []*BuildResult `json:"builds"`
	Reference *Reference     `json:"reference"`
	Speedups  []Speedup      `json:"speedups"`
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
	Tasks  []string `json:"tasks"`
	Steps  int      `json:"steps"`
	Warmup int      `json:"warmup"`
	Repeat int      `json:"repeat"`
}

// BuildResult holds one build's measurements.
type BuildResult struct {
	// Build is the build asked for: asm (the default build), gonum (the
	// purego build) or openblas.
	Build string `json:"build"`
	// Error says why the build could not be measured.
	Error     string          `json:"error,omitempty"`
	Info      *buildinfo.Info `json:"info,omitempty"`
	MatmulVia string          `json:"matmul_via,omitempty"`
	// Kernel is nn.Kernel(): the level of nn's float32 kernels (generic in
	// the gonum and openblas builds).
	Kernel string `json:"kernel,omitempty"`
	// PeakGFLOPS is the core's float32 peak measured by nn.PeakGFLOPS (a
	// loop of independent vector FMAs), zero without assembly kernels.
	PeakGFLOPS float64 `json:"peak_gflops,omitempty"`
	// Tasks holds the measurements of every task, in -tasks order.
	Tasks []TaskResult `json:"tasks,omitempty"`
	// Reproduce is the timed 'hnn reproduce' (-reproduce), Whole the
	// timed 'hnn train TASK -model hnn' of every task (-whole).
	Reproduce *Timed  `json:"reproduce,omitempty"`
	Whole     []Timed `json:"whole,omitempty"`
}

// Timed is the wall-clock time of one run of the hnn command.
type Timed struct {
	// Task is the task of a whole run, empty for the reproduction.
	Task    string  `json:"task,omitempty"`
	Command string  `json:"command"`
	Seconds float64 `json:"seconds,omitempty"`
	Error   string  `json:"error,omitempty"`
}

func run(args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if o.scaleTrain != "" {
		return scaleTrain(o.scaleTrain, o.steps, o.cgroup, stdout)
	}
	if o.scale {
		return runScale(o, stdout, stderr)
	}
	if o.symoden != "" {
		return runSymoden(o, stdout, stderr)
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
		Settings: Settings{Tasks: o.tasks, Steps: o.steps, Warmup: o.warmup, Repeat: o.repeat},
	}
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	// Check the reference's checkout before the long measurements.
	if o.reference != "" {
		if err := checkCheckout(o.reference, refScriptsFor(o)); err != nil {
			return err
		}
	}
	for _, b := range o.builds {
		fmt.Fprintf(stderr, "benchmarks: measuring the %s build\n", b)
		rep.Builds = append(rep.Builds, runChild(root, b, o, stderr))
	}
	// The builds whose hnn commands are timed: the openblas tag changes
	// only this command's raw products (blas_openblas.go), not hnn, so its
	// hnn is the asm build's.
	var timed []*BuildResult
	binDir := ""
	if o.reproduce || o.whole {
		if binDir, err = os.MkdirTemp("", "hnn-bin-"); err != nil {
			return err
		}
		defer os.RemoveAll(binDir)
		for _, b := range rep.Builds {
			if b.Error != "" || (b.Build == "openblas" && slices.Contains(o.builds, "asm")) {
				continue
			}
			timed = append(timed, b)
			timeCommands(root, binDir, b, o, stderr)
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
	if o.rounds > 1 && rep.Reference.Measured {
		rep.Rounds = append(rep.Rounds, Round{Builds: timed, Reference: rep.Reference, Speedups: wholeSpeedups(rep.Speedups)})
		for r := 2; r <= o.rounds; r++ {
			fmt.Fprintf(stderr, "benchmarks: round %d/%d\n", r, o.rounds)
			var bs []*BuildResult
			for _, b := range timed {
				rb := &BuildResult{Build: b.Build}
				timeCommands(root, binDir, rb, o, stderr)
				bs = append(bs, rb)
			}
			ref := reference(o, stderr)
			rep.Rounds = append(rep.Rounds, Round{Builds: bs, Reference: ref, Speedups: speedups(&Report{Builds: bs, Reference: ref})})
		}
		rep.RoundMedians = roundMedians(rep.Rounds)
	}
	rep.Machine.LoadEnd = loadavg()
	// The JSON goes first, so that a reader that stops reading the table
	// early (| head) does not lose it.
	jsonErr := writeJSON(o.jsonPath, rep)
	printReport(stdout, rep)
	if jsonErr != nil {
		return jsonErr
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

// buildTags returns the go command's tag flags of a build: none for asm
// (the default build), purego for gonum, openblas for openblas.
func buildTags(build string) []string {
	switch build {
	case "openblas":
		return []string{"-tags", "openblas"}
	case "gonum":
		return []string{"-tags", "purego"}
	}
	return nil
}

// runChild measures one build in a child process.
func runChild(root, build string, o options, stderr io.Writer) *BuildResult {
	args := append([]string{"run"}, buildTags(build)...)
	args = append(args, "./benchmarks", "-child", "-tasks", strings.Join(o.tasks, ","),
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

// reproduceArgs are the arguments of the timed reproduction, and
// reproduceTasks its tasks.
var (
	reproduceArgs  = []string{"reproduce", "-tasks", "spring,pendulum", "-seeds", "1", "-no-figures", "-no-progress"}
	reproduceTasks = []string{"spring", "pendulum"}
)

// wholeArgs returns the arguments of the timed whole run of a task: the
// task's HNN at its reference settings, data generation, training and
// evaluation (losses and energy MSE) included, as 'hnn train' does it.
func wholeArgs(taskName string) []string {
	return []string{"train", taskName, "-model", "hnn", "-no-progress"}
}

// timeCommands builds cmd/hnn for b's build into binDir, unless an
// earlier round did, and times, into a temporary directory, the
// reproduction (-reproduce) and the whole HNN run of every task (-whole),
// one after another.
func timeCommands(root, binDir string, b *BuildResult, o options, stderr io.Writer) {
	var runs []Timed
	var argv [][]string
	if o.reproduce {
		runs = append(runs, Timed{Command: "hnn " + strings.Join(reproduceArgs, " ") + " -out TMPDIR"})
		argv = append(argv, reproduceArgs)
	}
	if o.whole {
		for _, t := range o.tasks {
			runs = append(runs, Timed{Task: t, Command: "hnn " + strings.Join(wholeArgs(t), " ") + " -out TMPDIR"})
			argv = append(argv, wholeArgs(t))
		}
	}
	defer func() {
		for _, r := range runs {
			if r.Task == "" {
				b.Reproduce = &r
			} else {
				b.Whole = append(b.Whole, r)
			}
		}
	}()
	fail := func(msg string) {
		for i := range runs {
			runs[i].Error = msg
		}
	}
	tmp, err := os.MkdirTemp("", "hnn-bench-")
	if err != nil {
		fail(err.Error())
		return
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(binDir, "hnn-"+b.Build)
	if _, err := os.Stat(bin); err != nil {
		args := append([]string{"build"}, buildTags(b.Build)...)
		args = append(args, "-o", bin, "./cmd/hnn")
		cmd := exec.Command("go", args...)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			fail(fmt.Sprintf("go build: %v: %s", err, errorLine(string(out))))
			return
		}
	}
	for i := range runs {
		fmt.Fprintf(stderr, "benchmarks: timing %s, %s build\n", runs[i].Command, b.Build)
		out := filepath.Join(tmp, "out"+strconv.Itoa(i))
		cmd := exec.Command(bin, append(slices.Clone(argv[i]), "-out", out)...)
		start := time.Now()
		text, err := cmd.CombinedOutput()
		if err != nil {
			runs[i].Error = fmt.Sprintf("%v: %s", err, lastLine(string(text)))
			continue
		}
		runs[i].Seconds = time.Since(start).Seconds()
	}
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

// writeJSON writes v, indented, to path atomically; nothing when path is
// empty (no -json flag).
func writeJSON(path string, v any) error {
	if path == "" {
		return nil
	}
	out, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, append(out, '\n'), 0o644)
}
