package report

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hnn-go/hnn/experiment/reproduce"
	"github.com/hnn-go/hnn/internal/atomicfile"
	"github.com/hnn-go/hnn/metrics"
	"github.com/hnn-go/hnn/task"
)

// ReportFile is the name of the report in a reproduction's output
// directory.
const ReportFile = "report.md"

// Write writes the report of res into dir: with figures set, the figures
// of every task (seed 0's runs: the loss curves, those registered for the
// task's kind, and the long-horizon curves if res has them), then
// results.json listing them (reproduce.WriteResults) and report.md.
func Write(dir string, res *reproduce.Results, figures bool) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if figures {
		out := &FigureDir{dir: dir}
		if err := writeFigures(out, res); err != nil {
			return err
		}
		res.Figures = out.written
	}
	if err := reproduce.WriteResults(dir, res); err != nil {
		return err
	}
	return writeReport(filepath.Join(dir, ReportFile), res)
}

// writeReport writes a Markdown report of res to path.
func writeReport(path string, res *reproduce.Results) error {
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
	if c := res.Counts; c.Kept+c.Resumed > 0 {
		fmt.Fprintf(&b, "Runs: %s (the output directory held runs of an earlier invocation: the complete ones were kept, the interrupted ones resumed from their checkpoints; the wall time is this invocation's).\n\n", c)
	}
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
func writeLongHorizonSection(b *strings.Builder, res *reproduce.Results) {
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
func writeProtocol(b *strings.Builder, res *reproduce.Results) {
	b.WriteString("\n## Protocol\n\n")
	for _, tn := range res.Order {
		p := res.Protocol[tn]
		fmt.Fprintf(b, "- %s: train %+v", tn, p.Train)
		if e := p.Energy; e.Starts > 0 { // tasks without an energy protocol have none to state
			fmt.Fprintf(b, "; energy protocol: %d starts, t in [0, %g] at %d points, %s rtol %g atol %g, seed %d",
				e.Starts, e.TEnd, e.Points, e.Integrator, e.RTol, e.ATol, e.Seed)
		}
		b.WriteString(".\n")
		if l := p.LongHorizon; l != nil {
			fmt.Fprintf(b, "  Long horizon: %d starts, t in [0, %g] at %d points, integrators %s (fixed step %g, dopri5 rtol %g), truth dopri5 rtol %g, perturbation %g, threshold %g, seed %d.\n",
				l.Starts, l.TEnd, l.Points, strings.Join(l.Integrators, ", "), l.Step, l.RTol, l.TruthTol, l.Perturbation, l.Threshold, l.Seed)
		}
	}
}

// writeSection writes the table of the metrics of report section sec: a
// row for every task and model that has any of them. The main table has
// the seeds before its metrics and the paper's numbers after them.
func writeSection(b *strings.Builder, res *reproduce.Results, sec *metrics.Section) {
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
	paper := publishedIn(res, ms)
	for _, m := range paper {
		head = append(head, "paper "+m.Column)
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
				row = append(row, cell(m, v, ok, mr.Seeds))
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
			for _, m := range paper {
				row = append(row, publishedCell(mr.Published, m))
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

// publishedIn returns the metrics of ms that some model of res has a
// published value of (task.Published.Metrics), in ms's order.
func publishedIn(res *reproduce.Results, ms []*metrics.Metric) []*metrics.Metric {
	var out []*metrics.Metric
	for _, m := range ms {
		found := false
		for _, tn := range res.Order {
			for _, mr := range res.Tasks[tn] {
				if mr.Published != nil {
					_, ok := mr.Published.Metrics[m.Key]
					found = found || ok
				}
			}
		}
		if found {
			out = append(out, m)
		}
	}
	return out
}

// publishedCell formats the published value of m in p, "-" if there is
// none.
func publishedCell(p *task.Published, m *metrics.Metric) string {
	if p == nil {
		return "-"
	}
	v, ok := p.Metrics[m.Key]
	switch {
	case !ok:
		return "-"
	case v.SEM == 0: // published without an error bar
		return v.Text(m.Verb, false)
	}
	return m.Text(v, metrics.Model)
}

// cell formats the value v of metric m over seeds seeds for a table, "-"
// if there is none (ok false).
func cell(m *metrics.Metric, v metrics.Summary, ok bool, seeds int) string {
	if !ok {
		return "-"
	}
	return m.SeedsText(v, seeds)
}

// writeFigureLinks links the figures of res that have a report section,
// section by section in the order of their kinds, each section's figures
// in task order.
func writeFigureLinks(b *strings.Builder, res *reproduce.Results) {
	rank := map[string]int{}
	for i, tn := range res.Order {
		rank[tn] = i
	}
	figs := slices.Clone(res.Figures)
	slices.SortStableFunc(figs, func(x, y reproduce.Figure) int { return cmp.Compare(rank[x.Task], rank[y.Task]) })
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

// Table formats res as plain-text tables, one per report section (as
// report.md): the main table with the published numbers beside ours, for
// every model, then, under its title, each other section's metrics for
// the models that have any of them, so that a task's own metrics (pixel
// rollouts, measured segments) do not widen every row.
func Table(res *reproduce.Results) string {
	var b strings.Builder
	w := len("task")
	for _, tn := range res.Order {
		w = max(w, len(tn))
	}
	for _, sec := range metrics.Sections() {
		main := sec == metrics.MainTable
		ms := metrics.In(sec)
		type line struct {
			task, model string
			mr          *reproduce.ModelResult
		}
		var lines []line
		for _, tn := range res.Order {
			for _, mk := range res.Models {
				mr, ok := res.Tasks[tn][mk]
				if !ok {
					continue
				}
				has := main
				for _, m := range ms {
					_, ok := mr.Get(m)
					has = has || ok
				}
				if has {
					lines = append(lines, line{tn, mk, mr})
				}
			}
		}
		if len(lines) == 0 {
			continue
		}
		if !main {
			fmt.Fprintf(&b, "\n%s\n", sec.Title)
		}
		head := fmt.Sprintf("%-*s %-9s", w, "task", "model")
		for _, m := range ms {
			head += fmt.Sprintf(" %-21s", m.Column)
		}
		if main {
			head += fmt.Sprintf(" | %-9s %-9s %-9s", "paper tr", "paper te", "paper E")
		}
		paper := publishedIn(res, ms)
		if len(paper) > 0 {
			head += " |"
		}
		for _, m := range paper {
			head += fmt.Sprintf(" %-21s", "paper "+m.Column)
		}
		fmt.Fprintln(&b, strings.TrimRight(head, " "))
		for _, l := range lines {
			row := fmt.Sprintf("%-*s %-9s", w, l.task, l.model)
			for _, m := range ms {
				v, ok := l.mr.Get(m)
				row += fmt.Sprintf(" %-21s", cell(m, v, ok, l.mr.Seeds))
			}
			if main {
				pt, pe, pE := "-", "-", "-"
				if p := l.mr.Published; p != nil {
					pt, pe, pE = published(p.Train), published(p.Test), published(p.Energy)
				}
				row += fmt.Sprintf(" | %-9s %-9s %-9s", pt, pe, pE)
			}
			if len(paper) > 0 {
				row += " |"
			}
			for _, m := range paper {
				row += fmt.Sprintf(" %-21s", publishedCell(l.mr.Published, m))
			}
			fmt.Fprintln(&b, strings.TrimRight(row, " "))
		}
	}
	for _, tn := range sortedKeys(res.Skipped) {
		fmt.Fprintf(&b, "%-*s skipped: %s\n", w, tn, res.Skipped[tn])
	}
	return b.String()
}

// published formats a published number, "-" where the paper has none.
func published(v float64) string {
	if v == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2e", v)
}

// ReproduceAndWrite runs the reproduction o asks for (reproduce.Reproduce)
// and, with o.Out set, writes its report there (Write, with figures unless
// o.NoFigures): what hnn reproduce does. It returns the results with the
// error of runs that diverged, whose report is written all the same.
func ReproduceAndWrite(o reproduce.Options) (*reproduce.Results, error) {
	res, err := reproduce.Reproduce(o)
	if res != nil && o.Out != "" {
		if werr := Write(o.Out, res, !o.NoFigures); werr != nil {
			return nil, werr
		}
	}
	return res, err
}
