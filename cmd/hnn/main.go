// Command hnn trains and evaluates Hamiltonian neural networks and
// reproduces the experiments of the HNN paper.
//
// Usage:
//
//	hnn train TASK -model hnn|baseline [-seed N] [-steps N] -out DIR
//	hnn train -resume DIR
//	hnn evaluate DIR
//	hnn rollout DIR -initial STATES.npy -t-end T -points N [-integrator NAME] -out PRED.npz
//	hnn reproduce [-tasks spring,pendulum] [-models baseline,hnn] [-seeds N] [-quick] [-out DIR]
//	hnn sweep plan|run|collect|status SPEC [-nats URL] [-shard i/n] -out DIR
//	hnn worker -nats URL
//	hnn data TASK|-convert FILE [-copies K] -out DIR
//	hnn control RUNDIR|-system NAME [-k-d K] [-duration S] [-dt S] [-clip U] [-out DIR]
//	hnn tasks
//	hnn version
//
// Run "hnn COMMAND -h" for the flags of a command. Flags may be written
// with one or two dashes, before or after the positional argument. With
// the environment variable HNN_CPUPROFILE=FILE any command writes a CPU
// profile of the whole process to FILE (read it with go tool pprof).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strings"

	// The pixel task kind registers itself when imported.
	"github.com/hnn-go/hnn/experiment/pixel"
	"github.com/hnn-go/hnn/internal/check"
	"github.com/hnn-go/hnn/nn"
	"github.com/hnn-go/hnn/task"
)

type command struct {
	name, args, summary string
	run                 func(args []string, stdout, stderr io.Writer) error
}

var commands = []command{
	{"train", "TASK -model M -out DIR", "train one model on one task and save a checkpoint", runTrain},
	{"evaluate", "DIR", "recompute a saved run's metrics from its checkpoint", runEvaluate},
	{"rollout", "DIR -initial STATES.npy -t-end T -points N -out PRED.npz", "integrate a saved model from given initial states", runRollout},
	{"reproduce", "[-tasks LIST] [-models LIST] [-seeds N] [-quick] [-out DIR]", "reproduce the paper's Table 1 with figures", runReproduce},
	{"sweep", "plan|run|collect|status SPEC ...", "run a sweep of runs through a NATS JetStream work queue, or as shards", runSweep},
	{"worker", "-nats URL", "take runs from a sweep's work queue until stopped", runWorker},
	{"data", "TASK|-convert FILE -out DIR", "write a dataset directory for training from disk", runData},
	{"control", "RUNDIR|-system NAME [-k-d K] [-out DIR]", "drive the true system with the energy-shaping law of a run's learned V and g", runControl},
	{"horizon-figure", "-out FIG.png RUNDIR...", "draw the prediction error against the rollout horizon of runs on measured segments", runHorizonFigure},
	{"tasks", "", "list the tasks and models", runTasks},
	{"version", "", "print build information", runVersion},
}

func main() {
	if err := nn.CheckKernelEnv(); err != nil {
		fmt.Fprintf(os.Stderr, "hnn: %v\n", err)
		os.Exit(1)
	}
	stop, err := startProfile(os.Getenv("HNN_CPUPROFILE"))
	if err != nil {
		fmt.Fprintf(os.Stderr, "hnn: HNN_CPUPROFILE: %v\n", err)
		os.Exit(1)
	}
	code := mainErr(os.Args[1:], os.Stdout, os.Stderr)
	if err := stop(); err != nil {
		fmt.Fprintf(os.Stderr, "hnn: HNN_CPUPROFILE: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// startProfile starts a CPU profile of the whole command into path (the
// environment variable HNN_CPUPROFILE), for "go tool pprof"; with an
// empty path it does nothing. The returned function stops the profile and
// closes the file.
func startProfile(path string) (stop func() error, err error) {
	if path == "" {
		return func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() error {
		pprof.StopCPUProfile()
		return f.Close()
	}, nil
}

// errUsage marks a usage error that has already been reported.
var errUsage = errors.New("usage")

func mainErr(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands {
		if c.name == args[0] {
			err := c.run(args[1:], stdout, stderr)
			switch {
			case err == nil:
				return 0
			case errors.Is(err, flag.ErrHelp):
				return 0
			case errors.Is(err, errUsage):
				return 2
			}
			var ie *interruptError
			switch {
			case errors.As(err, &ie):
				fmt.Fprintf(stderr, "hnn %s: %s\n", c.name, oneLine(ie.msg))
				return ie.code
			default:
				fmt.Fprintf(stderr, "hnn %s: %s\n", c.name, oneLine(flagMessage(err)))
				return 1
			}
		}
	}
	fmt.Fprintf(stderr, "hnn: unknown command %q (valid: %s)\n", args[0], commandNames())
	return 2
}

func commandNames() string {
	var n []string
	for _, c := range commands {
		n = append(n, c.name)
	}
	return strings.Join(n, ", ")
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "hnn: Hamiltonian neural networks in Go.\n\nUsage:")
	for _, c := range commands {
		fmt.Fprintf(w, "  hnn %-9s %s\n        %s\n", c.name, c.args, c.summary)
	}
	fmt.Fprintln(w, "\nRun \"hnn COMMAND -h\" for a command's flags.")
	fmt.Fprintln(w, "\nEnvironment:")
	for _, e := range environment {
		fmt.Fprintf(w, "  %-16s %s\n", e[0], e[1])
	}
}

// environment lists the variables hnn reads, for the usage text.
var environment = [][2]string{
	{task.LipsonEnv, "directory of the Schmidt & Lipson files (default ../shared/data/lipson)"},
	{pixel.CacheEnv, "cache of rendered pixel datasets (default the user's cache directory/hnn)"},
	{nn.KernelEnv, "lower nn's kernel level: generic, avx2 or avx512 (default the CPU's best; any other value is an error)"},
	{"HNN_CPUPROFILE", "write a CPU profile of the whole command to this file (go tool pprof)"},
}

func oneLine(s string) string { return strings.ReplaceAll(s, "\n", "; ") }

// flagMessage returns the message of err; a bare *check.FieldError (a
// value out of range in a field that is also a flag) names the flag,
// -weight-decay for the field weight_decay, -latent-step for latent.step.
func flagMessage(err error) string {
	if fe, ok := err.(*check.FieldError); ok {
		f := *fe
		f.Field = "-" + strings.ReplaceAll(f.Field, "_", "-")
		for _, l := range latentFlags {
			if fe.Field == "latent."+l.field {
				f.Field = "-" + l.flag
			}
		}
		return f.Error()
	}
	return err.Error()
}

// newFlags returns a FlagSet whose -h prints the command's usage and flags,
// and whose parse errors are one line with a hint.
func newFlags(name, args, summary string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("hnn "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	help := func() {
		fmt.Fprintf(stderr, "Usage: hnn %s %s\n\n%s.\n\nFlags:\n", name, args, summary)
		fs.PrintDefaults()
	}
	fs.Usage = help
	return fs
}

// parse parses flags and positional arguments in any order and returns the
// positional ones. It wraps flag errors as usage errors.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		// Parse errors print one line (below), -h the full usage.
		usage := fs.Usage
		fs.Usage = func() {}
		quiet := &strings.Builder{}
		out := fs.Output()
		fs.SetOutput(quiet)
		err := fs.Parse(args)
		fs.SetOutput(out)
		fs.Usage = usage
		if err != nil {
			if errors.Is(err, flag.ErrHelp) {
				usage()
				return nil, err
			}
			fmt.Fprintf(out, "%s: %v (run \"%s -h\" for usage)\n", fs.Name(), err, fs.Name())
			return nil, errUsage
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// wantArgs checks the number of positional arguments.
func wantArgs(fs *flag.FlagSet, pos []string, n int, what string) error {
	if len(pos) != n {
		fmt.Fprintf(fs.Output(), "%s: want %s, got %d arguments (run \"%s -h\" for usage)\n", fs.Name(), what, len(pos), fs.Name())
		return errUsage
	}
	return nil
}
