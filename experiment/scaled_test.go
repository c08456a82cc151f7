package experiment

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hnn-go/hnn/metrics"
	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/task"
)

// writePendulumCSV writes two trials of a pendulum, q” = -sin q, sampled
// at uneven times (steps 0.08..0.12) with a little noise, states times
// stateUnit and times times timeUnit, and returns the file's path.
func writePendulumCSV(t *testing.T, dir string, stateUnit, timeUnit float64) string {
	t.Helper()
	rng := rand.New(rand.NewPCG(5, 6))
	var b strings.Builder
	b.WriteString("trial,t,q,p\n")
	for k := range 2 {
		q, p, tm := 1.0+0.5*float64(k), 0.0, 0.0
		for range 80 {
			fmt.Fprintf(&b, "%d,%.17g,%.17g,%.17g\n", k, tm*timeUnit, (q+0.01*rng.NormFloat64())*stateUnit, (p+0.01*rng.NormFloat64())*stateUnit)
			h := 0.08 + 0.04*rng.Float64()
			// Fine leapfrog substeps: the truth, up to 1e-6.
			for range 100 {
				dt := h / 100
				p -= dt / 2 * math.Sin(q)
				q += dt * p
				p -= dt / 2 * math.Sin(q)
			}
			tm += h
		}
	}
	path := filepath.Join(dir, fmt.Sprintf("pend-%g-%g.csv", stateUnit, timeUnit))
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestStandardisedUnits trains every model kind on a file and on the same
// file with its states x100 and times x10: standardised, the runs' losses
// and rollout errors relative to the data's scale must agree (derivatives
// scale by 100/10, states by 100), and the checkpoint must keep the scale.
// Raw, the large units must train differently (the check can fail).
func TestStandardisedUnits(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	small, big := writePendulumCSV(t, dir, 1, 1), writePendulumCSV(t, dir, 100, 10)
	run := func(path, kind string, raw bool, out string) *Run {
		s, err := NewFileSpec(task.DataSource{Path: path, Raw: raw}, kind, 0, true)
		if err != nil {
			t.Fatal(err)
		}
		s.Model.Hidden, s.Model.Precision = []int{16}, model.Float64
		s.Train.Steps, s.Train.LogEvery = 60, 30
		r, err := Train(s, out, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	get := func(r *Run, m *metrics.Metric) float64 {
		v, ok := r.Metrics.Get(m)
		if !ok {
			t.Fatalf("run has no %s", m.Key)
		}
		return v.Mean
	}
	for _, kind := range model.Kinds() {
		a := run(small, kind, false, filepath.Join(dir, kind))
		b := run(big, kind, false, "")
		// The scaled data agree to rounding (1e-15); 60 float64 steps
		// keep the runs within 1e-6 relative.
		for _, c := range []struct {
			m     *metrics.Metric
			ratio float64
		}{{metrics.TrainLoss, 100}, {metrics.TestLoss, 100}, {metrics.RolloutMSE, 1e4}} {
			va, vb := get(a, c.m), get(b, c.m)
			if rel := math.Abs(vb/(c.ratio*va) - 1); rel > 1e-6 {
				t.Errorf("%s: %s %v in file units, %v in units x100 (time x10): relative difference %.2g", kind, c.m.Key, va, vb, rel)
			}
		}
		loaded, err := Load(filepath.Join(dir, kind))
		if err != nil {
			t.Fatal(err)
		}
		ev, err := Evaluate(filepath.Join(dir, kind), false)
		if err != nil {
			t.Fatal(err)
		}
		if va, vl := get(a, metrics.RolloutMSE), get(ev, metrics.RolloutMSE); math.Abs(vl/va-1) > 1e-9 {
			t.Errorf("%s: rollout MSE %v after training, %v evaluated from the checkpoint %v", kind, va, vl, loaded.Spec.Source.File.Path)
		}
	}
	// Raw: the same network sees inputs of order 100; its relative test
	// loss differs from the standardised run's.
	a, b := run(small, "hnn", true, ""), run(big, "hnn", true, "")
	if rel := math.Abs(get(b, metrics.TestLoss)/(100*get(a, metrics.TestLoss)) - 1); rel < 1e-3 {
		t.Errorf("raw runs in both units have the same relative test loss (difference %.2g): the units are not reaching the model", rel)
	}
}
