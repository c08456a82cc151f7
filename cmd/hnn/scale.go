package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/hnn-go/hnn/experiment"
	"github.com/hnn-go/hnn/experiment/report"
	"github.com/hnn-go/hnn/experiment/reproduce"
	"github.com/hnn-go/hnn/sweep"
	"github.com/hnn-go/hnn/task"
	"github.com/hnn-go/hnn/train"
)

// natsEnv is the environment variable that supplies -nats by default.
const natsEnv = "HNN_NATS"

const sweepUsage = `hnn sweep plan SPEC -nats URL            publish the runs of sweep file SPEC to the queue
hnn sweep run SPEC [-nats URL] [-workers N] -out DIR
                                          plan, work and collect here (embedded server without -nats)
hnn sweep run SPEC -shard i/n -out DIR    run one shard of the plan into DIR/runs, no queue (Kubernetes Indexed Jobs)
hnn sweep collect SPEC [-nats URL | -from-dir] -out DIR
                                          gather the results into DIR/results.json, report.md and figures
hnn sweep status [SPEC|NAME] -nats URL    planned, pending, running, done and failed runs`

func runSweep(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" || args[0] == "help" {
		fmt.Fprintln(stderr, "Usage: hnn sweep plan|run|collect|status ...\n\n"+sweepUsage+"\n\nSPEC is a JSON sweep file: {\"name\", \"tasks\", \"models\", \"seeds\", \"quick\", \"long_horizon\", OVERRIDES, \"variants\": [{\"name\", OVERRIDES}]}, where OVERRIDES are any of \"steps\", \"lr\", \"weight_decay\", \"batch\", \"average\", \"hidden\", \"activation\", \"precision\", \"latent_step\", \"dyn_weight\" (the flags of train and reproduce).")
		if len(args) == 0 {
			return errUsage
		}
		return nil
	}
	switch args[0] {
	case "plan":
		return runSweepPlan(args[1:], stdout, stderr)
	case "run":
		return runSweepRun(args[1:], stdout, stderr)
	case "collect":
		return runSweepCollect(args[1:], stdout, stderr)
	case "status":
		return runSweepStatus(args[1:], stdout, stderr)
	}
	return fmt.Errorf("unknown subcommand %q (valid: plan, run, collect, status)", args[0])
}

// natsFlag adds -nats with its default from $HNN_NATS.
func natsFlag(fs interface {
	String(name, value, usage string) *string
}) *string {
	return fs.String("nats", os.Getenv(natsEnv), "NATS server URL (default $"+natsEnv+")")
}

// readSweep points the tasks at the Lipson directory (see setLipson) and
// reads the sweep file at path; with a subcommand it records the command
// line "hnn sweep SUB ARGS" in the results.
func readSweep(path, lipson, sub string, args []string) (*sweep.File, error) {
	if err := setLipson(lipson); err != nil {
		return nil, err
	}
	f, err := sweep.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if sub != "" {
		f.Command = strings.TrimSpace("hnn sweep " + sub + " " + strings.Join(args, " "))
	}
	return f, nil
}

// signalContext is cancelled by SIGINT or SIGTERM (a pod being stopped).
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

func runSweepPlan(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sweep plan", "SPEC -nats URL", "Publish one message per run of sweep file SPEC to the work queue", stderr)
	url := natsFlag(fs)
	lipson := fs.String("lipson", "", "directory of the Schmidt & Lipson files")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(fs, pos, 1, "one sweep file"); err != nil {
		return err
	}
	if *url == "" {
		return errors.New("-nats URL is required (or $" + natsEnv + "); hnn sweep run plans, works and collects with an embedded server")
	}
	f, err := readSweep(pos[0], *lipson, "", nil)
	if err != nil {
		return err
	}
	p, err := f.Plan()
	if err != nil {
		return err
	}
	jobs, err := sweep.Jobs(f.Name, p)
	if err != nil {
		return err
	}
	c, err := sweep.Connect(*url)
	if err != nil {
		return err
	}
	defer c.Close()
	ctx, cancel := signalContext()
	defer cancel()
	if err := c.Plan(ctx, jobs); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "sweep %s: %d runs planned on %s\n", f.Name, len(jobs), *url)
	for tn, why := range p.Skipped {
		fmt.Fprintf(stdout, "skipped %s: %s\n", tn, why)
	}
	return nil
}

func runWorker(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("worker", "-nats URL [-sweep NAME] [-dir DIR]", "Take runs from the work queue, train and evaluate them, store their files and results, and acknowledge each only then", stderr)
	url := natsFlag(fs)
	name := fs.String("sweep", "", "take only the runs of this sweep (default: any)")
	dir := fs.String("dir", "", "directory for run outputs (default: a temporary directory); when the workers share it, a run whose worker died resumes from its last checkpoint")
	id := fs.String("id", "", "worker name in results and logs (default: host-pid)")
	ackWait := fs.Duration("ack-wait", time.Minute, "a run of a worker that stops answering is redelivered after this long (0: 1m)")
	idle := fs.Duration("idle-exit", 0, "exit once no run has arrived for this long (0: run until stopped)")
	jobs := fs.Int("jobs", 0, "exit after this many runs (0: no limit)")
	lipson := fs.String("lipson", "", "directory of the Schmidt & Lipson files")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(fs, pos, 0, "no positional arguments"); err != nil {
		return err
	}
	if *url == "" {
		return errors.New("-nats URL is required (or $" + natsEnv + ")")
	}
	wo := sweep.WorkerOptions{ID: *id, Dir: *dir, Sweep: *name, AckWait: *ackWait, IdleExit: *idle, Jobs: *jobs, Log: stderr, KeepDir: true}
	if err := wo.Validate(); err != nil {
		return err
	}
	if err := setLipson(*lipson); err != nil {
		return err
	}
	if *dir == "" {
		d, err := os.MkdirTemp("", "hnn-worker-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		wo.Dir = d
	}
	c, err := sweep.Connect(*url)
	if err != nil {
		return err
	}
	defer c.Close()
	ctx, cancel := signalContext()
	defer cancel()
	n, err := c.Work(ctx, sweep.RunExecutor(&reproduce.Runner{}), wo)
	fmt.Fprintf(stdout, "worker: %d runs done\n", n)
	return err
}

func runSweepRun(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sweep run", "SPEC [-nats URL] [-workers N] [-shard i/n] -out DIR", "Run a sweep here: plan, work and collect through a NATS server (embedded without -nats), or with -shard only one shard of the plan into DIR/runs", stderr)
	url := natsFlag(fs)
	out := fs.String("out", "", "output directory (required)")
	workers := fs.Int("workers", 0, "runs trained at once here (0: one per core)")
	shard := fs.String("shard", "", "run only shard i of n of the plan, \"i/n\"; \"/n\" takes i from $"+sweep.ShardIndexEnv+" (Kubernetes Indexed Jobs); no queue")
	ackWait := fs.Duration("ack-wait", time.Minute, "a run of a worker that stops answering is redelivered after this long")
	lipson := fs.String("lipson", "", "directory of the Schmidt & Lipson files")
	noProgress := fs.Bool("no-progress", false, "do not print the workers' log lines")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(fs, pos, 1, "one sweep file"); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("-out DIR is required")
	}
	f, err := readSweep(pos[0], *lipson, "run", args)
	if err != nil {
		return err
	}
	var log io.Writer = stderr
	if *noProgress {
		log = nil
	}
	if *shard != "" {
		i, n, err := sweep.ParseShard(*shard, os.Getenv)
		if err != nil {
			return err
		}
		stop, signalled, release := interrupts(stderr)
		defer release()
		if err := sweep.RunShard(f, i, n, *workers, *out, log, stop); err != nil {
			if errors.Is(err, train.ErrInterrupted) {
				return stoppedBy(signalled(), err)
			}
			return err
		}
		fmt.Fprintf(stdout, "sweep %s: shard %d of %d done in %s/runs; collect with: hnn sweep collect %s -from-dir -out %s\n", f.Name, i, n, *out, pos[0], *out)
		return nil
	}
	ctx, cancel := signalContext()
	defer cancel()
	res, err := sweep.Run(ctx, f, sweep.RunOptions{URL: *url, Workers: *workers, Out: *out, AckWait: *ackWait, Progress: log})
	printResults(stdout, res, *out, false)
	return err
}

func runSweepCollect(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sweep collect", "SPEC [-nats URL | -from-dir] -out DIR", "Wait for every run of a sweep, download them into DIR/runs and write results.json, report.md and figures as reproduce does", stderr)
	url := natsFlag(fs)
	out := fs.String("out", "", "output directory (required)")
	fromDir := fs.Bool("from-dir", false, "take the runs from DIR/runs (written by sweep run -shard) instead of the queue")
	timeout := fs.Duration("timeout", 0, "give up after this long (0: wait until every run is done)")
	lipson := fs.String("lipson", "", "directory of the Schmidt & Lipson files")
	noFigures := fs.Bool("no-figures", false, "do not write PNG figures")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(fs, pos, 1, "one sweep file"); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("-out DIR is required")
	}
	if !*fromDir && *url == "" {
		return errors.New("-nats URL (or $" + natsEnv + ") or -from-dir is required")
	}
	f, err := readSweep(pos[0], *lipson, "collect", args)
	if err != nil {
		return err
	}
	f.NoFigures = *noFigures
	start := time.Now()
	var res *reproduce.Results
	if *fromDir {
		res, err = sweep.CollectDir(f, *out, stderr, start)
	} else {
		c, cerr := sweep.Connect(*url)
		if cerr != nil {
			return cerr
		}
		defer c.Close()
		ctx, cancel := signalContext()
		defer cancel()
		if *timeout > 0 {
			ctx, cancel = context.WithTimeout(ctx, *timeout)
			defer cancel()
		}
		res, err = sweep.CollectRuns(ctx, c, f, *out, stderr, start)
	}
	printResults(stdout, res, *out, *noFigures)
	return err
}

func runSweepStatus(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sweep status", "[SPEC|NAME] -nats URL", "Show how far the sweeps on a NATS server are", stderr)
	url := natsFlag(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return wantArgs(fs, pos, 1, "at most one sweep file or name")
	}
	if *url == "" {
		return errors.New("-nats URL is required (or $" + natsEnv + ")")
	}
	c, err := sweep.Connect(*url)
	if err != nil {
		return err
	}
	defer c.Close()
	ctx, cancel := signalContext()
	defer cancel()
	var names []string
	switch {
	case len(pos) == 1 && strings.HasSuffix(pos[0], ".json"):
		f, err := sweep.ReadFile(pos[0])
		if err != nil {
			return err
		}
		names = []string{f.Name}
	case len(pos) == 1:
		names = pos
	default:
		if names, err = c.Sweeps(ctx); err != nil {
			return err
		}
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "sweep\tplanned\tpending\trunning\tdone\tfailed\tduplicates")
	for _, n := range names {
		s, err := c.Status(ctx, n)
		if err != nil {
			return err
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\n", n, s.Planned, s.Pending, s.Running, s.Done, s.Failed, s.Duplicates)
	}
	return tw.Flush()
}

// printResults prints the table of res and where it was written.
func printResults(w io.Writer, res *reproduce.Results, out string, noFigures bool) {
	if res == nil {
		return
	}
	fmt.Fprint(w, report.Table(res))
	if lt := report.LongHorizonTable(res); lt != "" {
		fmt.Fprintf(w, "\nLong horizon:\n%s", lt)
	}
	figs := " and figures"
	if noFigures {
		figs = ""
	}
	fmt.Fprintf(w, "%.1f s; wrote %s/results.json, %s/report.md%s\n", res.Seconds, out, out, figs)
}

func runData(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("data", "TASK|-convert FILE -out DIR [-copies K] [-seed N] [-float32]", "Write a dataset directory of .npy row files for training from disk (hnn train -stream DIR): K copies of a task's data, or a converted trajectory file", stderr)
	out := fs.String("out", "", "output directory (required)")
	conv := fs.String("convert", "", "convert the trajectories of FILE (.txt/.dat, .csv, .npz) instead of generating a task's")
	testFrac := fs.Float64("test-fraction", 0, "with -convert: fraction of each trial held out for testing (0: 0.2)")
	deriv := fs.String("derivatives", "central", "with -convert: finite differences for files without derivatives: central or forward")
	var copies experiment.Setting[int]
	fs.Var(&copies, "copies", "`K` datasets of the task appended into the training files, each from its own seeded source (default 1)")
	seed := fs.Uint64("seed", 0, "seed of the first copy (copy 0 is the data of a run with this seed)")
	f32 := fs.Bool("float32", false, "store float32 rows (half the size)")
	lipson := fs.String("lipson", "", "directory of the Schmidt & Lipson files")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *conv != "" {
		if err := wantArgs(fs, pos, 0, "no TASK with -convert"); err != nil {
			return err
		}
	} else if err := wantArgs(fs, pos, 1, "one TASK ("+strings.Join(task.Names(), ", ")+") or -convert FILE"); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("-out DIR is required")
	}
	if err := setLipson(*lipson); err != nil {
		return err
	}
	o := experiment.WriteOptions{Seed: *seed, Copies: copies, Float32: *f32, Progress: stderr}
	if *conv != "" {
		o.Data = &task.DataSource{Path: *conv, TestFraction: *testFrac, Derivatives: *deriv}
	} else {
		o.Task = pos[0]
	}
	start := time.Now()
	if err := experiment.WriteDataset(*out, o); err != nil {
		return err
	}
	var size int64
	entries, _ := os.ReadDir(*out)
	for _, e := range entries {
		if info, err := e.Info(); err == nil {
			size += info.Size()
		}
	}
	fmt.Fprintf(stdout, "wrote %s (%.1f MB) in %.1f s; train with: hnn train -stream %s -model hnn -out RUN\n",
		filepath.Clean(*out), float64(size)/1e6, time.Since(start).Seconds(), filepath.Clean(*out))
	return nil
}
