package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/systems"
)

// trainDriven trains a tiny symoden on the pendulum with torque (states
// (q, p, u)) into a fresh directory and returns it.
func trainDriven(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "run")
	mustRun(t, "train", "pendulum-torque", "-model", "symoden", "-quick", "-steps", "30", "-hidden", "8,8", "-out", dir, "-no-progress")
	return dir
}

// TestRolloutInputs rolls a driven run out under constant inputs and
// inputs per sample: shapes, the inputs recorded in their column, the
// start kept, and a different torque giving a different path.
func TestRolloutInputs(t *testing.T) {
	t.Parallel()
	run := trainDriven(t)
	tmp := t.TempDir()
	x0 := writeNPY(t, filepath.Join(tmp, "x0.npy"), []int{2, 2}, []float64{0.5, 0, -1, 0.3})
	const points = 9
	roll := func(name string, shape []int, u []float64) []float64 {
		in := writeNPY(t, filepath.Join(tmp, name+".npy"), shape, u)
		out := filepath.Join(tmp, name+".npz")
		mustRun(t, "rollout", run, "-initial", x0, "-inputs", in, "-t-end", "0.4", "-points", "9", "-integrator", "rk4", "-out", out)
		got, err := data.ReadNPZ(out)
		if err != nil {
			t.Fatal(err)
		}
		x := got["x"]
		if !slices.Equal(x.Shape, []int{2, points, 3}) {
			t.Fatalf("%s: x has shape %v, want (2, %d, 3)", name, x.Shape, points)
		}
		for i, v := range x.Data {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("%s: x[%d] = %v", name, i, v)
			}
		}
		if x.Data[0] != 0.5 || x.Data[1] != 0 || x.Data[points*3] != -1 || x.Data[points*3+1] != 0.3 {
			t.Errorf("%s: starts %v and %v, want (0.5, 0) and (-1, 0.3)", name, x.Data[:2], x.Data[points*3:points*3+2])
		}
		return x.Data
	}
	plus := roll("plus", []int{1}, []float64{2})
	minus := roll("minus", []int{1, 1}, []float64{-2})
	ramp := make([]float64, points)
	for k := range ramp {
		ramp[k] = float64(k) / 4
	}
	steps := roll("ramp", []int{points, 1}, ramp)
	for b := range 2 {
		for k := range points {
			if u := plus[(b*points+k)*3+2]; u != 2 {
				t.Errorf("constant input: x[%d, %d, 2] = %v, want 2", b, k, u)
			}
			if u := steps[(b*points+k)*3+2]; u != ramp[k] {
				t.Errorf("input per sample: x[%d, %d, 2] = %v, want %v", b, k, u, ramp[k])
			}
		}
	}
	if last := (points - 1) * 3; plus[last] == minus[last] && plus[last+1] == minus[last+1] {
		t.Errorf("u = 2 and u = -2 end at the same state %v", plus[last:last+2])
	}
}

// TestRolloutInputsErrors checks the one-line errors of hnn rollout
// -inputs.
func TestRolloutInputsErrors(t *testing.T) {
	t.Parallel()
	driven, plain := trainDriven(t), trainTiny(t, "hnn")
	tmp := t.TempDir()
	x0 := writeNPY(t, filepath.Join(tmp, "x0.npy"), []int{2}, []float64{0.5, 0})
	x0u := writeNPY(t, filepath.Join(tmp, "x0u.npy"), []int{3}, []float64{0.5, 0, 1})
	u1 := writeNPY(t, filepath.Join(tmp, "u1.npy"), []int{1}, []float64{1})
	u2 := writeNPY(t, filepath.Join(tmp, "u2.npy"), []int{2}, []float64{1, 2})
	u7 := writeNPY(t, filepath.Join(tmp, "u7.npy"), []int{7, 1}, make([]float64, 7))
	nan := writeNPY(t, filepath.Join(tmp, "nan.npy"), []int{1}, []float64{math.NaN()})
	for _, c := range []struct {
		name, run, x0, u, want string
	}{
		{"model without inputs", plain, x0, u1, "u1.npy: this model has no inputs"},
		{"input width", driven, x0, u2, "u2.npy: shape (2,) has 2 inputs per row, this model takes 1"},
		{"input length", driven, x0, u7, "u7.npy: shape (7, 1), want (1,) or (1, 1) for constant inputs or (5, 1), one row per output point"},
		{"NaN", driven, x0, nan, "nan.npy: value at index (0,) is NaN"},
		{"inputs twice", driven, x0u, u1, "x0u.npy: shape (3,) holds the 1 input columns too"},
	} {
		code, _, e := hnn("rollout", c.run, "-initial", c.x0, "-inputs", c.u, "-t-end", "1", "-points", "5", "-out", filepath.Join(tmp, "p.npz"))
		if code == 0 || !strings.Contains(e, c.want) || strings.Count(strings.TrimSpace(e), "\n") > 0 {
			t.Errorf("%s: exit %d, stderr %q, want one line containing %q", c.name, code, e, c.want)
		}
	}
}

// TestRolloutDrivenWithoutInputs checks that a driven run rolled out from
// states without their inputs, and no -inputs, says how to give them.
func TestRolloutDrivenWithoutInputs(t *testing.T) {
	t.Parallel()
	run := trainDriven(t)
	tmp := t.TempDir()
	x0 := writeNPY(t, filepath.Join(tmp, "x0.npy"), []int{2}, []float64{0.5, 0})
	code, _, e := hnn("rollout", run, "-initial", x0, "-t-end", "1", "-points", "5", "-out", filepath.Join(tmp, "p.npz"))
	if want := "end with 1 inputs; append them or give them apart (hnn rollout -inputs)"; code == 0 || !strings.Contains(e, want) {
		t.Errorf("exit %d, stderr %q, want %q", code, e, want)
	}
}

// TestTrainDrivenFile writes the driven pendulum's trajectories
// (systems.GenerateDriven, SymODEN's task 2 protocol with 16 starts) to a
// CSV file that carries its layout (q:angle, v, u and derivatives) and an
// NPZ file of arrays q, v, u, angles, and trains symoden from each with
// hnn train -data: the run takes the file's layout, and training lowers
// the rollout MSE along the test segments to under a tenth of an
// untrained model's (a model that ignores the layout, or rows that lose
// their inputs, stay near it).
func TestTrainDrivenFile(t *testing.T) {
	t.Parallel()
	pr := systems.PendulumEmbedProtocol()
	pr.Starts = 16
	ds, err := systems.GenerateDriven(systems.TorquePendulum{}, pr, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var csv strings.Builder
	csv.WriteString("trial,t,q:angle,v,u,dq,dv\n")
	var q, v, u, ts []float64
	for _, s := range []*data.Set{&ds.Train, &ds.Test} {
		for i := range s.Len() {
			x, dx := s.Row(i)
			fmt.Fprintf(&csv, "%d,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g\n", s.Traj[i], s.T[i], x[0], x[1], x[2], dx[0], dx[1])
			q, v, u = append(q, x[0]), append(v, x[1]), append(u, x[2])
			if len(ts) < pr.Points {
				ts = append(ts, s.T[i])
			}
		}
	}
	k := len(q) / pr.Points
	files := map[string]func(string) error{
		"pend.csv": func(p string) error { return os.WriteFile(p, []byte(csv.String()), 0o644) },
		"pend.npz": func(p string) error {
			return data.WriteNPZ(p, map[string]data.Array{
				"t":      {Shape: []int{pr.Points}, Data: ts},
				"q":      {Shape: []int{k, pr.Points, 1}, Data: q},
				"v":      {Shape: []int{k, pr.Points, 1}, Data: v},
				"u":      {Shape: []int{k, pr.Points, 1}, Data: u},
				"angles": {Shape: []int{1}, Data: []float64{0}},
			})
		},
	}
	for name, write := range files {
		path := filepath.Join(dir, name)
		if err := write(path); err != nil {
			t.Fatal(err)
		}
		mse := func(steps string) float64 {
			out := filepath.Join(dir, name+"-"+steps)
			mustRun(t, "train", "-data", path, "-model", "symoden", "-steps", steps, "-hidden", "16,16", "-out", out, "-no-progress")
			cfg := readJSON(t, filepath.Join(out, "config.json"))
			l, _ := get(cfg, "model", "layout").(map[string]any)
			if l["velocities"] != true || l["inputs"] != 1.0 || fmt.Sprint(l["angles"]) != "[0]" {
				t.Errorf("%s: the run's model layout is %v, want velocities, 1 input, angle 0", name, l)
			}
			m := readJSON(t, filepath.Join(out, "metrics.json"))
			r, _ := m["rollout_mse"].(map[string]any)
			v, _ := r["mean"].(float64)
			return v
		}
		before, after := mse("1"), mse("400")
		t.Logf("%s: rollout MSE %.3g untrained, %.3g after 400 steps", name, before, after)
		if !(after < before/10) {
			t.Errorf("%s: rollout MSE %v after 400 steps, %v after 1: want a tenth", name, after, before)
		}
	}
}
