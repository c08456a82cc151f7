package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hnn-go/hnn/task"
)

// SymODEN's task 2 (pendulum, angle embedded) beside hnn's pendulum-embed
// task: -symoden PATH runs SymODEN's own training script from an export of
// Physics-aware-AI/Symplectic-ODENet and hnn's 'hnn train pendulum-embed
// -model symoden' as whole processes, in turn, -repeat rounds, and prints
// their wall and processor times and the ratios. Nothing of SymODEN's code
// is copied here: the script runs from PATH with the measurement-only
// stand-ins for torchdiffeq and gym in benchmarks/symoden/stand-ins on
// PYTHONPATH (see the README there).

// symodenScript is SymODEN's task-2 training script under its checkout,
// and symodenArgs the arguments its README gives for SymODEN on that
// task (--structure: the structured H = p^T M^-1(q) p / 2 + V(q)).
const symodenScript = "experiment-single-embed/train.py"

var symodenArgs = []string{"--verbose", "--structure"}

// symodenInputs is the number of input values SymODEN's task-2 script
// trains on (us = [0, -1, 1, -2, 2]): each of its steps makes one
// optimiser update per input value.
const symodenInputs = 5

// symodenWindows is the number of training windows of one input value in
// SymODEN's task-2 script: 64 training starts, 20 samples, windows of 2
// samples (--num_points 2) starting at every sample but the last. hnn's
// matched run uses it as its minibatch (-batch: segments of one step).
const symodenWindows = 64 * 19

// symodenTask is hnn's task of SymODEN's task 2.
const symodenTask = "pendulum-embed"

// symodenStandIns is the directory, relative to the module root, of the
// stand-in torchdiffeq and gym packages.
const symodenStandIns = "benchmarks/symoden/stand-ins"

// symodenModules are what the script imports besides the stand-ins.
var symodenModules = []string{"torch", "numpy", "scipy", "imageio"}

// SymodenReport is what -symoden measured; -json writes it.
type SymodenReport struct {
	Machine Machine `json:"machine"`
	// Checkout is the SymODEN export run, Python its interpreter.
	Checkout string `json:"checkout"`
	Python   string `json:"python"`
	// Updates is the number of optimiser updates of every run.
	Updates int `json:"updates"`
	// Runs are the commands of a round, in the order of the first round
	// (later rounds alternate the order).
	Runs   []SymodenRun     `json:"runs"`
	Rounds [][]SymodenTimed `json:"rounds"`
}

// SymodenRun is one of the commands timed.
type SymodenRun struct {
	Name    string `json:"name"`
	Command string `json:"command"`
	// Steps is the optimiser updates it makes.
	Steps int `json:"steps"`
}

// SymodenTimed is one timed whole process.
type SymodenTimed struct {
	Name    string  `json:"name"`
	Seconds float64 `json:"seconds"`
	// PausedSeconds is the time, of Seconds, the process was seen stopped
	// (state T in /proc/PID/stat, sampled every 50 ms): another user of a
	// shared machine can pause jobs with SIGSTOP while it measures.
	PausedSeconds float64 `json:"paused_seconds"`
	// CPUSeconds is the process's user and system time (all threads).
	CPUSeconds float64 `json:"cpu_seconds"`
	// Load is /proc/loadavg's first field when it started.
	Load string `json:"load"`
	// Last is the last line the process printed (its final losses).
	Last  string `json:"last,omitempty"`
	Error string `json:"error,omitempty"`
}

// symodenRun is a command of a round: argv and the directory it runs in.
type symodenRun struct {
	SymodenRun
	dir  string
	argv []string
	env  []string
	out  string // where the run writes (hnn -out, SymODEN --save_dir)
}

// symodenTotalSteps returns the script's --total_steps default: its loop
// runs range(total_steps+1) steps of symodenInputs updates each.
func symodenTotalSteps(src []byte) (int, error) {
	n := stepsOf(src, 0)
	if n == 0 {
		return 0, errors.New("no --total_steps default in the script")
	}
	if !bytes.Contains(src, []byte("range(args.total_steps+1)")) {
		return 0, errors.New("the script's loop is not range(args.total_steps+1)")
	}
	return n - 1, nil
}

// runSymoden measures SymODEN's script beside hnn's symoden training.
func runSymoden(o options, stdout, stderr io.Writer) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	script := filepath.Join(o.symoden, symodenScript)
	src, err := os.ReadFile(script)
	if err != nil {
		return fmt.Errorf("-symoden: %w (want an export of Physics-aware-AI/Symplectic-ODENet)", err)
	}
	total, err := symodenTotalSteps(src)
	if err != nil {
		return fmt.Errorf("-symoden: %s: %w", script, err)
	}
	if o.symodenSteps > 0 {
		total = o.symodenSteps
	}
	updates := (total + 1) * symodenInputs
	if missing, err := missingModules(o.python); err != nil {
		return fmt.Errorf("-symoden: %s: %w", o.python, err)
	} else if missing = slices.DeleteFunc(missing, func(m string) bool { return !slices.Contains(symodenModules, m) }); len(missing) > 0 {
		return fmt.Errorf("-symoden: %s cannot import %s", o.python, strings.Join(missing, ", "))
	}
	tmp, err := os.MkdirTemp("", "hnn-symoden-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "hnn")
	build := exec.Command("go", "build", "-o", bin, "./cmd/hnn")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("go build ./cmd/hnn: %v: %s", err, errorLine(string(out)))
	}
	runs := symodenRuns(root, o, bin, tmp, total, updates)
	rep := &SymodenReport{
		Machine:  Machine{NumCPU: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0), LoadStart: loadavg(), Start: time.Now().Format(time.RFC3339)},
		Checkout: o.symoden, Python: o.python, Updates: updates,
	}
	for _, r := range runs {
		rep.Runs = append(rep.Runs, r.SymodenRun)
	}
	for round := range o.repeat {
		order := slices.Clone(runs)
		if round%2 == 1 {
			slices.Reverse(order)
		}
		var timed []SymodenTimed
		for _, r := range order {
			fmt.Fprintf(stderr, "benchmarks: round %d/%d: %s\n", round+1, o.repeat, r.Command)
			t := timeSymodenRun(r)
			fmt.Fprintf(stderr, "benchmarks: %s: %.1f s, %.1f s of it paused, CPU %.1f s %s\n", t.Name, t.Seconds, t.PausedSeconds, t.CPUSeconds, t.Error)
			timed = append(timed, t)
		}
		rep.Rounds = append(rep.Rounds, timed)
	}
	rep.Machine.LoadEnd = loadavg()
	jsonErr := writeJSON(o.jsonPath, rep)
	printSymoden(stdout, rep)
	return jsonErr
}

// symodenRuns returns the commands of a round: SymODEN's script, hnn
// with the script's settings, and hnn at the task's reference settings.
func symodenRuns(root string, o options, bin, tmp string, total, updates int) []symodenRun {
	standIns := filepath.Join(root, symodenStandIns)
	pythonPath := standIns
	if p := os.Getenv("PYTHONPATH"); p != "" {
		pythonPath += string(os.PathListSeparator) + absPythonPath(p)
	}
	refArgs := slices.Clone(symodenArgs)
	if o.symodenSteps > 0 {
		refArgs = append(refArgs, "--total_steps", strconv.Itoa(total))
	}
	matched := []string{"train", symodenTask, "-model", "symoden", "-fit", "rollout", "-horizon", "1",
		"-steps", strconv.Itoa(updates), "-batch", strconv.Itoa(symodenWindows), "-no-progress"}
	// At the task's reference settings: the derivative fit, 5000 steps
	// (task/driven.go); with -symoden-steps, the script's updates.
	defaults := []string{"train", symodenTask, "-model", "symoden"}
	defaultSteps := 5000
	if t, err := task.Get(symodenTask); err == nil {
		defaultSteps = t.Train.Steps
	}
	if o.symodenSteps > 0 {
		defaults = append(defaults, "-steps", strconv.Itoa(updates))
		defaultSteps = updates
	}
	defaults = append(defaults, "-no-progress")
	hnnRun := func(name string, args []string, steps int) symodenRun {
		out := filepath.Join(tmp, name)
		return symodenRun{
			SymodenRun: SymodenRun{Name: name, Command: "hnn " + strings.Join(args, " ") + " -out TMPDIR", Steps: steps},
			dir:        tmp, argv: append(append([]string{bin}, args...), "-out", out), out: out,
		}
	}
	save := filepath.Join(tmp, "symoden-save")
	return []symodenRun{
		{
			SymodenRun: SymodenRun{Name: "symoden-script",
				Command: fmt.Sprintf("cd %s && PYTHONPATH=%s %s %s %s --save_dir TMPDIR", filepath.Join(o.symoden, filepath.Dir(symodenScript)),
					symodenStandIns, o.python, filepath.Base(symodenScript), strings.Join(refArgs, " ")),
				Steps: updates},
			dir:  filepath.Join(o.symoden, filepath.Dir(symodenScript)),
			argv: append(append([]string{o.python, filepath.Base(symodenScript)}, refArgs...), "--save_dir", save),
			// No __pycache__ is written into the checkout or the stand-ins.
			env: []string{"PYTHONPATH=" + pythonPath, "PYTHONDONTWRITEBYTECODE=1"},
			out: save,
		},
		hnnRun("hnn-matched", matched, updates),
		oneCore(hnnRun("hnn-matched-1", matched, updates)),
		hnnRun("hnn-defaults", defaults, defaultSteps),
	}
}

// oneCore returns r run with GOMAXPROCS=1: hnn on one core.
func oneCore(r symodenRun) symodenRun {
	r.env = append(r.env, "GOMAXPROCS=1")
	r.Command = "GOMAXPROCS=1 " + r.Command
	return r
}

// timeSymodenRun runs r as a whole process and times it.
func timeSymodenRun(r symodenRun) SymodenTimed {
	t := SymodenTimed{Name: r.Name, Load: firstField(loadavg())}
	os.RemoveAll(r.out)
	if err := os.MkdirAll(filepath.Dir(r.out), 0o755); err != nil {
		t.Error = err.Error()
		return t
	}
	cmd := exec.Command(r.argv[0], r.argv[1:]...)
	cmd.Dir = r.dir
	cmd.Env = append(os.Environ(), r.env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Start()
	if err == nil {
		done := make(chan struct{})
		paused := make(chan time.Duration)
		go watchStopped(cmd.Process.Pid, done, paused)
		err = cmd.Wait()
		close(done)
		t.PausedSeconds = (<-paused).Seconds()
	}
	t.Seconds = time.Since(start).Seconds()
	if ps := cmd.ProcessState; ps != nil {
		t.CPUSeconds = (ps.UserTime() + ps.SystemTime()).Seconds()
	}
	t.Last = resultLine(out.String())
	if err != nil {
		t.Error = fmt.Sprintf("%v: %s", err, t.Last)
	}
	os.RemoveAll(r.out)
	return t
}

// watchStopped samples the state of process pid every 50 ms until done
// is closed and sends on paused the time it was seen stopped.
func watchStopped(pid int, done <-chan struct{}, paused chan<- time.Duration) {
	const every = 50 * time.Millisecond
	path := filepath.Join("/proc", strconv.Itoa(pid), "stat")
	var d time.Duration
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-done:
			paused <- d
			return
		case <-tick.C:
			if b, err := os.ReadFile(path); err == nil {
				// The state is the field after the parenthesised name.
				if i := bytes.LastIndexByte(b, ')'); i >= 0 && i+2 < len(b) && (b[i+2] == 'T' || b[i+2] == 't') {
					d += every
				}
			}
		}
	}
}

// resultLine returns the last line of a run's output that is not hnn's
// closing "wrote DIR": SymODEN's final losses, hnn's row of metrics.
func resultLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" && !strings.HasPrefix(l, "wrote ") {
			return l
		}
	}
	return ""
}

func firstField(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return ""
}

// active returns t's wall time less the time it was seen paused.
func (t SymodenTimed) active() float64 { return t.Seconds - t.PausedSeconds }

// printSymoden prints the rounds and, for each hnn run, its ratios to
// SymODEN's script in the same round.
func printSymoden(w io.Writer, rep *SymodenReport) {
	fmt.Fprintf(w, "SymODEN's task 2 (pendulum, angle embedded) beside hnn, whole processes in turn, %d rounds\n", len(rep.Rounds))
	fmt.Fprintf(w, "machine: %d CPUs, load average %s at the start, %s at the end\n", rep.Machine.NumCPU, rep.Machine.LoadStart, rep.Machine.LoadEnd)
	for _, r := range rep.Runs {
		fmt.Fprintf(w, "  %-14s %d updates: %s\n", r.Name, r.Steps, r.Command)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "round\trun\tload\tseconds\tpaused s\tCPU s\tupdates/s\tspeedup\tspeedup (CPU)\t")
	for i, round := range rep.Rounds {
		var ref *SymodenTimed
		for j := range round {
			if round[j].Name == "symoden-script" && round[j].Error == "" {
				ref = &round[j]
			}
		}
		for _, t := range round {
			if t.Error != "" {
				fmt.Fprintf(tw, "%d\t%s\t%s\tfailed: %s\t\t\t\t\t\t\n", i+1, t.Name, t.Load, t.Error)
				continue
			}
			steps := 0
			for _, r := range rep.Runs {
				if r.Name == t.Name {
					steps = r.Steps
				}
			}
			wall, cpu := "", ""
			if ref != nil && t.Name != ref.Name {
				wall = fmt.Sprintf("%.2fx", ref.active()/t.active())
				cpu = fmt.Sprintf("%.2fx", ref.CPUSeconds/t.CPUSeconds)
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%.1f\t%.1f\t%.1f\t%.1f\t%s\t%s\t\n", i+1, t.Name, t.Load, t.Seconds, t.PausedSeconds,
				t.CPUSeconds, float64(steps)/t.active(), wall, cpu)
		}
	}
	tw.Flush()
	fmt.Fprintln(w, "\nspeedup: SymODEN's script's wall time over hnn's in the same round, less the time each was seen paused")
	fmt.Fprintln(w, "(SIGSTOP by another user of the machine); speedup (CPU): the same with processor time (user + system, all threads);")
	fmt.Fprintln(w, "updates/s: optimiser updates over the unpaused wall time, data, evaluation and start-up included. Above 1: hnn is faster.")
	if len(rep.Rounds) > 0 {
		for _, t := range rep.Rounds[0] {
			if t.Last != "" && t.Error == "" {
				fmt.Fprintf(w, "last line of %s: %s\n", t.Name, t.Last)
			}
		}
	}
}
