package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/hnn-go/hnn/control"
	"github.com/hnn-go/hnn/experiment/closedloop"
)

func runControl(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("control", "RUNDIR|-system NAME [-k-d K] [-duration S] [-dt S] [-clip U] [-out DIR]",
		"Drive the true system of a run's task with SymODEN's energy-shaping law built from the run's learned V and g, beside the law built from the true system; print whether and when each reaches the target, and write control.json, control.png and control.gif into DIR", stderr)
	var o closedloop.Options
	fs.Var(&o.Kd, "k-d", "damping gain `K` (default: the protocol's, 9 on the momentum for the pendulum)")
	fs.Var(&o.Duration, "duration", "length of the run in `seconds` (default: the protocol's, 10 for the pendulum)")
	fs.Var(&o.Step, "dt", "time between inputs in `seconds`, each held constant (default: the protocol's, 0.05 for the pendulum)")
	fs.Var(&o.Clip, "clip", "bound `U` on every input's magnitude, 0 for none (default: the protocol's, 5 for the pendulum)")
	fs.StringVar(&o.Damp, "damp", "", "what the damping acts on: `velocity` (-k_d q-dot, SymODEN's pendulum) or momentum (-k_d M(q) q-dot) (default: the protocol's, momentum for the pendulum)")
	system := fs.String("system", "", "run only the law built from the true system `NAME` ("+strings.Join(control.Names(), ", ")+"), without a run")
	out := fs.String("out", "", "write control.json, control.png and control.gif into `DIR` (default: the run directory; with -system, nothing)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	var r *closedloop.Report
	if *system != "" {
		if err := wantArgs(fs, pos, 0, "no RUNDIR with -system"); err != nil {
			return err
		}
		r, err = closedloop.FromSystem(*system, o)
	} else {
		if err := wantArgs(fs, pos, 1, "one run directory (or -system NAME)"); err != nil {
			return err
		}
		if *out == "" {
			*out = pos[0]
		}
		r, err = closedloop.FromRun(pos[0], o)
	}
	if err != nil {
		return err
	}
	if err := r.Table(stdout); err != nil {
		return err
	}
	if *out == "" {
		return nil
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	if err := r.Write(*out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s, %s and %s in %s\n", closedloop.JSONFile, closedloop.FigureFile, closedloop.GIFFile, *out)
	return nil
}
