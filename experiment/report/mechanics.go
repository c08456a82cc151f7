package report

import (
	"fmt"
	"math"

	"github.com/hnn-go/hnn/experiment"
	"github.com/hnn-go/hnn/figures"
	"github.com/hnn-go/hnn/systems"
	"github.com/hnn-go/hnn/task"
)

// figMechanics is the figure of the learned M(q), V(q) and g(q) of a
// driven task.
var figMechanics = FigureKind{"-mechanics.png", FiguresSection}

// mechanicsPoints is the number of positions of the sweep.
const mechanicsPoints = 121

// writeMechanicsFigure draws, for a driven task, the mass matrix, the
// potential and the input matrix that seed 0's models learn
// (experiment.Mechanics: symoden, delan trained in the data's units)
// beside the true system's, along a sweep of the last position over
// [-pi, pi] with the others at zero: the diagonal entry of M for that
// position, V shifted to zero mean over the sweep (a potential is known up
// to a constant), and the entry of g that is largest for the true system
// at the sweep's middle. On a layout of velocities the motion,
// q-ddot = M^-1 (dL/dq + g u), fixes M, V and g only up to a common
// factor; there each model's are scaled by the factor that gives its M
// the true M's mean over the sweep, printed in its legend. It writes dir/<task>-mechanics.png, or nothing if
// no model learns these.
func writeMechanicsFigure(out *FigureDir, t *task.Task, runs []*experiment.Run) error {
	sys := t.Driven
	if sys == nil || len(runs) == 0 {
		return nil
	}
	n, m := sys.Coords(), sys.Inputs()
	k := n - 1 // the swept position
	qs := make([]float64, mechanicsPoints)
	for i := range qs {
		qs[i] = -math.Pi + 2*math.Pi*float64(i)/(mechanicsPoints-1)
	}
	q, mass, g := make([]float64, n), make([]float64, n*n), make([]float64, n*m)
	// gi is the entry of g shown: the truth's largest at q = 0.
	sys.InputMatrix(g, q)
	gi := 0
	for i, v := range g {
		if math.Abs(v) > math.Abs(g[gi]) {
			gi = i
		}
	}
	sweep := func(name string, f func(mass, q, g []float64) float64) (ms, vs, gs figures.Series) {
		ms, vs, gs = figures.Series{Name: name, X: qs}, figures.Series{Name: name, X: qs}, figures.Series{Name: name, X: qs}
		for _, v := range qs {
			clear(q)
			q[k] = v
			pot := f(mass, q, g)
			ms.Y = append(ms.Y, mass[k*n+k])
			vs.Y = append(vs.Y, pot)
			gs.Y = append(gs.Y, g[gi])
		}
		mv := mean(vs.Y)
		for i := range vs.Y {
			vs.Y[i] -= mv
		}
		return ms, vs, gs
	}
	truth := func(mass, q, g []float64) float64 {
		sys.Mass(mass, q)
		sys.InputMatrix(g, q)
		return systems.Potential(sys, q)
	}
	label := fmt.Sprintf("q%d", k+1)
	if n == 1 {
		label = "q"
	}
	charts := []figures.LineChart{
		{Title: fmt.Sprintf("Mass matrix M[%d][%d]", k+1, k+1), XLabel: label, YLabel: "M"},
		{Title: "Potential V (zero mean)", XLabel: label, YLabel: "V"},
		{Title: fmt.Sprintf("Input matrix g[%d][%d]", gi/m+1, gi%m+1), XLabel: label, YLabel: "g"},
	}
	add := func(name string, f func(mass, q, g []float64) float64) {
		ms, vs, gs := sweep(name, f)
		charts[0].Series = append(charts[0].Series, ms)
		charts[1].Series = append(charts[1].Series, vs)
		charts[2].Series = append(charts[2].Series, gs)
	}
	add("true", truth)
	trueM := charts[0].Series[0].Y
	learned := 0
	for _, r := range runs {
		st := r.State()
		if st == nil {
			continue
		}
		f := experiment.Mechanics(st)
		if f == nil {
			continue
		}
		name := r.Spec.Label()
		if t.Layout.Velocities {
			// On velocities the motion fixes M, V and g only up to a
			// common factor: show them scaled to the true M's mean.
			ms, _, _ := sweep(name, f)
			c := mean(trueM) / mean(ms.Y)
			name = fmt.Sprintf("%s (x%.3g)", name, c)
			raw := f
			f = func(mass, q, gm []float64) float64 {
				v := raw(mass, q, gm)
				for i := range mass {
					mass[i] *= c
				}
				for i := range gm {
					gm[i] *= c
				}
				return c * v
			}
		}
		add(name, f)
		learned++
	}
	if learned == 0 {
		return nil
	}
	if err := figures.Row(out.Path(t.Name, figMechanics), nil, charts); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// mean returns the mean of xs.
func mean(xs []float64) float64 {
	var s float64
	for _, v := range xs {
		s += v
	}
	return s / float64(len(xs))
}
