package control

import (
	"math"

	"github.com/hnn-go/hnn/systems"
)

// SymODEN's swing-up of gym's pendulum (task 2; their analysis script):
// from hanging (gym's theta = 3.14, q = theta + pi), 200 steps of 0.05 s
// with the torque clipped to +-5, upright (q = pi) the target, reached
// when within 0.1 rad for the last 2 s. SymODEN damps the velocity,
// u = g^-1 (2 dV/dq - 3 q-dot); here the damping acts on the momentum,
// u = g^-1 (2 dV/dq - 9 p), the same law on the true pendulum (p =
// q-dot / 3) and, unlike SymODEN's, the same for every scale c of the
// learned V, g and M that the velocity data cannot fix (see
// Protocol.Momentum): a symoden trained on task 2 learns g = 0.38 (seed 1,
// quick), which turns SymODEN's damping 3 into 3 / 0.38 = 7.9, and its
// swing-up then never leaves the bottom (max |u| 0.4). "hnn control
// -damp velocity" runs SymODEN's form.
func init() {
	Register(Protocol{
		System: systems.TorquePendulum{},
		Q0:     []float64{3.14 + math.Pi}, QDot0: []float64{0},
		Target: []float64{math.Pi},
		Kd:     9, Momentum: true,
		Hold: systems.SwingUpHold(),
		Tol:  0.1, Settle: 2,
		Draw: func(q []float64) []float64 {
			s, c := math.Sincos(q[0])
			return []float64{0, 0, s, -c}
		},
		Bound:  1.3,
		Source: "SymODEN's swing-up (task 2), 200 steps of 0.05 s, |u| <= 5; damping 9 p (theirs 3 q-dot, the same on the true pendulum)",
	})
}
