package reproduce

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hnn-go/hnn/experiment"
	"github.com/hnn-go/hnn/internal/buildinfo"
	"github.com/hnn-go/hnn/internal/check"
	"github.com/hnn-go/hnn/metrics"
	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/nn"
	"github.com/hnn-go/hnn/task"
	"github.com/hnn-go/hnn/train"
)

// Options selects what Reproduce runs. Zero fields mean defaults. The
// fields with JSON names are also the settings of a sweep file (hnn sweep).
type Options struct {
	// Tasks to run (default: task.Table1, the paper's Table 1).
	Tasks []string `json:"tasks,omitempty"`
	// Models to train on every task (default: each task's own list,
	// task.Task.Models, else baseline and hnn).
	Models []string `json:"models,omitempty"`
	// Seeds is the number of seeds per task and model, 0..Seeds-1
	// (default 5, or 1 when Quick).
	Seeds experiment.Setting[int] `json:"seeds,omitzero"`
	// Quick runs the reduced settings of every task.
	Quick bool `json:"quick,omitempty"`
	// Out is the output directory of the runs (Out/runs) and of the
	// report (see package experiment/report); empty means nothing is
	// written.
	Out string `json:"-"`
	// Workers bounds the runs trained at once (default GOMAXPROCS).
	Workers int `json:"-"`
	// Progress, if not nil, receives a progress bar.
	Progress io.Writer `json:"-"`
	// Stop, when closed, stops the reproduction: the runs training save
	// their state and stop, the others do not start, and Reproduce
	// returns an error wrapping train.ErrInterrupted. Run again with the
	// same Out, it keeps the complete runs and resumes the others.
	Stop <-chan struct{} `json:"-"`
	// CheckpointEvery is how often the runs save their training state
	// (the zero value: train.DefaultCheckpointInterval).
	CheckpointEvery train.Every `json:"-"`
	// NoFigures leaves out the PNG figures.
	NoFigures bool `json:"-"`
	// Command is recorded in the results, for the report.
	Command string `json:"-"`
	// Overrides replace the reference settings of every task and model
	// (for smoke tests and experiments; the paper's protocol sets none).
	experiment.Overrides
	// LongHorizon also computes the long-horizon metrics of every run on
	// every task with a true energy and a long-horizon protocol.
	LongHorizon bool `json:"long_horizon,omitempty"`
	// Variants, if not empty, are hyperparameter settings every task and
	// model runs with (a sweep), applied after Overrides; their runs are
	// reported under the labels KIND-NAME.
	Variants []Variant `json:"variants,omitempty"`
}

// Validate returns an error naming the first field of o out of range: a
// *check.FieldError for o's own fields, one wrapped with the variant for a
// variant's. Unknown tasks and models are NewPlan's to report.
func (o Options) Validate() error {
	if v, ok := o.Seeds.Get(); ok {
		if err := check.Count("seeds", v, 1, check.MaxSeeds); err != nil {
			return err
		}
	}
	if err := check.Count("workers", o.Workers, 0, check.MaxWorkers); err != nil {
		return err
	}
	if err := o.Overrides.Validate(); err != nil {
		return err
	}
	names := map[string]bool{}
	for i, v := range o.Variants {
		if !variantName.MatchString(v.Name) {
			return fmt.Errorf("reproduce: variant %d: name %s, want letters, digits, '.', '_' or '-'", i, check.Quote(v.Name))
		}
		if err := v.Overrides.Validate(); err != nil {
			return fmt.Errorf("reproduce: variant %d (%s): %w", i, v.Name, err)
		}
		if names[v.Name] {
			return fmt.Errorf("reproduce: variant %d: name %s used twice", i, check.Quote(v.Name))
		}
		names[v.Name] = true
	}
	return nil
}

func (o Options) withDefaults() Options {
	if len(o.Tasks) == 0 {
		o.Tasks = slices.Clone(task.Table1)
	}
	if !o.Seeds.IsSet() {
		o.Seeds = experiment.Set(5)
		if o.Quick {
			o.Seeds = experiment.Set(1)
		}
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	return o
}

// ModelResult aggregates one model's runs on one task: each registered
// metric (see metrics.Register) that its runs have, combined over seeds by
// the metric's Aggregate, is a member of its JSON object.
type ModelResult struct {
	metrics.Values `json:"-"`
	Seeds          int `json:"seeds"`
	// PerSeed holds each seed's metrics, in seed order.
	PerSeed []SeedResult `json:"per_seed"`
	// Published is the paper's row for comparison, if it has one.
	Published *task.Published `json:"published,omitempty"`
	// LongHorizon holds the long-horizon metrics by integrator, combined
	// over seeds (see combineLongHorizon), when they were asked for.
	LongHorizon map[string]*experiment.LongHorizon `json:"long_horizon,omitempty"`
	// Seconds is the summed training and evaluation time of all seeds.
	Seconds float64 `json:"seconds"`
}

// MarshalJSON writes the metrics at the top level, then the other fields.
func (mr ModelResult) MarshalJSON() ([]byte, error) {
	type plain ModelResult
	return marshalWith(metrics.Model, mr.Values, plain(mr))
}

// UnmarshalJSON reads what MarshalJSON writes.
func (mr *ModelResult) UnmarshalJSON(b []byte) error {
	type plain ModelResult
	var p plain
	if err := unmarshalWith(b, metrics.Model, &p, &p.Values); err != nil {
		return err
	}
	*mr = ModelResult(p)
	return nil
}

// SeedResult is one seed's numbers: the mean of each metric it has.
type SeedResult struct {
	Seed           uint64 `json:"seed"`
	metrics.Values `json:"-"`
	Seconds        float64 `json:"seconds"`
}

// MarshalJSON writes the metrics' means at the top level, then the other
// fields.
func (sr SeedResult) MarshalJSON() ([]byte, error) {
	type plain SeedResult
	return marshalWith(metrics.Seed, sr.Values, plain(sr))
}

// UnmarshalJSON reads what MarshalJSON writes.
func (sr *SeedResult) UnmarshalJSON(b []byte) error {
	type plain SeedResult
	var p plain
	if err := unmarshalWith(b, metrics.Seed, &p, &p.Values); err != nil {
		return err
	}
	*sr = SeedResult(p)
	return nil
}

// marshalWith returns the JSON object of the metrics v at the given level
// followed by the fields of rest, a struct without JSON methods.
func marshalWith(level metrics.Level, v metrics.Values, rest any) ([]byte, error) {
	b, err := json.Marshal(rest)
	if err != nil {
		return nil, err
	}
	return metrics.MarshalObject(level, v, nil, b)
}

// unmarshalWith reads the JSON object b into rest, a pointer to a struct
// without JSON methods, and its metrics at the given level into v.
func unmarshalWith(b []byte, level metrics.Level, rest any, v *metrics.Values) error {
	if err := json.Unmarshal(b, rest); err != nil {
		return err
	}
	mv, _, err := metrics.UnmarshalObject(b, level)
	*v = mv
	return err
}

// TaskProtocol records the settings a task ran with.
type TaskProtocol struct {
	Train  train.Config           `json:"train"`
	Energy metrics.EnergyProtocol `json:"energy"`
	Model  model.Config           `json:"model"`
	// LongHorizon is the long-horizon protocol, when it ran.
	LongHorizon *metrics.LongHorizonProtocol `json:"long_horizon,omitempty"`
}

// Results is the content of results.json.
type Results struct {
	Tasks    map[string]map[string]*ModelResult `json:"tasks"`
	Protocol map[string]TaskProtocol            `json:"protocol"`
	Quick    bool                               `json:"quick"`
	Command  string                             `json:"command,omitempty"`
	Build    buildinfo.Info                     `json:"build"`
	Seconds  float64                            `json:"seconds"`
	// Order lists the tasks in the order they were asked for.
	Order []string `json:"order"`
	// Models lists the models in the order they were asked for.
	Models []string `json:"models"`
	// Skipped holds the tasks that could not run here, with the reason
	// (such as a missing data file).
	Skipped map[string]string `json:"skipped,omitempty"`
	// Figures lists the figure files written beside results.json (see
	// package experiment/report).
	Figures []Figure `json:"figures,omitempty"`

	// Runs, Truths and Long are what Collect gathered besides the numbers,
	// for the report's figures; results.json does not hold them: the runs
	// in plan order, the energy truths by task (of the tasks that have
	// one), and the long-horizon truths with seed 0's curves (nil unless
	// they were asked for).
	Runs   []*experiment.Run                  `json:"-"`
	Truths map[string]*experiment.EnergyTruth `json:"-"`
	Long   *LongResults                       `json:"-"`
	// Counts says how many runs were kept complete from an earlier
	// invocation with the same output directory, resumed and trained
	// (zero for results collected from elsewhere).
	Counts RunCounts `json:"-"`
}

// Figure is a figure file written beside results.json.
type Figure struct {
	Task string `json:"task"`
	// File is the file's name in the output directory.
	File string `json:"file"`
	// Section is the report section that links it, "" if none.
	Section string `json:"section,omitempty"`
}

// ResultsFile is the name of the results file in a reproduction's output
// directory.
const ResultsFile = "results.json"

// WriteResults writes res as dir/results.json, atomically.
func WriteResults(dir string, res *Results) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("reproduce: %w", err)
	}
	return experiment.WriteJSON(filepath.Join(dir, ResultsFile), res)
}

// cost estimates a run's training work: steps times batch rows times the
// model kind's cost per row (model.Kind.Cost), times the task kind's
// (experiment.RowCoster) where its rows cost more than a state's.
func cost(s experiment.Spec) float64 {
	rows, perRow := 1, 1.0
	if t, err := experiment.TaskOf(s); err == nil {
		rows = max(t.TrainRows, 1)
		if rc, ok := experiment.KindOf(s, t).(experiment.RowCoster); ok {
			perRow = rc.RowCost()
		}
	}
	c := float64(s.Train.Steps)
	if b := s.Train.Batch; b > 0 && b < rows {
		c *= float64(b)
	} else {
		c *= float64(rows)
	}
	if k, err := model.Lookup(s.Model.Kind); err == nil {
		c *= k.Cost
	}
	return c * perRow
}

// Reproduce trains every model on every task for every seed, concurrently,
// evaluates them and aggregates the results: NewPlan, then every job run
// by a Runner on o.Workers goroutines, then Collect. With o.Out set it
// writes each run's directory under o.Out/runs; results.json, report.md
// and the figures are the report's (report.Write, or ReproduceAndWrite in
// package experiment/report). Each run's randomness depends only on its seed,
// so the numbers do not depend on o.Workers.
func Reproduce(o Options) (*Results, error) {
	start := time.Now()
	p, err := NewPlan(o)
	if err != nil {
		return nil, err
	}
	o = p.Options
	if o.Progress != nil {
		for _, tn := range slices.Sorted(maps.Keys(p.Skipped)) {
			fmt.Fprintf(o.Progress, "skipping %s: %v\n", tn, p.Skipped[tn])
		}
	}
	var total int64
	for _, j := range p.Jobs {
		total += int64(j.Spec.Train.Steps)
	}
	bar := NewProgress(o.Progress, total, len(p.Jobs))
	rn := &Runner{Stop: o.Stop, CheckpointEvery: o.CheckpointEvery}
	runs := make([]*experiment.Run, len(p.Jobs))
	errs := make([]error, len(p.Jobs))
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(o.Workers, len(p.Jobs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				var last int
				prog := func(step int, loss float64) {
					bar.add(int64(step-last), loss)
					last = step
				}
				runs[i], errs[i] = rn.Run(p.Jobs[i], RunDir(o.Out, p.Jobs[i]), prog)
				bar.done()
			}
		}()
	}
	// Start the costliest runs first so the workers finish together; results
	// are gathered by index, so the order changes no number.
	for _, i := range orderByCost(p.Jobs) {
		next <- i
	}
	close(next)
	wg.Wait()
	bar.Finish()
	if o.Progress != nil {
		for i, r := range runs {
			if r != nil && r.Metrics.Collapse != "" {
				fmt.Fprintf(o.Progress, "warning: %s: %s\n", runDesc(p.Jobs[i].Spec), r.Metrics.Collapse)
			}
		}
	}
	counts := rn.Counts()
	if o.Progress != nil && o.Out != "" {
		fmt.Fprintf(o.Progress, "runs: %s\n", counts)
	}
	var stopped, saved int
	for i, err := range errs {
		if errors.Is(err, train.ErrInterrupted) {
			stopped++
			if dir := RunDir(o.Out, p.Jobs[i]); dir != "" && train.HasCheckpoint(dir) {
				saved++
			}
		}
	}
	if stopped > 0 {
		where := ""
		if o.Out != "" {
			where = fmt.Sprintf("; run again with -out %s to keep the complete runs and resume the others", o.Out)
		}
		return nil, fmt.Errorf("reproduce: stopped with %d of %d runs complete, %d saved part way, %d not started%s: %w",
			len(p.Jobs)-stopped, len(p.Jobs), saved, stopped-saved, where, train.ErrInterrupted)
	}
	for i, err := range errs {
		if err != nil && !errors.Is(err, train.ErrDiverged) {
			return nil, fmt.Errorf("%s: %w", runDesc(p.Jobs[i].Spec), err)
		}
	}
	res, err := Collect(p, runs, rn, start)
	if res != nil {
		res.Counts = counts
	}
	return res, err
}

// RunDir returns the directory of job j's run under out (out/runs/NAME), or
// "" if out is empty.
func RunDir(out string, j Job) string {
	if out == "" {
		return ""
	}
	return filepath.Join(out, "runs", j.Name)
}

// Collect aggregates the runs of plan p (runs[i] is job i's, trained here
// or loaded with experiment.Load) into Results, with the runs and truths
// the figures need, and adds the long-horizon metrics if p.Options asks
// for them (rewriting those runs' metrics.json under p.Options.Out);
// results.json is written with the report (WriteResults, from
// report.Write). rn, if not nil, shares
// the energy truths of the runs; start is when the work began (for the
// wall time). It returns an error naming the runs that diverged, with the
// results of all.
func Collect(p *Plan, runs []*experiment.Run, rn *Runner, start time.Time) (*Results, error) {
	o := p.Options
	if len(runs) != len(p.Jobs) {
		panic("reproduce: runs and jobs differ in number")
	}
	for i, r := range runs {
		if r == nil {
			return nil, fmt.Errorf("reproduce: %s: no run", runDesc(p.Jobs[i].Spec))
		}
	}
	if rn == nil {
		rn = &Runner{}
	}
	res := &Results{Tasks: map[string]map[string]*ModelResult{}, Protocol: map[string]TaskProtocol{},
		Quick: o.Quick, Command: o.Command, Build: buildinfo.Get(nn.BLAS), Order: p.Tasks, Models: p.Models, Skipped: p.Skipped}
	maps.Copy(res.Protocol, p.Protocol)
	truths, err := aggregate(p, runs, rn, res)
	if err != nil {
		return nil, err
	}
	res.Runs, res.Truths = runs, truths
	if o.LongHorizon {
		if res.Long, err = longHorizon(p, res, runs); err != nil {
			return nil, err
		}
	}
	res.Seconds = time.Since(start).Seconds()
	var div []string
	for i, r := range runs {
		if r.Metrics.Diverged != "" {
			div = append(div, runDesc(p.Jobs[i].Spec))
		}
	}
	if len(div) > 0 {
		return res, fmt.Errorf("reproduce: %d runs diverged (%s); their last good checkpoints are kept", len(div), strings.Join(div, "; "))
	}
	return res, nil
}

// aggregate fills res.Tasks from the runs of plan p: one ModelResult per
// task and model label, with its seeds' results in job order and every
// metric its runs have combined by the metric's Aggregate (see combine).
// It returns the energy truths of the tasks that have one (shared through
// rn).
func aggregate(p *Plan, runs []*experiment.Run, rn *Runner, res *Results) (map[string]*experiment.EnergyTruth, error) {
	type group struct {
		runs    []*experiment.Run
		keepOwn bool
	}
	groups := map[*ModelResult]*group{}
	truths := map[string]*experiment.EnergyTruth{}
	for i, j := range p.Jobs {
		r := runs[i]
		tm := res.Tasks[j.Spec.Task]
		if tm == nil {
			tm = map[string]*ModelResult{}
			res.Tasks[j.Spec.Task] = tm
		}
		label := j.Spec.Label()
		mr := tm[label]
		if mr == nil {
			mr = &ModelResult{}
			t, err := experiment.TaskOf(j.Spec)
			if err != nil {
				return nil, err
			}
			if p, ok := t.Published[j.Spec.Model.Kind]; ok && j.Spec.Variant == "" {
				mr.Published = &p
			}
			tm[label] = mr
			// A single run on measured test segments keeps its error
			// bars over time.
			groups[mr] = &group{keepOwn: experiment.KindOf(j.Spec, t).KeepOwnErrorBars()}
			e, err := rn.truth(j.Spec)
			if err != nil {
				return nil, err
			}
			if e != nil {
				truths[j.Spec.Task] = e
			}
		}
		sr := SeedResult{Seed: j.Spec.Seed, Seconds: r.Metrics.Seconds}
		for _, m := range metrics.All() {
			if v, ok := r.Metrics.Get(m); ok {
				sr.Set(m, metrics.Summary{Mean: v.Mean})
			}
		}
		mr.PerSeed = append(mr.PerSeed, sr)
		mr.Seconds += r.Metrics.Seconds
		g := groups[mr]
		g.runs = append(g.runs, r)
	}
	for mr, g := range groups {
		mr.Seeds = len(mr.PerSeed)
		mr.Values = combine(g.runs, res.Protocol[g.runs[0].Spec.Task].Energy.Chunks, g.keepOwn)
	}
	return truths, nil
}

// combine returns every registered metric that some of runs (the seeds of
// one model on one task, in seed order) have, combined by its Aggregate.
// chunks is the error-bar chunks of the task's energy protocol; keepOwn
// says that a single run keeps its own error bars.
func combine(runs []*experiment.Run, chunks int, keepOwn bool) metrics.Values {
	var v metrics.Values
	for _, m := range metrics.All() {
		s := metrics.Seeds{Chunks: chunks, KeepOwn: keepOwn}
		for _, r := range runs {
			if x, ok := r.Metrics.Get(m); ok {
				s.Runs = append(s.Runs, x)
				s.Samples = append(s.Samples, r.Metrics.Samples[m.Key]...)
			}
		}
		if len(s.Runs) > 0 {
			v.Set(m, m.Aggregate(s))
		}
	}
	return v
}

// LongResults are the long-horizon truths of the tasks that have one and
// seed 0's curves, by task, model label and integrator.
type LongResults struct {
	Truths map[string]*experiment.LongTruth
	Curves map[string]map[string]map[string]*experiment.LongSeries
}

// Truth returns task tn's long-horizon truth, nil if it has none or l is
// nil.
func (l *LongResults) Truth(tn string) *experiment.LongTruth {
	if l == nil {
		return nil
	}
	return l.Truths[tn]
}

// longHorizon computes the long-horizon metrics of every run whose task
// has a true energy and a long-horizon protocol, rewrites the runs'
// metrics.json, aggregates them into res, and returns each task's truth and
// seed 0's curves.
func longHorizon(p *Plan, res *Results, runs []*experiment.Run) (*LongResults, error) {
	o := p.Options
	truths := map[string]*experiment.LongTruth{}
	curves := map[string]map[string]map[string]*experiment.LongSeries{}
	for _, tn := range p.Tasks {
		t, err := task.Get(tn)
		if err != nil {
			return nil, err
		}
		lp := t.LongHorizonSettings(o.Quick)
		if !lp.Enabled() {
			continue
		}
		if o.Progress != nil {
			fmt.Fprintf(o.Progress, "long horizon: %s, t in [0, %g], %d starts\n", tn, lp.TEnd, lp.Starts)
		}
		lt, err := experiment.NewLongTruth(t, lp)
		if err != nil {
			return nil, err
		}
		truths[tn] = lt
		pp := lt.Protocol
		tp := res.Protocol[tn]
		tp.LongHorizon = &pp
		res.Protocol[tn] = tp
		curves[tn] = map[string]map[string]*experiment.LongSeries{}
		per := map[string][]map[string]experiment.LongHorizon{}
		for i, j := range p.Jobs {
			if j.Spec.Task != tn {
				continue
			}
			r := runs[i]
			c, err := r.EvaluateLongHorizon(lt)
			if err != nil {
				return nil, err
			}
			label := j.Spec.Label()
			if j.Spec.Seed == 0 {
				curves[tn][label] = c
			}
			per[label] = append(per[label], r.Metrics.LongHorizon)
			if dir := RunDir(o.Out, j); dir != "" {
				if err := experiment.WriteJSON(filepath.Join(dir, experiment.MetricsFile), r.Metrics); err != nil {
					return nil, err
				}
			}
		}
		for label, ms := range per {
			res.Tasks[tn][label].LongHorizon = combineLongHorizon(ms)
		}
	}
	return &LongResults{Truths: truths, Curves: curves}, nil
}

// Numbers returns the results by task and model label without their
// timings (Seconds, also per seed): what two runs of the same plan must
// agree on, wherever and however their runs were trained.
func (r *Results) Numbers() map[string]map[string]ModelResult {
	out := map[string]map[string]ModelResult{}
	for tn, tm := range r.Tasks {
		out[tn] = map[string]ModelResult{}
		for mk, mr := range tm {
			c := *mr
			c.Seconds = 0
			c.PerSeed = slices.Clone(mr.PerSeed)
			for i := range c.PerSeed {
				c.PerSeed[i].Seconds = 0
			}
			out[tn][mk] = c
		}
	}
	return out
}
