package report

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/hnn-go/hnn/experiment"
	"github.com/hnn-go/hnn/experiment/reproduce"
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

// TestOneSeedNoZeroSpread checks that a single seed's metrics combined by
// seed means show their value alone in the table and report.md, not
// "± 0.0e+00", while a pooled metric keeps its error bar over rows.
func TestOneSeedNoZeroSpread(t *testing.T) {
	t.Parallel()
	var v metrics.Values
	v.Set(metrics.TestLoss, metrics.Summary{Mean: 0.125, SEM: 0.0625})
	v.Set(metrics.RolloutMSE, metrics.Summary{Mean: 0.25})
	mr := &reproduce.ModelResult{Values: v, Seeds: 1, PerSeed: []reproduce.SeedResult{{Values: v}}}
	res := &reproduce.Results{Tasks: map[string]map[string]*reproduce.ModelResult{"spring": {"hnn": mr}},
		Protocol: map[string]reproduce.TaskProtocol{"spring": {}}, Order: []string{"spring"}, Models: []string{"hnn"}}
	path := filepath.Join(t.TempDir(), "report.md")
	if err := writeReport(path, res); err != nil {
		t.Fatal(err)
	}
	report, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{"table": Table(res), "report.md": string(report)} {
		if strings.Contains(text, "± 0.0e+00") || !strings.Contains(text, "2.50e-01") {
			t.Errorf("%s shows a zero spread or lacks the rollout MSE 2.50e-01:\n%s", name, text)
		}
		if !strings.Contains(text, "1.25e-01 ± 6.2e-02") {
			t.Errorf("%s lacks the test loss with its error bar:\n%s", name, text)
		}
	}
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
	mr := &reproduce.ModelResult{Values: v, Seeds: 1, PerSeed: []reproduce.SeedResult{{Seed: 0, Values: means, Seconds: 1}}, Seconds: 1}
	res := &reproduce.Results{Tasks: map[string]map[string]*reproduce.ModelResult{"spring": {"hnn": mr}},
		Protocol: map[string]reproduce.TaskProtocol{"spring": {}}, Order: []string{"spring"}, Models: []string{"hnn"}}
	dir := t.TempDir()
	if err := experiment.WriteJSON(filepath.Join(dir, "results.json"), res); err != nil {
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
	var back reproduce.Results
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Numbers(), res.Numbers()) {
		t.Errorf("results.json reads back as %+v, want %+v", back.Numbers(), res.Numbers())
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
	o := reproduce.Options{Tasks: []string{"spring"}, Seeds: experiment.Set(1), Quick: true, Out: dir, Overrides: experiment.Overrides{Steps: experiment.Set(steps), Hidden: experiment.Set([]int{8})}}
	res, err := ReproduceAndWrite(o)
	if err != nil {
		t.Fatal(err)
	}
	for _, mk := range []string{"baseline", "hnn"} {
		var m experiment.Metrics
		if err := experiment.ReadJSON(filepath.Join(dir, "runs", "spring-"+mk+"-seed0", experiment.MetricsFile), &m); err != nil {
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
	if _, err := ReproduceAndWrite(o); err != nil {
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

// TestFiguresOfTasksAndKeptRuns draws the figures of two tasks (which
// writeFigures draws concurrently) and checks that they are listed in the
// tasks' order, and that a second reproduction into the same directory,
// which keeps the runs and so rolls the models out again for Figure 2
// instead of drawing the rollouts their scoring kept, draws the same
// bytes (TestEnergyRollout in experiment checks the values themselves).
func TestFiguresOfTasksAndKeptRuns(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	o := reproduce.Options{Tasks: []string{"spring", "pendulum"}, Seeds: experiment.Set(1), Quick: true, Out: dir, Overrides: experiment.Overrides{Steps: experiment.Set(20), Hidden: experiment.Set([]int{8})}}
	res, err := ReproduceAndWrite(o)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, f := range res.Figures {
		files = append(files, f.File)
	}
	want := []string{"spring-loss.png", "spring-figure2.png", "pendulum-loss.png", "pendulum-figure2.png"}
	if !slices.Equal(files, want) {
		t.Fatalf("figures %v, want %v", files, want)
	}
	first := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		first[f] = b
		if err := os.Remove(filepath.Join(dir, f)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ReproduceAndWrite(o); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, first[f]) {
			t.Errorf("%s of the kept runs differs from the trained runs' (%d against %d bytes)", f, len(b), len(first[f]))
		}
	}
}

// TestHorizonFigure checks that a measured task's figures include the
// error against the rollout horizon when its runs have rollout curves
// (one curve per model and fit), recorded in the report's figures, and
// that nothing is drawn or recorded for runs without curves.
func TestHorizonFigure(t *testing.T) {
	t.Parallel()
	tk := &task.Task{Name: "chain", Title: "Chain"}
	run := func(kind, mode string, curve []float64) *experiment.Run {
		return &experiment.Run{Spec: experiment.Spec{Model: model.Config{Kind: kind}, Fit: fit.Config{Mode: mode}}, Metrics: experiment.Metrics{RolloutCurve: curve}}
	}
	out := &FigureDir{dir: t.TempDir()}
	if err := writeHorizonFigure(out, tk, []*experiment.Run{run("hnn", "derivative", nil)}); err != nil || len(out.written) != 0 {
		t.Fatalf("runs without curves: error %v, figures %v; want none", err, out.written)
	}
	runs := []*experiment.Run{run("separable", "derivative", []float64{0, 0.1, 0.5}), run("separable", "rollout", []float64{0, 0.01, 0.02})}
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

// TestReproduceWorkersInvariant runs a tiny reproduction with one and with
// two workers and requires identical numbers, and checks the files.
func TestReproduceWorkersInvariant(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("short")
	}
	dir := t.TempDir()
	o := reproduce.Options{Tasks: []string{"spring"}, Seeds: experiment.Set(2), Quick: true, Out: dir, Overrides: experiment.Overrides{Steps: experiment.Set(20), Hidden: experiment.Set([]int{8, 8})}}
	o.Workers = 1
	a, err := ReproduceAndWrite(o)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"results.json", "report.md", "spring-figure2.png"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("missing %s", f)
		}
	}
	o.Workers, o.Out = 2, ""
	b, err := ReproduceAndWrite(o)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a.Numbers(), b.Numbers()) {
		t.Errorf("results differ between 1 and 2 workers")
	}
	var got map[string]any
	raw, _ := os.ReadFile(filepath.Join(dir, "results.json"))
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	hnn := got["tasks"].(map[string]any)["spring"].(map[string]any)["hnn"].(map[string]any)
	for _, k := range []string{"train_loss", "test_loss", "energy_mse", "seeds"} {
		if _, ok := hnn[k]; !ok {
			t.Errorf("results.json tasks.spring.hnn lacks %q", k)
		}
	}
	for _, k := range []string{"protocol", "build", "seconds"} {
		if _, ok := got[k]; !ok {
			t.Errorf("results.json lacks %q", k)
		}
	}
}

// TestReproduceLongHorizon runs a tiny reproduction with -long-horizon and
// checks the results.json schema and the figure.
func TestReproduceLongHorizon(t *testing.T) {
	t.Parallel()
	tk := func() *task.Task {
		sp, err := task.Get("spring")
		if err != nil {
			t.Fatal(err)
		}
		return sp
	}
	dir := t.TempDir()
	res, err := ReproduceAndWrite(reproduce.Options{Tasks: []string{"spring"}, Seeds: experiment.Set(1), Quick: true, Out: dir, Overrides: experiment.Overrides{Steps: experiment.Set(20), Hidden: experiment.Set([]int{16})}, LongHorizon: true})
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	b, err := os.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	for _, mk := range []string{"baseline", "hnn"} {
		lh, ok := raw["tasks"].(map[string]any)["spring"].(map[string]any)[mk].(map[string]any)["long_horizon"].(map[string]any)
		if !ok {
			t.Fatalf("%s: no long_horizon in results.json", mk)
		}
		for _, ig := range tk().LongHorizon.Integrators {
			e, ok := lh[ig].(map[string]any)
			if !ok {
				t.Fatalf("%s: no long_horizon.%s", mk, ig)
			}
			for _, k := range []string{"energy_drift", "relative_error", "chaos_floor", "valid_time", "horizon"} {
				if _, ok := e[k]; !ok {
					t.Errorf("%s %s: no %s", mk, ig, k)
				}
			}
		}
	}
	if h := res.Tasks["spring"]["hnn"].LongHorizon["rk4"].Horizon; h != tk().LongHorizonSettings(true).TEnd {
		t.Errorf("horizon %v, want the quick protocol's %v", h, tk().LongHorizonSettings(true).TEnd)
	}
	if _, err := os.Stat(filepath.Join(dir, "spring-long-horizon.png")); err != nil {
		t.Error(err)
	}
	if s := LongHorizonTable(res); !strings.Contains(s, "implicit-midpoint") && !strings.Contains(s, "rk4") {
		t.Errorf("table without integrators:\n%s", s)
	}
	var m experiment.Metrics
	if err := experiment.ReadJSON(filepath.Join(dir, "runs", "spring-hnn-seed0", experiment.MetricsFile), &m); err != nil || len(m.LongHorizon) == 0 {
		t.Errorf("run metrics.json has no long-horizon metrics (err %v)", err)
	}
}

// TestReproduceDriven runs a tiny reproduction of SymODEN's task 1 end to
// end (its default models, symoden and naive) and checks that every run
// has the prediction error, and that the table and report.md show its
// section with SymODEN's printed values beside ours.
func TestReproduceDriven(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	o := reproduce.Options{Tasks: []string{"pendulum-torque"}, Quick: true, Out: dir,
		Overrides: experiment.Overrides{Steps: experiment.Set(20), Hidden: experiment.Set([]int{8, 8})}}
	res, err := ReproduceAndWrite(o)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"symoden", "naive"}; !slices.Equal(res.Models, want) {
		t.Errorf("models %v, want the task's %v", res.Models, want)
	}
	for _, mk := range res.Models {
		v, ok := res.Tasks["pendulum-torque"][mk].Get(metrics.PredictionError)
		if !ok || !(v.Mean > 0) {
			t.Errorf("%s: prediction error %+v, %v; want a positive value", mk, v, ok)
		}
	}
	for _, f := range []string{"pendulum-torque-rollout.png", "pendulum-torque-loss.png", "pendulum-torque-mechanics.png", "pendulum-torque-inputs.png"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("missing figure %s", f)
		}
	}
	report, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(report), "pendulum-torque-mechanics.png") {
		t.Errorf("report.md does not link the learned M, V and g figure")
	}
	table := Table(res)
	for name, text := range map[string]string{"table": table, "report.md": string(report)} {
		for _, w := range []string{metrics.Predictions.Title, "paper prediction error", "4.31e+00 ± 5.6e+00", "1.99e+01 ± 1.8e+01"} {
			if !strings.Contains(text, w) {
				t.Errorf("%s lacks %q:\n%s", name, w, text)
			}
		}
	}
}
