package control

import (
	"math"
	"strings"
	"testing"

	"github.com/hnn-go/hnn/systems"
)

// TestTrueModelReaches runs every registered protocol with the law built
// from its true system: each must reach its target (within 0.1 of it for
// the last 2 s), the pendulum with its torque within the clip. Without
// damping injection (Kd = 0, no Kp) the closed loop conserves the shaped
// energy and must not settle; with a structure that knows no potential
// (dV/dq = 0: only damping) the pendulum must stay down.
func TestTrueModelReaches(t *testing.T) {
	t.Parallel()
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p := registry[name]
			law, err := p.Law(True(p.System))
			if err != nil {
				t.Fatal(err)
			}
			r, err := p.Run(law)
			if err != nil {
				t.Fatal(err)
			}
			if !r.Reached {
				t.Fatalf("the true model's law did not reach the target: settle time %v, final error %v", r.SettleTime, r.FinalError)
			}
			t.Logf("%s: within %v of the target from t = %v s, max |u| %.3g", name, p.Tol, *r.SettleTime, r.MaxInput)
			if c := p.Hold.Clip; c > 0 && r.MaxInput > c {
				t.Errorf("max |u| %v above the clip %v", r.MaxInput, c)
			}
			if len(r.T) != p.Hold.Steps+1 || len(r.Q) != len(r.T) || len(r.U[0]) != p.System.Inputs() {
				t.Errorf("%d times, %d rows, %d inputs; want %d, %d, %d", len(r.T), len(r.Q), len(r.U[0]), p.Hold.Steps+1, p.Hold.Steps+1, p.System.Inputs())
			}
			undamped := p
			undamped.Kd, undamped.Kp = 0, nil
			law, _ = undamped.Law(True(p.System))
			if r, err := undamped.Run(law); err != nil || r.Reached {
				t.Errorf("without damping: reached %v (settle time %v), error %v; want not reached", r != nil && r.Reached, r.SettleTime, err)
			}
		})
	}
	p := registry[systems.TorquePendulum{}.Name()]
	law, _ := p.Law(flat{True(p.System)})
	if r, err := p.Run(law); err != nil || r.Reached || r.FinalError < 2 {
		t.Errorf("a law without the potential: reached %v, final error %v, %v; want the pendulum down", r.Reached, r.FinalError, err)
	}
}

// flat is a structure without a potential.
type flat struct{ Structure }

func (flat) PotentialGrad(dst, _ []float64) { clear(dst) }

// TestScore checks the settle time and reached flag on made-up
// trajectories of the pendulum protocol shortened to 10 steps of 1 s
// with a 2 s hold: in the band from step 7 on (reached), from step 9 on
// (not long enough), leaving it at the end, and a NaN (never in the band).
func TestScore(t *testing.T) {
	t.Parallel()
	p := registry[systems.TorquePendulum{}.Name()]
	p.Hold.Step, p.Hold.Steps, p.Settle = 1, 10, 2
	for _, c := range []struct {
		name    string
		in      func(k int) float64 // angle at step k
		reached bool
		settle  float64 // -1: nil
	}{
		{"settles at 7", func(k int) float64 { return map[bool]float64{true: math.Pi + 0.05, false: 1}[k >= 7] }, true, 7},
		{"settles at 9", func(k int) float64 { return map[bool]float64{true: math.Pi - 0.05, false: 1}[k >= 9] }, false, 9},
		{"leaves", func(k int) float64 { return map[bool]float64{true: math.Pi, false: 3}[k < 10] }, false, -1},
		{"wrapped", func(k int) float64 { return -math.Pi + 0.01 }, true, 0},
		{"NaN", func(k int) float64 { return math.NaN() }, false, -1},
	} {
		traj := make([]float64, 3*11)
		for k := range 11 {
			traj[3*k] = c.in(k)
			traj[3*k+2] = float64(k%3) - 1
		}
		r := p.score(traj)
		if r.Reached != c.reached || (r.SettleTime == nil) != (c.settle < 0) || (r.SettleTime != nil && *r.SettleTime != c.settle) {
			t.Errorf("%s: reached %v settle %v, want %v %v", c.name, r.Reached, r.SettleTime, c.reached, c.settle)
		}
		if r.MaxInput != 1 {
			t.Errorf("%s: max |u| %v, want 1", c.name, r.MaxInput)
		}
	}
}

// TestErrors checks the one-line errors: an underactuated system has no
// protocol, a structure with the wrong size has no law, bad settings are
// named.
func TestErrors(t *testing.T) {
	t.Parallel()
	if _, err := For(systems.CartPole{}); err == nil || !strings.Contains(err.Error(), "1 input(s) for 2 coordinates") {
		t.Errorf("For(cartpole): %v", err)
	}
	if _, err := For(systems.DoublePendulum{}); err == nil {
		t.Error("For(double pendulum): no error")
	}
	p, err := For(systems.CartPole{FullyActuated: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Law(True(systems.CartPole{})); err == nil || !strings.Contains(err.Error(), "1 input(s) for 2 coordinates") {
		t.Errorf("Law(underactuated): %v", err)
	}
	if _, err := p.Law(True(systems.TorquePendulum{})); err == nil {
		t.Error("Law(pendulum) for the cart-pole: no error")
	}
	law, _ := p.Law(True(p.System))
	for _, c := range []struct {
		name string
		mod  func(*Protocol)
		want string
	}{
		{"negative kd", func(p *Protocol) { p.Kd = -1 }, "damping gain"},
		{"NaN clip", func(p *Protocol) { p.Hold.Clip = math.NaN() }, "clip"},
		{"zero step", func(p *Protocol) { p.Hold.Step = 0 }, "step"},
		{"too short", func(p *Protocol) { p.Hold.Steps = 50 }, "duration 1 s"},
		{"too long", func(p *Protocol) { p.Hold.Steps = 2 * maxSteps }, "steps"},
		{"bad kp", func(p *Protocol) { p.Kp = []float64{math.Inf(1), 0} }, "stiffness"},
	} {
		q := p
		c.mod(&q)
		if _, err := q.Run(law); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error naming %q", c.name, err, c.want)
		}
	}
	// A structure whose g is zero gives NaN inputs, which the run reports.
	if _, err := p.Run(func(u, _, _ []float64, _ float64) { u[0] = math.NaN() }); err == nil {
		t.Error("NaN input: no error")
	}
	// A law that turns NaN after 1 s: a result that stopped there, scored
	// on the rows before, not an error.
	r, err := p.Run(func(u, q, qd []float64, t float64) {
		law(u, q, qd, t)
		if t > 1 {
			u[1] = math.NaN()
		}
	})
	switch {
	case err != nil:
		t.Errorf("law failing after 1 s: %v, want a result", err)
	case r.StoppedAt == nil || math.Abs(*r.StoppedAt-1.02) > 1e-9 || r.Reached || len(r.T) != 51 || !strings.Contains(r.Stop, "finite") || strings.Contains(r.Stop, "\n"):
		t.Errorf("law failing after 1 s: stopped at %v (%q), reached %v, %d rows; want 1.02 s, not reached, 51 rows", r.StoppedAt, r.Stop, r.Reached, len(r.T))
	}
}

// TestSolve checks the small solver on a system that needs pivoting.
func TestSolve(t *testing.T) {
	t.Parallel()
	a := []float64{0, 2, 1, 1, 1, 0, 3, 0, 1}
	x := []float64{1, -2, 0.5}
	b := make([]float64, 3)
	for i := range 3 {
		for j := range 3 {
			b[i] += a[i*3+j] * x[j]
		}
	}
	solve(append([]float64(nil), a...), b, 3)
	for i := range x {
		if math.Abs(b[i]-x[i]) > 1e-14 {
			t.Fatalf("solve: %v, want %v", b, x)
		}
	}
	b = []float64{1, 1}
	if solve([]float64{1, 2, 2, 4}, b, 2); !math.IsNaN(b[0]) {
		t.Errorf("singular: %v, want NaN", b)
	}
}

// scaled is a structure whose V, g and M are c times the true ones: the
// same accelerations, which is all that positions and velocities show.
type scaled struct {
	Structure
	c float64
}

func (s scaled) PotentialGrad(dst, q []float64) { s.Structure.PotentialGrad(dst, q); mul(dst, s.c) }
func (s scaled) InputMatrix(dst, q []float64)   { s.Structure.InputMatrix(dst, q); mul(dst, s.c) }
func (s scaled) Mass(dst, q []float64)          { s.Structure.Mass(dst, q); mul(dst, s.c) }

func mul(x []float64, c float64) {
	for i := range x {
		x[i] *= c
	}
}

// TestMomentumDamping checks the pendulum protocol's damping on the
// momentum: on the true pendulum 9 p is SymODEN's 3 q-dot, and on a
// structure scaled by c = 0.38 (what a symoden learns from velocities) the
// momentum law gives the same run (to 1e-6: rounding differences of 1e-16
// grow along the unstable swing, to 1.6e-12 by step 93), while SymODEN's
// velocity law, its damping now 3 / 0.38, does not reach upright.
func TestMomentumDamping(t *testing.T) {
	t.Parallel()
	p := registry[systems.TorquePendulum{}.Name()]
	vel := p
	vel.Momentum, vel.Kd = false, 3
	run := func(p Protocol, s Structure) *Result {
		law, err := p.Law(s)
		if err != nil {
			t.Fatal(err)
		}
		r, err := p.Run(law)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	tr := True(p.System)
	mom, symoden := run(p, tr), run(vel, tr)
	momScaled, velScaled := run(p, scaled{tr, 0.38}), run(vel, scaled{tr, 0.38})
	for k := range mom.Q {
		if math.Abs(mom.Q[k][0]-symoden.Q[k][0]) > 1e-6 || math.Abs(mom.Q[k][0]-momScaled.Q[k][0]) > 1e-6 {
			t.Fatalf("step %d: q %v (momentum), %v (SymODEN's), %v (momentum, scaled)", k, mom.Q[k][0], symoden.Q[k][0], momScaled.Q[k][0])
		}
	}
	if !mom.Reached || velScaled.Reached {
		t.Errorf("reached: momentum law %v, velocity law on the scaled model %v; want true, false", mom.Reached, velScaled.Reached)
	}
}
