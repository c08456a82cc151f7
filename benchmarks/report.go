package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
)

func printReport(w io.Writer, rep *Report) {
	fmt.Fprintf(w, "hnn benchmarks: %s; float32; train.Stepper steps with each task's own training settings on its dataset\n",
		strings.Join(rep.Settings.Tasks, ", "))
	fmt.Fprintf(w, "timing: fastest of %d runs, %d steps each after %d warm-up steps; data generation fastest of %d\n",
		rep.Settings.Repeat, rep.Settings.Steps, rep.Settings.Warmup, rep.Settings.Repeat)
	fmt.Fprintf(w, "machine: %d CPUs, GOMAXPROCS %d; load average %s at start, %s at the end\n",
		rep.Machine.NumCPU, rep.Machine.GOMAXPROCS, orDash(rep.Machine.LoadStart), orDash(rep.Machine.LoadEnd))

	var ok []*BuildResult
	for _, b := range rep.Builds {
		if b.Error == "" && len(b.Tasks) > 0 {
			ok = append(ok, b)
		}
	}
	if len(ok) > 0 {
		printGeneration(w, ok)
		printTraining(w, ok)
		printMatmuls(w, ok)
	}
	for _, b := range rep.Builds {
		if b.Error != "" {
			fmt.Fprintf(w, "%10s  %s\n", b.Build, b.Error)
		}
	}
	printCommands(w, rep.Builds)
	printReference(w, rep)
	printRounds(w, rep)
}

// printRounds prints each -rounds round's whole-command speedups and their
// medians.
func printRounds(w io.Writer, rep *Report) {
	if len(rep.Rounds) < 2 {
		return
	}
	fmt.Fprintf(w, "\nrounds: the hnn commands, then the reference's scripts, %d times; each round's reference seconds over ours:\n", len(rep.Rounds))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "build\tcompared\t")
	for i := range rep.Rounds {
		fmt.Fprintf(tw, "round %d\t", i+1)
	}
	fmt.Fprintln(tw, "median\t")
	for _, m := range rep.RoundMedians {
		fmt.Fprintf(tw, "%s\t%s\t", m.Build, m.What)
		for _, r := range rep.Rounds {
			cell := "-"
			for _, x := range r.Speedups {
				if x.Build == m.Build && x.What == m.What {
					cell = fmt.Sprintf("%.1f vs %.1f (%.2fx)", x.Ours, x.Reference, x.Speedup)
				}
			}
			fmt.Fprintf(tw, "%s\t", cell)
		}
		fmt.Fprintf(tw, "%.1f vs %.1f (%.2fx)\t\n", m.Ours, m.Reference, m.Speedup)
	}
	tw.Flush()
}

func printGeneration(w io.Writer, ok []*BuildResult) {
	fmt.Fprintf(w, "\ndata generation, experiment.Dataset at seed 0 (the task's generator on a run's data stream), ms:\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "task\ttrajectories\ttrain rows\ttest rows\t")
	for _, b := range ok {
		fmt.Fprintf(tw, "%s\t", b.Build)
	}
	fmt.Fprintln(tw)
	for i, t := range ok[0].Tasks {
		g := t.Generate
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t", t.Task, g.Trajectories, g.TrainRows, g.TestRows)
		for _, b := range ok {
			if i < len(b.Tasks) {
				fmt.Fprintf(tw, "%.1f\t", b.Tasks[i].Generate.Millis)
			}
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
}

func printTraining(w io.Writer, ok []*BuildResult) {
	fmt.Fprintf(w, "\ntraining steps (rows: the batch of a step; allocs: heap allocations per step):\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "build\ttask\tmodel\trows\tsteps/s\tms/step\tCPU ms/step\tallocs/step\tMFLOP/step\tGFLOP/s\tmatmul GFLOP/s\tof matmul\t")
	for _, b := range ok {
		for _, t := range b.Tasks {
			for _, m := range t.Models {
				cpu := "-"
				if m.CPUPerStep > 0 {
					cpu = fmt.Sprintf("%.1f", 1e3*m.CPUPerStep)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s %s\t%d\t%.1f\t%.2f\t%s\t%.1f\t%.1f\t%.2f\t%.2f\t%.0f%%\t\n",
					b.Build, t.Task, m.Kind, sizesString(m.Sizes), m.Rows, m.StepsPerSec, m.MsPerStep, cpu,
					m.AllocsPerStep, m.FLOPs/1e6, m.GFLOPS, m.MatmulGFLOPS, 100*m.Fraction)
			}
		}
	}
	tw.Flush()
}

func printMatmuls(w io.Writer, ok []*BuildResult) {
	fmt.Fprintf(w, "\nraw float32 matrix products of a step's shapes, GFLOP/s (best of ten 0.1 s windows, five before and five after the training):\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "task\tshape\t")
	for _, b := range ok {
		fmt.Fprintf(tw, "%s\t", b.Build)
	}
	fmt.Fprintln(tw)
	for i, t := range ok[0].Tasks {
		for j, s := range t.Matmul {
			fmt.Fprintf(tw, "%s\t%s\t", t.Task, s.Name)
			for _, b := range ok {
				if i < len(b.Tasks) && j < len(b.Tasks[i].Matmul) {
					fmt.Fprintf(tw, "%.2f\t", b.Tasks[i].Matmul[j].GFLOPS)
				}
			}
			fmt.Fprintln(tw)
		}
	}
	peak := 0.0
	for _, b := range ok {
		peak = max(peak, b.PeakGFLOPS)
	}
	if peak > 0 {
		fmt.Fprintf(tw, "\tcore's peak (FMA loop)\t")
		for _, b := range ok {
			fmt.Fprintf(tw, "%s\t", orDash(fmtNonzero(b.PeakGFLOPS)))
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	if peak > 0 {
		fmt.Fprintf(w, "  %% of the core's peak (%.1f GFLOP/s, the best FMA loop of any build: 2 FMA units x 16 lanes x 2 flops x clock on AVX-512):\n", peak)
		for i, t := range ok[0].Tasks {
			for j, s := range t.Matmul {
				fmt.Fprintf(w, "    %s %s:", t.Task, s.Name)
				for _, b := range ok {
					if i < len(b.Tasks) && j < len(b.Tasks[i].Matmul) {
						fmt.Fprintf(w, " %s %.0f%%", b.Build, 100*b.Tasks[i].Matmul[j].GFLOPS/peak)
					}
				}
				fmt.Fprintln(w)
			}
		}
	}
	for _, b := range ok {
		k := ""
		if b.Kernel != "" {
			k = " [nn kernel " + b.Kernel + "]"
		}
		fmt.Fprintf(w, "  %s: %s%s\n", b.Build, b.MatmulVia, k)
	}
	fmt.Fprintln(w, "  'matmul GFLOP/s' above is the step's n x n products at these speeds (their FLOPs over their summed times);")
	fmt.Fprintln(w, "  'of matmul' is GFLOP/s over that: the share of the step that runs at raw product speed.")
}

// printCommands prints the timed runs of the hnn command, one line per
// command and build.
func printCommands(w io.Writer, builds []*BuildResult) {
	type run struct {
		build string
		t     Timed
	}
	var runs []run
	for _, b := range builds {
		if b.Reproduce != nil {
			runs = append(runs, run{b.Build, *b.Reproduce})
		}
		for _, t := range b.Whole {
			runs = append(runs, run{b.Build, t})
		}
	}
	if len(runs) == 0 {
		return
	}
	fmt.Fprintf(w, "\nhnn commands (built binary, wall clock; whole runs: data, training and evaluation):\n")
	for _, r := range runs {
		if r.t.Error != "" {
			fmt.Fprintf(w, "  %-9s %s: failed: %s\n", r.build, r.t.Command, r.t.Error)
			continue
		}
		fmt.Fprintf(w, "  %-9s %7.1f s  %s\n", r.build, r.t.Seconds, r.t.Command)
	}
}

func printReference(w io.Writer, rep *Report) {
	ref := rep.Reference
	if len(ref.Scripts) > 0 {
		fmt.Fprintln(w)
		if ref.NotRun != "" {
			fmt.Fprintf(w, "reference: %s; comparing with the %s.\n", ref.NotRun, recordedSource)
		}
		fmt.Fprintf(w, "2019 PyTorch reference, whole process per script, default arguments (%s):\n", ref.Source)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "script\tseconds\tsteps\tsteps/s\t")
		for _, s := range ref.Scripts {
			if s.Error != "" {
				fmt.Fprintf(tw, "%s\tfailed: %s\t\t\t\n", s.Name, s.Error)
				continue
			}
			fmt.Fprintf(tw, "%s\t%.1f\t%d\t%.1f\t\n", s.Name, s.Seconds, s.Steps, s.StepsPerSec)
		}
		if ref.Seconds > 0 {
			fmt.Fprintf(tw, "total of the spring and pendulum scripts (the runs of the reproduction)\t%.1f\t\t\t\n", ref.Seconds)
		}
		tw.Flush()
	}

	if len(rep.Speedups) > 0 {
		label := "measured reference"
		if !ref.Measured {
			label = "recorded reference figures"
		}
		fmt.Fprintf(w, "\nspeedup over the %s (ours/reference in steps/s = reference/ours in seconds; above 1: ours faster):\n", label)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "build\tcompared\tours\treference\tspeedup\t")
		for _, s := range rep.Speedups {
			fmt.Fprintf(tw, "%s\t%s\t%.1f\t%.1f\t%.2fx\t\n", s.Build, s.What, s.Ours, s.Reference, s.Speedup)
		}
		tw.Flush()
	}
}

func sizesString(s []int) string {
	p := make([]string, len(s))
	for i, v := range s {
		p[i] = strconv.Itoa(v)
	}
	return strings.Join(p, "-")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// fmtNonzero formats a positive rate with one decimal, and zero as "".
func fmtNonzero(v float64) string {
	if v <= 0 {
		return ""
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}
