package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/ode"
	"github.com/hnn-go/hnn/task"
)

// The tests drive the CLI through mainErr on tiny settings: a spring run of
// 20 steps with two hidden layers of 8 trains in about 0.1 s.

// hnn runs the CLI with args and returns its exit code, stdout and stderr.
func hnn(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = mainErr(args, &o, &e)
	return code, o.String(), e.String()
}

// tinyTrain is the argument list of a fast training run into dir.
func tinyTrain(kind, dir string) []string {
	return []string{"train", "spring", "-model", kind, "-steps", "20", "-hidden", "8,8", "-out", dir, "-no-progress"}
}

// mustRun runs the CLI and fails the test unless it exits 0.
func mustRun(t *testing.T, args ...string) (stdout string) {
	t.Helper()
	code, o, e := hnn(args...)
	if code != 0 {
		t.Fatalf("hnn %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, o, e)
	}
	return o
}

// trainTiny trains a tiny run of kind into a fresh directory and returns it.
func trainTiny(t *testing.T, kind string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "run")
	mustRun(t, tinyTrain(kind, dir)...)
	return dir
}

// readJSON decodes the JSON file at path into a generic map.
func readJSON(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

// get walks a decoded JSON value along keys.
func get(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// writeNPY writes an array for the rollout tests.
func writeNPY(t *testing.T, path string, shape []int, values []float64) string {
	t.Helper()
	if err := data.WriteNPY(path, data.Array{Shape: shape, Data: values}); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestTrainWritesRun(t *testing.T) {
	t.Parallel()
	for _, kind := range model.Kinds() {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "run")
			out := mustRun(t, tinyTrain(kind, dir)...)
			for _, f := range []string{"config.json", "metrics.json", "model.json", "model.npz"} {
				if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
					t.Errorf("train did not write %s: %v", f, err)
				}
			}
			for _, w := range []string{"task", "model", "train loss", "test loss", "energy MSE", "wrote " + dir} {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			if row := tableRow(t, out, "spring"); len(row) < 3 || row[1] != kind || row[2] != "0" {
				t.Errorf("table row %q, want task spring, model %s, seed 0", row, kind)
			}

			// The flags must reach the saved spec.
			cfg := readJSON(t, filepath.Join(dir, "config.json"))
			for _, c := range []struct {
				keys []string
				want any
			}{
				{[]string{"task"}, "spring"},
				{[]string{"model", "kind"}, kind},
				{[]string{"model", "hidden"}, []any{8.0, 8.0}},
				{[]string{"train", "steps"}, 20.0},
				{[]string{"seed"}, 0.0},
			} {
				if got := get(cfg, c.keys...); !reflect.DeepEqual(got, c.want) {
					t.Errorf("config.json %s = %v, want %v", strings.Join(c.keys, "."), got, c.want)
				}
			}
			m := readJSON(t, filepath.Join(dir, "metrics.json"))
			for _, k := range []string{"train_loss", "test_loss", "energy_mse"} {
				v, ok := get(m, k, "mean").(float64)
				if !ok || !(v > 0) || math.IsInf(v, 0) {
					t.Errorf("metrics.json %s.mean = %v, want a positive finite number", k, get(m, k, "mean"))
				}
			}
		})
	}
}

// tableRow returns the fields of the line of a printed table that starts
// with first.
func tableRow(t *testing.T, out, first string) []string {
	t.Helper()
	for line := range strings.Lines(out) {
		if f := strings.Fields(line); len(f) > 0 && f[0] == first {
			return f
		}
	}
	t.Fatalf("no table row starting with %q in:\n%s", first, out)
	return nil
}

// TestEvaluateReproducesTraining requires evaluate to recompute the training
// metrics exactly: it rebuilds the same data from the saved seed and runs the
// same float32 model through the same code, so no tolerance is needed.
func TestEvaluateReproducesTraining(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "run")
	trainOut := mustRun(t, tinyTrain("hnn", dir)...)
	evalOut := mustRun(t, "evaluate", dir)

	m := readJSON(t, filepath.Join(dir, "metrics.json"))
	e := readJSON(t, filepath.Join(dir, "evaluation.json"))
	for _, k := range []string{"train_loss", "test_loss", "energy_mse"} {
		if got, want := get(e, k), get(m, k); want == nil || !reflect.DeepEqual(got, want) {
			t.Errorf("evaluation.json %s = %v, training wrote %v", k, got, want)
		}
	}
	// The printed rows agree too, except for the seconds column.
	tr, ev := tableRow(t, trainOut, "spring"), tableRow(t, evalOut, "spring")
	if len(tr) != len(ev) || !slices.Equal(tr[:len(tr)-1], ev[:len(ev)-1]) {
		t.Errorf("evaluate printed %q, train printed %q", ev, tr)
	}
}

func TestRollout(t *testing.T) {
	t.Parallel()
	run := trainTiny(t, "hnn")
	tmp := t.TempDir()
	batch := []float64{0.5, 0, 0, 0.5, 0.3, -0.3}
	const points, tEnd = 11, 2.0
	for _, c := range []struct {
		name   string
		shape  []int
		states []float64
		flags  []string
	}{
		{"batch", []int{3, 2}, batch, nil},
		{"single", []int{2}, batch[2:4], nil},
		{"rk4", []int{3, 2}, batch, []string{"-integrator", "rk4"}},
		{"rk4-small-step", []int{3, 2}, batch, []string{"-integrator", "rk4", "-step", "1e-3"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			in := writeNPY(t, filepath.Join(tmp, c.name+".npy"), c.shape, c.states)
			out := filepath.Join(tmp, c.name+".npz")
			args := append([]string{"rollout", run, "-initial", in, "-t-end", "2", "-points", "11", "-out", out}, c.flags...)
			if s := mustRun(t, args...); !strings.Contains(s, out) {
				t.Errorf("stdout %q does not name %s", s, out)
			}
			got, err := data.ReadNPZ(out)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 {
				t.Errorf("%s holds %d arrays, want t and x", out, len(got))
			}
			ts, x := got["t"], got["x"]
			b := len(c.states) / 2
			if !slices.Equal(ts.Shape, []int{points}) {
				t.Fatalf("t has shape %v, want (%d,)", ts.Shape, points)
			}
			if !slices.Equal(x.Shape, []int{b, points, 2}) {
				t.Fatalf("x has shape %v, want (%d, %d, 2)", x.Shape, b, points)
			}
			// Times are tEnd*i/(points-1); 1e-15 allows one rounding.
			for i, v := range ts.Data {
				if want := tEnd * float64(i) / (points - 1); math.Abs(v-want) > 1e-15 {
					t.Errorf("t[%d] = %v, want %v", i, v, want)
				}
			}
			if ts.Data[0] != 0 || ts.Data[points-1] != tEnd {
				t.Errorf("t runs from %v to %v, want 0 to %v", ts.Data[0], ts.Data[points-1], tEnd)
			}
			for i, v := range x.Data {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("x[%d] = %v", i, v)
				}
			}
			// Every trajectory starts exactly at its initial state.
			for k := range b {
				if s, want := x.Data[k*points*2:k*points*2+2], c.states[2*k:2*k+2]; !slices.Equal(s, want) {
					t.Errorf("x[%d, 0] = %v, want the initial state %v", k, s, want)
				}
			}
		})
	}
}

// TestRolloutNeedsOnlyTheModel checks that rollout reads only a run's spec
// and checkpoint: damaged metrics.json and rows.npz, which it does not
// need, do not stop it.
func TestRolloutNeedsOnlyTheModel(t *testing.T) {
	t.Parallel()
	run := trainTiny(t, "hnn")
	for _, f := range []string{"rows.npz", "metrics.json"} {
		if err := os.WriteFile(filepath.Join(run, f), []byte("\x00damaged"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tmp := t.TempDir()
	in := writeNPY(t, filepath.Join(tmp, "x0.npy"), []int{2}, []float64{0.5, 0})
	mustRun(t, "rollout", run, "-initial", in, "-t-end", "1", "-points", "5", "-out", filepath.Join(tmp, "p.npz"))
	// evaluate, which reports the metrics, still names the damage.
	if code, _, e := hnn("evaluate", run); code == 0 || !strings.Contains(e, "rows.npz") && !strings.Contains(e, "metrics.json") {
		t.Errorf("evaluate of a damaged run: exit %d, stderr %q", code, e)
	}
}

// TestRolloutConsistent checks the rollout against itself: a (D,) file gives
// the same trajectory as that state's row in a (B, D) file (states are
// integrated independently), and dopri5 at its default tolerances agrees
// with rk4 at a small step.
func TestRolloutConsistent(t *testing.T) {
	t.Parallel()
	run := trainTiny(t, "hnn")
	tmp := t.TempDir()
	batch := []float64{0.5, 0, 0, 0.5, 0.3, -0.3}
	rollout := func(name string, shape []int, states []float64, flags ...string) []float64 {
		in := writeNPY(t, filepath.Join(tmp, name+".npy"), shape, states)
		out := filepath.Join(tmp, name+".npz")
		mustRun(t, append([]string{"rollout", run, "-initial", in, "-t-end", "2", "-points", "11", "-out", out}, flags...)...)
		got, err := data.ReadNPZ(out)
		if err != nil {
			t.Fatal(err)
		}
		return got["x"].Data
	}
	all := rollout("all", []int{3, 2}, batch)
	one := rollout("one", []int{2}, batch[2:4])
	if row := all[11*2 : 2*11*2]; !slices.Equal(one, row) {
		t.Errorf("rollout of state 1 alone:\n%v\nits row in the batch:\n%v", one, row)
	}
	rk4 := rollout("rk4", []int{3, 2}, batch, "-integrator", "rk4", "-step", "1e-3")
	// rk4's global error at h = 1e-3 is O(h^4) ~ 1e-12 and dopri5's about
	// its tolerance 1e-9 per unit time; the float32 field rounds at about
	// 1e-7 relative, and both solve the same rounded field over t <= 2, so
	// 1e-6 leaves room for that rounding but not for a wrong field or time.
	for i := range all {
		if d := math.Abs(all[i] - rk4[i]); d > 1e-6 {
			t.Fatalf("dopri5 and rk4 differ at index %d: %v vs %v", i, all[i], rk4[i])
		}
	}
}

func TestReproduce(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name       string
		flags      []string
		models     []string
		wantFigure bool
	}{
		{"both-models", nil, []string{"baseline", "hnn"}, true},
		{"hnn-no-figures", []string{"-models", "hnn", "-no-figures"}, []string{"hnn"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "results")
			args := append([]string{"reproduce", "-tasks", "spring", "-seeds", "1", "-quick", "-steps", "20", "-hidden", "8,8", "-out", dir, "-no-progress"}, c.flags...)
			out := mustRun(t, args...)
			for _, f := range []string{"results.json", "report.md"} {
				if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
					t.Errorf("missing %s: %v", f, err)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "spring-figure2.png")); (err == nil) != c.wantFigure {
				t.Errorf("spring-figure2.png exists: %v, want %v", err == nil, c.wantFigure)
			}
			res := readJSON(t, filepath.Join(dir, "results.json"))
			if got := get(res, "protocol", "spring", "train", "steps"); got != 20.0 {
				t.Errorf("results.json protocol.spring.train.steps = %v, want the -steps override 20", got)
			}
			if got := get(res, "protocol", "spring", "model", "hidden"); !reflect.DeepEqual(got, []any{8.0, 8.0}) {
				t.Errorf("results.json protocol.spring.model.hidden = %v, want the -hidden override [8 8]", got)
			}
			tasks, _ := get(res, "tasks", "spring").(map[string]any)
			if len(tasks) != len(c.models) {
				t.Errorf("results.json tasks.spring has %d models, want %v", len(tasks), c.models)
			}
			tableRow(t, out, "spring")
			for _, m := range c.models {
				if get(tasks, m, "seeds") != 1.0 {
					t.Errorf("results.json tasks.spring.%s.seeds = %v, want 1", m, get(tasks, m, "seeds"))
				}
				if !strings.Contains(out, m) {
					t.Errorf("stdout does not mention %s:\n%s", m, out)
				}
				spec := readJSON(t, filepath.Join(dir, "runs", "spring-"+m+"-seed0", "config.json"))
				if get(spec, "train", "steps") != 20.0 {
					t.Errorf("run %s trained %v steps, want 20", m, get(spec, "train", "steps"))
				}
			}
		})
	}
}

func TestTasksAndVersion(t *testing.T) {
	t.Parallel()
	out := mustRun(t, "tasks")
	var want []string
	want = append(want, task.Names()...)
	want = append(want, model.Kinds()...)
	want = append(want, ode.Names()...)
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("hnn tasks does not list %q:\n%s", w, out)
		}
	}
	for _, n := range task.Names() {
		tk, err := task.Get(n)
		if err != nil {
			t.Fatal(err)
		}
		if row := tableRow(t, out, n); len(row) < 2 || row[1] != strconv.Itoa(tk.Dim) {
			t.Errorf("hnn tasks row %q, want dim %d", row, tk.Dim)
		}
	}

	var info map[string]any
	if err := json.Unmarshal([]byte(mustRun(t, "version")), &info); err != nil {
		t.Fatalf("hnn version does not print JSON: %v", err)
	}
	for k, want := range map[string]any{"goos": runtime.GOOS, "goarch": runtime.GOARCH} {
		if info[k] != want {
			t.Errorf("version %s = %v, want %v", k, info[k], want)
		}
	}
	if v, _ := info["go_version"].(string); !strings.HasPrefix(v, "go") {
		t.Errorf("version go_version = %q", v)
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	for _, c := range commands {
		for _, h := range []string{"-h", "--help", "-help"} {
			code, o, e := hnn(c.name, h)
			if code != 0 {
				t.Errorf("hnn %s %s: exit %d, want 0", c.name, h, code)
			}
			if !strings.Contains(o+e, "Usage: hnn "+c.name) {
				t.Errorf("hnn %s %s prints no usage:\n%s%s", c.name, h, o, e)
			}
		}
	}
	for _, h := range []string{"-h", "--help", "help"} {
		code, o, e := hnn(h)
		if code != 0 {
			t.Errorf("hnn %s: exit %d, want 0", h, code)
		}
		for _, c := range commands {
			if !strings.Contains(o+e, "hnn "+c.name) {
				t.Errorf("hnn %s does not list %s:\n%s%s", h, c.name, o, e)
			}
		}
	}
	if code, _, e := hnn(); code != 2 || !strings.Contains(e, "Usage") {
		t.Errorf("hnn without arguments: exit %d, stderr %q; want 2 and the usage", code, e)
	}
}

// TestUnknownKernel checks that hnn started with HNN_KERNEL set to no
// kernel level stops before doing anything with one line naming the valid
// levels: the test runs its own binary as hnn version in such an
// environment.
func TestUnknownKernel(t *testing.T) {
	if os.Getenv("HNN_TEST_MAIN") != "" {
		os.Args = []string{"hnn", "version"}
		main()
		return
	}
	t.Parallel()
	cmd := exec.Command(os.Args[0], "-test.run=^TestUnknownKernel$")
	cmd.Env = append(os.Environ(), "HNN_TEST_MAIN=1", "HNN_KERNEL=sse", "HNN_CPUPROFILE=")
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Skipf("cannot run the test binary again: %v", err)
	}
	if ee == nil || ee.ExitCode() != 1 {
		t.Errorf("hnn version with HNN_KERNEL=sse: %v, want exit status 1", err)
	}
	const want = "hnn: HNN_KERNEL=\"sse\" is not a kernel level (valid: generic, avx2, avx512)\n"
	if o.Len() != 0 || e.String() != want {
		t.Errorf("hnn version with HNN_KERNEL=sse: stdout %q, stderr %q; want no output and %q", o.String(), e.String(), want)
	}
}

// TestFlagSyntax checks GNU-style double dashes, -flag=value and flags on
// either side of the positional argument, by reading back the saved spec.
func TestFlagSyntax(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		args string // DIR stands for the output directory
	}{
		{"double-dash", "train spring --model baseline --steps 20 --hidden 8,8 --out DIR --no-progress"},
		{"equals", "train spring --model=baseline -steps=20 -hidden=8,8 -out=DIR -no-progress"},
		{"flags-first", "train -model baseline -steps 20 -hidden 8,8 -out DIR -no-progress spring"},
		{"interspersed", "train -model baseline -steps 20 spring -hidden 8,8 -out DIR -no-progress"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "run")
			args := strings.Fields(c.args)
			for i, a := range args {
				args[i] = strings.ReplaceAll(a, "DIR", dir)
			}
			mustRun(t, args...)
			cfg := readJSON(t, filepath.Join(dir, "config.json"))
			if get(cfg, "model", "kind") != "baseline" || get(cfg, "train", "steps") != 20.0 || get(cfg, "task") != "spring" {
				t.Errorf("config.json task %v, model %v, steps %v; want spring, baseline, 20",
					get(cfg, "task"), get(cfg, "model", "kind"), get(cfg, "train", "steps"))
			}
		})
	}
	// The run directory after the flags, and double dashes, for rollout.
	run := trainTiny(t, "hnn")
	tmp := t.TempDir()
	in := writeNPY(t, filepath.Join(tmp, "x0.npy"), []int{2}, []float64{0.5, 0})
	out := filepath.Join(tmp, "pred.npz")
	mustRun(t, "rollout", "--initial", in, "--t-end=2", "--points", "11", "--out", out, run)
	if got, err := data.ReadNPZ(out); err != nil || !slices.Equal(got["x"].Shape, []int{1, 11, 2}) {
		t.Errorf("rollout with flags first: %v, x shape %v", err, got["x"].Shape)
	}
}

// TestErrors checks that bad input fails with the documented exit code (1
// for a bad value, 2 for an unknown command) and ONE line on stderr that
// names the offending thing, prints nothing on stdout and leaves no output
// file behind. In args, RUN is a trained run, TMP a scratch directory, OUT
// an output path that must not appear, and the S* names state files.
func TestErrors(t *testing.T) {
	t.Parallel()
	run := trainTiny(t, "hnn")
	tmp := t.TempDir()
	files := map[string]string{
		"RUN":    run,
		"TMP":    tmp,
		"S2":     writeNPY(t, filepath.Join(tmp, "s2.npy"), []int{3, 2}, []float64{0.5, 0, 0, 0.5, 0.3, 0.3}),
		"S33":    writeNPY(t, filepath.Join(tmp, "s33.npy"), []int{3, 3}, make([]float64, 9)),
		"S3D":    writeNPY(t, filepath.Join(tmp, "s3d.npy"), []int{1, 1, 2}, []float64{1, 2}),
		"S02":    writeNPY(t, filepath.Join(tmp, "s02.npy"), []int{0, 2}, nil),
		"S3":     writeNPY(t, filepath.Join(tmp, "s3.npy"), []int{3}, []float64{1, 2, 3}),
		"NAN":    writeNPY(t, filepath.Join(tmp, "nan.npy"), []int{2, 2}, []float64{0, 0, 0, math.NaN()}),
		"INF":    writeNPY(t, filepath.Join(tmp, "inf.npy"), []int{2}, []float64{math.Inf(1), 0}),
		"TXT":    filepath.Join(tmp, "text.npy"),
		"NONE":   filepath.Join(tmp, "absent.npy"),
		"EMPTY":  filepath.Join(tmp, "emptydir"),
		"NOCKPT": filepath.Join(tmp, "nockpt"),
	}
	if err := os.WriteFile(files["TXT"], []byte("q,p\n0.5,0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{files["EMPTY"], files["NOCKPT"]} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// A run directory with its spec but without its checkpoint.
	cfg, err := os.ReadFile(filepath.Join(run, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(files["NOCKPT"], "config.json"), cfg, 0o644); err != nil {
		t.Fatal(err)
	}

	const roll = "rollout RUN -initial S2 -t-end 2 -points 11 -out OUT "
	for _, c := range []struct {
		name string
		args string
		code int
		// words must all appear in the error line, compared case-insensitively.
		words []string
	}{
		{"unknown command", "frobnicate", 2, []string{"unknown command", "frobnicate", "train", "rollout"}},
		{"unknown task", "train nosuch -out OUT", 1, []string{"unknown task", "nosuch", "spring", "pendulum"}},
		{"unknown model", "train spring -model nosuch -out OUT", 1, []string{"unknown model", "nosuch", "baseline", "hnn"}},
		{"long model name", "train spring -model " + strings.Repeat("x", 5000) + " -out OUT", 1, []string{"unknown model", `"` + strings.Repeat("x", 40) + `"...`}},
		{"long task name", "train " + strings.Repeat("y", 5000) + " -out OUT", 1, []string{"unknown task", `"` + strings.Repeat("y", 40) + `"...`}},
		{"long integrator name", roll + "-integrator " + strings.Repeat("z", 5000), 1, []string{"unknown integrator", `"...`}},
		{"missing -out", "train spring -steps 5", 1, []string{"-out", "required"}},
		{"relu for hnn", "train spring -activation relu -out OUT", 1, []string{"relu", "second derivative", "smooth"}},
		{"unknown activation", "train spring -activation bogus -out OUT", 1, []string{"bogus", "tanh"}},
		{"float16", "train spring -precision float16 -out OUT", 1, []string{"precision", "float16", "float32", "float64"}},
		{"hidden zero", "train spring -hidden 0,3 -out OUT", 1, []string{"-hidden [0 3]", "width 0"}},
		{"hidden text", "train spring -hidden abc -out OUT", 2, []string{"-hidden", "abc"}},
		{"negative steps", "train spring -steps -3 -hidden 4 -out OUT", 1, []string{"steps", "-3"}},
		{"negative lr", "train spring -lr -1 -hidden 4 -out OUT", 1, []string{"learning rate", "-1"}},
		{"negative weight decay", "train spring -weight-decay -5 -out OUT", 1, []string{"-weight-decay -5", ">= 0"}},
		{"NaN weight decay", "train spring -weight-decay NaN -out OUT", 1, []string{"-weight-decay NaN"}},
		{"unknown lr schedule", "train spring -lr-schedule cosin -out OUT", 1, []string{"-lr-schedule", "cosine, onecycle"}},
		{"average of one", "train two-body -average 1 -out OUT", 1, []string{"-average 1", "[0, 1)"}},
		{"NaN average", "train spring -average NaN -out OUT", 1, []string{"-average NaN"}},
		{"latent step", "reproduce -tasks pixel-pendulum -latent-step leapfrog -out OUT", 1, []string{"-latent-step", "euler, implicit-midpoint (midpoint), rk4"}},
		{"negative batch", "train spring -batch -7 -out OUT", 1, []string{"-batch -7", "[0, "}},
		{"absurd batch", "train spring -batch 1000000000000 -out OUT", 1, []string{"batch 1000000000000", "[0, "}},
		{"absurd steps", "train spring -steps 1000000000000 -out OUT", 1, []string{"-steps 1000000000000", "[1, "}},
		{"zero steps", "train spring -steps 0 -out OUT", 1, []string{"-steps 0", "[1, "}},
		{"absurd width", "train spring -hidden 8,1000000 -out OUT", 1, []string{"hidden", "[8 1000000]", "width 1000000"}},
		{"absurd weights", "train spring -hidden 60000,60000 -out OUT", 1, []string{"hidden", "between layers 1 and 2", "at most"}},
		{"absurd depth", "train spring -hidden " + strings.Repeat("2,", 100) + "2 -out OUT", 1, []string{"-hidden", "1 to 64 layers, not 101"}},
		{"absurd workers", "train spring -workers 1000000000 -out OUT", 1, []string{"workers 1000000000"}},
		{"tasks extra", "tasks extra", 2, []string{"no arguments", "got 1"}},
		{"layout the kind does not take", "train pendulum-torque -model hnn -out OUT", 1, []string{"task pendulum-torque", "hnn takes canonical states", "inputs", "kinds that take its layout", "symoden"}},
		{"layout reproduce", "reproduce -tasks cartpole -models symoden,baseline -quick -out OUT", 1, []string{"cartpole", "baseline", "symoden"}},

		{"unknown integrator", roll + "-integrator euler9", 1, []string{"unknown integrator", "euler9", "dopri5", "rk4"}},
		{"rollout missing -out", "rollout RUN -initial S2 -t-end 2", 1, []string{"-out", "required"}},
		{"rollout missing -initial", "rollout RUN -t-end 2 -out OUT", 1, []string{"-initial", "required"}},
		{"wrong shape", roll + "-initial S33", 1, []string{"s33.npy", "(B, 2)", "(2,)"}},
		{"three dimensions", roll + "-initial S3D", 1, []string{"s3d.npy", "(B, 2)"}},
		{"odd length", roll + "-initial S3", 1, []string{"s3.npy", "(2,)"}},
		{"no states", roll + "-initial S02", 1, []string{"s02.npy", "no initial states"}},
		{"NaN state", roll + "-initial NAN", 1, []string{"nan.npy", "NaN", "(1, 1)"}},
		{"Inf state", roll + "-initial INF", 1, []string{"inf.npy", "Inf", "(0,)"}},
		{"not npy", roll + "-initial TXT", 1, []string{"text.npy", "not a .npy file"}},
		{"absent states", roll + "-initial NONE", 1, []string{"absent.npy", "no such file"}},
		{"zero t-end", roll + "-t-end 0", 1, []string{"t-end 0", "positive"}},
		{"negative t-end", roll + "-t-end -1", 1, []string{"t-end -1", "positive"}},
		{"NaN t-end", roll + "-t-end NaN", 1, []string{"t-end NaN", "positive"}},
		{"infinite t-end", roll + "-t-end +Inf", 1, []string{"t-end +Inf", "finite"}},
		{"one point", roll + "-points 1", 1, []string{"points 1", "[2, "}},
		{"zero points", roll + "-points 0", 1, []string{"points 0", "[2, "}},
		{"absurd points", roll + "-points 1000000000000", 1, []string{"points 1000000000000", "[2, "}},
		{"rollout too large", roll + "-points 100000000", 1, []string{"s2.npy", "(B, points, D)", "[3 100000000 2]", "at most"}},
		{"negative rtol", roll + "-rtol -1", 1, []string{"rtol", "-1"}},
		{"negative step", roll + "-integrator rk4 -step -1", 1, []string{"step", "-1"}},
		{"rollout no checkpoint", "rollout NOCKPT -initial S2 -t-end 2 -out OUT", 1, []string{"model.json"}},
		{"rollout not a run", "rollout EMPTY -initial S2 -t-end 2 -out OUT", 1, []string{"config.json"}},
		{"rollout unwritable", "rollout RUN -initial S2 -t-end 2 -out TMP/no/such/dir/p.npz", 1, []string{"p.npz"}},

		{"evaluate empty dir", "evaluate EMPTY", 1, []string{"emptydir", "config.json"}},
		{"evaluate no checkpoint", "evaluate NOCKPT", 1, []string{"nockpt", "model.json"}},
		{"evaluate absent dir", "evaluate TMP/absent", 1, []string{"absent", "config.json"}},

		{"reproduce unknown task", "reproduce -tasks spring,nosuch -out OUT", 1, []string{"unknown task", "nosuch", "pendulum"}},
		{"reproduce unknown model", "reproduce -models nosuch -out OUT", 1, []string{"unknown model", "nosuch", "baseline"}},
		{"reproduce negative seeds", "reproduce -seeds -1 -out OUT", 1, []string{"-seeds -1"}},
		{"reproduce zero seeds", "reproduce -seeds 0 -out OUT", 1, []string{"-seeds 0", "[1, "}},
		{"reproduce absurd seeds", "reproduce -seeds 1000000000 -out OUT", 1, []string{"seeds 1000000000"}},
		{"reproduce absurd steps", "reproduce -steps 1000000000000 -out OUT", 1, []string{"steps 1000000000000"}},
		{"reproduce absurd hidden", "reproduce -hidden 10000000 -out OUT", 1, []string{"hidden", "10000000"}},
		{"reproduce absurd workers", "reproduce -workers 1000000000 -out OUT", 1, []string{"workers 1000000000"}},
		{"data absurd copies", "data spring -copies 1000000000000 -out OUT", 1, []string{"copies 1000000000000"}},
		{"reproduce negative steps", "reproduce -steps -1 -out OUT", 1, []string{"-steps -1"}},
		{"reproduce bad hidden", "reproduce -hidden 8,x -out OUT", 2, []string{"-hidden", "8,x"}},
		{"reproduce zero lr", "reproduce -lr 0 -out OUT", 1, []string{"-lr 0", "positive"}},
		{"reproduce dyn weight", "reproduce -dyn-weight -1 -out OUT", 1, []string{"-dyn-weight -1", "positive"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			out := filepath.Join(t.TempDir(), "out")
			var args []string
			for _, a := range strings.Fields(c.args) {
				if a == "OUT" {
					a = out
				} else if f, ok := files[a]; ok {
					a = f
				} else if strings.HasPrefix(a, "TMP/") {
					a = filepath.Join(tmp, a[len("TMP/"):])
				}
				args = append(args, a)
			}
			code, o, e := hnn(args...)
			if code != c.code {
				t.Errorf("exit %d, want %d", code, c.code)
			}
			if o != "" {
				t.Errorf("stdout %q, want nothing", o)
			}
			line, ok := strings.CutSuffix(e, "\n")
			if !ok || line == "" || strings.Contains(line, "\n") {
				t.Fatalf("stderr is not one line:\n%s", e)
			}
			if len(line) > 400 {
				t.Errorf("error of %d bytes, want a short line: %.100q...", len(line), line)
			}
			if !strings.HasPrefix(line, "hnn") {
				t.Errorf("error %q does not start with the program name", line)
			}
			for _, w := range c.words {
				if !strings.Contains(strings.ToLower(line), strings.ToLower(w)) {
					t.Errorf("error %q does not mention %q", line, w)
				}
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("failed command left %s behind", out)
			}
		})
	}
}

// TestUsageErrors checks malformed command lines: exit code 2 and one line
// on stderr that names what is wrong and points to -h.
func TestUsageErrors(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args  []string
		words []string
	}{
		{[]string{"train", "spring", "-bogus"}, []string{"-bogus", "not defined"}},
		{[]string{"train", "spring", "-steps", "abc"}, []string{"abc", "-steps"}},
		{[]string{"train"}, []string{"want one TASK", "spring", "got 0"}},
		{[]string{"train", "spring", "pendulum", "-out", "x"}, []string{"want one TASK", "got 2"}},
		{[]string{"evaluate"}, []string{"run directory", "got 0"}},
		{[]string{"evaluate", "a", "b"}, []string{"run directory", "got 2"}},
		{[]string{"rollout", "-t-end", "2"}, []string{"run directory", "got 0"}},
		{[]string{"rollout", "dir", "-points", "many"}, []string{"many", "-points"}},
		{[]string{"reproduce", "extra"}, []string{"no positional arguments", "got 1"}},
	} {
		code, o, e := hnn(c.args...)
		first, _, _ := strings.Cut(e, "\n")
		if code != 2 || o != "" {
			t.Errorf("hnn %s: exit %d, stdout %q; want 2 and nothing", strings.Join(c.args, " "), code, o)
		}
		for _, w := range c.words {
			if !strings.Contains(first, w) {
				t.Errorf("hnn %s: first line %q does not mention %q", strings.Join(c.args, " "), first, w)
			}
		}
		if strings.Count(e, "\n") != 1 || !strings.Contains(e, "hnn "+c.args[0]+" -h") {
			t.Errorf("hnn %s: want one line pointing to -h, got:\n%s", strings.Join(c.args, " "), e)
		}
	}
}
