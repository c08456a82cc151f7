package systems

import (
	"fmt"
	"math"

	"github.com/hnn-go/hnn/ode"
)

// Policy is a feedback law: it writes the input for the state (q, q-dot)
// at time t into u. It must not retain its arguments.
type Policy func(u, q, qdot []float64, t float64)

// ZeroOrderHold describes a closed-loop run of a Driven system as a gym
// environment steps SymODEN's systems: every Step the policy is asked for
// an input, which is clipped to [-Clip, Clip] and held constant while the
// true dynamics are integrated to the next step.
type ZeroOrderHold struct {
	// Step is the time between inputs.
	Step float64
	// Steps is the number of steps.
	Steps int
	// Clip bounds every input's magnitude; zero means no bound.
	Clip float64
	// RTol is the relative and absolute tolerance of the ode.DormandPrince
	// integration of each step; zero means DefaultRTol.
	RTol float64
}

// holdMaxSteps bounds the Dormand-Prince steps of one hold step: the
// pendulum, cart-pole and acrobot under bounded inputs take tens, so a
// step that needs ten thousand is a loop that diverged (a learned law
// pushing the system ever faster), which then stops at once instead of
// after the solver's default million.
const holdMaxSteps = 10000

// A LoopError is a ZeroOrderHold run that stopped at step Step (time T)
// because its closed loop could not go on: the policy gave an input that
// is not finite, or the integration of the step failed.
type LoopError struct {
	Step int
	T    float64
	Err  error
}

func (e *LoopError) Error() string { return e.Err.Error() }
func (e *LoopError) Unwrap() error { return e.Err }

// SwingUpHold returns SymODEN's swing-up run of the pendulum: 200 steps of
// 0.05 s (10 s) with the torque clipped to +-5.
func SwingUpHold() ZeroOrderHold { return ZeroOrderHold{Step: 0.05, Steps: 200, Clip: 5} }

// Run simulates sys from (q0, q-dot0) under policy and returns Steps+1
// rows (q, q-dot, u) of 2n+m values: row k is the state at t = k Step and
// the clipped input held from there to the next step (the last row's
// input is the policy's at the end, not applied). It returns an error if
// a setting of h is bad (Step not positive and finite, Steps < 1 or more
// rows than 2^28 values, Clip or RTol negative). A closed loop that
// cannot go on, because the policy gives a value that is not finite or
// the integration of a step fails (the loop diverged), returns the rows
// made until then with a *LoopError: the rows of every step before, and,
// when the integration failed, the row whose step failed with its input.
// It panics if len(q0) or len(qdot0) != sys.Coords().
func (h ZeroOrderHold) Run(sys Driven, policy Policy, q0, qdot0 []float64) ([]float64, error) {
	n, m := sys.Coords(), sys.Inputs()
	checkQ(n, q0, qdot0)
	d := 2*n + m
	switch {
	case !(h.Step > 0) || math.IsInf(h.Step*float64(h.Steps), 0):
		return nil, fmt.Errorf("systems: %s: hold step %v is not positive and finite", sys.Name(), h.Step)
	case h.Steps < 1 || h.Steps >= maxDrivenValues/d:
		return nil, fmt.Errorf("systems: %s: %d steps, want 1 to %d", sys.Name(), h.Steps, maxDrivenValues/d-1)
	case !(h.Clip >= 0) || !(h.RTol >= 0):
		return nil, fmt.Errorf("systems: %s: clip %v and tolerance %v, want non-negative numbers", sys.Name(), h.Clip, h.RTol)
	}
	rtol := h.RTol
	if rtol == 0 {
		rtol = DefaultRTol
	}
	ig := ode.DormandPrince{RTol: rtol, ATol: rtol, MaxSteps: holdMaxSteps}
	f := DrivenField(sys)
	out := make([]float64, (h.Steps+1)*d)
	copy(out[:n], q0)
	copy(out[n:2*n], qdot0)
	seg := make([]float64, 2*d)
	for k := 0; ; k++ {
		z := out[k*d : (k+1)*d]
		t := float64(k) * h.Step
		policy(z[2*n:], z[:n], z[n:2*n], t)
		for j, v := range z[2*n:] {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return out[:k*d], &LoopError{Step: k, T: t, Err: fmt.Errorf("systems: %s: at t %v the policy gave input %d = %v, want a finite number", sys.Name(), t, j, v)}
			}
			if h.Clip > 0 {
				z[2*n+j] = max(-h.Clip, min(h.Clip, v))
			}
		}
		if k == h.Steps {
			return out, nil
		}
		if err := ig.Solve(seg, f, z, []float64{t, t + h.Step}); err != nil {
			return out[:(k+1)*d], &LoopError{Step: k, T: t, Err: fmt.Errorf("systems: %s: step %d: %w", sys.Name(), k, err)}
		}
		copy(out[(k+1)*d:(k+1)*d+2*n], seg[d:d+2*n])
	}
}
