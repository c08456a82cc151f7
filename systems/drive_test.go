package systems

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/hnn-go/hnn/data"
)

// TestZeroOrderHoldConstant checks that a constant policy reproduces the
// integration of the driven field under that input (to the solver's
// tolerance, 1e-8 relative), and that clipping bounds the applied input.
func TestZeroOrderHoldConstant(t *testing.T) {
	t.Parallel()
	sys := CartPole{}
	h := ZeroOrderHold{Step: 0.02, Steps: 30, Clip: 1.5}
	q0, qd0 := []float64{0.1, 2}, []float64{0, -1}
	for _, c := range []struct{ u, applied float64 }{{0.7, 0.7}, {-4, -1.5}, {0, 0}} {
		traj, err := h.Run(sys, func(u, _, _ []float64, _ float64) { u[0] = c.u }, q0, qd0)
		if err != nil {
			t.Fatal(err)
		}
		ts := make([]float64, h.Steps+1)
		for k := range ts {
			ts[k] = float64(k) * h.Step
		}
		want := solveDriven(t, sys, q0, qd0, []float64{c.applied}, ts, 0)
		for k := range ts {
			z := traj[k*5 : (k+1)*5]
			if z[4] != c.applied {
				t.Fatalf("u %v: step %d applied %v, want %v", c.u, k, z[4], c.applied)
			}
			for i := range 4 {
				if math.Abs(z[i]-want[k][i]) > 1e-8*(1+math.Abs(want[k][i])) {
					t.Fatalf("u %v: step %d: state %v, one solve under the input gives %v", c.u, k, z[:4], want[k][:4])
				}
			}
		}
	}
}

// TestSwingUpTrueModel runs SymODEN's energy-shaping law built from the
// true pendulum, u = g^-1 (2 dV/dq - k_d q-dot) with k_d = 3, from
// hanging (gym's theta = 3.14, q = theta + pi) for 10 s at 0.05 s with the
// torque clipped to +-5: the reference line. The pendulum must
// reach upright and stay within 0.1 rad of it for the last 2 s; with
// k_d = 0 (no damping injection) it must not settle.
func TestSwingUpTrueModel(t *testing.T) {
	t.Parallel()
	sys := TorquePendulum{}
	law := func(kd float64) Policy {
		force := make([]float64, 1)
		zero := make([]float64, 1)
		return func(u, q, qdot []float64, _ float64) {
			sys.Force(force, q, zero) // -dV/dq
			u[0] = -2*force[0] - kd*qdot[0]
		}
	}
	h := SwingUpHold()
	settled := func(kd float64) (bool, float64) {
		traj, err := h.Run(sys, law(kd), []float64{3.14 + math.Pi}, []float64{0})
		if err != nil {
			t.Fatal(err)
		}
		// First time after which the angle stays within 0.1 rad of upright.
		first := -1.0
		for k := h.Steps; k >= 0; k-- {
			if math.Abs(data.WrapAngle(traj[k*3]-math.Pi)) > 0.1 {
				break
			}
			first = float64(k) * h.Step
		}
		return first >= 0 && first <= 8, first
	}
	ok, at := settled(3)
	t.Logf("true-model swing-up: within 0.1 rad of upright from t = %v s on", at)
	if !ok {
		t.Errorf("the true model's energy-shaping law did not hold the pendulum upright for the last 2 s (settled from %v)", at)
	}
	if ok, at := settled(0); ok {
		t.Errorf("without damping injection the pendulum settled upright from %v s: the test cannot tell", at)
	}
}

func TestZeroOrderHoldErrors(t *testing.T) {
	t.Parallel()
	zero := func(u, _, _ []float64, _ float64) { clear(u) }
	for _, c := range []struct {
		name string
		h    ZeroOrderHold
		pol  Policy
	}{
		{"zero step", ZeroOrderHold{Steps: 3}, zero},
		{"no steps", ZeroOrderHold{Step: 0.1}, zero},
		{"negative clip", ZeroOrderHold{Step: 0.1, Steps: 3, Clip: -1}, zero},
		{"NaN tolerance", ZeroOrderHold{Step: 0.1, Steps: 3, RTol: math.NaN()}, zero},
		{"too many steps", ZeroOrderHold{Step: 0.1, Steps: 1 << 40}, zero},
		{"NaN input", ZeroOrderHold{Step: 0.1, Steps: 3, Clip: 5}, func(u, _, _ []float64, _ float64) { u[0] = math.NaN() }},
	} {
		if _, err := c.h.Run(TorquePendulum{}, c.pol, []float64{0}, []float64{0}); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
	mustPanic(t, "Run with a short start", func() { SwingUpHold().Run(CartPole{}, zero, []float64{0}, []float64{0}) })

	// A loop that stops: the rows before come back with a *LoopError.
	h := ZeroOrderHold{Step: 0.1, Steps: 10}
	nanAt := func(k int) Policy {
		return func(u, _, _ []float64, t float64) {
			u[0] = 0
			if t > (float64(k)-0.5)*h.Step {
				u[0] = math.NaN()
			}
		}
	}
	traj, err := h.Run(TorquePendulum{}, nanAt(4), []float64{1}, []float64{0})
	var le *LoopError
	if !errors.As(err, &le) || le.Step != 4 || len(traj) != 4*3 || strings.Contains(err.Error(), "\n") {
		t.Errorf("NaN input at step 4: %d values, error %v; want 4 rows and a one-line *LoopError at step 4", len(traj), err)
	}
	// A law so strong that one step's integration fails (the closed loop
	// diverges within the step): the row of that step comes back too.
	huge := func(u, q, _ []float64, _ float64) { u[0] = 1e300 * (1 + q[0]*q[0]) }
	traj, err = h.Run(TorquePendulum{}, huge, []float64{1}, []float64{0})
	if !errors.As(err, &le) || len(traj) != (le.Step+1)*3 || traj[2] != 1e300*2 {
		t.Errorf("diverging loop: %d values, error %v; want the rows to the failing step and a *LoopError", len(traj), err)
	}
}
