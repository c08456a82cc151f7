package experiment

import (
	"cmp"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hnn-go/hnn/internal/atomicfile"
	"github.com/hnn-go/hnn/metrics"
	"github.com/hnn-go/hnn/task"
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
	writeSection(&b, res, metrics.MainTable)
	writeLongHorizonSection(&b, res)
	for _, sec := range metrics.Sections() {
		if sec != metrics.MainTable {
			writeSection(&b, res, sec)
		}
	}
	for _, tn := range sortedKeys(res.Skipped) {
		fmt.Fprintf(&b, "\nSkipped %s: %s\n", tn, res.Skipped[tn])
	}
	writeProtocol(&b, res)
	writeFigureLinks(&b, res)
	return atomicfile.WriteFile(path, []byte(b.String()), 0o644)
}

// writeLongHorizonSection writes the long-horizon table of res, if it has
// long-horizon metrics.
func writeLongHorizonSection(b *strings.Builder, res *Results) {
	if LongHorizonTable(res) == "" {
		return
	}
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
				fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s | %g | %d |\n", tn, mk, name, fmtG(float64(l.EnergyDrift)),
					fmtG(float64(l.RelativeError)), fmtG(float64(l.ChaosFloor)), fmtG(float64(l.ValidTime)), l.Horizon, l.Failed)
			}
		}
	}
}

// writeProtocol writes the settings every task ran with.
func writeProtocol(b *strings.Builder, res *Results) {
	b.WriteString("\n## Protocol\n\n")
	for _, tn := range res.Order {
		p := res.Protocol[tn]
		fmt.Fprintf(b, "- %s: train %+v; energy MSE: %d starts, t in [0, %g] at %d points, %s rtol %g atol %g, seed %d.\n",
			tn, p.Train, p.Energy.Starts, p.Energy.TEnd, p.Energy.Points, p.Energy.Integrator, p.Energy.RTol, p.Energy.ATol, p.Energy.Seed)
		if l := p.LongHorizon; l != nil {
			fmt.Fprintf(b, "  Long horizon: %d starts, t in [0, %g] at %d points, integrators %s (fixed step %g, dopri5 rtol %g), truth dopri5 rtol %g, perturbation %g, threshold %g, seed %d.\n",
				l.Starts, l.TEnd, l.Points, strings.Join(l.Integrators, ", "), l.Step, l.RTol, l.TruthTol, l.Perturbation, l.Threshold, l.Seed)
		}
	}
}

// writeSection writes the table of the metrics of report section sec: a
// row for every task and model that has any of them. The main table has
// the seeds before its metrics and the paper's numbers after them.
func writeSection(b *strings.Builder, res *Results, sec *metrics.Section) {
	main := sec == metrics.MainTable
	ms := metrics.In(sec)
	head := []string{"task", "model"}
	if main {
		head = append(head, "seeds")
	}
	for _, m := range ms {
		head = append(head, m.Column)
		if m.Median != "" {
			head = append(head, m.Median)
		}
	}
	if main {
		head = append(head, "paper train", "paper test", "paper energy")
	}
	var rows []string
	for _, tn := range res.Order {
		for _, mk := range res.Models {
			mr := res.Tasks[tn][mk]
			if mr == nil {
				continue
			}
			row := []string{tn, mk}
			if main {
				row = append(row, fmt.Sprint(mr.Seeds))
			}
			has := false
			for _, m := range ms {
				v, ok := mr.Get(m)
				has = has || ok
				row = append(row, cell(m, v, ok, metrics.Model))
				if m.Median != "" {
					med := "-"
					if ok {
						med = fmt.Sprintf("%.2e", v.Median)
					}
					row = append(row, med)
				}
			}
			if !has && !main {
				continue
			}
			if main {
				row = append(row, paperCells(mr.Published)...)
			}
			rows = append(rows, "| "+strings.Join(row, " | ")+" |")
		}
	}
	if len(rows) == 0 {
		return
	}
	if sec.Title != "" {
		fmt.Fprintf(b, "\n## %s\n\n", sec.Title)
	}
	b.WriteString(sec.Text + "\n\n")
	b.WriteString("| " + strings.Join(head, " | ") + " |\n")
	b.WriteString(strings.Repeat("|---", len(head)) + "|\n")
	b.WriteString(strings.Join(rows, "\n") + "\n")
}

// paperCells returns the paper's train loss, test loss and energy MSE
// with its error bar for the report, "-" where it has none.
func paperCells(p *task.Published) []string {
	if p == nil {
		return []string{"-", "-", "-"}
	}
	e := "-"
	if p.Energy != 0 {
		e = fmt.Sprintf("%.2e ± %.1e", p.Energy, p.EnergySEM)
	}
	return []string{published(p.Train), published(p.Test), e}
}

// cell formats the value v of metric m for a table, "-" if there is none
// (ok false).
func cell(m *metrics.Metric, v metrics.Summary, ok bool, level metrics.Level) string {
	if !ok {
		return "-"
	}
	return m.Text(v, level)
}

// writeFigureLinks links the figures of res that have a report section,
// section by section in the order of their kinds, each section's figures
// in task order.
func writeFigureLinks(b *strings.Builder, res *Results) {
	rank := map[string]int{}
	for i, tn := range res.Order {
		rank[tn] = i
	}
	figs := slices.Clone(res.Figures)
	slices.SortStableFunc(figs, func(x, y Figure) int { return cmp.Compare(rank[x.Task], rank[y.Task]) })
	for _, sec := range figureSections {
		var links []string
		for _, f := range figs {
			if f.Section == sec.title {
				links = append(links, fmt.Sprintf("![%s](%s)\n\n", strings.TrimSuffix(f.File, filepath.Ext(f.File)), f.File))
			}
		}
		if len(links) == 0 {
			continue
		}
		if !strings.HasSuffix(b.String(), "\n\n") {
			b.WriteString("\n")
		}
		fmt.Fprintf(b, "## %s\n\n", sec.title)
		if sec.text != "" {
			b.WriteString(sec.text + "\n\n")
		}
		b.WriteString(strings.Join(links, ""))
	}
}
