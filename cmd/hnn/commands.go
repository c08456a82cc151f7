package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/experiment"
	"github.com/hnn-go/hnn/experiment/report"
	"github.com/hnn-go/hnn/experiment/reproduce"
	"github.com/hnn-go/hnn/fit"
	"github.com/hnn-go/hnn/internal/buildinfo"
	"github.com/hnn-go/hnn/metrics"
	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/nn"
	"github.com/hnn-go/hnn/ode"
	"github.com/hnn-go/hnn/task"
	"github.com/hnn-go/hnn/train"
)

func runTrain(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("train", "TASK|-data FILE|-stream DIR -model hnn|baseline [flags] -out DIR", "Train one model on one task, on the trajectories of a data file, or on a dataset directory read from disk, and save its config, checkpoint and metrics in DIR", stderr)
	dataFile := fs.String("data", "", "train on the trajectories of FILE (.txt/.dat Schmidt & Lipson text, .csv, .npz) instead of a task")
	stream := fs.String("stream", "", "train on the dataset directory DIR (hnn data), read from disk in minibatches")
	workers := fs.Int("workers", 0, "data-parallel shards of each minibatch, whose numbers depend on N (0: one; every run already uses all cores, GOMAXPROCS, with the same numbers on any)")
	testFrac := fs.Float64("test-fraction", 0, "with -data: fraction of each trial, at its end, held out for testing (0: 0.2)")
	deriv := fs.String("derivatives", "central", "with -data: finite differences for files without derivatives: central or forward")
	raw := fs.Bool("raw", false, "with -data: train in the file's units instead of standardised ones (see docs/data.md)")
	lipson := fs.String("lipson", "", "directory of the Schmidt & Lipson files (default: $"+task.LipsonEnv+", else ../shared/data/lipson)")
	kind := fs.String("model", "hnn", "model: "+strings.Join(model.Kinds(), ", "))
	seed := fs.Uint64("seed", 0, "seed of the run's data, initial weights and minibatches")
	quick := fs.Bool("quick", false, "use the task's reduced quick settings")
	out := fs.String("out", "", "output directory (required)")
	var ov experiment.Overrides
	overrideFlags(fs, &ov)
	noProgress := fs.Bool("no-progress", false, "do not draw a progress bar")
	resume := fs.String("resume", "", "continue the interrupted run in `DIR` from its last checkpoint (its saved settings; flags given must agree with them)")
	var every train.Every
	fs.Var(&every, "checkpoint-every", "save the training state every `N` steps or every DURATION (30s, 2m) of training; 0 only when stopped (default "+train.DefaultCheckpointInterval.String()+")")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *resume != "" {
		given := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
		return resumeTrain(*resume, pos, given, ov, *workers, *out, every, *noProgress, stdout, stderr)
	}
	if *dataFile != "" && *stream != "" {
		return errors.New("-data and -stream exclude each other")
	}
	if *dataFile != "" || *stream != "" {
		if err := wantArgs(fs, pos, 0, "no TASK with -data or -stream"); err != nil {
			return err
		}
	} else if err := wantArgs(fs, pos, 1, "one TASK ("+strings.Join(task.Names(), ", ")+"), -data FILE or -stream DIR"); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("-out DIR is required")
	}
	if err := ov.Validate(); err != nil {
		return err
	}
	if err := setLipson(*lipson); err != nil {
		return err
	}
	var s experiment.Spec
	switch {
	case *dataFile != "":
		s, err = experiment.NewFileSpec(task.DataSource{Path: *dataFile, TestFraction: *testFrac, Derivatives: *deriv, Raw: *raw}, *kind, *seed, *quick)
	case *stream != "":
		s, err = experiment.NewStreamSpec(*stream, *kind, *seed, *quick)
	default:
		s, err = experiment.NewSpec(pos[0], *kind, *seed, *quick)
	}
	if err != nil {
		return err
	}
	ov.Apply(&s)
	s.Train.Workers = *workers
	s.Train = s.Train.WithDefaults()
	if err := s.Validate(); err != nil {
		return err
	}
	if train.HasCheckpoint(*out) {
		// Training anew would discard it.
		step, _ := train.CheckpointStep(*out)
		return fmt.Errorf("%s holds a run interrupted after step %d; continue it with: hnn train -resume %s (or remove the directory to train anew)", *out, step, *out)
	}
	return trainRun(s, *out, experiment.Options{CheckpointEvery: every}, *noProgress, stdout, stderr)
}

// trainRun trains the run of s into dir with o, stopping cleanly at the
// first SIGINT or SIGTERM (see interrupts).
func trainRun(s experiment.Spec, dir string, o experiment.Options, noProgress bool, stdout, stderr io.Writer) error {
	var w io.Writer = stderr
	if noProgress {
		w = nil
	}
	bar := reproduce.NewProgress(w, int64(s.Train.Steps), 1)
	o.Progress = func(step int, loss float64) { bar.Set(int64(step), loss) }
	stop, signalled, release := interrupts(stderr)
	defer release()
	o.Stop = stop
	r, err := experiment.TrainWith(s, dir, o)
	bar.Finish()
	if errors.Is(err, train.ErrInterrupted) {
		return interrupted(signalled(), dir, s.Train.Steps, err)
	}
	if r != nil {
		printMetrics(stdout, s, r.Metrics)
		fmt.Fprintf(stdout, "wrote %s\n", dir)
	}
	return err
}

// resumeTrain continues the run in dir: its saved spec, which the task,
// flags and settings given (pos, given) must agree with.
func resumeTrain(dir string, pos []string, given map[string]bool, ov experiment.Overrides, workers int, out string, every train.Every,
	noProgress bool, stdout, stderr io.Writer) error {
	if out != "" && out != dir {
		return fmt.Errorf("-resume %s writes into %s; -out %s differs (leave it out)", dir, dir, out)
	}
	saved, err := experiment.CheckResumable(dir)
	if errors.Is(err, experiment.ErrFinished) {
		fmt.Fprintf(stdout, "%s is a complete run (%s): nothing to resume\n", dir, experiment.MetricsFile)
		return nil
	}
	if err != nil {
		return err
	}
	s := saved
	for _, f := range []string{"data", "stream", "test-fraction", "derivatives", "raw", "seed", "quick", "model"} {
		if given[f] {
			return fmt.Errorf("-resume %s: -%s cannot be given; the run's data and model are those of its %s", dir, f, experiment.SpecFile)
		}
	}
	if len(pos) > 1 || len(pos) == 1 && pos[0] != saved.Task {
		return fmt.Errorf("-resume %s: task %s, the saved run's is %s", dir, strings.Join(pos, " "), saved.Task)
	}
	ov.Apply(&s)
	if given["workers"] {
		s.Train.Workers = workers
	}
	s.Train = s.Train.WithDefaults()
	if f := experiment.DiffSpec(saved, s); f != "" {
		return fmt.Errorf("-resume %s: setting %s differs from the saved run's (%s); resume with its settings or train anew", dir, f, filepath.Join(dir, experiment.SpecFile))
	}
	if err := s.Validate(); err != nil {
		return err
	}
	return trainRun(s, dir, experiment.Options{CheckpointEvery: every, Resume: true}, noProgress, stdout, stderr)
}

// latentFlags are the flags of the pixel tasks' latent settings
// (experiment.LatentPatch): the field of latent.Config each sets, by its
// JSON name.
var latentFlags = []struct{ field, flag, usage string }{
	{"step", "latent-step", "latent `step` of the pixel task's dynamics loss: euler (the reference's, default), rk4 or implicit-midpoint (midpoint)"},
	{"dyn_weight", "dyn-weight", "`weight` of the pixel task's latent-dynamics loss (default: the reference's 0.1)"},
	{"frames", "frames", "`number` of consecutive frames of the pixel model's input (default: the reference's 2)"},
	{"horizon", "latent-horizon", "`frames` of the pixel task's rollout loss: decoded future frames through the latent integrator (default: 0, none)"},
	{"integrator", "latent-integrator", "latent `integrator` of the pixel task's rollout loss: rk4 (default), implicit-midpoint, or leapfrog (separable models)"},
	{"backward", "latent-backward", "forward-backward rollout loss of the pixel task: half of each minibatch rolled out backwards in time from its input -latent-horizon frames ahead (needs -latent-horizon)"},
}

// overrideFlags registers a flag for every field of o, named as the field
// in a sweep file with '-' for '_' (the latent settings, a sweep file's
// "latent" object, as -latent-FIELD, or -frames and -dyn-weight).
func overrideFlags(fs *flag.FlagSet, o *experiment.Overrides) {
	fs.Var(&o.Steps, "steps", "number of training `steps` (default: the task's)")
	fs.Var(&o.LR, "lr", "Adam learning `rate` (default: the task's, 1e-3)")
	fs.Var(&o.LRSchedule, "lr-schedule", "learning-rate `schedule` over the steps: "+strings.Join(train.ScheduleNames(), ", ")+" (default: the task's, constant)")
	fs.Var(&o.WeightDecay, "weight-decay", "L2 weight `decay`, 0 for none (default: the task's)")
	fs.Var(&o.Batch, "batch", "minibatch `size`, 0 for full batch (default: the task's)")
	fs.Var(&o.Average, "average", "`decay` of the moving average of the weights the model ends with, 0 for the last iterate (default: the task's)")
	fs.Var(&o.Hidden, "hidden", "hidden layer `widths`, comma-separated (default: 200,200)")
	fs.Var(&o.Activation, "activation", "hidden `activation`: "+strings.Join(nn.ActivationNames(), ", ")+" (default: tanh)")
	fs.Var(&o.Precision, "precision", "element `type` for training: float32 (default) or float64")
	fs.Var(&o.Fit, "fit", "fit `mode`: "+strings.Join(fit.Modes(), ", ")+" (default: the task's, derivative)")
	fs.Var(&o.Horizon, "horizon", "rollout fit: segment length in `steps` (default 5)")
	fs.Var(&o.Integrator, "integrator", "rollout fit: `integrator`, "+strings.Join(fit.Integrators(), ", ")+" (default rk4; leapfrog for separable models)")
	for _, f := range latentFlags {
		fs.Var(o.Latent.Flag(f.field), f.flag, f.usage)
	}
	fs.Var(&o.FitStarts, "fit-starts", "rollout fit: fit each segment's start with the weights (after the first half of the steps)")
}

func printMetrics(w io.Writer, s experiment.Spec, m experiment.Metrics) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	name := s.Source.Name(s)
	head := "task\tmodel\tseed"
	row := fmt.Sprintf("%s\t%s\t%d", name, s.Model.Kind, s.Seed)
	for _, k := range metrics.All() {
		v, ok := m.Get(k)
		switch {
		case ok:
			row += "\t" + k.Text(v, metrics.Run)
		case k.Section == metrics.MainTable:
			row += "\t-"
		default:
			continue
		}
		head += "\t" + k.Column
	}
	fmt.Fprintln(tw, head+"\tseconds")
	fmt.Fprintf(tw, "%s\t%.1f\n", row, m.Seconds)
	tw.Flush()
	if m.Diverged != "" {
		fmt.Fprintf(w, "diverged: %s\n", m.Diverged)
	}
	if m.Collapse != "" {
		fmt.Fprintf(w, "warning: %s\n", m.Collapse)
	}
}

func printLongHorizon(w io.Writer, lh map[string]experiment.LongHorizon) {
	if len(lh) == 0 {
		return
	}
	names := make([]string, 0, len(lh))
	for n := range lh {
		names = append(names, n)
	}
	slices.Sort(names)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "integrator\tenergy drift\trelative error\tchaos floor\tvalid time\thorizon\tfailed")
	for _, n := range names {
		l := lh[n]
		fmt.Fprintf(tw, "%s\t%.3g\t%.3g\t%.3g\t%.3g\t%g\t%d\n", n, float64(l.EnergyDrift), float64(l.RelativeError), float64(l.ChaosFloor), float64(l.ValidTime), l.Horizon, l.Failed)
	}
	tw.Flush()
}

func runEvaluate(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("evaluate", "[-long-horizon] DIR", "Recompute the metrics of the run saved in DIR from its checkpoint and write DIR/evaluation.json", stderr)
	long := fs.Bool("long-horizon", false, "also compute the long-horizon metrics (energy drift, relative error against the chaos floor, valid prediction time) with each integrator")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(fs, pos, 1, "one run directory"); err != nil {
		return err
	}
	r, err := experiment.Evaluate(pos[0], *long)
	if err != nil {
		return err
	}
	printMetrics(stdout, r.Spec, r.Metrics)
	printLongHorizon(stdout, r.Metrics.LongHorizon)
	return nil
}

func runRollout(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("rollout", "DIR -initial STATES.npy [-inputs U.npy] -t-end T -points N [-integrator NAME] -out PRED.npz",
		"Integrate the model saved in DIR from the initial states in STATES.npy (shape (B, D) or (D,)), under the inputs in U.npy for a driven model, and write t (N,) and x (B, N, D) as float64 to PRED.npz", stderr)
	initial := fs.String("initial", "", "initial states, a .npy file of shape (B, D) or (D,) (required); with -inputs without the m input columns, (B, D-m) or (D-m,)")
	inputs := fs.String("inputs", "", "inputs of a driven model, a .npy file: constant, shape (m,) or (1, m); one row per output point, (N, m), each held until the next; or (B, N, m) per start")
	tEnd := fs.Float64("t-end", 0, "end time; outputs at N evenly spaced times in [0, T] (required)")
	points := fs.Int("points", 100, "number of output times N")
	ig := fs.String("integrator", "dopri5", "integrator: "+strings.Join(ode.Names(), ", "))
	rtol := fs.Float64("rtol", 1e-9, "relative tolerance (adaptive integrators)")
	atol := fs.Float64("atol", 1e-9, "absolute tolerance (adaptive integrators)")
	step := fs.Float64("step", 0, "largest step (fixed-step integrators; 0: one step per output interval)")
	out := fs.String("out", "", "output .npz file (required)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(fs, pos, 1, "one run directory"); err != nil {
		return err
	}
	switch {
	case *initial == "":
		return errors.New("-initial STATES.npy is required")
	case *out == "":
		return errors.New("-out PRED.npz is required")
	}
	integ, err := ode.New(*ig, ode.Options{RTol: *rtol, ATol: *atol, Step: *step})
	if err != nil {
		return err
	}
	r, err := experiment.LoadModel(pos[0])
	if err != nil {
		return err
	}
	m := r.State()
	if m == nil {
		return fmt.Errorf("%s: a %s run has no state-space model to roll out (its model works on images; see its metrics and figures)", pos[0], r.Spec.Task)
	}
	x0, err := data.ReadNPY(*initial)
	if err != nil {
		return err
	}
	var ts, x data.Array
	if *inputs != "" {
		var u data.Array
		if u, err = data.ReadNPY(*inputs); err != nil {
			return err
		}
		ts, x, err = experiment.RolloutInputs(m, integ, x0, *initial, u, *inputs, *tEnd, *points)
	} else {
		ts, x, err = experiment.Rollout(m, integ, x0, *initial, *tEnd, *points)
	}
	if err != nil {
		return err
	}
	if err := data.WriteNPZ(*out, map[string]data.Array{"t": ts, "x": x}); err != nil {
		return err
	}
	b, d := x.Shape[0], x.Shape[2]
	fmt.Fprintf(stdout, "wrote %s: t (%d,), x (%d, %d, %d) with %s\n", *out, *points, b, *points, d, integ.Name())
	return nil
}

func runReproduce(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("reproduce", "[-tasks LIST] [-models LIST] [-seeds N] [-quick] [-long-horizon] [-out DIR] [-steps N] [-hidden LIST]",
		"Train every model on every task for N seeds, evaluate, print the Table-1 comparison and write results.json, report.md and figures", stderr)
	var o reproduce.Options
	tasks := fs.String("tasks", strings.Join(task.Table1, ","), "comma-separated tasks: "+strings.Join(task.Names(), ", "))
	models := fs.String("models", "", "comma-separated models: "+strings.Join(model.Kinds(), ", ")+" (default: each task's own, baseline,hnn for the paper's tasks and baseline,hnn,dhnn on real-pendulum and damped-spring)")
	fs.Var(&o.Seeds, "seeds", "number of `seeds` per task and model, at least 1 (default: 5, or 1 with -quick)")
	fs.BoolVar(&o.Quick, "quick", false, "reduced settings that finish in under a minute")
	fs.StringVar(&o.Out, "out", "results", "output directory")
	fs.IntVar(&o.Workers, "workers", 0, "runs trained at once (0: GOMAXPROCS)")
	fs.BoolVar(&o.NoFigures, "no-figures", false, "skip the PNG figures")
	noProgress := fs.Bool("no-progress", false, "do not draw a progress bar")
	overrideFlags(fs, &o.Overrides)
	fs.BoolVar(&o.LongHorizon, "long-horizon", false, "also roll every model out 10x longer than its training data with each integrator and report energy drift, relative error against the chaos floor and valid prediction time")
	lipson := fs.String("lipson", "", "directory of the Schmidt & Lipson files (default: $"+task.LipsonEnv+", else ../shared/data/lipson)")
	fs.Var(&o.CheckpointEvery, "checkpoint-every", "each run saves its training state every `N` steps or every DURATION (30s, 2m) of training; 0 only when stopped (default "+train.DefaultCheckpointInterval.String()+")")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(fs, pos, 0, "no positional arguments"); err != nil {
		return err
	}
	if err := setLipson(*lipson); err != nil {
		return err
	}
	o.Tasks, o.Models = splitList(*tasks), splitList(*models)
	o.Command = strings.TrimSpace("hnn reproduce " + strings.Join(args, " "))
	if !*noProgress {
		o.Progress = stderr
	}
	stop, signalled, release := interrupts(stderr)
	defer release()
	o.Stop = stop
	res, err := report.ReproduceAndWrite(o)
	if errors.Is(err, train.ErrInterrupted) {
		return stoppedBy(signalled(), err)
	}
	printResults(stdout, res, o.Out, o.NoFigures)
	if res != nil && (res.Counts.Kept > 0 || res.Counts.Resumed > 0) {
		fmt.Fprintf(stdout, "runs: %s\n", res.Counts)
	}
	return err
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func runTasks(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("tasks", "", "List the tasks, models, integrators and activations", stderr)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(fs, pos, 0, "no arguments"); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "task\tdim\ttitle\tsteps\tbatch\tweight decay")
	for _, n := range task.Names() {
		t, err := task.Get(n)
		if err != nil {
			return err
		}
		tc := t.Train
		b := "full"
		if tc.Batch > 0 {
			b = strconv.Itoa(tc.Batch)
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t%s\t%g\n", n, t.Dim, t.Title, tc.Steps, b, tc.WeightDecay)
	}
	tw.Flush()
	fmt.Fprintf(stdout, "\nmodels: %s\nintegrators: %s\nactivations: %s\n", strings.Join(model.Kinds(), ", "), strings.Join(ode.Names(), ", "), strings.Join(nn.ActivationNames(), ", "))
	return nil
}

func runVersion(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("version", "", "Print build information as JSON", stderr)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(fs, pos, 0, "no arguments"); err != nil {
		return err
	}
	b, _ := json.MarshalIndent(buildinfo.Get(nn.BLAS), "", "  ")
	fmt.Fprintln(stdout, string(b))
	return nil
}

// setLipson makes dir, if not empty, the directory of the Schmidt & Lipson
// files, through the environment variable the task package reads.
func setLipson(dir string) error {
	if dir == "" {
		return nil
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("-lipson %s: not a directory", dir)
	}
	return os.Setenv(task.LipsonEnv, dir)
}

func runHorizonFigure(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("horizon-figure", "-out FIG.png RUNDIR...", "Draw the prediction error against the rollout horizon of the runs in RUNDIR... (runs on measured segments: -data files, the real pendulum, the spring chain), one curve per run named by its model and fit", stderr)
	out := fs.String("out", "", "figure file, .png or .svg (required)")
	title := fs.String("title", "Prediction error against rollout horizon", "figure title")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *out == "" || len(pos) == 0 {
		return errors.New("want -out FIG.png and at least one RUNDIR")
	}
	var runs []*experiment.Run
	for _, dir := range pos {
		r, err := experiment.Load(dir)
		if err != nil {
			return err
		}
		runs = append(runs, r)
	}
	if err := report.WriteHorizonFigure(*out, *title, runs, func(r *experiment.Run) string { return report.FitLabel(r.Spec) }); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s\n", *out)
	return nil
}
