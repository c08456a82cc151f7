package experiment

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/hnn-go/hnn/metrics"
)

// tiny returns a fast spec: small network, few steps, short energy horizon.
func tiny(t *testing.T, kind string, seed uint64) Spec {
	t.Helper()
	s, err := NewSpec("spring", kind, seed, true)
	if err != nil {
		t.Fatal(err)
	}
	s.Model.Hidden = []int{16, 16}
	s.Train.Steps = 30
	s.Train.LogEvery = 10
	s.Energy.Starts = 5
	s.Energy.Points = 20
	return s
}

// TestSameSeedSameNumbers trains the same spec twice, once while other runs
// train concurrently, and requires bitwise equal metrics.
func TestSameSeedSameNumbers(t *testing.T) {
	t.Parallel()
	s := tiny(t, "hnn", 3)
	a, err := Train(s, "", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan *Run, 3)
	for _, seed := range []uint64{3, 4, 5} {
		go func() {
			r, err := Train(tiny(t, "hnn", seed), "", nil, nil)
			if err != nil {
				t.Error(err)
			}
			done <- r
		}()
	}
	var b *Run
	for range 3 {
		if r := <-done; r != nil && r.Spec.Seed == 3 {
			b = r
		}
	}
	a.Metrics.History, b.Metrics.History = nil, nil
	a.Metrics.Seconds, b.Metrics.Seconds = 0, 0
	if !reflect.DeepEqual(a.Metrics, b.Metrics) {
		t.Errorf("same seed, different metrics:\n%+v\n%+v", a.Metrics, b.Metrics)
	}
}

// TestTrainWritesAndEvaluateRecomputes checks the run directory's files and
// that evaluating the checkpoint gives the metrics of training.
func TestTrainWritesAndEvaluateRecomputes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r, err := Train(tiny(t, "baseline", 1), dir, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{SpecFile, MetricsFile, "model.json", "model.npz"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	var spec map[string]any
	b, _ := os.ReadFile(filepath.Join(dir, SpecFile))
	if err := json.Unmarshal(b, &spec); err != nil || spec["build"] == nil || spec["seed"] == nil {
		t.Errorf("config.json lacks build or seed: %s", b)
	}
	e, err := Evaluate(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(e.Metrics.Values, r.Metrics.Values) {
		t.Errorf("evaluate: metrics %v, training gave %v", e.Metrics.Values, r.Metrics.Values)
	}
}

// TestHNNEnergyBeatsBaseline trains both models on the spring task at
// reduced steps (and a smaller network) with the full energy protocol and
// requires the HNN's energy MSE to be far below the baseline's (the paper's
// ratio is about 450; full training here gives over 100).
func TestHNNEnergyBeatsBaseline(t *testing.T) {
	t.Parallel()
	var e [2]float64
	for i, kind := range []string{"baseline", "hnn"} {
		s, _ := NewSpec("spring", kind, 0, false)
		s.Model.Hidden = []int{64, 64}
		s.Train.Steps = 300
		r, err := Train(s, "", nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		e[i] = r.Metrics.Mean(metrics.EnergyMSE)
	}
	t.Logf("energy MSE: baseline %.3g, hnn %.3g", e[0], e[1])
	if !(e[1]*20 < e[0]) || math.IsNaN(e[1]) {
		t.Errorf("HNN energy MSE %.3g is not 20x below the baseline's %.3g", e[1], e[0])
	}
}
