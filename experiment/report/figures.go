package report

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"sync"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/experiment"
	"github.com/hnn-go/hnn/experiment/reproduce"
	"github.com/hnn-go/hnn/figures"
	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/systems"
	"github.com/hnn-go/hnn/task"
)

// A FigureKind is one kind of figure the report draws for a task: the end
// of its file name after the task's (Suffix), and the title of the report
// section that links it (Section: FiguresSection, LossSection, or "" for
// a file the report does not show, an animation).
type FigureKind struct{ Suffix, Section string }

// The report sections that link figures.
const (
	FiguresSection = "Figures"
	LossSection    = "Loss curves"
)

// The report sections that link figures, in their order.
var figureSections = []struct{ title, text string }{
	{FiguresSection, ""},
	{LossSection, "Seed 0's training log: the loss of the minibatch of every log interval's last step (train) and the loss on the whole test set after it (test)."},
}

// The kinds of figures of the state-space kinds.
var (
	figTable1      = FigureKind{"-figure2.png", FiguresSection}
	figOrbits      = FigureKind{"-orbits.png", FiguresSection}
	figRollout     = FigureKind{"-rollout.png", FiguresSection}
	figDissipative = FigureKind{"-dhnn.png", FiguresSection}
	figLongHorizon = FigureKind{"-long-horizon.png", FiguresSection}
	figHorizon     = FigureKind{"-horizon.png", FiguresSection}
	figLoss        = FigureKind{"-loss.png", LossSection}
)

// FigureDir is the directory figures are written to, with the list of
// those written.
type FigureDir struct {
	dir     string
	written []reproduce.Figure
}

// Path returns the path of the figure of kind k for task tn and records
// it as written.
func (d *FigureDir) Path(tn string, k FigureKind) string {
	f := tn + k.Suffix
	d.written = append(d.written, reproduce.Figure{Task: tn, File: f, Section: k.Section})
	return filepath.Join(d.dir, f)
}

// writeLossFigure draws the training logs of seed 0's runs on task tn (if
// they have one): the batch loss and the test loss against the step, one
// curve per model, on log scales of the loss.
func writeLossFigure(out *FigureDir, tn string, seed0 []*experiment.Run) error {
	train := figures.LineChart{Title: "Train loss (batch)", XLabel: "step", YLabel: "loss", LogY: true}
	test := figures.LineChart{Title: "Test loss", XLabel: "step", YLabel: "loss", LogY: true}
	for _, r := range seed0 {
		h := r.Metrics.History
		if h == nil || len(h.Log) == 0 {
			continue
		}
		tr, te := figures.Series{Name: r.Spec.Label()}, figures.Series{Name: r.Spec.Label()}
		for _, pt := range h.Log {
			tr.X, tr.Y = append(tr.X, float64(pt.Step)), append(tr.Y, pt.Train)
			te.X, te.Y = append(te.X, float64(pt.Step)), append(te.Y, pt.Test)
		}
		train.Series, test.Series = append(train.Series, tr), append(test.Series, te)
	}
	if len(train.Series) == 0 {
		return nil
	}
	if err := figures.Row(out.Path(tn, figLoss), nil, []figures.LineChart{train, test}); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// FigureFunc draws the figures of task t from its seed-0 runs, with the
// energy truth e of its runs (nil if none).
type FigureFunc func(out *FigureDir, t *task.Task, seed0 []*experiment.Run, e *experiment.EnergyTruth) error

var figureFuncs = map[task.Kind]FigureFunc{}

// RegisterFigures makes f draw the figures of the tasks of kind name. It
// panics if name has figures; call it from init.
func RegisterFigures(name task.Kind, f FigureFunc) {
	if _, ok := figureFuncs[name]; ok {
		panic("report: figures of task kind " + string(name) + " registered twice")
	}
	figureFuncs[name] = f
}

// The figures of the state-space kinds: the dissipative figures, then
// Figure 2 or the N-body orbits of a system task, and the rollouts and
// the error against the rollout horizon of a measured one.
func init() {
	RegisterFigures(task.KindSystem, func(out *FigureDir, t *task.Task, seed0 []*experiment.Run, e *experiment.EnergyTruth) error {
		if err := writeDissipativeFigures(out, t, seed0); err != nil {
			return err
		}
		return writeSystemFigures(out, t, seed0, e)
	})
	RegisterFigures(task.KindDriven, func(out *FigureDir, t *task.Task, seed0 []*experiment.Run, _ *experiment.EnergyTruth) error {
		if err := writeMechanicsFigure(out, t, seed0); err != nil {
			return err
		}
		if err := writeInputsFigure(out, t, seed0); err != nil {
			return err
		}
		return writePredictionFigure(out, t, seed0)
	})
	RegisterFigures(task.KindMeasured, func(out *FigureDir, t *task.Task, seed0 []*experiment.Run, _ *experiment.EnergyTruth) error {
		if err := writeDissipativeFigures(out, t, seed0); err != nil {
			return err
		}
		if err := writeSegmentFigure(out, t, seed0); err != nil {
			return err
		}
		return writeHorizonFigure(out, t, seed0)
	})
}

// writeFigures draws the figures of every task from seed 0's models: the
// loss curves, those registered for the task's kind (RegisterFigures) and
// the long-horizon curves, if res has them. Tasks are drawn concurrently,
// up to GOMAXPROCS at a time (their figures are separate files of separate
// models); out lists the figures in the tasks' order and the error
// returned is that of the first failing task.
func writeFigures(out *FigureDir, res *reproduce.Results) error {
	outs := make([]FigureDir, len(res.Order))
	errs := make([]error, len(res.Order))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, tn := range res.Order {
		outs[i].dir = out.dir
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			errs[i] = writeTaskFigures(&outs[i], res, tn)
		})
	}
	wg.Wait()
	for i := range outs {
		out.written = append(out.written, outs[i].written...)
		if errs[i] != nil {
			return errs[i]
		}
	}
	return nil
}

// writeTaskFigures draws the figures of task tn for writeFigures.
func writeTaskFigures(out *FigureDir, res *reproduce.Results, tn string) error {
	t, err := task.Get(tn)
	if err != nil {
		return err
	}
	seed0 := seed0Runs(res, res.Runs, tn)
	if err := writeLossFigure(out, tn, seed0); err != nil {
		return err
	}
	if f, ok := figureFuncs[t.Kind]; ok {
		if err := f(out, t, seed0, res.Truths[tn]); err != nil {
			return err
		}
	}
	if lt := res.Long.Truth(tn); lt != nil {
		if err := writeLongHorizonFigure(out, tn, lt, res.Models, res.Long.Curves[tn]); err != nil {
			return err
		}
	}
	return nil
}

// writeDissipativeFigures draws the dissipative figure of every seed-0
// run whose model splits its field into conservative and dissipative
// parts (see writeDissipativeFigure).
func writeDissipativeFigures(out *FigureDir, t *task.Task, seed0 []*experiment.Run) error {
	for _, r := range seed0 {
		if m := r.State(); m != nil && m.Parts() != nil {
			if err := writeDissipativeFigure(out, t, r); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeSystemFigures draws, for an N-body task, the orbit figure of
// writeOrbitFigure, and for a 2-D task with a true energy, the paper's
// Figure 2 from seed 0's models: the data with the true field and energy
// contours, each model's learned field with a rollout beside the true one
// (the HNN panel with its learned energy's contours), and the true energy
// along the rollouts over the energy protocol's horizon (the truth e). A
// task without a truth or of another dimension has none.
func writeSystemFigures(out *FigureDir, t *task.Task, seed0 []*experiment.Run, e *experiment.EnergyTruth) error {
	tn := t.Name
	nb, orbits := t.System.(systems.NBody)
	if t.System == nil || (t.Dim != 2 && !orbits) || e == nil {
		return nil
	}
	if orbits {
		return writeOrbitFigure(out, tn, nb, t.Bounds, e, seed0)
	}
	ds, err := experiment.Dataset(seed0[0].Spec)
	if err != nil {
		return err
	}
	bnd := t.Bounds
	sys := t.System
	// Draw the protocol start of median energy; phase paths cover the
	// first fifth of the horizon, the energy chart all of it.
	start := medianStart(sys.Energy, e.X0, e.Protocol.Starts)
	truth := e.States[start*e.Protocol.Points*2 : (start+1)*e.Protocol.Points*2]
	shown := max(2, e.Protocol.Points/5)
	truePath := figures.Series{Name: "true"}
	for j := range shown {
		truePath.X = append(truePath.X, truth[j*2])
		truePath.Y = append(truePath.Y, truth[j*2+1])
	}
	pts := figures.Series{Name: "train data (noisy)"}
	for i := 0; i < ds.Train.Len(); i++ {
		x, _ := ds.Train.Row(i)
		pts.X, pts.Y = append(pts.X, x[0]), append(pts.Y, x[1])
	}
	panels := []figures.Panel{{
		Title: "Data", XMin: bnd[0], XMax: bnd[1], YMin: bnd[2], YMax: bnd[3],
		Field: sys.Field, Energy: sys.Energy, Points: []figures.Series{pts},
	}}
	chart := figures.LineChart{Title: "Total energy (true H)", XLabel: "time", YLabel: "H"}
	energyOf := func(name string, states []float64) figures.Series {
		s := figures.Series{Name: name}
		for j := range e.Protocol.Points {
			s.X = append(s.X, e.Times[j])
			s.Y = append(s.Y, sys.Energy(states[j*2:j*2+2]))
		}
		return s
	}
	chart.Series = append(chart.Series, energyOf("true", truth))
	for _, r := range seed0 {
		pred, err := energyRollout(e, r, start)
		if err != nil {
			return fmt.Errorf("report: figure rollout for %s %s: %w", tn, r.Spec.Model.Kind, err)
		}
		path := figures.Series{Name: r.Spec.Model.Kind}
		for j := range shown {
			path.X, path.Y = append(path.X, pred[j*2]), append(path.Y, pred[j*2+1])
		}
		field := r.State().FieldFunc()()
		panels = append(panels, figures.Panel{
			Title: ModelTitle(r.Spec.Model.Kind), XMin: bnd[0], XMax: bnd[1], YMin: bnd[2], YMax: bnd[3],
			Field:  func(dst, x []float64) { field(dst, 0, x) },
			Energy: r.State().Energy(),
			Paths:  []figures.Series{truePath, path},
		})
		chart.Series = append(chart.Series, energyOf(r.Spec.Model.Kind, pred))
	}
	if err := figures.Row(out.Path(tn, figTable1), panels, []figures.LineChart{chart}); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// energyRollout returns r's rollout of the energy protocol's start i: the
// one r's scoring kept, or, for a run loaded with its metrics, the same
// values rolled out again.
func energyRollout(e *experiment.EnergyTruth, r *experiment.Run, i int) ([]float64, error) {
	n := e.Protocol.Points * e.System.Dim()
	if len(r.EnergyRollouts) == e.Protocol.Starts*n {
		return r.EnergyRollouts[i*n : (i+1)*n], nil
	}
	return e.Rollout(r.State(), i)
}

// medianStart returns the index of the start whose energy is the median
// of the n starts in x0 (rows of two values).
func medianStart(energy func([]float64) float64, x0 []float64, n int) int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return energy(x0[idx[a]*2:idx[a]*2+2]) < energy(x0[idx[b]*2:idx[b]*2+2]) })
	return idx[n/2]
}

// ModelTitle returns the title of a model kind in figures: the kind's
// registered title, or the name itself for a kind not registered.
func ModelTitle(kind string) string {
	if k, err := model.Lookup(kind); err == nil {
		return k.Title
	}
	return kind
}

// writeSegmentFigure draws, for a task on measured data, the first test
// segment and every model's rollout from its first row in the (q, p) plane
// of the first pair of variables, and the energy along them when the task
// has one (else q over time). It writes dir/<task>-rollout.png.
func writeSegmentFigure(out *FigureDir, t *task.Task, runs []*experiment.Run) error {
	segs, err := t.Segments()
	if err != nil || len(segs) == 0 || len(runs) == 0 {
		return err
	}
	sg := segs[0]
	d := len(sg.X) / len(sg.T)
	n := d / 2
	ts := make([]float64, len(sg.T))
	for k, v := range sg.T {
		ts[k] = v - sg.T[0]
	}
	phase := func(name string, x []float64) figures.Series {
		s := figures.Series{Name: name}
		for k := range ts {
			s.X = append(s.X, x[k*d])
			s.Y = append(s.Y, x[k*d+n])
		}
		return s
	}
	over := func(name string, x []float64) figures.Series {
		s := figures.Series{Name: name, X: ts}
		for k := range ts {
			if t.System != nil {
				s.Y = append(s.Y, t.System.Energy(x[k*d:(k+1)*d]))
			} else {
				s.Y = append(s.Y, x[k*d])
			}
		}
		return s
	}
	chart := figures.LineChart{Title: "q along the test segment", XLabel: "time", YLabel: "q"}
	if t.System != nil {
		chart = figures.LineChart{Title: "Energy along the test segment", XLabel: "time", YLabel: "H"}
	}
	b := t.Bounds
	panel := figures.Panel{Title: "Test segment and rollouts", XMin: b[0], XMax: b[1], YMin: b[2], YMax: b[3]}
	panel.Paths = append(panel.Paths, phase("data", sg.X))
	chart.Series = append(chart.Series, over("data", sg.X))
	for _, r := range runs {
		rolls, err := experiment.RolloutSegments(r.State(), experiment.SegmentIntegrator(r.Spec), segs[:1], nil)
		if err != nil {
			return fmt.Errorf("report: %s %s: figure rollout: %w", t.Name, r.Spec.Model.Kind, err)
		}
		panel.Paths = append(panel.Paths, phase(r.Spec.Model.Kind, rolls[0]))
		chart.Series = append(chart.Series, over(r.Spec.Model.Kind, rolls[0]))
	}
	if err := figures.Row(out.Path(t.Name, figRollout), []figures.Panel{panel}, []figures.LineChart{chart}); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// writePredictionFigure draws, for a driven task with prediction
// trajectories, seed 0's models rolled out from the first test start with
// zero input as its prediction error rolls them out (experiment.Predict):
// their paths in the plane of the first position and its velocity or
// momentum beside the truth's, and the system's exact energy along them.
// It writes dir/<task>-rollout.png.
func writePredictionFigure(out *FigureDir, t *task.Task, runs []*experiment.Run) error {
	if t.Prediction == nil || t.Driven == nil || len(runs) == 0 {
		return nil
	}
	all, steps, err := predictionSet(t, runs)
	if err != nil {
		return err
	}
	d := all.Dim
	first := data.Set{Dim: d, X: all.X[:steps*d], T: all.T[:steps], Traj: all.Traj[:steps], Layout: all.Layout}
	energy, err := experiment.DrivenEnergy(t.Driven, first.Layout, d)
	if err != nil {
		return fmt.Errorf("report: %s: %w", t.Name, err)
	}
	n := t.Driven.Coords()
	phase := func(name string, x []float64) figures.Series {
		s := figures.Series{Name: name}
		for k := range steps {
			s.X = append(s.X, x[k*d])
			s.Y = append(s.Y, x[k*d+n])
		}
		return s
	}
	over := func(name string, x []float64) figures.Series {
		s := figures.Series{Name: name, X: first.T}
		for k := range steps {
			s.Y = append(s.Y, energy(x[k*d:(k+1)*d]))
		}
		return s
	}
	b := t.Bounds
	l, err := first.Layout.Resolve(d)
	if err != nil {
		return fmt.Errorf("report: %s: %w", t.Name, err)
	}
	names := l.ColumnNames()
	panel := figures.Panel{Title: "First test start, zero input", XLabel: names[0], YLabel: names[n],
		XMin: b[0], XMax: b[1], YMin: b[2], YMax: b[3]}
	chart := figures.LineChart{Title: "Exact energy along the prediction", XLabel: "time", YLabel: "E"}
	panel.Paths = append(panel.Paths, phase("truth", first.X))
	chart.Series = append(chart.Series, over("truth", first.X))
	for _, r := range runs {
		_, pred, err := experiment.Predict(r.State(), &first)
		if err != nil {
			return fmt.Errorf("report: %s %s: figure rollout: %w", t.Name, r.Spec.Model.Kind, err)
		}
		panel.Paths = append(panel.Paths, phase(r.Spec.Model.Kind, pred))
		chart.Series = append(chart.Series, over(r.Spec.Model.Kind, pred))
	}
	if err := figures.Row(out.Path(t.Name, figRollout), []figures.Panel{panel}, []figures.LineChart{chart}); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// partsSystem is a system whose field splits into a conservative and a
// dissipative part (systems.DampedSpring).
type partsSystem interface {
	Parts(cons, diss, x []float64)
	Dissipation(x []float64) float64
}

// writeDissipativeFigure draws, for a 2-D task with a dissipative model
// (seed 0's run r), the learned H with its conservative field J grad H
// and the learned D with its dissipative field grad D, as contour maps
// with arrows, beside the true ones when the task's system has them. It
// writes dir/<task>-dhnn.png.
func writeDissipativeFigure(out *FigureDir, t *task.Task, r *experiment.Run) error {
	parts := r.State().Parts()
	h, dd := r.State().Energy(), r.State().Dissipation()
	if parts == nil || h == nil || dd == nil || t.Dim != 2 {
		return nil
	}
	b := t.Bounds
	panel := func(title string, f func(dst, x []float64), e func([]float64) float64) figures.Panel {
		return figures.Panel{Title: title, XMin: b[0], XMax: b[1], YMin: b[2], YMax: b[3], Field: f, Energy: e}
	}
	tmp := make([]float64, 2)
	var panels []figures.Panel
	if ps, ok := t.System.(partsSystem); ok {
		panels = append(panels,
			panel("True H and J grad H", func(dst, x []float64) { ps.Parts(dst, tmp, x) }, t.System.Energy),
			panel("True D and grad D", func(dst, x []float64) { ps.Parts(tmp, dst, x) }, ps.Dissipation))
	}
	panels = append(panels,
		panel("Learned H and J grad H", func(dst, x []float64) { parts(dst, tmp, x) }, h),
		panel("Learned D and grad D", func(dst, x []float64) { parts(tmp, dst, x) }, dd))
	if err := figures.PhasePortraits(out.Path(t.Name, figDissipative), panels); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// seed0Runs returns seed 0's run of every model on task tn, in the order of
// res.Models: the runs the figures draw.
func seed0Runs(res *reproduce.Results, runs []*experiment.Run, tn string) []*experiment.Run {
	var out []*experiment.Run
	for _, mk := range res.Models {
		for _, r := range runs {
			if r.Spec.Task == tn && r.Spec.Label() == mk && r.Spec.Seed == 0 {
				out = append(out, r)
			}
		}
	}
	return out
}

// FitLabel names a run in figures by its model kind and fit: "separable
// rollout/leapfrog/K=10+starts", "hnn derivative".
func FitLabel(s experiment.Spec) string {
	fc := s.Fit.WithDefaults()
	l := s.Model.Kind + " " + fc.Mode
	if fc.Integrator != "" {
		l += fmt.Sprintf("/%s/K=%d", fc.Integrator, fc.Horizon)
	}
	if fc.FitStarts {
		l += "+starts"
	}
	return l
}

// writeHorizonFigure draws the prediction error against the rollout
// horizon of seed 0's runs on the measured task t, one curve per model and
// fit (FitLabel), if they have rollout curves.
func writeHorizonFigure(out *FigureDir, t *task.Task, seed0 []*experiment.Run) error {
	if !slices.ContainsFunc(seed0, func(r *experiment.Run) bool { return len(r.Metrics.RolloutCurve) > 0 }) {
		return nil
	}
	return WriteHorizonFigure(out.Path(t.Name, figHorizon), t.Title+": error against rollout horizon", seed0, func(r *experiment.Run) string { return FitLabel(r.Spec) })
}

// WriteHorizonFigure draws the prediction error against the rollout
// horizon (experiment.Metrics.RolloutCurve, log scale) of every run in runs, one
// curve each named by label(run), to path (.png or .svg). It returns an
// error if no run has a curve (runs on measured segments have one).
func WriteHorizonFigure(path, title string, runs []*experiment.Run, label func(*experiment.Run) string) error {
	c := figures.LineChart{Title: title, XLabel: "rollout step", YLabel: "squared state error", LogY: true}
	for _, r := range runs {
		if len(r.Metrics.RolloutCurve) == 0 {
			continue
		}
		s := figures.Series{Name: label(r)}
		for k, v := range r.Metrics.RolloutCurve {
			s.X, s.Y = append(s.X, float64(k)), append(s.Y, v)
		}
		c.Series = append(c.Series, s)
	}
	if len(c.Series) == 0 {
		return fmt.Errorf("report: %s: no run has a rollout curve (runs on measured segments have one)", path)
	}
	if err := figures.Lines(path, c); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// predictionSet returns the prediction truth of t from the data stream of
// the first run's seed (the run's own test starts) and the number of
// samples of its first trajectory.
func predictionSet(t *task.Task, runs []*experiment.Run) (*data.Set, int, error) {
	all, err := t.Prediction(rand.New(rand.NewPCG(runs[0].Spec.Seed, experiment.StreamData)))
	if err != nil {
		return nil, 0, fmt.Errorf("report: %s: %w", t.Name, err)
	}
	steps := 1
	for steps < all.Len() && all.Traj[steps] == all.Traj[0] {
		steps++
	}
	return all, steps, nil
}
