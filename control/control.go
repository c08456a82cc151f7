package control

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/systems"
)

// Structure is what the energy-shaping law needs of a model of a driven
// mechanical system with n coordinates and m inputs. Implementations may
// hold workspace: one value is used by one goroutine at a time.
type Structure interface {
	// Coords returns n.
	Coords() int
	// Inputs returns m.
	Inputs() int
	// PotentialGrad writes dV/dq at q into dst (n).
	PotentialGrad(dst, q []float64)
	// InputMatrix writes g(q), n x m row-major, into dst.
	InputMatrix(dst, q []float64)
	// Mass writes M(q), n x n row-major, into dst.
	Mass(dst, q []float64)
}

// True returns the structure of the true system sys: dV/dq = -sys.Force(q,
// 0) and g = sys.InputMatrix. The result holds workspace.
func True(sys systems.Driven) Structure {
	n := sys.Coords()
	return &trueStructure{sys: sys, zero: make([]float64, n), f: make([]float64, n)}
}

type trueStructure struct {
	sys     systems.Driven
	zero, f []float64
}

func (s *trueStructure) Coords() int { return s.sys.Coords() }
func (s *trueStructure) Inputs() int { return s.sys.Inputs() }
func (s *trueStructure) PotentialGrad(dst, q []float64) {
	s.sys.Force(s.f, q, s.zero)
	for i, v := range s.f {
		dst[i] = -v
	}
}
func (s *trueStructure) InputMatrix(dst, q []float64) { s.sys.InputMatrix(dst, q) }
func (s *trueStructure) Mass(dst, q []float64)        { s.sys.Mass(dst, q) }

// Protocol is one closed-loop experiment of the energy-shaping law on a
// true system.
type Protocol struct {
	// System is the true system the law drives.
	System systems.Driven
	// Q0 and QDot0 are the start.
	Q0, QDot0 []float64
	// Target is the configuration q* to reach: a maximum of V, which the
	// shaped potential makes a minimum.
	Target []float64
	// Kd is the damping gain; Kp, if not nil, the stiffness about Target
	// added to the shaped potential, one per coordinate.
	Kd float64
	Kp []float64
	// Momentum makes the damping act on the momenta, -Kd p with
	// p = M(q) q-dot from the model, instead of on the velocities,
	// -Kd q-dot. From positions and velocities a model learns V, g and M
	// only up to one common factor c (c V, c g and c M give the same
	// accelerations), which leaves g^-1 dV/dq and g^-1 p unchanged but
	// scales g^-1 q-dot by 1/c: damping on the momenta makes the law the
	// same for every such model.
	Momentum bool
	// Hold says how inputs are applied: every Hold.Step the law is asked,
	// its input clipped to Hold.Clip (zero: no bound) and held.
	Hold systems.ZeroOrderHold
	// Tol is the distance of every coordinate from Target (angles modulo
	// 2 pi) within which the system counts as at the target, and Settle
	// the time at the end of the run it must stay there to have reached
	// it.
	Tol, Settle float64
	// Draw, if not nil, returns the points of the system's drawing at q
	// (world units, x then y of each; the first is the pivot or cart),
	// for animations; Cart says the first point is a cart.
	Draw func(q []float64) []float64
	Cart bool
	// Bound is the half-width of the world an animation shows.
	Bound float64
	// Source names where the protocol comes from.
	Source string
}

var registry = map[string]Protocol{}

// Register adds p under p.System's name. It panics if the name is taken
// or p is inconsistent (lengths of the start, target and gains); call it
// from init.
func Register(p Protocol) {
	name := p.System.Name()
	if _, ok := registry[name]; ok {
		panic("control: duplicate protocol " + name)
	}
	n := p.System.Coords()
	if len(p.Q0) != n || len(p.QDot0) != n || len(p.Target) != n || (p.Kp != nil && len(p.Kp) != n) {
		panic("control: protocol " + name + ": lengths do not match the system's coordinates")
	}
	registry[name] = p
}

// Names returns the names of the systems with a protocol, sorted.
func Names() []string {
	var s []string
	for n := range registry {
		s = append(s, n)
	}
	sort.Strings(s)
	return s
}

// For returns the protocol of the system named like sys, or an error
// saying why there is none: a system with fewer inputs than coordinates
// cannot take the law.
func For(sys systems.Driven) (Protocol, error) {
	if p, ok := registry[sys.Name()]; ok {
		return p, nil
	}
	if m, n := sys.Inputs(), sys.Coords(); m < n {
		return Protocol{}, fmt.Errorf("control: %s has %d input(s) for %d coordinates; the energy-shaping law u = g^T (g g^T)^-1 (...) needs one per coordinate (systems with a protocol: %s)",
			sys.Name(), m, n, strings.Join(Names(), ", "))
	}
	return Protocol{}, fmt.Errorf("control: %s has no control protocol (systems with one: %s)", sys.Name(), strings.Join(Names(), ", "))
}

// Validate returns an error naming the first bad setting of p: a gain,
// tolerance or settle time that is negative or not finite, a settle time
// not shorter than the run, or a bad hold (see systems.ZeroOrderHold.Run).
func (p Protocol) Validate() error {
	fin := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) && v >= 0 }
	switch {
	case !fin(p.Kd):
		return fmt.Errorf("control: damping gain %v, want a non-negative number", p.Kd)
	case !(p.Tol > 0) || !fin(p.Tol):
		return fmt.Errorf("control: tolerance %v, want a positive number", p.Tol)
	case !fin(p.Settle):
		return fmt.Errorf("control: settle time %v, want a non-negative number", p.Settle)
	case !(p.Hold.Step > 0) || math.IsInf(p.Hold.Step, 0):
		return fmt.Errorf("control: step %v, want a positive number", p.Hold.Step)
	case p.Hold.Steps < 1 || p.Hold.Steps > maxSteps:
		return fmt.Errorf("control: %d steps, want 1 to %d", p.Hold.Steps, maxSteps)
	case !fin(p.Hold.Clip):
		return fmt.Errorf("control: clip %v, want a non-negative number (0: none)", p.Hold.Clip)
	case p.Settle >= p.Duration():
		return fmt.Errorf("control: duration %v s, want more than the %v s the system must hold the target", p.Duration(), p.Settle)
	}
	for _, k := range p.Kp {
		if !fin(k) {
			return fmt.Errorf("control: stiffness %v, want non-negative numbers", p.Kp)
		}
	}
	return nil
}

// maxSteps bounds the steps of a run: a million.
const maxSteps = 1_000_000

// Duration returns the length of a run, Hold.Steps Hold.Step.
func (p Protocol) Duration() float64 { return float64(p.Hold.Steps) * p.Hold.Step }

// Law returns the energy-shaping law of p built from s,
//
//	u = g^T (g g^T)^-1 (2 dV/dq - Kp (q - q*) - Kd q-dot),
//
// (with Momentum, Kd M(q) q-dot in place of Kd q-dot) with dV/dq, g and M
// from s and q - q* wrapped into [-pi, pi) on angles. It
// returns an error if s does not have the system's coordinates or an
// input on each. Where g g^T is singular the law's input is NaN, which
// ZeroOrderHold.Run reports. The policy holds workspace and s: one
// goroutine at a time.
func (p Protocol) Law(s Structure) (systems.Policy, error) {
	n := p.System.Coords()
	if s.Coords() != n {
		return nil, fmt.Errorf("control: the model has %d coordinates, %s has %d", s.Coords(), p.System.Name(), n)
	}
	if m := s.Inputs(); m != n {
		return nil, fmt.Errorf("control: the model has %d input(s) for %d coordinates; the energy-shaping law needs one per coordinate", m, n)
	}
	angles := p.System.Angles()
	dv, g, gg, r := make([]float64, n), make([]float64, n*n), make([]float64, n*n), make([]float64, n)
	mass, damp := make([]float64, n*n), make([]float64, n)
	return func(u, q, qdot []float64, _ float64) {
		s.PotentialGrad(dv, q)
		s.InputMatrix(g, q)
		copy(damp, qdot)
		if p.Momentum {
			s.Mass(mass, q)
			for i := range n {
				var v float64
				for j := range n {
					v += mass[i*n+j] * qdot[j]
				}
				damp[i] = v
			}
		}
		for i := range n {
			e := q[i] - p.Target[i]
			if angles[i] {
				e = data.WrapAngle(e)
			}
			r[i] = 2*dv[i] - p.Kd*damp[i]
			if p.Kp != nil {
				r[i] -= p.Kp[i] * e
			}
		}
		// u = g^T y with (g g^T) y = r.
		for i := range n {
			for j := range n {
				var v float64
				for k := range n {
					v += g[i*n+k] * g[j*n+k]
				}
				gg[i*n+j] = v
			}
		}
		solve(gg, r, n)
		for k := range n {
			var v float64
			for i := range n {
				v += g[i*n+k] * r[i]
			}
			u[k] = v
		}
	}, nil
}

// solve overwrites b with a^-1 b by Gaussian elimination with partial
// pivoting, destroying a (n x n); a singular a gives NaN.
func solve(a, b []float64, n int) {
	for c := range n {
		piv := c
		for r := c + 1; r < n; r++ {
			if math.Abs(a[r*n+c]) > math.Abs(a[piv*n+c]) {
				piv = r
			}
		}
		if a[piv*n+c] == 0 {
			for i := range b {
				b[i] = math.NaN()
			}
			return
		}
		if piv != c {
			for k := range n {
				a[c*n+k], a[piv*n+k] = a[piv*n+k], a[c*n+k]
			}
			b[c], b[piv] = b[piv], b[c]
		}
		for r := c + 1; r < n; r++ {
			f := a[r*n+c] / a[c*n+c]
			for k := c; k < n; k++ {
				a[r*n+k] -= f * a[c*n+k]
			}
			b[r] -= f * b[c]
		}
	}
	for c := n - 1; c >= 0; c-- {
		v := b[c]
		for k := c + 1; k < n; k++ {
			v -= a[c*n+k] * b[k]
		}
		b[c] = v / a[c*n+c]
	}
}

// Result is one closed-loop run.
type Result struct {
	// T holds the times of the rows, 0 to the duration at the hold step.
	T []float64 `json:"t"`
	// Q, QDot and U hold the positions, velocities and the clipped
	// inputs held from each time to the next (the last row's input is
	// the law's at the end, not applied), one row per time.
	Q    [][]float64 `json:"q"`
	QDot [][]float64 `json:"qdot"`
	U    [][]float64 `json:"u"`
	// Reached says whether the system stayed within the tolerance of the
	// target for the last Settle seconds.
	Reached bool `json:"reached"`
	// SettleTime is the first time from which the system stays within the
	// tolerance to the end, or nil if it is not there at the end.
	SettleTime *float64 `json:"settle_time"`
	// MaxInput is the largest |u| applied.
	MaxInput float64 `json:"max_abs_u"`
	// FinalError is the largest distance of a coordinate from the target
	// at the end (angles modulo 2 pi).
	FinalError float64 `json:"final_error"`
	// StoppedAt, if not nil, is the time at which the run stopped before
	// its end because the closed loop could not go on (the law gave an
	// input that is not finite, or the true system under it could not be
	// integrated: the loop diverged); the rows end there, Reached is
	// false and Stop says why in one line.
	StoppedAt *float64 `json:"stopped_at,omitempty"`
	Stop      string   `json:"stop,omitempty"`
}

// Run drives p's true system from p's start with law and scores the run.
// A closed loop that stops early (a law input that is not finite, an
// integration that fails: the loop diverged) is a result with StoppedAt
// set, scored on its rows until then. It returns an error if p is invalid
// or the law's first input is not finite.
func (p Protocol) Run(law systems.Policy) (*Result, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	traj, err := p.Hold.Run(p.System, law, p.Q0, p.QDot0)
	var stop *systems.LoopError
	switch {
	case errors.As(err, &stop) && len(traj) > 0:
		r := p.score(traj)
		r.StoppedAt, r.Stop, r.Reached = &stop.T, stop.Error(), false
		return r, nil
	case err != nil:
		return nil, err
	}
	return p.score(traj), nil
}

// score turns the rows (q, q-dot, u) of a hold run into a Result.
func (p Protocol) score(traj []float64) *Result {
	n, m := p.System.Coords(), p.System.Inputs()
	d := 2*n + m
	rows := len(traj) / d
	angles := p.System.Angles()
	r := &Result{}
	settle := -1
	for k := range rows {
		z := traj[k*d : (k+1)*d]
		r.T = append(r.T, float64(k)*p.Hold.Step)
		r.Q = append(r.Q, slices.Clone(z[:n]))
		r.QDot = append(r.QDot, slices.Clone(z[n:2*n]))
		r.U = append(r.U, slices.Clone(z[2*n:]))
		if k < rows-1 {
			for _, u := range z[2*n:] {
				r.MaxInput = max(r.MaxInput, math.Abs(u))
			}
		}
		var worst float64
		for i := range n {
			e := z[i] - p.Target[i]
			if angles[i] {
				e = data.WrapAngle(e)
			}
			worst = max(worst, math.Abs(e))
		}
		switch {
		case !(worst <= p.Tol): // NaN too
			settle = -1
		case settle < 0:
			settle = k
		}
		r.FinalError = worst
	}
	if settle >= 0 {
		t := r.T[settle]
		r.SettleTime = &t
		r.Reached = t <= p.Duration()-p.Settle+1e-9*p.Hold.Step
	}
	return r
}

// Lookup returns the protocol of the system named name, or an error
// listing the names that have one.
func Lookup(name string) (Protocol, error) {
	if p, ok := registry[name]; ok {
		return p, nil
	}
	return Protocol{}, fmt.Errorf("control: no protocol for system %q (systems with one: %s)", name, strings.Join(Names(), ", "))
}
