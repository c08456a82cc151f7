package pixel

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hnn-go/hnn/experiment"
	"github.com/hnn-go/hnn/experiment/report"
	"github.com/hnn-go/hnn/experiment/reproduce"
	"github.com/hnn-go/hnn/latent"
	"github.com/hnn-go/hnn/metrics"
	"github.com/hnn-go/hnn/pixels"
	"github.com/hnn-go/hnn/task"
	"github.com/hnn-go/hnn/train"
)

func init() {
	// A pixel task small enough for tests: 6 trials of 8 frames.
	task.Register(&task.Task{
		Name: "pixel-tiny", Title: "tiny pixel pendulum", Dim: 2, Kind: task.KindPixels, Latent: &latent.Config{Step: "euler"},
		Pixels:      &pixels.Config{Trials: 6, Frames: 8, TestTrials: 2},
		QuickPixels: &pixels.Config{Trials: 6, Frames: 8, TestTrials: 2},
		TrainRows:   20,
		Train:       train.Config{Steps: 30, LR: 1e-3, Batch: 10, LogEvery: 10},
		QuickTrain:  train.Config{Steps: 30, LR: 1e-3, Batch: 10, LogEvery: 10},
	})
}

// TestPixelRun trains both latent models on a tiny pixel task through the
// experiment API, checks the metrics and results.json keys the issue names,
// that experiment.Evaluate recomputes the same numbers from the checkpoint and the
// cached data, and that the figures are written.
func TestPixelRun(t *testing.T) {
	t.Setenv(CacheEnv, t.TempDir())
	out := t.TempDir()
	res, err := report.ReproduceAndWrite(reproduce.Options{Tasks: []string{"pixel-tiny"}, Seeds: experiment.Set(1), Out: out})
	if err != nil {
		t.Fatal(err)
	}
	for _, mk := range []string{"baseline", "hnn"} {
		mr := res.Tasks["pixel-tiny"][mk]
		if mr == nil {
			t.Fatalf("%s: no results", mk)
		}
		for _, m := range []*metrics.Metric{metrics.EnergyMSE, metrics.PixelMSE, metrics.ValidSteps, metrics.PhaseRate, metrics.SyMetricR2} {
			if _, ok := mr.Get(m); !ok {
				t.Fatalf("%s: results %+v lack %s", mk, mr, m.Key)
			}
		}
		if !(mr.Mean(metrics.TestLoss) > 0) || math.IsNaN(mr.Mean(metrics.EnergyMSE)) || !(mr.Mean(metrics.PixelMSE) > 0) {
			t.Errorf("%s: test loss %v, energy %v, pixel %v", mk, mr.Mean(metrics.TestLoss), mr.Mean(metrics.EnergyMSE), mr.Mean(metrics.PixelMSE))
		}
		if v := mr.Mean(metrics.ValidSteps); v < 0 || v > 4 {
			t.Errorf("%s: valid time %v steps, want within the 4-step rollout", mk, v)
		}
		if v := mr.Mean(metrics.PhaseRate); math.IsNaN(v) || math.IsInf(v, 0) {
			t.Errorf("%s: phase rate %v, want a number", mk, v)
		}
		if v := mr.Mean(metrics.SyMetricR2); !(v >= 0 && v <= 1) {
			t.Errorf("%s: SyMetric R^2 %v, want within [0, 1]", mk, v)
		}
		if v, ok := mr.Get(metrics.Symplecticity); ok && !(v.Mean >= 0) {
			t.Errorf("%s: symplecticity %v, want a number >= 0", mk, v.Mean)
		}
		dir := filepath.Join(out, "runs", "pixel-tiny-"+mk+"-seed0")
		r, err := experiment.Evaluate(dir, false)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(r.Metrics.Mean(metrics.TestLoss)-mr.Mean(metrics.TestLoss)) > 1e-12 || r.Metrics.Mean(metrics.PixelMSE) != mr.Mean(metrics.PixelMSE) {
			t.Errorf("%s: evaluate gives test loss %v and pixel MSE %v, training %v and %v", mk, r.Metrics.Mean(metrics.TestLoss), r.Metrics.Mean(metrics.PixelMSE), mr.Mean(metrics.TestLoss), mr.Mean(metrics.PixelMSE))
		}
		if _, err := experiment.Evaluate(dir, true); err == nil {
			t.Errorf("%s: long horizon on a pixel run: no error", mk)
		}
	}
	b, _ := os.ReadFile(filepath.Join(out, "results.json"))
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	hnn := raw["tasks"].(map[string]any)["pixel-tiny"].(map[string]any)["hnn"].(map[string]any)
	for _, k := range []string{"train_loss", "test_loss", "energy_mse", "pixel_mse", "valid_time", "phase_rate", "symetric_r2"} {
		if _, ok := hnn[k]; !ok {
			t.Errorf("results.json lacks %s", k)
		}
	}
	for _, f := range []string{"metrics.json", "../../report.md"} {
		b, err := os.ReadFile(filepath.Join(out, "runs", "pixel-tiny-hnn-seed0", f))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "symetric_r2") && !strings.Contains(string(b), "SyMetric R²") {
			t.Errorf("%s lacks the SyMetric R^2", f)
		}
	}
	for _, f := range []string{"pixel-tiny-frames.png", "pixel-tiny-frames.gif", "pixel-tiny-latent.png"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
}

// TestPixelRunRollout trains latent models with an input of three frames
// and a rollout loss over two frames (the separable HNN through leapfrog)
// through the experiment API, and checks that the settings reach the
// checkpoint, that the runs report their metrics, and that experiment.Evaluate
// recomputes them from the checkpoint.
func TestPixelRunRollout(t *testing.T) {
	t.Setenv(CacheEnv, t.TempDir())
	out := t.TempDir()
	o := experiment.Overrides{Latent: experiment.LatentPatch{"frames": json.RawMessage(`3`), "horizon": json.RawMessage(`2`), "integrator": json.RawMessage(`"leapfrog"`), "backward": json.RawMessage(`true`)}}
	if _, err := report.ReproduceAndWrite(reproduce.Options{Tasks: []string{"pixel-tiny"}, Models: []string{"hnn"}, Seeds: experiment.Set(1), Out: out, Overrides: o}); err == nil {
		t.Error("leapfrog for a non-separable hnn: no error")
	}
	res, err := report.ReproduceAndWrite(reproduce.Options{Tasks: []string{"pixel-tiny"}, Models: []string{"separable"}, Seeds: experiment.Set(1), Out: out, Overrides: o})
	if err != nil {
		t.Fatal(err)
	}
	mr := res.Tasks["pixel-tiny"]["separable"]
	if mr == nil {
		t.Fatal("no results")
	}
	// A rollout over the 8-frame trials of 3-frame inputs has 4 steps.
	if v := mr.Mean(metrics.ValidSteps); v < 0 || v > 4 {
		t.Errorf("valid time %v steps, want within the 4-step rollout", v)
	}
	dir := filepath.Join(out, "runs", "pixel-tiny-separable-seed0")
	b, err := os.ReadFile(filepath.Join(dir, "latent.json"))
	if err != nil {
		t.Fatal(err)
	}
	var lc struct {
		Input, Horizon int
		Integrator     string
		Backward       bool
	}
	if err := json.Unmarshal(b, &lc); err != nil {
		t.Fatal(err)
	}
	if lc.Input != 3*pixels.FrameSize || lc.Horizon != 2 || lc.Integrator != "leapfrog" || !lc.Backward {
		t.Errorf("latent.json: %+v", lc)
	}
	// The in-training rotation check ran at every log interval.
	b, err = os.ReadFile(filepath.Join(dir, "metrics.json"))
	if err != nil {
		t.Fatal(err)
	}
	var mj struct {
		Log []experiment.StepValue `json:"phase_rate_log"`
	}
	if err := json.Unmarshal(b, &mj); err != nil {
		t.Fatal(err)
	}
	if len(mj.Log) != 3 || mj.Log[2].Step != 30 || math.IsNaN(mj.Log[2].Value) {
		t.Errorf("phase_rate_log %+v, want 3 intervals up to step 30", mj.Log)
	}
	r, err := experiment.Evaluate(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []*metrics.Metric{metrics.TestLoss, metrics.PixelMSE, metrics.PhaseRate, metrics.SyMetricR2} {
		if got, want := r.Metrics.Mean(m), mr.Mean(m); math.Abs(got-want) > 1e-9*(1+math.Abs(want)) {
			t.Errorf("%s: evaluate gives %v, training %v", m.Key, got, want)
		}
	}
}
