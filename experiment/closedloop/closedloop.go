package closedloop

import (
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/hnn-go/hnn/control"
	"github.com/hnn-go/hnn/experiment"
	"github.com/hnn-go/hnn/figures"
	"github.com/hnn-go/hnn/task"
)

// The files Write makes in its directory.
const (
	JSONFile   = "control.json"
	FigureFile = "control.png"
	GIFFile    = "control.gif"
)

// TrueLaw is the name of the law built from the true system.
const TrueLaw = "true"

// Options change a protocol's settings; unset ones keep the protocol's.
type Options struct {
	// Kd is the damping gain.
	Kd experiment.Setting[float64]
	// Duration is the length of the run in seconds, rounded to a whole
	// number of steps.
	Duration experiment.Setting[float64]
	// Step is the time between inputs (the zero-order hold's step).
	Step experiment.Setting[float64]
	// Clip bounds every input's magnitude; 0 means no bound.
	Clip experiment.Setting[float64]
	// Damp, if not empty, says what the damping acts on: "velocity"
	// (-Kd q-dot, SymODEN's pendulum) or "momentum" (-Kd M(q) q-dot).
	Damp string
}

// apply returns p with o's settings, or an error naming the first bad
// value.
func (o Options) apply(p control.Protocol) (control.Protocol, error) {
	bad := func(name string, v float64, want string) error {
		return fmt.Errorf("closedloop: -%s %v, want %s", name, v, want)
	}
	fin := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	if v, ok := o.Kd.Get(); ok {
		if !fin(v) || v < 0 {
			return p, bad("k-d", v, "a non-negative number")
		}
		p.Kd = v
	}
	switch o.Damp {
	case "":
	case "velocity", "momentum":
		p.Momentum = o.Damp == "momentum"
	default:
		return p, fmt.Errorf("closedloop: -damp %q, want velocity or momentum", o.Damp)
	}
	if v, ok := o.Clip.Get(); ok {
		if !fin(v) || v < 0 {
			return p, bad("clip", v, "a non-negative number (0: no bound)")
		}
		p.Hold.Clip = v
	}
	dur := p.Duration()
	if v, ok := o.Duration.Get(); ok {
		if !fin(v) || !(v > 0) {
			return p, bad("duration", v, "a positive number of seconds")
		}
		dur = v
	}
	if v, ok := o.Step.Get(); ok {
		if !fin(v) || !(v > 0) {
			return p, bad("dt", v, "a positive number of seconds")
		}
		p.Hold.Step = v
	}
	steps := math.Round(dur / p.Hold.Step)
	if steps < 1 || steps > 1e6 {
		return p, fmt.Errorf("closedloop: duration %v s at steps of %v s is %v steps, want 1 to 1000000", dur, p.Hold.Step, steps)
	}
	p.Hold.Steps = int(steps)
	if err := p.Validate(); err != nil {
		return p, err
	}
	return p, nil
}

// Law is one law's run.
type Law struct {
	// Name is the model kind the law was built from, or TrueLaw.
	Name string `json:"name"`
	*control.Result
}

// Settings are the protocol's settings as run.
type Settings struct {
	Q0     []float64 `json:"q0"`
	QDot0  []float64 `json:"qdot0"`
	Target []float64 `json:"target"`
	Kd     float64   `json:"k_d"`
	Damp   string    `json:"damp"`
	Kp     []float64 `json:"k_p,omitempty"`
	Step   float64   `json:"dt"`
	Steps  int       `json:"steps"`
	Clip   float64   `json:"clip"`
	Tol    float64   `json:"tolerance"`
	Settle float64   `json:"settle"`
	Source string    `json:"source"`
}

// Report is a closed-loop comparison: the law built from a run's model
// (if any) and from the true system, on the same protocol.
type Report struct {
	// Run, Task, Model and Seed describe the run the learned law comes
	// from; empty for a report of the true law alone.
	Run    string `json:"run,omitempty"`
	Task   string `json:"task,omitempty"`
	Model  string `json:"model,omitempty"`
	Seed   uint64 `json:"seed"`
	System string `json:"system"`
	// Settings are the protocol's.
	Settings Settings `json:"settings"`
	// Laws holds the learned law's run first (if any), then the true one.
	Laws []Law `json:"laws"`

	p control.Protocol
}

func newReport(p control.Protocol) *Report {
	damp := "velocity"
	if p.Momentum {
		damp = "momentum"
	}
	return &Report{System: p.System.Name(), p: p, Settings: Settings{Damp: damp,
		Q0: p.Q0, QDot0: p.QDot0, Target: p.Target, Kd: p.Kd, Kp: p.Kp,
		Step: p.Hold.Step, Steps: p.Hold.Steps, Clip: p.Hold.Clip, Tol: p.Tol, Settle: p.Settle, Source: p.Source,
	}}
}

// runLaw runs the law built from s and appends it to r.
func (r *Report) runLaw(name string, s control.Structure) error {
	law, err := r.p.Law(s)
	if err != nil {
		return err
	}
	res, err := r.p.Run(law)
	if err != nil {
		return fmt.Errorf("closedloop: %s law: %w", name, err)
	}
	r.Laws = append(r.Laws, Law{Name: name, Result: res})
	return nil
}

// FromRun loads the run in dir and runs the law built from its model on
// the true system of its task, then the law built from the true system.
// It returns an error if the run cannot be loaded, its task has no driven
// system or no control protocol for it, its model has no learned V and g
// (experiment.Structure), an option is bad, or a run fails.
func FromRun(dir string, o Options) (*Report, error) {
	run, err := experiment.LoadModel(dir)
	if err != nil {
		return nil, err
	}
	t, err := experiment.TaskOf(run.Spec)
	if err != nil {
		return nil, err
	}
	if t.Driven == nil {
		return nil, fmt.Errorf("closedloop: %s: task %s has no driven system to control (tasks with one: %s)", dir, t.Name, strings.Join(drivenTasks(), ", "))
	}
	p, err := control.For(t.Driven)
	if err != nil {
		return nil, fmt.Errorf("closedloop: %s: task %s: %w", dir, t.Name, err)
	}
	if p, err = o.apply(p); err != nil {
		return nil, err
	}
	s, err := experiment.Structure(run)
	if err != nil {
		return nil, fmt.Errorf("closedloop: %s: %w", dir, err)
	}
	r := newReport(p)
	r.Run, r.Task, r.Model, r.Seed = dir, t.Name, run.Spec.Model.Kind, run.Spec.Seed
	if err := r.runLaw(r.Model, s); err != nil {
		return nil, fmt.Errorf("closedloop: %s: %w", dir, err)
	}
	if err := r.runLaw(TrueLaw, control.True(p.System)); err != nil {
		return nil, err
	}
	return r, nil
}

// FromSystem runs the law built from the true system named name alone
// (control.Names lists them).
func FromSystem(name string, o Options) (*Report, error) {
	p, err := control.Lookup(name)
	if err != nil {
		return nil, err
	}
	if p, err = o.apply(p); err != nil {
		return nil, err
	}
	r := newReport(p)
	if err := r.runLaw(TrueLaw, control.True(p.System)); err != nil {
		return nil, err
	}
	return r, nil
}

// Table writes one line per law: whether it reached the target, when it
// settled there, the largest input and the final distance.
func (r *Report) Table(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "law\tsystem\treached\tsettled from (s)\tmax |u|\tfinal error\n")
	for _, l := range r.Laws {
		settle := "never"
		if l.SettleTime != nil {
			settle = fmt.Sprintf("%.2f", *l.SettleTime)
		}
		reached := "no"
		switch {
		case l.Reached:
			reached = "yes"
		case l.StoppedAt != nil:
			reached = fmt.Sprintf("no: stopped at %.2f s (diverged)", *l.StoppedAt)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.3g\t%.3g\n", l.Name, r.System, reached, settle, l.MaxInput, l.FinalError)
	}
	return tw.Flush()
}

// Write writes control.json, control.png and control.gif into dir (which
// must exist), each atomically.
func (r *Report) Write(dir string) error {
	if err := experiment.WriteJSON(filepath.Join(dir, JSONFile), r); err != nil {
		return err
	}
	if err := r.figure(filepath.Join(dir, FigureFile)); err != nil {
		return err
	}
	return r.animation(filepath.Join(dir, GIFFile))
}

// figure draws q, q-dot and u against time for every law, with the
// target as a line on the q chart.
func (r *Report) figure(path string) error {
	n := r.p.System.Coords()
	m := r.p.System.Inputs()
	name := func(law string, i, of int) string {
		if of == 1 {
			return law
		}
		return fmt.Sprintf("%s %d", law, i+1)
	}
	charts := []figures.LineChart{
		{Title: r.System + ": positions q", XLabel: "t (s)", YLabel: "q"},
		{Title: "velocities q-dot", XLabel: "t (s)", YLabel: "q-dot"},
		{Title: "inputs u (held)", XLabel: "t (s)", YLabel: "u"},
	}
	for _, l := range r.Laws {
		col := func(rows [][]float64, i int) []float64 {
			c := make([]float64, len(rows))
			for k, row := range rows {
				c[k] = row[i]
			}
			return c
		}
		for i := range n {
			charts[0].Series = append(charts[0].Series, figures.Series{Name: name(l.Name, i, n), X: l.T, Y: col(l.Q, i)})
			charts[1].Series = append(charts[1].Series, figures.Series{Name: name(l.Name, i, n), X: l.T, Y: col(l.QDot, i)})
		}
		// The last row's input is not applied: draw the held steps.
		for i := range m {
			var s figures.Series
			s.Name = name(l.Name, i, m)
			for k := 0; k+1 < len(l.T); k++ {
				s.X = append(s.X, l.T[k], l.T[k+1])
				s.Y = append(s.Y, l.U[k][i], l.U[k][i])
			}
			charts[2].Series = append(charts[2].Series, s)
		}
	}
	if len(r.Laws) > 0 {
		t := r.times()
		for i := range n {
			charts[0].Series = append(charts[0].Series, figures.Series{Name: name("target", i, n),
				X: []float64{t[0], t[len(t)-1]}, Y: []float64{r.p.Target[i], r.p.Target[i]}})
		}
	}
	return figures.Row(path, nil, charts)
}

// animation draws every law's run side by side, every frame of the run
// when it has at most 100 steps and every k-th of longer ones (at most
// 101 frames, in real time), with the
// target configuration underneath.
func (r *Report) animation(path string) error {
	if r.p.Draw == nil || len(r.Laws) == 0 {
		return nil
	}
	rows := len(r.times())
	every := (rows + 99) / 101
	var panels []figures.Linkage
	for _, l := range r.Laws {
		pn := figures.Linkage{Name: l.Name, Target: r.p.Draw(r.p.Target), Cart: r.p.Cart}
		for k := 0; k < len(l.Q); k += every {
			pn.Frames = append(pn.Frames, r.p.Draw(l.Q[k]))
		}
		panels = append(panels, pn)
	}
	dt := r.p.Hold.Step * float64(every)
	delay := max(2, int(math.Round(100*dt)))
	return figures.LinkageGIF(path, panels, r.p.Bound, dt, delay)
}

// times returns the times of the longest run of r's laws (not empty): a
// law that stopped early has fewer rows than the others.
func (r *Report) times() []float64 {
	return slices.MaxFunc(r.Laws, func(a, b Law) int { return len(a.T) - len(b.T) }).T
}

// drivenTasks lists the tasks with a driven system.
func drivenTasks() []string {
	var s []string
	for _, n := range task.Names() {
		if t, err := task.Get(n); err == nil && t.Driven != nil {
			s = append(s, n)
		}
	}
	return s
}
