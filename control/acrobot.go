package control

import (
	"math"

	"github.com/hnn-go/hnn/systems"
)

// SymODEN's fully actuated acrobot (their analysis script): a torque on
// each joint (systems.Acrobot{FullyActuated: true}), from near hanging at
// rest to upright (t1 = pi, t2 = 0, the maximum of V), shaping 2 dV/dq,
// 400 steps of 0.05 s, inputs not clipped. SymODEN's damping gain 1 leaves
// the true acrobot swinging about upright, 0.29 rad away at 20 s (1.5
// settles, 0.062 rad at the end): the gain here is 3 (0.022 rad). SymODEN starts
// exactly hanging (t1 = t2 = 0), where the true dV/dq is zero and the law
// never moves the acrobot (their learned V has a small slope there): the
// start here is t1 = 0.05, as gym's pendulum start theta = 3.14 is 0.0016
// rad from hanging.
func init() {
	Register(Protocol{
		System: systems.Acrobot{FullyActuated: true},
		Q0:     []float64{0.05, 0}, QDot0: []float64{0, 0},
		Target: []float64{math.Pi, 0},
		Kd:     3,
		Hold:   systems.ZeroOrderHold{Step: 0.05, Steps: 400},
		Tol:    0.1, Settle: 2,
		Draw: func(q []float64) []float64 {
			s1, c1 := math.Sincos(q[0])
			s2, c2 := math.Sincos(q[0] + q[1])
			return []float64{0, 0, s1, -c1, s1 + s2, -c1 - c2} // links 1 long
		},
		Bound:  2.2,
		Source: "SymODEN's fully actuated acrobot, 400 steps of 0.05 s, no clip; k_d = 3 and start t1 = 0.05 (theirs 1 and 0)",
	})
}
