package reproduce

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

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
		ps, err := experiment.NewSpec(tn, "hnn", 0, o.Quick)
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
// for concurrent use.
type Runner struct {
	mu     sync.Mutex
	truths map[string]*truthOnce
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
// dir is not empty (see experiment.Train). A diverged run returns its run and an
// error wrapping train.ErrDiverged.
func (rn *Runner) Run(j Job, dir string, progress train.Progress) (*experiment.Run, error) {
	e, err := rn.truth(j.Spec)
	if err != nil {
		return nil, err
	}
	return experiment.Train(j.Spec, dir, e, progress)
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
