package main

import (
	"encoding/json"
	"image/gif"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestControl trains a tiny symoden on pendulum-embed (5 steps: the
// plumbing, not the swing-up, which docs/control.md measures) and runs
// hnn control on it: the table names both laws, the law from the true
// system reaches upright, control.json holds both runs with 201 rows
// each and the settings, and the figure and animation decode. It checks
// the one-line errors for a baseline, a task without a driven system,
// bad flags and an underactuated system, -system alone, and a tiny
// symoden on the fully actuated cart-pole task driving the true system.
func TestControl(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	run := filepath.Join(tmp, "sym")
	mustRun(t, "train", "pendulum-embed", "-model", "symoden", "-steps", "5", "-hidden", "8", "-out", run, "-no-progress")
	out := filepath.Join(tmp, "ctl")
	o := mustRun(t, "control", run, "-out", out)
	lines := strings.Split(strings.TrimSpace(o), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[1], "symoden") || !strings.HasPrefix(lines[2], "true") || !strings.Contains(lines[2], "yes") {
		t.Fatalf("hnn control printed\n%s\nwant a header, a symoden line, a true line that reached, and the files", o)
	}
	var rep struct {
		Model    string `json:"model"`
		System   string `json:"system"`
		Settings struct {
			Kd    float64 `json:"k_d"`
			Steps int     `json:"steps"`
			Clip  float64 `json:"clip"`
		} `json:"settings"`
		Laws []struct {
			Name    string      `json:"name"`
			T       []float64   `json:"t"`
			Q       [][]float64 `json:"q"`
			U       [][]float64 `json:"u"`
			Reached bool        `json:"reached"`
			Settle  *float64    `json:"settle_time"`
			MaxU    float64     `json:"max_abs_u"`
			Stopped *float64    `json:"stopped_at"`
		} `json:"laws"`
	}
	b, err := os.ReadFile(filepath.Join(out, "control.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Model != "symoden" || rep.System != "pendulum-torque" || rep.Settings.Kd != 9 || rep.Settings.Steps != 200 || rep.Settings.Clip != 5 || len(rep.Laws) != 2 {
		t.Fatalf("control.json: model %q system %q settings %+v, %d laws", rep.Model, rep.System, rep.Settings, len(rep.Laws))
	}
	for _, l := range rep.Laws {
		if len(l.T) != 201 || len(l.Q) != 201 || len(l.U) != 201 || l.MaxU > 5 {
			t.Errorf("law %s: %d times, %d q rows, %d u rows, max |u| %v", l.Name, len(l.T), len(l.Q), len(l.U), l.MaxU)
		}
	}
	if tr := rep.Laws[1]; tr.Name != "true" || !tr.Reached || tr.Settle == nil || *tr.Settle > 8 {
		t.Errorf("true law: %s reached %v settle %v", tr.Name, tr.Reached, tr.Settle)
	}
	f, err := os.Open(filepath.Join(out, "control.png"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(f); err != nil {
		t.Errorf("control.png: %v", err)
	}
	f.Close()
	f, err = os.Open(filepath.Join(out, "control.gif"))
	if err != nil {
		t.Fatal(err)
	}
	if g, err := gif.DecodeAll(f); err != nil || len(g.Image) != 101 {
		t.Errorf("control.gif: %v, want 101 frames (every other step)", err)
	}
	f.Close()

	// -k-d 0 keeps the shaped energy: the true law does not settle.
	if o := mustRun(t, "control", run, "-k-d", "0", "-out", filepath.Join(tmp, "kd0")); !strings.Contains(strings.Split(o, "\n")[2], "no") {
		t.Errorf("-k-d 0:\n%s\nwant the true law not to reach", o)
	}
	if o := mustRun(t, "control", "-system", "acrobot-full"); !strings.Contains(o, "acrobot-full") || !strings.Contains(o, "yes") {
		t.Errorf("-system acrobot-full:\n%s", o)
	}

	// A learned fully actuated cart-pole (task cartpole-full): the law
	// from its learned V, g and M runs on the true system, two inputs a
	// step.
	full := filepath.Join(tmp, "cartfull")
	mustRun(t, "train", "cartpole-full", "-model", "symoden", "-steps", "2", "-hidden", "4", "-out", full, "-no-progress")
	fullOut := filepath.Join(tmp, "ctlfull")
	if o := mustRun(t, "control", full, "-out", fullOut); !strings.Contains(o, "symoden") || !strings.Contains(o, "true") {
		t.Errorf("hnn control on cartpole-full:\n%s", o)
	}
	rep.Laws = nil
	if b, err := os.ReadFile(filepath.Join(fullOut, "control.json")); err != nil || json.Unmarshal(b, &rep) != nil {
		t.Fatalf("cartpole-full control.json: %v", err)
	}
	if rep.System != "cartpole-full" || len(rep.Laws) != 2 || len(rep.Laws[1].U) != 401 || len(rep.Laws[1].U[0]) != 2 || !rep.Laws[1].Reached {
		t.Fatalf("cartpole-full control.json: system %q, %d laws; want cartpole-full, 2 laws, the true one of 401 rows of 2 inputs that reached", rep.System, len(rep.Laws))
	}
	// The 2-step model's law may drive the true system away until the
	// loop diverges: then its rows end where it stopped.
	if l := rep.Laws[0]; len(l.U) == 0 || len(l.U) > 401 || len(l.U[0]) != 2 || (len(l.U) < 401) != (l.Stopped != nil) {
		t.Errorf("cartpole-full learned law: %d rows (%v), stopped at %v; want up to 401 rows of 2 inputs, fewer only when stopped", len(l.U), l.U[:min(1, len(l.U))], l.Stopped)
	}

	naive := filepath.Join(tmp, "naive")
	mustRun(t, "train", "pendulum-embed", "-model", "naive", "-steps", "2", "-hidden", "4", "-out", naive, "-no-progress")
	spring := filepath.Join(tmp, "spring")
	mustRun(t, tinyTrain("hnn", spring)...)
	cart := filepath.Join(tmp, "cart")
	mustRun(t, "train", "cartpole", "-model", "symoden", "-steps", "2", "-hidden", "4", "-out", cart, "-no-progress")
	for _, c := range []struct {
		args []string
		code int
		want []string
	}{
		{[]string{"control", naive}, 1, []string{"naive", "no potential"}},
		{[]string{"control", spring}, 1, []string{"spring", "no driven system", "pendulum-embed"}},
		{[]string{"control", cart}, 1, []string{"cartpole", "1 input(s) for 2 coordinates", "cartpole-full"}},
		{[]string{"control", run, "-k-d", "-1"}, 1, []string{"-k-d -1"}},
		{[]string{"control", run, "-dt", "0"}, 1, []string{"-dt 0"}},
		{[]string{"control", run, "-clip", "NaN"}, 1, []string{"-clip NaN"}},
		{[]string{"control", run, "-duration", "1"}, 1, []string{"duration 1 s", "2 s"}},
		{[]string{"control", "-system", "cartpole"}, 1, []string{"cartpole", "cartpole-full"}},
		{[]string{"control", filepath.Join(tmp, "absent")}, 1, []string{"absent"}},
		{[]string{"control"}, 2, []string{"one run directory"}},
	} {
		code, _, e := hnn(c.args...)
		if code != c.code || strings.Count(strings.TrimSpace(e), "\n") != 0 {
			t.Errorf("hnn %s: exit %d, stderr %q; want exit %d and one line", strings.Join(c.args, " "), code, e, c.code)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(e, w) {
				t.Errorf("hnn %s: %q does not name %q", strings.Join(c.args, " "), e, w)
			}
		}
	}
}
