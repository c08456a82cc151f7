package report

import (
	"fmt"
	"math"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/experiment"
	"github.com/hnn-go/hnn/figures"
	"github.com/hnn-go/hnn/ode"
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

// figInputs is the figure of a driven task's trajectories under inputs.
var figInputs = FigureKind{"-inputs.png", FiguresSection}

// inputStarts is the number of test starts the inputs figure shows.
const inputStarts = 3

// writeInputsFigure draws, for a driven task with prediction
// trajectories, seed 0's models and the truth from the first test starts
// under an input that changes at every sample, u_k = 2 sin(2 pi k / N)
// on every input over the N samples of a prediction, held between samples
// (experiment.RolloutInputs, RK4 with one step per sample as the
// prediction error takes; the truth by systems.ZeroOrderHold): the first
// position against time, one chart per start. It writes
// dir/<task>-inputs.png.
func writeInputsFigure(out *FigureDir, t *task.Task, runs []*experiment.Run) error {
	sys := t.Driven
	if t.Prediction == nil || sys == nil || len(runs) == 0 {
		return nil
	}
	all, steps, err := predictionSet(t, runs)
	if err != nil {
		return err
	}
	d := all.Dim
	n, m := sys.Coords(), sys.Inputs()
	starts := min(inputStarts, all.Len()/steps)
	if steps < 2 || starts == 0 || m == 0 {
		return nil
	}
	l, err := all.Layout.Resolve(d)
	if err != nil {
		return fmt.Errorf("report: %s: %w", t.Name, err)
	}
	h := all.T[1] - all.T[0]
	u := data.Array{Shape: []int{steps, m}, Data: make([]float64, steps*m)}
	for k := range steps {
		for j := range m {
			u.Data[k*m+j] = 2 * math.Sin(2*math.Pi*float64(k)/float64(steps))
		}
	}
	x0 := data.Array{Shape: []int{starts, 2 * n}}
	for s := range starts {
		x0.Data = append(x0.Data, all.X[s*steps*d:s*steps*d+2*n]...)
	}
	ts := make([]float64, steps)
	for k := range ts {
		ts[k] = float64(k) * h
	}
	charts := make([]figures.LineChart, starts)
	names := l.ColumnNames()
	for s := range starts {
		charts[s] = figures.LineChart{Title: fmt.Sprintf("Test start %d, u = 2 sin(2 pi t / %.3g)", s+1, float64(steps)*h), XLabel: "time", YLabel: names[0]}
		q0, v0 := x0.Data[s*2*n:s*2*n+n], append([]float64(nil), x0.Data[s*2*n+n:(s+1)*2*n]...)
		if !l.Velocities {
			systems.NewCanonical(sys, make([]float64, m)).Velocity(v0, q0, x0.Data[s*2*n+n:(s+1)*2*n])
		}
		hold := systems.ZeroOrderHold{Step: h, Steps: steps - 1}
		policy := func(v, _, _ []float64, t float64) {
			copy(v, u.Data[min(int(math.Round(t/h)), steps-1)*m:][:m])
		}
		truth, err := hold.Run(sys, policy, q0, v0)
		if err != nil {
			return fmt.Errorf("report: %s: truth under inputs: %w", t.Name, err)
		}
		tr := figures.Series{Name: "truth", X: ts}
		for k := range steps {
			tr.Y = append(tr.Y, truth[k*(2*n+m)])
		}
		charts[s].Series = append(charts[s].Series, tr)
	}
	ig, err := ode.New("rk4", ode.Options{})
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	for _, r := range runs {
		st := r.State()
		if st == nil {
			continue
		}
		_, x, err := experiment.RolloutInputs(st, ig, x0, "test starts", u, "inputs", ts[steps-1], steps)
		if err != nil {
			return fmt.Errorf("report: %s %s: rollout under inputs: %w", t.Name, r.Spec.Model.Kind, err)
		}
		for s := range starts {
			sr := figures.Series{Name: r.Spec.Model.Kind, X: ts}
			for k := range steps {
				sr.Y = append(sr.Y, x.Data[(s*steps+k)*d])
			}
			charts[s].Series = append(charts[s].Series, sr)
		}
	}
	if err := figures.Row(out.Path(t.Name, figInputs), nil, charts); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}
