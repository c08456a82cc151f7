package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/task"
)

// oscillatorTrials returns three harmonic-oscillator trials (q, p) =
// a (cos t, -sin t) of 40 rows at dt = 0.1, as times (3 x 40) and states
// (3 x 40 x 2).
func oscillatorTrials() (ts, xs []float64) {
	for k := range 3 {
		a := 1 + 0.3*float64(k)
		for i := range 40 {
			t := 0.1 * float64(i)
			ts = append(ts, t)
			xs = append(xs, a*math.Cos(t), -a*math.Sin(t))
		}
	}
	return ts, xs
}

// TestTrainData trains on a file of each format, as a new user would from
// the README, and checks the run's metrics (with rollout_mse), evaluate and
// rollout on it.
func TestTrainData(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ts, xs := oscillatorTrials()
	var csv, txt, one strings.Builder
	csv.WriteString("trial,t,q,p\n")
	one.WriteString("t,q,p\n") // one trial, no trial column
	txt.WriteString("% q p\r\n")
	for k := range 3 {
		for i := range 40 {
			r := k*40 + i
			fmt.Fprintf(&csv, "%d,%g,%.12g,%.12g\n", k, ts[r], xs[2*r], xs[2*r+1])
			fmt.Fprintf(&txt, "%d %g %.12g %.12g\r\n", k, ts[r], xs[2*r], xs[2*r+1])
			if k == 2 {
				fmt.Fprintf(&one, "%g,%.12g,%.12g\n", ts[r], xs[2*r], xs[2*r+1])
			}
		}
	}
	files := map[string]func(string) error{
		"osc.csv": func(p string) error { return os.WriteFile(p, []byte(csv.String()), 0o644) },
		"osc.txt": func(p string) error { return os.WriteFile(p, []byte(txt.String()), 0o644) },
		"one.csv": func(p string) error { return os.WriteFile(p, []byte(one.String()), 0o644) },
		"osc.npz": func(p string) error {
			return data.WriteNPZ(p, map[string]data.Array{
				"t": {Shape: []int{3, 40}, Data: ts},
				"x": {Shape: []int{3, 40, 2}, Data: xs},
			})
		},
	}
	for name, write := range files {
		path := filepath.Join(dir, name)
		if err := write(path); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, name+"-run")
		o := mustRun(t, "train", "-data", path, "-model", "hnn", "-steps", "1000", "-hidden", "16,16", "-test-fraction", "0.25", "-out", out, "-no-progress")
		if !strings.Contains(o, "rollout MSE") {
			t.Errorf("%s: output without the rollout MSE:\n%s", name, o)
		}
		m := readJSON(t, filepath.Join(out, "metrics.json"))
		r, ok := m["rollout_mse"].(map[string]any)
		if !ok {
			t.Fatalf("%s: metrics.json has no rollout_mse", name)
		}
		// The oscillator's test segments are 10 rows (1 time unit) long;
		// an untrained model's rollout MSE is about 0.4, a broken
		// pipeline (wrong split, lost rows) by more.
		if v := r["mean"].(float64); !(v < 0.05) {
			t.Errorf("%s: rollout MSE %v after training, want < 0.05", name, v)
		}
		cfg := readJSON(t, filepath.Join(out, "config.json"))
		src, _ := cfg["source"].(map[string]any)
		if d, ok := src["file"].(map[string]any); !ok || src["kind"] != "file" || d["path"] != path || d["test_fraction"] != 0.25 {
			t.Errorf("%s: config.json source = %v", name, cfg["source"])
		}
		e := mustRun(t, "evaluate", out)
		if !strings.Contains(e, "rollout MSE") {
			t.Errorf("%s: evaluate output without the rollout MSE:\n%s", name, e)
		}
		init := filepath.Join(dir, name+"-x0.npy")
		if err := data.WriteNPY(init, data.Array{Shape: []int{2}, Data: []float64{1, 0}}); err != nil {
			t.Fatal(err)
		}
		mustRun(t, "rollout", out, "-initial", init, "-t-end", "2", "-points", "5", "-out", filepath.Join(dir, name+"-pred.npz"))
	}
}

// TestTrainDataFit trains on a file with the rollout and midpoint fits,
// which read no derivatives, and checks the rollout MSE and the saved fit.
func TestTrainDataFit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ts, xs := oscillatorTrials()
	var csv strings.Builder
	csv.WriteString("trial,t,q,p\n")
	for r := range ts {
		fmt.Fprintf(&csv, "%d,%g,%.12g,%.12g\n", r/40, ts[r], xs[2*r], xs[2*r+1])
	}
	path := filepath.Join(dir, "osc.csv")
	if err := os.WriteFile(path, []byte(csv.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"-fit", "rollout", "-horizon", "3", "-fit-starts"}, {"-fit", "midpoint"}} {
		out := filepath.Join(dir, args[1])
		mustRun(t, append([]string{"train", "-data", path, "-model", "hnn", "-steps", "1000", "-hidden", "16,16", "-out", out, "-no-progress"}, args...)...)
		m := readJSON(t, filepath.Join(out, "metrics.json"))
		// An untrained model's rollout MSE is about 0.4 (see
		// TestTrainData).
		if v := m["rollout_mse"].(map[string]any)["mean"].(float64); !(v < 0.05) {
			t.Errorf("%v: rollout MSE %v, want < 0.05", args, v)
		}
		cfg := readJSON(t, filepath.Join(out, "config.json"))
		if f, ok := cfg["fit"].(map[string]any); !ok || f["mode"] != args[1] {
			t.Errorf("%v: config.json fit = %v", args, cfg["fit"])
		}
		// The curve's mean is the rollout MSE when the test segments
		// are equally long, as here.
		c, _ := m["rollout_curve"].([]any)
		var sum float64
		for _, v := range c {
			sum += v.(float64)
		}
		if want := m["rollout_mse"].(map[string]any)["mean"].(float64); len(c) == 0 || math.Abs(sum/float64(len(c))-want) > 1e-9*want {
			t.Errorf("%v: rollout_curve of %d steps with mean %v, want the rollout MSE %v", args, len(c), sum/float64(len(c)), want)
		}
	}
	fig := filepath.Join(dir, "horizon.png")
	mustRun(t, "horizon-figure", "-out", fig, filepath.Join(dir, "rollout"), filepath.Join(dir, "midpoint"))
	if st, err := os.Stat(fig); err != nil || st.Size() < 1000 {
		t.Errorf("horizon figure: %v", err)
	}
}

// TestTrainDataErrors checks the one-line errors of bad data files and
// flags.
func TestTrainDataErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	odd := filepath.Join(dir, "odd.csv")
	os.WriteFile(odd, []byte("trial,t,a,b,c\n0,0,1,2,3\n0,1,1,2,3\n0,2,1,2,3\n"), 0o644)
	// A binary file given as Lipson text: the error quotes a short,
	// escaped piece of it.
	bin := filepath.Join(dir, "bin.txt")
	os.WriteFile(bin, append([]byte("\x7fELF\x02\x01\x01\x00"), make([]byte, 4096)...), 0o644)
	good := filepath.Join(dir, "good.csv")
	os.WriteFile(good, []byte("t,q,p\n0,1,0\n0.1,0.99,-0.1\n0.2,0.98,-0.2\n0.3,0.95,-0.3\n0.4,0.92,-0.39\n"), 0o644)
	back := filepath.Join(dir, "back.csv")
	os.WriteFile(back, []byte("trial,t,q,p\n0,0,1,2\n0,2,1,2\n0,1,1,2\n0,3,1,2\n"), 0o644)
	for _, c := range []struct {
		name string
		args []string
		want []string
	}{
		{"missing", []string{"-data", filepath.Join(dir, "nope.npz")}, []string{"nope.npz", "no such file"}},
		{"odd", []string{"-data", odd}, []string{"odd.csv", "even"}},
		{"binary", []string{"-data", bin}, []string{"bin.txt", `"\x7fELF\x02\x01\x01\x00`, `"...`}},
		{"time", []string{"-data", back}, []string{"back.csv", "increas"}},
		{"extension", []string{"-data", filepath.Join(dir, "x.json")}, []string{"x.json"}},
		{"fraction", []string{"-data", odd, "-test-fraction", "1.5"}, []string{"-test-fraction 1.5"}},
		{"derivatives", []string{"-data", odd, "-derivatives", "spline"}, []string{"-derivatives", "central or forward"}},
		{"task and data", []string{"spring", "-data", odd}, []string{"no TASK with -data"}},
		{"lipson", []string{"real-pendulum", "-lipson", filepath.Join(dir, "none")}, []string{"-lipson", "not a directory"}},
		{"fit mode", []string{"-data", good, "-fit", "euler"}, []string{"-fit", "derivative, midpoint, rollout"}},
		{"horizon without rollout", []string{"-data", good, "-fit", "midpoint", "-horizon", "3"}, []string{"-horizon", "rollout"}},
		{"leapfrog for hnn", []string{"-data", good, "-fit", "rollout", "-integrator", "leapfrog"}, []string{"-integrator", "separable"}},
		{"horizon too long", []string{"-data", good, "-fit", "rollout", "-horizon", "50"}, []string{"horizon 50", "shorter"}},
	} {
		args := append([]string{"train"}, c.args...)
		args = append(args, "-out", filepath.Join(dir, "out"), "-no-progress")
		code, _, e := hnn(args...)
		if code == 0 || strings.Count(strings.TrimSpace(e), "\n") != 0 || len(e) > 300 {
			t.Errorf("%s: exit %d, stderr %q; want one error line", c.name, code, e)
		}
		for _, w := range c.want {
			if !strings.Contains(e, w) {
				t.Errorf("%s: stderr %q does not contain %q", c.name, e, w)
			}
		}
	}
}

// TestRealPendulumMissing checks that without the Schmidt & Lipson files
// train says where to put them and reproduce skips the task with a reason.
func TestRealPendulumMissing(t *testing.T) {
	empty := t.TempDir()
	t.Setenv(task.LipsonEnv, empty)
	code, _, e := hnn("train", "real-pendulum", "-out", filepath.Join(empty, "run"), "-no-progress")
	if code == 0 || !strings.Contains(e, task.RealPendulumFile) || !strings.Contains(e, task.LipsonEnv) {
		t.Errorf("train without the file: exit %d, stderr %q", code, e)
	}
	o := mustRun(t, "reproduce", "-tasks", "spring,real-pendulum", "-quick", "-steps", "5", "-hidden", "4", "-no-figures", "-no-progress", "-out", filepath.Join(empty, "res"))
	if !strings.Contains(o, "real-pendulum") || !strings.Contains(o, "skipped") {
		t.Errorf("reproduce without the file does not report the skip:\n%s", o)
	}
}
