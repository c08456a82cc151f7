package report

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/hnn-go/hnn/experiment"
	"github.com/hnn-go/hnn/experiment/reproduce"
	"github.com/hnn-go/hnn/figures"
)

// LongHorizonTable formats the long-horizon metrics of res as a plain-text
// table, one row per task, model and integrator; it returns "" if res has
// none.
func LongHorizonTable(res *reproduce.Results) string {
	var b strings.Builder
	for _, tn := range res.Order {
		for _, mk := range res.Models {
			mr := res.Tasks[tn][mk]
			if mr == nil || len(mr.LongHorizon) == 0 {
				continue
			}
			if b.Len() == 0 {
				fmt.Fprintf(&b, "%-10s %-9s %-17s %-10s %-10s %-10s %-10s %-8s %s\n", "task", "model", "integrator", "drift", "rel error", "chaos fl.", "valid t", "horizon", "failed")
			}
			for _, name := range sortedKeys(mr.LongHorizon) {
				l := mr.LongHorizon[name]
				fmt.Fprintf(&b, "%-10s %-9s %-17s %-10s %-10s %-10s %-10s %-8g %d\n", tn, mk, name,
					fmtG(float64(l.EnergyDrift)), fmtG(float64(l.RelativeError)), fmtG(float64(l.ChaosFloor)), fmtG(float64(l.ValidTime)), l.Horizon, l.Failed)
			}
		}
	}
	return b.String()
}

func fmtG(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	return fmt.Sprintf("%.3g", v)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// writeLongHorizonFigure draws the long-horizon curves of seed 0's models
// on a task: the true-energy drift over time for every model and
// integrator (the effect of the integrator on the same learned model), and
// the relative rollout error over time of every model with each
// integrator against the chaos floor. It writes dir/<task>-long-horizon.png.
func writeLongHorizonFigure(out *FigureDir, name string, lt *experiment.LongTruth, models []string, curves map[string]map[string]*experiment.LongSeries) error {
	drift := figures.LineChart{Title: "Energy drift |H(t) - H(0)| / |H(0)|", XLabel: "time", YLabel: "relative drift", LogY: true}
	rel := figures.LineChart{Title: "Relative rollout error", XLabel: "time", YLabel: "|x - x*| / (|x| + |x*|)", LogY: true}
	for _, mk := range models {
		byIg := curves[mk]
		for _, ig := range sortedKeys(byIg) {
			c := byIg[ig]
			label := mk + " " + ig
			drift.Series = append(drift.Series, figures.Series{Name: label, X: lt.Times, Y: c.Drift})
			rel.Series = append(rel.Series, figures.Series{Name: label, X: lt.Times, Y: c.RelativeError})
		}
	}
	rel.Series = append(rel.Series, figures.Series{Name: "chaos floor", X: lt.Times, Y: lt.FloorSeries})
	return figures.Row(out.Path(name, figLongHorizon), nil, []figures.LineChart{drift, rel})
}
