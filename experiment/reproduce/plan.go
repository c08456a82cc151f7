package reproduce

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/hnn-go/hnn/experiment"
	"github.com/hnn-go/hnn/internal/check"
	"github.com/hnn-go/hnn/task"
	"github.com/hnn-go/hnn/train"
)

// Variant is one setting of the hyperparameters in a sweep: its set
// Overrides replace the task's reference values (after Options.Overrides).
// Runs of a variant are reported under the model label "KIND-NAME" (see
// experiment.Spec.Label).
type Variant struct {
	// Name labels the variant ([A-Za-z0-9._-]+).
	Name string `json:"name"`
	experiment.Overrides
}

var variantName = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

// Job is one run of a Plan: its complete spec and the name of its run
// directory, TASK-MODEL[-VARIANT]-seedN, unique within the plan.
type Job struct {
	Name string          `json:"name"`
	Spec experiment.Spec `json:"spec"`
}

// Plan is the list of runs of a reproduction or sweep, with what the
// aggregation of their results needs. NewPlan makes the same plan from the
// same Options on every machine, so a plan can be rebuilt wherever its
// results are collected.
type Plan struct {
	Options Options `json:"options"`
	Jobs    []Job   `json:"jobs"`
	// Tasks are the tasks that can run here, in the order asked for.
	Tasks []string `json:"tasks"`
	// Models are the model labels, in the order asked for.
	Models []string `json:"models"`
	// Skipped holds the tasks that cannot run here, with the reason.
	Skipped  map[string]string       `json:"skipped,omitempty"`
	Protocol map[string]TaskProtocol `json:"protocol"`
}

// NewPlan lists the runs o asks for: every task, model, variant and seed,
// with each task's reference settings and o's overrides. Tasks that cannot
// run here (task.Task.Runnable) are skipped with their reason.
func NewPlan(o Options) (*Plan, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	o = o.withDefaults()
	p := &Plan{Options: o, Protocol: map[string]TaskProtocol{}}
	variants := o.Variants
	if len(variants) == 0 {
		variants = []Variant{{}}
	}
	seeds := o.Seeds.Value()
	for _, tn := range o.Tasks {
		t, err := task.Get(tn)
		if err != nil {
			return nil, err
		}
		if err := t.Runnable(); err != nil {
			if p.Skipped == nil {
				p.Skipped = map[string]string{}
			}
			p.Skipped[tn] = err.Error()
			continue
		}
		p.Tasks = append(p.Tasks, tn)
		models := o.Models
		if len(models) == 0 {
			models = t.Models
			if len(models) == 0 {
				models = []string{"baseline", "hnn"}
			}
		}
		for _, mk := range models {
			for _, v := range variants {
				label := mk
				if v.Name != "" {
					label += "-" + v.Name
				}
				if !slices.Contains(p.Models, label) {
					p.Models = append(p.Models, label)
				}
				if len(p.Jobs)+seeds > check.MaxJobs {
					return nil, fmt.Errorf("reproduce: more than %d runs (tasks x models x variants x seeds), want fewer", check.MaxJobs)
				}
				for seed := range seeds {
					s, err := experiment.NewSpec(tn, mk, uint64(seed), o.Quick)
					if err != nil {
						return nil, err
					}
					o.Overrides.Apply(&s)
					v.Overrides.Apply(&s)
					s.Variant = v.Name
					if err := s.Validate(); err != nil {
						return nil, fmt.Errorf("reproduce: %s: %w", s.RunName(), err)
					}
					p.Jobs = append(p.Jobs, Job{Name: s.RunName(), Spec: s})
				}
			}
		}
		// The protocol's model is the first one asked for: a task whose
		// layout only some kinds take has none that every task takes.
		ps, err := experiment.NewSpec(tn, models[0], 0, o.Quick)
		if err != nil {
			return nil, err
		}
		o.Overrides.Apply(&ps)
		p.Protocol[tn] = TaskProtocol{Train: ps.Train, Energy: ps.Energy, Model: ps.Model}
	}
	return p, nil
}

// Shard returns the jobs that shard i of n runs: jobs i, i+n, i+2n, ... in
// plan order. Every job is in exactly one shard. It panics unless
// 0 <= i < n.
func (p *Plan) Shard(i, n int) []Job {
	if n <= 0 || i < 0 || i >= n {
		panic("reproduce: bad shard")
	}
	var out []Job
	for k := i; k < len(p.Jobs); k += n {
		out = append(out, p.Jobs[k])
	}
	return out
}

// Runner runs the jobs of plans, sharing among them what does not depend on
// the run (the true rollouts of each task's energy protocol). It is safe
// for concurrent use. A run whose directory already holds it complete
// (the same spec, trained by a build that computes the same numbers) is
// kept, one stopped part way is resumed from its training state, and the
// others are trained; Counts says how many of each.
type Runner struct {
	// Stop, when closed, stops the runs training at their next step,
	// their state saved, and the runs not started yet: Run then returns
	// an error wrapping train.ErrInterrupted.
	Stop <-chan struct{}
	// CheckpointEvery is how often the runs save their training state
	// (the zero value: train.DefaultCheckpointInterval).
	CheckpointEvery train.Every

	mu                     sync.Mutex
	truths                 map[string]*truthOnce
	kept, resumed, trained atomic.Int64
	steps                  atomic.Int64
}

type truthOnce struct {
	once sync.Once
	e    *experiment.EnergyTruth
	err  error
}

// truth returns the energy truth of s's task, computed once, or nil for a
// task whose kind has none.
func (rn *Runner) truth(s experiment.Spec) (*experiment.EnergyTruth, error) {
	t, err := experiment.TaskOf(s)
	if err != nil {
		return nil, err
	}
	k := experiment.KindOf(s, t)
	key := fmt.Sprintf("%s %+v", s.Task, s.Energy)
	rn.mu.Lock()
	if rn.truths == nil {
		rn.truths = map[string]*truthOnce{}
	}
	o := rn.truths[key]
	if o == nil {
		o = &truthOnce{}
		rn.truths[key] = o
	}
	rn.mu.Unlock()
	o.once.Do(func() { o.e, o.err = k.Truth(t, s.Energy) })
	return o.e, o.err
}

// Run trains and evaluates one job, writing its run directory into dir if
// dir is not empty (see experiment.TrainWith), or loads it from there if
// it is complete, or resumes it if it was stopped part way. A diverged
// run returns its run and an error wrapping train.ErrDiverged; a run
// stopped through rn.Stop returns an error wrapping train.ErrInterrupted.
func (rn *Runner) Run(j Job, dir string, progress train.Progress) (*experiment.Run, error) {
	return rn.run(j, dir, progress, rn.Stop)
}

// RunContext is Run, stopped when ctx is done (instead of by rn.Stop): the
// run's state is saved and it returns an error wrapping
// train.ErrInterrupted.
func (rn *Runner) RunContext(ctx context.Context, j Job, dir string, progress train.Progress) (*experiment.Run, error) {
	return rn.run(j, dir, progress, ctx.Done())
}

func (rn *Runner) run(j Job, dir string, progress train.Progress, stop <-chan struct{}) (*experiment.Run, error) {
	if isClosed(stop) {
		return nil, fmt.Errorf("reproduce: %s not started: %w", runDesc(j.Spec), train.ErrInterrupted)
	}
	resume := false
	if dir != "" {
		switch experiment.Status(dir, j.Spec) {
		case experiment.Complete:
			if r, err := experiment.Load(dir); err == nil {
				rn.kept.Add(1)
				if progress != nil {
					progress(j.Spec.Train.Steps, lastLoss(r))
				}
				return r, nil
			}
		case experiment.Partial:
			resume = true
		}
	}
	e, err := rn.truth(j.Spec)
	if err != nil {
		return nil, err
	}
	count := func(step int, loss float64) {
		rn.steps.Add(1)
		if progress != nil {
			progress(step, loss)
		}
	}
	r, err := experiment.TrainWith(j.Spec, dir, experiment.Options{Energy: e, Progress: count,
		CheckpointEvery: rn.CheckpointEvery, Stop: stop, Resume: resume})
	if !errors.Is(err, train.ErrInterrupted) {
		if resume {
			rn.resumed.Add(1)
		} else {
			rn.trained.Add(1)
		}
	}
	return r, err
}

// isClosed reports whether stop is closed.
func isClosed(stop <-chan struct{}) bool {
	select {
	case <-stop:
		return true
	default:
		return false
	}
}

// lastLoss returns the last logged training loss of r, or NaN.
func lastLoss(r *experiment.Run) float64 {
	if h := r.Metrics.History; h != nil && len(h.Log) > 0 {
		return h.Log[len(h.Log)-1].Train
	}
	return math.NaN()
}

// RunCounts says how many runs a Runner kept from an earlier invocation
// (complete in their directory), resumed from their training state, and
// trained from their first step.
type RunCounts struct {
	Kept, Resumed, Trained int
}

// String returns "K kept, R resumed, T trained".
func (c RunCounts) String() string {
	return fmt.Sprintf("%d kept, %d resumed, %d trained", c.Kept, c.Resumed, c.Trained)
}

// Steps returns the number of training steps rn made so far, over all
// runs.
func (rn *Runner) Steps() int64 { return rn.steps.Load() }

// Counts returns how many runs rn kept, resumed and trained so far.
func (rn *Runner) Counts() RunCounts {
	return RunCounts{Kept: int(rn.kept.Load()), Resumed: int(rn.resumed.Load()), Trained: int(rn.trained.Load())}
}

// orderByCost returns the indices of jobs, costliest first (stable), so
// that concurrent workers finish together.
func orderByCost(jobs []Job) []int {
	idx := make([]int, len(jobs))
	costs := make([]float64, len(jobs))
	for i, j := range jobs {
		idx[i] = i
		costs[i] = cost(j.Spec)
	}
	sort.SliceStable(idx, func(a, b int) bool { return costs[idx[a]] > costs[idx[b]] })
	return idx
}

// runDesc names a run in messages.
func runDesc(s experiment.Spec) string {
	return strings.Join([]string{s.Task, s.Label(), fmt.Sprintf("seed %d", s.Seed)}, " ")
}
