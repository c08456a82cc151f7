package experiment

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hnn-go/hnn/internal/atomicfile"
)

// writeReport writes a Markdown report of res to path.
func writeReport(path string, res *Results) error {
	var b strings.Builder
	b.WriteString("# hnn: reproduction of the HNN paper's Table 1\n\n")
	if res.Command != "" {
		fmt.Fprintf(&b, "Command: `%s`\n\n", res.Command)
	}
	mode := "full protocol"
	if res.Quick {
		mode = "quick settings (-quick): fewer steps and seeds, shorter energy horizon"
	}
	fmt.Fprintf(&b, "Settings: %s. Build: %s, %s/%s, BLAS %s, %d CPUs. Wall time %.1f s.\n\n",
		mode, res.Build.GoVersion, res.Build.GOOS, res.Build.GOARCH, res.Build.BLAS, res.Build.NumCPU, res.Seconds)
	b.WriteString("Losses are derivative MSEs (mean ± std/sqrt(rows), all seeds' rows pooled); the energy MSE is ")
	b.WriteString("the mean over the protocol's starts of all seeds ± the std of 5 chunk means / sqrt(5), and their median. ")
	b.WriteString("Published numbers are the paper's Table 1.\n\n")
	b.WriteString("| task | model | seeds | train loss | test loss | energy MSE | energy median | paper train | paper test | paper energy |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|\n")
	for _, tn := range res.Order {
		for _, mk := range res.Models {
			mr, ok := res.Tasks[tn][mk]
			if !ok {
				continue
			}
			e, med := "-", "-"
			if mr.EnergyMSE != nil {
				e, med = mr.EnergyMSE.String(), fmt.Sprintf("%.2e", mr.EnergyMSE.Median)
			}
			pt, pe, pE := "-", "-", "-"
			if p := mr.Published; p != nil {
				pt, pe = published(p.Train), published(p.Test)
				if p.Energy != 0 {
					pE = fmt.Sprintf("%.2e ± %.1e", p.Energy, p.EnergySEM)
				}
			}
			fmt.Fprintf(&b, "| %s | %s | %d | %s | %s | %s | %s | %s | %s | %s |\n", tn, mk, mr.Seeds, mr.TrainLoss, mr.TestLoss, e, med, pt, pe, pE)
		}
	}
	if lt := LongHorizonTable(res); lt != "" {
		b.WriteString("\n## Long horizon\n\n")
		b.WriteString("Rollouts 10x longer than the training data (see the protocol below): energy drift |H(t) - H(0)| / |H(0)| with the true H ")
		b.WriteString("(mean over time and starts), relative error |x - x*| / (|x| + |x*|) (geometric mean over time and starts) beside the chaos floor ")
		b.WriteString("(the true system from a start perturbed by 1e-4), and valid prediction time (first time the normalised error exceeds 0.025). ")
		b.WriteString("Seeds are combined by the mean (drift, valid time) and the geometric mean (errors).\n\n")
		b.WriteString("| task | model | integrator | energy drift | relative error | chaos floor | valid time | horizon | failed rollouts |\n")
		b.WriteString("|---|---|---|---|---|---|---|---|---|\n")
		for _, tn := range res.Order {
			for _, mk := range res.Models {
				mr := res.Tasks[tn][mk]
				if mr == nil {
					continue
				}
				for _, name := range sortedKeys(mr.LongHorizon) {
					l := mr.LongHorizon[name]
					fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %g | %d |\n", tn, mk, name, fmtG(float64(l.EnergyDrift)),
						fmtG(float64(l.RelativeError)), fmtG(float64(l.ChaosFloor)), fmtG(float64(l.ValidTime)), l.Horizon, l.Failed)
				}
			}
		}
	}
	var rolls []string
	for _, tn := range res.Order {
		for _, mk := range res.Models {
			if mr := res.Tasks[tn][mk]; mr != nil && mr.RolloutMSE != nil {
				rolls = append(rolls, fmt.Sprintf("| %s | %s | %s |", tn, mk, mr.RolloutMSE))
			}
		}
	}
	if len(rolls) > 0 {
		b.WriteString("\n## Rollouts over the measured test segments\n\n")
		b.WriteString("Mean squared state error of a Dormand-Prince rollout (rtol = atol = 1e-9) from the first test row over the test segment's times, mean over seeds ± std/sqrt(seeds).\n\n")
		b.WriteString("| task | model | rollout MSE |\n|---|---|---|\n")
		b.WriteString(strings.Join(rolls, "\n") + "\n")
	}
	var pix []string
	for _, tn := range res.Order {
		for _, mk := range res.Models {
			if mr := res.Tasks[tn][mk]; mr != nil && mr.PixelMSE != nil {
				phase := "-"
				if mr.PhaseRate != nil {
					phase = fmt.Sprintf("%.4f ± %.4f", mr.PhaseRate.Mean, mr.PhaseRate.SEM)
				}
				pix = append(pix, fmt.Sprintf("| %s | %s | %s | %s | %s |", tn, mk, mr.PixelMSE, mr.ValidTime, phase))
			}
		}
	}
	if len(pix) > 0 {
		b.WriteString("\n## Pixel rollouts\n\n")
		b.WriteString("From the first frame pair of every test trial, a latent rollout (the learned field integrated over each frame with 4 RK4 steps), decoded: mean squared pixel error against the true frames, and the valid prediction time in steps (first step where mean((true - pred)^2) / mean(true^2) exceeds 0.025); ")
		b.WriteString("phase rate: the angle the model turns in one frame from each encoded true frame pair, about its trial's mean latent, over the angle the encoded truth turns (1: in time, above 1: ahead); mean over seeds ± std/sqrt(seeds).\n\n")
		b.WriteString("| task | model | pixel MSE | valid steps | phase rate |\n|---|---|---|---|---|\n")
		b.WriteString(strings.Join(pix, "\n") + "\n")
	}
	for _, tn := range sortedKeys(res.Skipped) {
		fmt.Fprintf(&b, "\nSkipped %s: %s\n", tn, res.Skipped[tn])
	}
	b.WriteString("\n## Protocol\n\n")
	for _, tn := range res.Order {
		p := res.Protocol[tn]
		fmt.Fprintf(&b, "- %s: train %+v; energy MSE: %d starts, t in [0, %g] at %d points, %s rtol %g atol %g, seed %d.\n",
			tn, p.Train, p.Energy.Starts, p.Energy.TEnd, p.Energy.Points, p.Energy.Integrator, p.Energy.RTol, p.Energy.ATol, p.Energy.Seed)
		if l := p.LongHorizon; l != nil {
			fmt.Fprintf(&b, "  Long horizon: %d starts, t in [0, %g] at %d points, integrators %s (fixed step %g, dopri5 rtol %g), truth dopri5 rtol %g, perturbation %g, threshold %g, seed %d.\n",
				l.Starts, l.TEnd, l.Points, strings.Join(l.Integrators, ", "), l.Step, l.RTol, l.TruthTol, l.Perturbation, l.Threshold, l.Seed)
		}
	}
	var figs []string
	for _, tn := range res.Order {
		if _, err := os.Stat(filepath.Join(filepath.Dir(path), tn+"-figure2.png")); err == nil {
			figs = append(figs, tn)
		}
	}
	if len(figs) > 0 {
		b.WriteString("\n## Figures\n\n")
		for _, tn := range figs {
			fmt.Fprintf(&b, "![%s](%s-figure2.png)\n\n", tn, tn)
		}
	}
	var more []string
	for _, tn := range res.Order {
		for _, suffix := range []string{"-orbits.png", "-rollout.png", "-dhnn.png", "-frames.png", "-latent.png", "-long-horizon.png"} {
			if _, err := os.Stat(filepath.Join(filepath.Dir(path), tn+suffix)); err == nil {
				more = append(more, tn+suffix)
			}
		}
	}
	if len(more) > 0 {
		if len(figs) == 0 {
			b.WriteString("\n## Figures\n\n")
		}
		for _, f := range more {
			fmt.Fprintf(&b, "![%s](%s)\n\n", strings.TrimSuffix(f, ".png"), f)
		}
	}
	return atomicfile.WriteFile(path, []byte(b.String()), 0o644)
}
