package experiment

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hnn-go/hnn/internal/buildinfo"
	"github.com/hnn-go/hnn/metrics"
	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/nn"
	"github.com/hnn-go/hnn/task"
	"github.com/hnn-go/hnn/train"
)

// Options selects what Reproduce runs. Zero fields mean defaults.
type Options struct {
	// Tasks to run (default: task.Table1, the paper's Table 1).
	Tasks []string
	// Models to train on every task (default: each task's own list,
	// task.Task.Models, else baseline and hnn).
	Models []string
	// Seeds is the number of seeds per task and model, 0..Seeds-1
	// (default 5, or 1 when Quick).
	Seeds int
	// Quick runs the reduced settings of every task.
	Quick bool
	// Out is the output directory; empty means nothing is written.
	Out string
	// Workers bounds the runs trained at once (default GOMAXPROCS).
	Workers int
	// Progress, if not nil, receives a progress bar.
	Progress io.Writer
	// Figures writes PNG figures into Out (default true via NewOptions).
	NoFigures bool
	// Command is recorded in the results, for the report.
	Command string
	// Steps, if positive, overrides every task's training steps, and
	// Hidden, if not empty, the hidden widths (for smoke tests and
	// experiments; the paper's protocol leaves both zero).
	Steps  int
	Hidden []int
	// LongHorizon also computes the long-horizon metrics of every run on
	// every task with a true energy and a long-horizon protocol.
	LongHorizon bool
	// LatentStep, if not empty, overrides the latent step of pixel tasks
	// ("euler" or "rk4").
	LatentStep string
}

func (o Options) withDefaults() Options {
	if len(o.Tasks) == 0 {
		o.Tasks = slices.Clone(task.Table1)
	}
	if o.Seeds == 0 {
		o.Seeds = 5
		if o.Quick {
			o.Seeds = 1
		}
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	return o
}

// ModelResult aggregates one model's runs on one task. Losses are the means
// over seeds of each seed's loss, with the paper's error bar computed over
// the rows of all seeds pooled; the energy MSE pools the starts of all seeds
// and takes the paper's 5-chunk error bar.
type ModelResult struct {
	TrainLoss metrics.Summary  `json:"train_loss"`
	TestLoss  metrics.Summary  `json:"test_loss"`
	EnergyMSE *metrics.Summary `json:"energy_mse,omitempty"`
	// RolloutMSE is, on tasks with measured test segments, the mean over
	// seeds of each seed's rollout MSE, ± their std / sqrt(seeds).
	RolloutMSE *metrics.Summary `json:"rollout_mse,omitempty"`
	// PixelMSE and ValidTime are, on the pixel task, the means over seeds
	// of each seed's pixel rollout MSE and valid prediction time (steps).
	PixelMSE  *metrics.Summary `json:"pixel_mse,omitempty"`
	ValidTime *metrics.Summary `json:"valid_time,omitempty"`
	Seeds     int              `json:"seeds"`
	// PerSeed holds each seed's metrics, in seed order.
	PerSeed []SeedResult `json:"per_seed"`
	// Published is the paper's row for comparison, if it has one.
	Published *task.Published `json:"published,omitempty"`
	// LongHorizon holds the long-horizon metrics by integrator, combined
	// over seeds (see combineLongHorizon), when they were asked for.
	LongHorizon map[string]*LongHorizon `json:"long_horizon,omitempty"`
	// Seconds is the summed training and evaluation time of all seeds.
	Seconds float64 `json:"seconds"`
}

// SeedResult is one seed's numbers.
type SeedResult struct {
	Seed       uint64   `json:"seed"`
	TrainLoss  float64  `json:"train_loss"`
	TestLoss   float64  `json:"test_loss"`
	EnergyMSE  *float64 `json:"energy_mse,omitempty"`
	RolloutMSE *float64 `json:"rollout_mse,omitempty"`
	PixelMSE   *float64 `json:"pixel_mse,omitempty"`
	ValidTime  *float64 `json:"valid_time,omitempty"`
	Seconds    float64  `json:"seconds"`
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
}

// cost estimates a run's training work: steps times batch rows, doubled for
// a model trained through its input gradient and doubled again for two such
// networks.
func cost(j job) float64 {
	c := float64(j.spec.Train.Steps)
	if b := j.spec.Train.Batch; b > 0 && b < j.task.TrainRows {
		c *= float64(b)
	} else {
		c *= float64(max(j.task.TrainRows, 1))
	}
	switch j.spec.Model.Kind {
	case "baseline":
	case "dhnn", "separable": // two networks trained through their input gradients
		c *= 4
	default:
		c *= 2
	}
	return c
}

func (o Options) override(s *Spec) {
	if o.LatentStep != "" && s.LatentStep != "" {
		s.LatentStep = o.LatentStep
	}
	if o.Steps > 0 {
		s.Train.Steps = o.Steps
		s.Train.LogEvery = 0
	}
	if len(o.Hidden) > 0 {
		s.Model.Hidden = o.Hidden
	}
}

type job struct {
	spec Spec
	task *task.Task
	idx  int
}

// Reproduce trains every model on every task for every seed, concurrently,
// evaluates them and aggregates the results. With o.Out set it writes
// results.json, report.md and figures there. Each run's randomness depends
// only on its seed, so the numbers do not depend on o.Workers.
func Reproduce(o Options) (*Results, error) {
	o = o.withDefaults()
	start := time.Now()
	var jobs []job
	truths := map[string]*EnergyTruth{}
	res := &Results{Tasks: map[string]map[string]*ModelResult{}, Protocol: map[string]TaskProtocol{},
		Quick: o.Quick, Command: o.Command, Build: buildinfo.Get(nn.BLAS), Order: o.Tasks}
	var kept []string
	for _, tn := range o.Tasks {
		t, err := task.Get(tn)
		if err != nil {
			return nil, err
		}
		if t.Available != nil {
			if err := t.Available(); err != nil {
				if res.Skipped == nil {
					res.Skipped = map[string]string{}
				}
				res.Skipped[tn] = err.Error()
				if o.Progress != nil {
					fmt.Fprintf(o.Progress, "skipping %s: %v\n", tn, err)
				}
				continue
			}
		}
		kept = append(kept, tn)
		models := o.Models
		if len(models) == 0 {
			models = t.Models
			if len(models) == 0 {
				models = []string{"baseline", "hnn"}
			}
		}
		for _, mk := range models {
			if !slices.Contains(res.Models, mk) {
				res.Models = append(res.Models, mk)
			}
		}
		for _, mk := range models {
			for seed := range o.Seeds {
				s, err := NewSpec(tn, mk, uint64(seed), o.Quick)
				if err != nil {
					return nil, err
				}
				o.override(&s)
				jobs = append(jobs, job{spec: s, task: t, idx: len(jobs)})
			}
		}
		ps, _ := NewSpec(tn, "hnn", 0, o.Quick)
		o.override(&ps)
		ep := ps.Energy
		res.Protocol[tn] = TaskProtocol{Train: ps.Train, Energy: ep, Model: ps.Model}
		if t.System != nil && t.Segments == nil {
			e, err := NewEnergyTruth(t, ep)
			if err != nil {
				return nil, err
			}
			truths[tn] = e
		}
	}
	o.Tasks = kept
	o.Models = res.Models
	res.Order = kept
	var total int64
	for _, j := range jobs {
		total += int64(j.spec.Train.Steps)
	}
	bar := NewProgress(o.Progress, total, len(jobs))
	// Start the costliest runs first so the workers finish together; results
	// are gathered by index, so the order changes no number.
	order := append([]job(nil), jobs...)
	sort.SliceStable(order, func(a, b int) bool { return cost(order[a]) > cost(order[b]) })
	runs := make([]*Run, len(jobs))
	errs := make([]error, len(jobs))
	var wg sync.WaitGroup
	next := make(chan job)
	for range min(o.Workers, len(jobs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				var last int
				prog := func(step int, loss float64) {
					bar.add(int64(step-last), loss)
					last = step
				}
				dir := ""
				if o.Out != "" {
					dir = filepath.Join(o.Out, "runs", fmt.Sprintf("%s-%s-seed%d", j.spec.Task, j.spec.Model.Kind, j.spec.Seed))
				}
				runs[j.idx], errs[j.idx] = Train(j.spec, dir, truths[j.spec.Task], prog)
				bar.done()
			}
		}()
	}
	for _, j := range order {
		next <- j
	}
	close(next)
	wg.Wait()
	bar.Finish()
	for i, err := range errs {
		if err != nil && !errors.Is(err, train.ErrDiverged) {
			s := jobs[i].spec
			return nil, fmt.Errorf("%s %s seed %d: %w", s.Task, s.Model.Kind, s.Seed, err)
		}
	}
	for i, j := range jobs {
		r := runs[i]
		tm := res.Tasks[j.spec.Task]
		if tm == nil {
			tm = map[string]*ModelResult{}
			res.Tasks[j.spec.Task] = tm
		}
		mr := tm[j.spec.Model.Kind]
		if mr == nil {
			mr = &ModelResult{}
			if p, ok := j.task.Published[j.spec.Model.Kind]; ok {
				mr.Published = &p
			}
			tm[j.spec.Model.Kind] = mr
		}
		sr := SeedResult{Seed: j.spec.Seed, TrainLoss: r.Metrics.TrainLoss.Mean, TestLoss: r.Metrics.TestLoss.Mean, Seconds: r.Metrics.Seconds}
		if r.Metrics.EnergyMSE != nil {
			v := r.Metrics.EnergyMSE.Mean
			sr.EnergyMSE = &v
		}
		if r.Metrics.RolloutMSE != nil {
			v := r.Metrics.RolloutMSE.Mean
			sr.RolloutMSE = &v
		}
		sr.PixelMSE = r.Metrics.PixelMSE
		if r.Metrics.ValidTime != nil {
			v := r.Metrics.ValidTime.Mean
			sr.ValidTime = &v
		}
		mr.PerSeed = append(mr.PerSeed, sr)
		mr.Seconds += r.Metrics.Seconds
	}
	// Aggregate with the rows of all seeds pooled.
	for tn, tm := range res.Tasks {
		t, _ := task.Get(tn)
		for mk, mr := range tm {
			var trainRows, testRows, energy []float64
			for i, j := range jobs {
				if j.spec.Task != tn || j.spec.Model.Kind != mk {
					continue
				}
				trainRows = append(trainRows, runs[i].trainRows...)
				testRows = append(testRows, runs[i].testRows...)
				energy = append(energy, runs[i].Metrics.EnergyPerStart...)
			}
			mr.Seeds = len(mr.PerSeed)
			mr.TrainLoss = metrics.MeanSEM(trainRows)
			mr.TestLoss = metrics.MeanSEM(testRows)
			var rollouts []float64
			for _, sr := range mr.PerSeed {
				if sr.RolloutMSE != nil {
					rollouts = append(rollouts, *sr.RolloutMSE)
				}
			}
			if len(rollouts) > 0 {
				s := metrics.MeanSEM(rollouts)
				mr.RolloutMSE = &s
			}
			if t.System != nil || t.Pixels != nil {
				s := metrics.ChunkSEM(energy, max(res.Protocol[tn].Energy.Chunks, 5))
				mr.EnergyMSE = &s
			}
			var pix, valid []float64
			for _, sr := range mr.PerSeed {
				if sr.PixelMSE != nil {
					pix = append(pix, *sr.PixelMSE)
				}
				if sr.ValidTime != nil {
					valid = append(valid, *sr.ValidTime)
				}
			}
			if len(pix) > 0 {
				p, v := metrics.MeanSEM(pix), metrics.MeanSEM(valid)
				mr.PixelMSE, mr.ValidTime = &p, &v
			}
			if t.Segments != nil && len(mr.PerSeed) == 1 {
				// One seed: the error bars over time of its rollout.
				for i, j := range jobs {
					if j.spec.Task == tn && j.spec.Model.Kind == mk {
						mr.RolloutMSE, mr.EnergyMSE = runs[i].Metrics.RolloutMSE, runs[i].Metrics.EnergyMSE
					}
				}
			}
		}
	}
	var longCurves map[string]map[string]map[string]*LongSeries
	var longTruths map[string]*LongTruth
	if o.LongHorizon {
		var err error
		if longTruths, longCurves, err = longHorizon(o, res, jobs, runs); err != nil {
			return nil, err
		}
	}
	res.Seconds = time.Since(start).Seconds()
	if o.Out != "" {
		if err := os.MkdirAll(o.Out, 0o755); err != nil {
			return nil, fmt.Errorf("experiment: %w", err)
		}
		if !o.NoFigures {
			if err := writeFigures(o.Out, res, jobs, runs, truths); err != nil {
				return nil, err
			}
			for _, tn := range o.Tasks {
				if lt := longTruths[tn]; lt != nil {
					if err := writeLongHorizonFigure(o.Out, tn, lt, o.Models, longCurves[tn]); err != nil {
						return nil, err
					}
				}
			}
		}
		if err := writeJSON(filepath.Join(o.Out, "results.json"), res); err != nil {
			return nil, err
		}
		if err := writeReport(filepath.Join(o.Out, "report.md"), res); err != nil {
			return nil, err
		}
	}
	var div []string
	for i, err := range errs {
		if err != nil {
			s := jobs[i].spec
			div = append(div, fmt.Sprintf("%s %s seed %d", s.Task, s.Model.Kind, s.Seed))
		}
	}
	if len(div) > 0 {
		return res, fmt.Errorf("experiment: %d runs diverged (%s); their last good checkpoints are kept", len(div), strings.Join(div, "; "))
	}
	return res, nil
}

// longHorizon computes the long-horizon metrics of every run whose task
// has a true energy and a long-horizon protocol, rewrites the runs'
// metrics.json, aggregates them into res, and returns each task's truth and
// seed 0's curves by task, model and integrator.
func longHorizon(o Options, res *Results, jobs []job, runs []*Run) (map[string]*LongTruth, map[string]map[string]map[string]*LongSeries, error) {
	truths := map[string]*LongTruth{}
	curves := map[string]map[string]map[string]*LongSeries{}
	for _, tn := range o.Tasks {
		t, _ := task.Get(tn)
		p := t.LongHorizonSettings(o.Quick)
		if t.System == nil || !p.Enabled() {
			continue
		}
		if o.Progress != nil {
			fmt.Fprintf(o.Progress, "long horizon: %s, t in [0, %g], %d starts\n", tn, p.TEnd, p.Starts)
		}
		lt, err := NewLongTruth(t, p)
		if err != nil {
			return nil, nil, err
		}
		truths[tn] = lt
		pp := lt.Protocol
		tp := res.Protocol[tn]
		tp.LongHorizon = &pp
		res.Protocol[tn] = tp
		curves[tn] = map[string]map[string]*LongSeries{}
		per := map[string][]map[string]LongHorizon{}
		for i, j := range jobs {
			if j.spec.Task != tn {
				continue
			}
			r := runs[i]
			c, err := r.EvaluateLongHorizon(lt)
			if err != nil {
				return nil, nil, err
			}
			if j.spec.Seed == 0 {
				curves[tn][j.spec.Model.Kind] = c
			}
			per[j.spec.Model.Kind] = append(per[j.spec.Model.Kind], r.Metrics.LongHorizon)
			if o.Out != "" {
				dir := filepath.Join(o.Out, "runs", fmt.Sprintf("%s-%s-seed%d", j.spec.Task, j.spec.Model.Kind, j.spec.Seed))
				if err := writeJSON(filepath.Join(dir, MetricsFile), r.Metrics); err != nil {
					return nil, nil, err
				}
			}
		}
		for mk, ms := range per {
			res.Tasks[tn][mk].LongHorizon = combineLongHorizon(ms)
		}
	}
	return truths, curves, nil
}

// Table formats res as a plain-text table with the published numbers beside
// ours.
func Table(res *Results) string {
	var b strings.Builder
	rollout := false
	for _, tm := range res.Tasks {
		for _, mr := range tm {
			rollout = rollout || mr.RolloutMSE != nil
		}
	}
	w := len("task")
	for _, tn := range res.Order {
		w = max(w, len(tn))
	}
	head := fmt.Sprintf("%-*s %-9s %-21s %-21s %-21s", w, "task", "model", "train loss", "test loss", "energy MSE")
	if rollout {
		head += fmt.Sprintf(" %-21s", "rollout MSE")
	}
	fmt.Fprintf(&b, "%s | %-9s %-9s %-9s\n", head, "paper tr", "paper te", "paper E")
	for _, tn := range res.Order {
		tm := res.Tasks[tn]
		for _, mk := range res.Models {
			mr, ok := tm[mk]
			if !ok {
				continue
			}
			e := "-"
			if mr.EnergyMSE != nil {
				e = mr.EnergyMSE.String()
			}
			pt, pe, pE := "-", "-", "-"
			if p := mr.Published; p != nil {
				pt, pe, pE = published(p.Train), published(p.Test), published(p.Energy)
			}
			row := fmt.Sprintf("%-*s %-9s %-21s %-21s %-21s", w, tn, mk, mr.TrainLoss, mr.TestLoss, e)
			if rollout {
				r := "-"
				if mr.RolloutMSE != nil {
					r = mr.RolloutMSE.String()
				}
				row += fmt.Sprintf(" %-21s", r)
			}
			fmt.Fprintf(&b, "%s | %-9s %-9s %-9s\n", row, pt, pe, pE)
		}
	}
	for _, tn := range sortedKeys(res.Skipped) {
		fmt.Fprintf(&b, "%-*s skipped: %s\n", w, tn, res.Skipped[tn])
	}
	return b.String()
}

// published formats a published number, "-" where the paper has none.
func published(v float64) string {
	if v == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2e", v)
}
