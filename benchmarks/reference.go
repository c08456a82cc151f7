package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hnn-go/hnn/metrics"
)

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
	// Seconds is the sum over the scripts of the reproduction's tasks
	// (spring and pendulum), the counterpart of 'hnn reproduce'; zero
	// when they were not all timed.
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

// refScript is a reference training script with its whole-process time
// recorded in shared/REFERENCE.md §7 (PyTorch 1.13 on CPU on this
// workplace's 2-core machine, seed 0) and the optimiser steps it makes at
// its defaults: its loop runs range(total_steps+1), with --total_steps
// 2000 for spring and pendulum and 10,000 for two-body.
type refScript struct {
	task, kind, dir string
	args            []string
	steps           int
	seconds         float64
}

// refScripts are the reference runs matching hnn reproduce's spring and
// pendulum rows and the two-body task. The two-body script makes its 1000
// orbits (experiment-2body/data.py) before it trains, unless it finds them
// pickled in its --save_dir; every script here gets an empty one, so its
// time includes the data generation, as the recorded figure does.
var refScripts = []refScript{
	{"spring", "hnn", "experiment-spring", nil, 2001, 47},
	{"spring", "baseline", "experiment-spring", []string{"--baseline"}, 2001, 24},
	{"pendulum", "hnn", "experiment-pend", nil, 2001, 64},
	{"pendulum", "baseline", "experiment-pend", []string{"--baseline"}, 2001, 33},
	{"two-body", "hnn", "experiment-2body", nil, 10001, 73},
	{"two-body", "baseline", "experiment-2body", []string{"--baseline"}, 10001, 55},
}

func (s refScript) name() string {
	return s.dir + " " + strings.Join(append([]string{"train.py"}, s.args...), " ")
}

// refScriptsFor returns the reference scripts an invocation compares with:
// those of the tasks measured, and with -reproduce those of the
// reproduction's tasks.
func refScriptsFor(o options) []refScript {
	var out []refScript
	for _, s := range refScripts {
		if slices.Contains(o.tasks, s.task) || (o.reproduce && slices.Contains(reproduceTasks, s.task)) {
			out = append(out, s)
		}
	}
	return out
}

const recordedSource = "reference figures from shared/REFERENCE.md §7, not measured in this run"

// refModules are what the reference's scripts import.
var refModules = []string{"torch", "numpy", "scipy", "autograd", "imageio"}

func checkCheckout(path string, scripts []refScript) error {
	for _, s := range scripts {
		p := filepath.Join(path, s.dir, "train.py")
		if _, err := os.Stat(p); err != nil {
			return fmt.Errorf("-reference: %w (want a checkout of greydanus/hamiltonian-nn)", err)
		}
	}
	return nil
}

// reproductionSeconds returns the sum of the scripts' seconds over the
// reproduction's tasks, or 0 unless all of their scripts are there and
// succeeded.
func reproductionSeconds(scripts []RefScript) float64 {
	sum, n := 0.0, 0
	for _, s := range scripts {
		if slices.Contains(reproduceTasks, s.Task) {
			if s.Error != "" {
				return 0
			}
			sum += s.Seconds
			n++
		}
	}
	if n != 2*len(reproduceTasks) {
		return 0
	}
	return sum
}

// reference times the reference's scripts, or returns the recorded figures
// with the reason it could not.
func reference(o options, stderr io.Writer) *Reference {
	scripts := refScriptsFor(o)
	recorded := func(why string) *Reference {
		r := &Reference{Source: recordedSource, NotRun: why}
		for _, s := range scripts {
			r.Scripts = append(r.Scripts, RefScript{
				Name: s.name(), Task: s.task, Kind: s.kind, Dir: s.dir, Args: s.args,
				Steps: s.steps, Seconds: s.seconds, StepsPerSec: float64(s.steps) / s.seconds,
			})
		}
		r.Seconds = reproductionSeconds(r.Scripts)
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
	for i, s := range scripts {
		dir := filepath.Join(o.reference, s.dir)
		rs := RefScript{Name: s.name(), Task: s.task, Kind: s.kind, Dir: dir, Args: s.args}
		rs.Steps = scriptSteps(filepath.Join(dir, "train.py"), s.steps)
		fmt.Fprintf(stderr, "benchmarks: running the reference %s\n", rs.Name)
		// What the script saves (the model; two-body's data cache) goes
		// to a new empty directory, never into the checkout, so no script
		// finds a cache made by another.
		save := filepath.Join(tmp, strconv.Itoa(i))
		if err := os.Mkdir(save, 0o755); err != nil {
			rs.Error = err.Error()
			r.Scripts = append(r.Scripts, rs)
			continue
		}
		args := append([]string{"train.py"}, s.args...)
		args = append(args, "--save_dir", save)
		cmd := exec.Command(o.python, args...)
		cmd.Dir = dir
		// The script runs in its own directory: a relative PYTHONPATH
		// (../shared/tools/reference, say) would name another one there
		// than the one missingModules found its modules in.
		if p := os.Getenv("PYTHONPATH"); p != "" {
			cmd.Env = append(os.Environ(), "PYTHONPATH="+absPythonPath(p))
		}
		start := time.Now()
		out, err := cmd.CombinedOutput()
		rs.Seconds = time.Since(start).Seconds()
		if err != nil {
			rs.Error = fmt.Sprintf("%v: %s", err, lastLine(string(out)))
		} else {
			rs.StepsPerSec = float64(rs.Steps) / rs.Seconds
		}
		r.Scripts = append(r.Scripts, rs)
	}
	r.Seconds = reproductionSeconds(r.Scripts)
	return r
}

// absPythonPath returns the list of directories path (PYTHONPATH's form,
// separated by the list separator) with each relative entry made absolute
// from the working directory; empty entries, which Python ignores, stay.
func absPythonPath(path string) string {
	if path == "" {
		return ""
	}
	parts := filepath.SplitList(path)
	for i, p := range parts {
		if p != "" && !filepath.IsAbs(p) {
			if a, err := filepath.Abs(p); err == nil {
				parts[i] = a
			}
		}
	}
	return strings.Join(parts, string(os.PathListSeparator))
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
// the optimiser steps its loop makes at that default, or def if it cannot
// tell.
func scriptSteps(path string, def int) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return def
	}
	return stepsOf(b, def)
}

// stepsOf returns the optimiser steps of a script's source text at its
// --total_steps default, def if it has none.
func stepsOf(src []byte, def int) int {
	m := totalStepsRE.FindSubmatch(src)
	if m == nil {
		return def
	}
	n, err := strconv.Atoi(string(m[1]))
	if err != nil {
		return def
	}
	if bytes.Contains(src, []byte("range(args.total_steps+1)")) {
		n++
	}
	return n
}

// Speedup compares one of our numbers with the reference's.
type Speedup struct {
	Build string `json:"build"`
	// What is compared: "TASK KIND steps/s", "TASK hnn whole run
	// seconds" or "reproduce seconds".
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
	script := func(task, kind string) *RefScript {
		for i, s := range ref.Scripts {
			if s.Task == task && s.Kind == kind && s.Error == "" && s.Seconds > 0 {
				return &ref.Scripts[i]
			}
		}
		return nil
	}
	for _, b := range rep.Builds {
		if b.Error != "" {
			continue
		}
		for _, t := range b.Tasks {
			for _, m := range t.Models {
				if s := script(t.Task, m.Kind); s != nil {
					out = append(out, Speedup{Build: b.Build, What: t.Task + " " + m.Kind + " steps/s",
						Ours: m.StepsPerSec, Reference: s.StepsPerSec, Speedup: m.StepsPerSec / s.StepsPerSec})
				}
			}
		}
		for _, w := range b.Whole {
			if s := script(w.Task, "hnn"); s != nil && w.Error == "" && w.Seconds > 0 {
				out = append(out, Speedup{Build: b.Build, What: w.Task + " hnn whole run seconds",
					Ours: w.Seconds, Reference: s.Seconds, Speedup: s.Seconds / w.Seconds})
			}
		}
		if b.Reproduce != nil && b.Reproduce.Error == "" && ref.Seconds > 0 {
			out = append(out, Speedup{Build: b.Build, What: "reproduce seconds",
				Ours: b.Reproduce.Seconds, Reference: ref.Seconds, Speedup: ref.Seconds / b.Reproduce.Seconds})
		}
	}
	return out
}

// wholeSpeedups returns the speedups of whole commands among s (whole
// runs and the reproduction), which -rounds repeats.
func wholeSpeedups(s []Speedup) []Speedup {
	var out []Speedup
	for _, x := range s {
		if !strings.HasSuffix(x.What, " steps/s") {
			out = append(out, x)
		}
	}
	return out
}

// roundMedians returns, for each build and comparison of the first round
// in its order, the median over the rounds that made it of the speedup
// (each round's reference seconds over ours), and the median seconds of
// each side.
func roundMedians(rounds []Round) []Speedup {
	if len(rounds) == 0 {
		return nil
	}
	var out []Speedup
	for _, first := range rounds[0].Speedups {
		var ours, ref, sp []float64
		for _, r := range rounds {
			for _, x := range r.Speedups {
				if x.Build == first.Build && x.What == first.What {
					ours, ref, sp = append(ours, x.Ours), append(ref, x.Reference), append(sp, x.Speedup)
				}
			}
		}
		out = append(out, Speedup{Build: first.Build, What: first.What, Ours: metrics.Median(ours), Reference: metrics.Median(ref), Speedup: metrics.Median(sp)})
	}
	return out
}
