package report

import (
	"fmt"
	"slices"

	"github.com/hnn-go/hnn/experiment"
	"github.com/hnn-go/hnn/figures"
	"github.com/hnn-go/hnn/ode"
	"github.com/hnn-go/hnn/systems"
)

// writeOrbitFigure draws, for an N-body task, the paper's Figures 3 and
// 8/9 from seed 0's models: the true orbits and each model's from the same
// start in the x-y plane (one line per body), and the true total energy
// along all of them over time. The start is the energy protocol's start of
// median energy; the horizon is twice the protocol's, at twice its points
// (two-body: t in [0, 50], the horizon of analyze-2body.ipynb's figure), so
// the chart shows how each model's energy drifts past the measured range,
// or the protocol's own if the longer true orbit cannot be integrated.
// The figure is written to dir/<task>-orbits.png.
func writeOrbitFigure(out *FigureDir, name string, sys systems.NBody, bounds [4]float64, e *experiment.EnergyTruth, seed0 []*experiment.Run) error {
	d := sys.Dim()
	p := e.Protocol
	start := medianStartOf(sys.Energy, e.X0, p.Starts, d)
	x0 := e.X0[start*d : (start+1)*d]
	field := ode.Func(func(dst []float64, _ float64, x []float64) { sys.Field(dst, x) })
	// The protocol's own rollout is known to succeed; a longer true orbit
	// may not (a close encounter after the protocol's horizon), and then
	// the figure falls back to the protocol's horizon.
	ts, truth := e.Times, e.States[start*p.Points*d:(start+1)*p.Points*d]
	long := make([]float64, 2*p.Points-1)
	for i := range long {
		long[i] = 2 * p.TEnd * float64(i) / float64(len(long)-1)
	}
	long[len(long)-1] = 2 * p.TEnd
	longTruth := make([]float64, len(long)*d)
	if e.Integrator().Solve(longTruth, field, x0, long) == nil {
		ts, truth = long, longTruth
	}

	type rollout struct {
		kind, title string
		states      []float64
	}
	rolls := []rollout{{"true", "Ground truth", truth}}
	for _, r := range seed0 {
		pred := make([]float64, len(ts)*d)
		if err := e.Integrator().Solve(pred, r.State().FieldFunc()(), x0, ts); err != nil {
			return fmt.Errorf("report: %s: %s orbit for the figure: %w", name, r.Spec.Model.Kind, err)
		}
		rolls = append(rolls, rollout{r.Spec.Model.Kind, ModelTitle(r.Spec.Model.Kind), pred})
	}

	chart := figures.LineChart{Title: "Total energy (true H)", XLabel: "time", YLabel: "H"}
	var panels []figures.Panel
	for _, ro := range rolls {
		pn := figures.Panel{
			Title: ro.title, XLabel: "x", YLabel: "y",
			XMin: bounds[0], XMax: bounds[1], YMin: bounds[2], YMax: bounds[3],
		}
		for b := range sys.Bodies {
			s := figures.Series{Name: fmt.Sprintf("body %d", b+1)}
			for j := range ts {
				qx, qy, _, _ := sys.Body(ro.states[j*d:(j+1)*d], b)
				s.X, s.Y = append(s.X, qx), append(s.Y, qy)
			}
			pn.Paths = append(pn.Paths, s)
		}
		panels = append(panels, pn)
		en := figures.Series{Name: ro.kind}
		for j := range ts {
			en.X, en.Y = append(en.X, ts[j]), append(en.Y, sys.Energy(ro.states[j*d:(j+1)*d]))
		}
		chart.Series = append(chart.Series, en)
	}
	if err := figures.Row(out.Path(name, figOrbits), panels, []figures.LineChart{chart}); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// medianStartOf returns the index of the start whose energy is the median
// of the n starts in x0 (rows of d values).
func medianStartOf(energy func([]float64) float64, x0 []float64, n, d int) int {
	idx := make([]int, n)
	es := make([]float64, n)
	for i := range idx {
		idx[i] = i
		es[i] = energy(x0[i*d : (i+1)*d])
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case es[a] < es[b]:
			return -1
		case es[a] > es[b]:
			return 1
		}
		return 0
	})
	return idx[n/2]
}
