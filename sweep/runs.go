package sweep

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/hnn-go/hnn/experiment"
	"github.com/hnn-go/hnn/experiment/report"
	"github.com/hnn-go/hnn/experiment/reproduce"
	"github.com/hnn-go/hnn/internal/check"
	"github.com/hnn-go/hnn/metrics"
	"github.com/hnn-go/hnn/train"
)

// File is a sweep file: the sweep's name and the experiment options of its
// runs (tasks, models, seeds, quick, long_horizon, the overrides of
// experiment.Overrides such as steps, lr or hidden, and hyperparameter
// variants, each a name and overrides), as JSON:
//
//	{"name": "lr-sweep", "tasks": ["spring"], "models": ["hnn"], "seeds": 3,
//	 "variants": [{"name": "lr1e-3", "lr": 1e-3}, {"name": "lr1e-2", "lr": 1e-2}]}
type File struct {
	Name string `json:"name"`
	reproduce.Options
}

// movedFields are the pixel settings that sweep files of earlier versions
// held at their top level, with where they are now.
var movedFields = map[string]string{
	"latent_step":       `"latent": {"step": ...}`,
	"dyn_weight":        `"latent": {"dyn_weight": ...}`,
	"frames":            `"latent": {"frames": ...}`,
	"latent_horizon":    `"latent": {"horizon": ...}`,
	"latent_integrator": `"latent": {"integrator": ...}`,
	"latent_backward":   `"latent": {"backward": ...}`,
}

// ReadFile reads and checks the sweep file at path.
func ReadFile(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	var f File
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		for old, now := range movedFields {
			if strings.Contains(err.Error(), `unknown field "`+old+`"`) {
				return nil, fmt.Errorf("sweep: %s: field %s is now %s (the latent settings are one object, as in config.json)", path, old, now)
			}
		}
		return nil, fmt.Errorf("sweep: %s: %w", path, err)
	}
	if !ValidSweepName(f.Name) {
		return nil, fmt.Errorf("sweep: %s: field name %s: want letters, digits, '_' or '-'", path, check.Quote(f.Name))
	}
	if _, err := f.Plan(); err != nil {
		return nil, fmt.Errorf("sweep: %s: %w", path, err)
	}
	return &f, nil
}

// Plan returns the experiment plan of the sweep (the same on every
// machine).
func (f *File) Plan() (*reproduce.Plan, error) { return reproduce.NewPlan(f.Options) }

// Jobs returns the queue's jobs of plan p in sweep name: job i carries
// p.Jobs[i] as its spec.
func Jobs(name string, p *reproduce.Plan) ([]Job, error) {
	jobs := make([]Job, len(p.Jobs))
	for i, j := range p.Jobs {
		b, err := json.Marshal(j)
		if err != nil {
			return nil, fmt.Errorf("sweep: %w", err)
		}
		jobs[i] = Job{Sweep: name, Index: i, Name: j.Name, Spec: b}
	}
	return jobs, nil
}

// RunSummary is the result payload of a run: the mean of each of its
// metrics (see metrics.Register) at the top level, as in a seed's entry of
// results.json (the full metrics are in the run's files).
type RunSummary struct {
	metrics.Values `json:"-"`
	Diverged       string  `json:"diverged,omitempty"`
	Seconds        float64 `json:"seconds"`
}

// MarshalJSON writes the metrics' means, then the other fields.
func (s RunSummary) MarshalJSON() ([]byte, error) {
	type plain RunSummary
	rest, err := json.Marshal(plain(s))
	if err != nil {
		return nil, err
	}
	return metrics.MarshalObject(metrics.Seed, s.Values, nil, rest)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (s *RunSummary) UnmarshalJSON(b []byte) error {
	type plain RunSummary
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	v, _, err := metrics.UnmarshalObject(b, metrics.Seed)
	p.Values = v
	*s = RunSummary(p)
	return err
}

// RunExecutor returns the executor that trains and evaluates an
// experiment job (a Job whose Spec is a reproduce.Job) with rn, writing
// the run directory the worker gives it. It resumes a run that an earlier
// attempt left there (see WorkerOptions.KeepDir) and keeps a complete
// one; when ctx is done the run stops at its next step with its state
// saved.
func RunExecutor(rn *reproduce.Runner) Executor {
	return func(ctx context.Context, job Job, dir string) (json.RawMessage, error) {
		var j reproduce.Job
		if err := json.Unmarshal(job.Spec, &j); err != nil {
			return nil, fmt.Errorf("sweep: job %d: %w", job.Index, err)
		}
		r, err := rn.RunContext(ctx, j, dir, nil)
		if err != nil && !errors.Is(err, train.ErrDiverged) {
			return nil, err
		}
		s := RunSummary{Values: r.Metrics.Values, Diverged: r.Metrics.Diverged, Seconds: r.Metrics.Seconds}
		return json.Marshal(s)
	}
}

// loadRuns loads the run directories of plan p under dir/runs.
func loadRuns(p *reproduce.Plan, dir string) ([]*experiment.Run, error) {
	runs := make([]*experiment.Run, len(p.Jobs))
	for i, j := range p.Jobs {
		r, err := experiment.Load(reproduce.RunDir(dir, j))
		if err != nil {
			return nil, fmt.Errorf("sweep: run %s: %w", j.Name, err)
		}
		runs[i] = r
	}
	return runs, nil
}

// CollectDir aggregates a sweep whose runs are all in out/runs (written by
// RunShard on a shared volume, or downloaded by Collect) and writes
// results.json, report.md and the figures into out, as hnn reproduce does
// (report.Write).
func CollectDir(f *File, out string, progress io.Writer, start time.Time) (*reproduce.Results, error) {
	p, err := f.Plan()
	if err != nil {
		return nil, err
	}
	return collectDir(p, out, progress, start)
}

// collectDir is CollectDir for the plan p of the sweep.
func collectDir(p *reproduce.Plan, out string, progress io.Writer, start time.Time) (*reproduce.Results, error) {
	runs, err := loadRuns(p, out)
	if err != nil {
		return nil, err
	}
	p.Options.Out, p.Options.Progress = out, progress
	res, err := reproduce.Collect(p, runs, nil, start)
	if res != nil {
		if werr := report.Write(out, res, !p.Options.NoFigures); werr != nil {
			return nil, werr
		}
	}
	return res, err
}

// CollectRuns waits for every result of sweep f on c, downloads the runs
// into out/runs and aggregates them with CollectDir.
func CollectRuns(ctx context.Context, c *Client, f *File, out string, progress io.Writer, start time.Time) (*reproduce.Results, error) {
	p, err := f.Plan()
	if err != nil {
		return nil, err
	}
	results, err := c.Collect(ctx, f.Name, filepath.Join(out, "runs"))
	if err != nil {
		return nil, err
	}
	if len(results) != len(p.Jobs) {
		return nil, fmt.Errorf("sweep %s: %d results for %d planned runs", f.Name, len(results), len(p.Jobs))
	}
	for i, r := range results {
		if r.Name != p.Jobs[i].Name {
			return nil, fmt.Errorf("sweep %s: result %d is run %s, the plan's is %s (was the sweep file changed after planning?)", f.Name, i, r.Name, p.Jobs[i].Name)
		}
		if r.Error != "" {
			return nil, fmt.Errorf("sweep %s: run %s failed on worker %s: %s", f.Name, r.Name, r.Worker, r.Error)
		}
	}
	return collectDir(p, out, progress, start)
}

// RunShard trains shard i of n of sweep f's plan on this machine, workers
// runs at a time, into out/runs: the Kubernetes Indexed Job path, where
// every pod takes its shard and a shared volume holds the runs for
// CollectDir. Runs already complete in out/runs (a restarted pod) are kept,
// and runs stopped part way resumed from their training state (see
// reproduce.Runner). When stop (if not nil) is closed, the runs training
// save their state and stop, the others do not start, and RunShard returns
// an error wrapping train.ErrInterrupted.
func RunShard(f *File, i, n, workers int, out string, log io.Writer, stop <-chan struct{}) error {
	if err := check.Count("workers", workers, 0, check.MaxWorkers); err != nil {
		return err
	}
	p, err := f.Plan()
	if err != nil {
		return err
	}
	jobs := p.Shard(i, n)
	rn := &reproduce.Runner{Stop: stop}
	errs := make([]error, len(jobs))
	var wg sync.WaitGroup
	next := make(chan int)
	for range max(1, min(workers, len(jobs))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range next {
				j := jobs[k]
				dir := reproduce.RunDir(out, j)
				status := experiment.Status(dir, j.Spec)
				start := time.Now()
				_, err := rn.Run(j, dir, nil)
				if err != nil && !errors.Is(err, train.ErrDiverged) {
					errs[k] = fmt.Errorf("sweep: run %s: %w", j.Name, err)
				}
				if log == nil || errors.Is(err, train.ErrInterrupted) {
					continue
				}
				switch status {
				case experiment.Complete:
					fmt.Fprintf(log, "%s: done before, kept\n", j.Name)
				case experiment.Partial:
					fmt.Fprintf(log, "%s: resumed, %.1f s\n", j.Name, time.Since(start).Seconds())
				default:
					fmt.Fprintf(log, "%s: %.1f s\n", j.Name, time.Since(start).Seconds())
				}
			}
		}()
	}
	for k := range jobs {
		next <- k
	}
	close(next)
	wg.Wait()
	if log != nil {
		fmt.Fprintf(log, "runs: %s\n", rn.Counts())
	}
	for _, err := range errs {
		if errors.Is(err, train.ErrInterrupted) {
			return fmt.Errorf("sweep: shard %d of %d stopped (runs: %s); run it again with the same -out to resume: %w", i, n, rn.Counts(), train.ErrInterrupted)
		}
	}
	return errors.Join(errs...)
}

// RunOptions are the settings of Run.
type RunOptions struct {
	// URL is the NATS server; empty starts an embedded one for the run.
	URL string
	// Workers is the number of workers started here (default
	// GOMAXPROCS); with a URL, workers elsewhere may take jobs too.
	Workers int
	// Out is the output directory: runs under Out/runs, results.json,
	// report.md and figures in Out (required).
	Out string
	// AckWait is the workers' redelivery deadline (see WorkerOptions).
	AckWait time.Duration
	// Progress receives the workers' log lines and the collector's
	// messages (nil = silent).
	Progress io.Writer
	// worker, if not nil, adjusts the options of local worker k; kill
	// stops that worker as if it died (tests).
	worker func(k int, o *WorkerOptions, kill func())
	// runner, if not nil, runs the jobs of the local workers (tests).
	runner *reproduce.Runner
}

// Run plans sweep f on a NATS server (an embedded one without o.URL), runs
// o.Workers workers here, and collects and aggregates the results into
// o.Out, as Reproduce does: the one-machine path of a sweep, through the
// same queue, workers and collector as the many-machine one.
func Run(ctx context.Context, f *File, o RunOptions) (*reproduce.Results, error) {
	start := time.Now()
	if o.Out == "" {
		return nil, errors.New("sweep: no output directory")
	}
	if err := check.Count("workers", o.Workers, 0, check.MaxWorkers); err != nil {
		return nil, err
	}
	if o.Workers == 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	url := o.URL
	if url == "" {
		srv, err := StartServer("")
		if err != nil {
			return nil, err
		}
		defer srv.Shutdown()
		url = srv.URL()
	}
	c, err := Connect(url)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	p, err := f.Plan()
	if err != nil {
		return nil, err
	}
	jobs, err := Jobs(f.Name, p)
	if err != nil {
		return nil, err
	}
	if err := c.Plan(ctx, jobs); err != nil {
		return nil, err
	}
	work, err := os.MkdirTemp("", "hnn-sweep-")
	if err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	defer os.RemoveAll(work)
	rn := o.runner
	if rn == nil {
		rn = &reproduce.Runner{}
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for k := range o.Workers {
		wc, err := Connect(url)
		if err != nil {
			cancel()
			wg.Wait()
			return nil, err
		}
		// The local workers share their run directory, so that the job of
		// one that stops resumes on another.
		wo := WorkerOptions{ID: fmt.Sprintf("local-%d", k), Dir: work, Sweep: f.Name, AckWait: o.AckWait, Log: o.Progress, KeepDir: true}
		kctx, kill := context.WithCancel(wctx)
		if o.worker != nil {
			o.worker(k, &wo, kill)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer wc.Close()
			defer kill()
			wc.Work(kctx, RunExecutor(rn), wo)
		}()
	}
	// A worker that stops early (a lost connection) leaves its jobs to
	// the others; Collect waits until every job has a result or ctx ends.
	res, err := CollectRuns(ctx, c, f, o.Out, o.Progress, start)
	cancel()
	wg.Wait()
	return res, err
}
