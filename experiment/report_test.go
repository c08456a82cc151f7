package experiment

import (
	"encoding/json"
	"maps"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/hnn-go/hnn/fit"
	"github.com/hnn-go/hnn/metrics"
	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/task"
)

// allMetrics returns a value of every registered metric, each distinct.
func allMetrics() metrics.Values {
	var v metrics.Values
	for i, m := range metrics.All() {
		v.Set(m, metrics.Summary{Mean: 0.125 * float64(i+1), SEM: 0.0625, Median: 0.1 * float64(i+1)})
	}
	return v
}

// TestEveryMetricReported checks that every registered metric reaches
// results.json (per model and per seed), metrics.json, report.md and the
// terminal table, under its key and column.
func TestEveryMetricReported(t *testing.T) {
	t.Parallel()
	v := allMetrics()
	means := metrics.Values{}
	for k, x := range v {
		means[k] = metrics.Summary{Mean: x.Mean}
	}
	mr := &ModelResult{Values: v, Seeds: 1, PerSeed: []SeedResult{{Seed: 0, Values: means, Seconds: 1}}, Seconds: 1}
	res := &Results{Tasks: map[string]map[string]*ModelResult{"spring": {"hnn": mr}},
		Protocol: map[string]TaskProtocol{"spring": {}}, Order: []string{"spring"}, Models: []string{"hnn"}}
	dir := t.TempDir()
	if err := writeJSON(filepath.Join(dir, "results.json"), res); err != nil {
		t.Fatal(err)
	}
	if err := writeReport(filepath.Join(dir, "report.md"), res); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Tasks map[string]map[string]map[string]json.RawMessage
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	model := raw.Tasks["spring"]["hnn"]
	var perSeed []map[string]json.RawMessage
	if err := json.Unmarshal(model["per_seed"], &perSeed); err != nil || len(perSeed) != 1 {
		t.Fatalf("per_seed: %s, %v", model["per_seed"], err)
	}
	report, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	table := Table(res)
	for _, m := range metrics.All() {
		x, _ := v.Get(m)
		if _, ok := model[m.Key]; !ok {
			t.Errorf("results.json lacks %s per model", m.Key)
		}
		if _, ok := perSeed[0][m.Key]; !ok {
			t.Errorf("results.json lacks %s per seed", m.Key)
		}
		text := m.Text(x, metrics.Model)
		if !strings.Contains(string(report), "| "+m.Column+" |") || !strings.Contains(string(report), "| "+text+" |") {
			t.Errorf("report.md lacks the column %q or the value %q", m.Column, text)
		}
		if !strings.Contains(table, m.Column) || !strings.Contains(table, text) {
			t.Errorf("table lacks the column %q or the value %q:\n%s", m.Column, text, table)
		}
	}
	// results.json reads back to the same numbers.
	var back Results
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Numbers(), res.Numbers()) {
		t.Errorf("results.json reads back as %+v, want %+v", back.Numbers(), res.Numbers())
	}

	// A run's metrics.json has every metric, and reads back the same.
	r := &Run{Metrics: Metrics{Values: v, Seconds: 2}}
	for _, m := range metrics.All() {
		if m.SamplesKey != "" || m.RowsArray != "" {
			r.Metrics.record(m, r.Metrics.Values[m.Key], []float64{1, 2})
		}
	}
	rd := t.TempDir()
	if err := r.saveMetrics(rd); err != nil {
		t.Fatal(err)
	}
	var got Run
	if err := got.loadMetrics(rd); err != nil {
		t.Fatal(err)
	}
	want := metrics.Values{}
	maps.Copy(want, v)
	for _, m := range metrics.All() {
		if m.Scalar { // a run keeps the number alone
			want[m.Key] = metrics.Summary{Mean: v[m.Key].Mean}
		}
	}
	if !reflect.DeepEqual(got.Metrics.Values, want) || !reflect.DeepEqual(got.Metrics.Samples, r.Metrics.Samples) {
		t.Errorf("metrics.json reads back as %+v %v, want %+v %v", got.Metrics.Values, got.Metrics.Samples, want, r.Metrics.Samples)
	}
}

// TestLossHistoryAndFigures checks that every run keeps its loss history
// in metrics.json (train and test loss at every log interval, steps
// increasing to the last), that reproduce draws a loss-curve figure per
// task, and that report.md links exactly the figures written.
func TestLossHistoryAndFigures(t *testing.T) {
	t.Parallel()
	const steps = 40
	dir := t.TempDir()
	o := Options{Tasks: []string{"spring"}, Seeds: Set(1), Quick: true, Out: dir, Overrides: Overrides{Steps: Set(steps), Hidden: Set([]int{8})}}
	res, err := Reproduce(o)
	if err != nil {
		t.Fatal(err)
	}
	for _, mk := range []string{"baseline", "hnn"} {
		var m Metrics
		if err := readJSON(filepath.Join(dir, "runs", "spring-"+mk+"-seed0", MetricsFile), &m); err != nil {
			t.Fatal(err)
		}
		if m.History == nil || len(m.History.Log) != 20 { // log every steps/20
			t.Fatalf("%s: history %+v, want 20 log points", mk, m.History)
		}
		last := 0
		for _, p := range m.History.Log {
			if p.Step <= last || !(p.Train > 0) || !(p.Test > 0) || math.IsInf(p.Train, 0) || math.IsInf(p.Test, 0) {
				t.Errorf("%s: log point %+v after step %d", mk, p, last)
			}
			last = p.Step
		}
		if last != steps {
			t.Errorf("%s: last logged step %d, want %d", mk, last, steps)
		}
	}
	report, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, f := range res.Figures {
		files = append(files, f.File)
		if _, err := os.Stat(filepath.Join(dir, f.File)); err != nil {
			t.Errorf("listed figure %s: %v", f.File, err)
		}
		if linked := strings.Contains(string(report), "("+f.File+")"); linked != (f.Section != "") {
			t.Errorf("figure %s in section %q: linked %v", f.File, f.Section, linked)
		}
	}
	if !slices.Contains(files, "spring-loss.png") || !slices.Contains(files, "spring-figure2.png") {
		t.Errorf("figures %v, want the loss curves and figure 2", files)
	}
	if !strings.Contains(string(report), "## Loss curves") {
		t.Errorf("report.md has no loss-curve section:\n%s", report)
	}

	// Without figures the report links none.
	o.Out, o.NoFigures = t.TempDir(), true
	if _, err := Reproduce(o); err != nil {
		t.Fatal(err)
	}
	report, err = os.ReadFile(filepath.Join(o.Out, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(report), ".png") {
		t.Errorf("report.md without figures links some:\n%s", report)
	}
}

// TestHorizonFigure checks that a measured task's figures include the
// error against the rollout horizon when its runs have rollout curves
// (one curve per model and fit), recorded in the report's figures, and
// that nothing is drawn or recorded for runs without curves.
func TestHorizonFigure(t *testing.T) {
	t.Parallel()
	tk := &task.Task{Name: "chain", Title: "Chain"}
	run := func(kind, mode string, curve []float64) *Run {
		return &Run{Spec: Spec{Model: model.Config{Kind: kind}, Fit: fit.Config{Mode: mode}}, Metrics: Metrics{RolloutCurve: curve}}
	}
	out := &figureDir{dir: t.TempDir()}
	if err := writeHorizonFigure(out, tk, []*Run{run("hnn", "derivative", nil)}); err != nil || len(out.written) != 0 {
		t.Fatalf("runs without curves: error %v, figures %v; want none", err, out.written)
	}
	runs := []*Run{run("separable", "derivative", []float64{0, 0.1, 0.5}), run("separable", "rollout", []float64{0, 0.01, 0.02})}
	if err := writeHorizonFigure(out, tk, runs); err != nil {
		t.Fatal(err)
	}
	if len(out.written) != 1 || out.written[0].File != "chain-horizon.png" || out.written[0].Section == "" {
		t.Fatalf("figures %+v, want chain-horizon.png in a report section", out.written)
	}
	if st, err := os.Stat(filepath.Join(out.dir, "chain-horizon.png")); err != nil || st.Size() == 0 {
		t.Fatalf("chain-horizon.png: %v", err)
	}
}
