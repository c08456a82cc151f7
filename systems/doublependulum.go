package systems

import "math"

// The double pendulum of the Lagrangian-network paper: point masses 1 on
// massless rods of length 1, g = 9.8.
const dpG = 9.8

// DoublePendulum is the point-mass double pendulum of the Lagrangian
// neural network paper (Cranmer et al. 2020): masses m1 = m2 = 1, rods
// l1 = l2 = 1, g = 9.8, absolute angles q = (t1, t2) from hanging down,
// so with d = t1 - t2
//
//	M(q) = [[2, cos d], [cos d, 1]],
//	V(q) = -19.6 cos t1 - 9.8 cos t2,
//
// V ranges over [-29.4, 29.4] (LNN's energy error divides by 29.4). The
// zero value has no input. With Torques a motor at each joint drives it:
// torque u1 between the support and the first rod, u2 between the rods,
// which in absolute angles is the generalised force g u with
// g = [[1, -1], [0, 1]]. Small oscillations have the angular frequencies
// sqrt(9.8 (2 -+ sqrt 2)), in the modes t2 = +-sqrt(2) t1.
type DoublePendulum struct {
	// Torques adds the two joint torques as inputs.
	Torques bool
}

// Name returns "double-pendulum", or "double-pendulum-torque" with
// Torques.
func (s DoublePendulum) Name() string {
	if s.Torques {
		return "double-pendulum-torque"
	}
	return "double-pendulum"
}

// Coords returns 2.
func (DoublePendulum) Coords() int { return 2 }

// Inputs returns 0, or 2 with Torques.
func (s DoublePendulum) Inputs() int {
	if s.Torques {
		return 2
	}
	return 0
}

// Angles returns [true true].
func (DoublePendulum) Angles() []bool { return []bool{true, true} }

// Energy returns t1d^2 + cos(t1 - t2) t1d t2d + t2d^2 / 2 - 19.6 cos t1 -
// 9.8 cos t2.
func (DoublePendulum) Energy(q, qdot []float64) float64 {
	checkQ(2, q, qdot)
	a, b := qdot[0], qdot[1]
	return a*a + math.Cos(q[0]-q[1])*a*b + b*b/2 - 2*dpG*math.Cos(q[0]) - dpG*math.Cos(q[1])
}

// Mass writes [[2, cos(t1 - t2)], [cos(t1 - t2), 1]].
func (DoublePendulum) Mass(dst, q []float64) {
	checkLen(dst, 4)
	checkLen(q, 2)
	c := math.Cos(q[0] - q[1])
	dst[0], dst[1], dst[2], dst[3] = 2, c, c, 1
}

// Force writes (-sin d t1d t2d - 19.6 sin t1, sin d t1d t2d - 9.8 sin t2),
// d = t1 - t2.
func (DoublePendulum) Force(dst, q, qdot []float64) {
	checkQ(2, q, qdot)
	checkLen(dst, 2)
	w := math.Sin(q[0]-q[1]) * qdot[0] * qdot[1]
	dst[0] = -w - 2*dpG*math.Sin(q[0])
	dst[1] = w - dpG*math.Sin(q[1])
}

// InputMatrix writes [[1, -1], [0, 1]] with Torques; without inputs it
// only checks that dst is empty.
func (s DoublePendulum) InputMatrix(dst, q []float64) {
	checkLen(q, 2)
	if !s.Torques {
		checkLen(dst, 0)
		return
	}
	checkLen(dst, 4)
	dst[0], dst[1], dst[2], dst[3] = 1, -1, 0, 1
}

// Accel solves M q-ddot = (-sin d t2d^2 - 19.6 sin t1,
// sin d t1d^2 - 9.8 sin t2) + g u, d = t1 - t2.
func (s DoublePendulum) Accel(dst, q, qdot, u []float64) {
	checkQ(2, q, qdot)
	checkLen(dst, 2)
	checkLen(u, s.Inputs())
	sd, cd := math.Sin(q[0]-q[1]), math.Cos(q[0]-q[1])
	a, b := qdot[0], qdot[1]
	r0 := -sd*b*b - 2*dpG*math.Sin(q[0])
	r1 := sd*a*a - dpG*math.Sin(q[1])
	if s.Torques {
		r0 += u[0] - u[1]
		r1 += u[1]
	}
	det := 2 - cd*cd
	dst[0] = (r0 - cd*r1) / det
	dst[1] = (2*r1 - cd*r0) / det
}
