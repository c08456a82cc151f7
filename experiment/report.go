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
				pt, pe = fmt.Sprintf("%.2e", p.Train), fmt.Sprintf("%.2e", p.Test)
				pE = fmt.Sprintf("%.2e ± %.1e", p.Energy, p.EnergySEM)
			}
			fmt.Fprintf(&b, "| %s | %s | %d | %s | %s | %s | %s | %s | %s | %s |\n", tn, mk, mr.Seeds, mr.TrainLoss, mr.TestLoss, e, med, pt, pe, pE)
		}
	}
	b.WriteString("\n## Protocol\n\n")
	for _, tn := range res.Order {
		p := res.Protocol[tn]
		fmt.Fprintf(&b, "- %s: train %+v; energy MSE: %d starts, t in [0, %g] at %d points, %s rtol %g atol %g, seed %d.\n",
			tn, p.Train, p.Energy.Starts, p.Energy.TEnd, p.Energy.Points, p.Energy.Integrator, p.Energy.RTol, p.Energy.ATol, p.Energy.Seed)
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
	return atomicfile.WriteFile(path, []byte(b.String()), 0o644)
}
