package control

import (
	"math"

	"github.com/hnn-go/hnn/systems"
)

// SymODEN's fully actuated cart-pole (their analysis script): a force on
// the cart and a torque on the pole (systems.CartPole{FullyActuated:
// true}), from x = 1, theta = 2 at rest, to x = 0 with the pole upright
// (theta = 0, the maximum of V = 2.45 cos theta), 400 steps of 0.02 s,
// inputs not clipped. Shaping 2 dV/dq - x on the cart (Kp = (1, 0)) and
// damping 2 (SymODEN damps the momenta, -2 p; here -2 q-dot, also
// dissipative: q-dot . q-dot >= 0 where q-dot . p = q-dot^T M q-dot).
func init() {
	Register(Protocol{
		System: systems.CartPole{FullyActuated: true},
		Q0:     []float64{1, 2}, QDot0: []float64{0, 0},
		Target: []float64{0, 0},
		Kd:     2, Kp: []float64{1, 0},
		Hold: systems.ZeroOrderHold{Step: 0.02, Steps: 400},
		Tol:  0.1, Settle: 2,
		Draw: func(q []float64) []float64 {
			s, c := math.Sincos(q[1])
			return []float64{q[0], 0, q[0] + s, c} // the pole is 1 long
		},
		Cart:   true,
		Bound:  2.2,
		Source: "SymODEN's fully actuated cart-pole: Kp = (1, 0), k_d = 2, 400 steps of 0.02 s, no clip",
	})
}
