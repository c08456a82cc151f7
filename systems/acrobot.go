package systems

import "math"

// The acrobot of SymODEN's task 4 (gym's Acrobot): link masses 1, first
// link length 1, centres of mass at 0.5, moments of inertia 1, g = 9.8.
const (
	acroM1, acroM2   = 1.0, 1.0
	acroL1           = 1.0
	acroLC1, acroLC2 = 0.5, 0.5
	acroI1, acroI2   = 1.0, 1.0
	acroG            = 9.8
	acroH            = acroM2 * acroL1 * acroLC2                                                         // 0.5
	acroD11          = acroM1*acroLC1*acroLC1 + acroM2*(acroL1*acroL1+acroLC2*acroLC2) + acroI1 + acroI2 // 3.5
	acroD12          = acroM2*acroLC2*acroLC2 + acroI2                                                   // 1.25
	acroW1           = (acroM1*acroLC1 + acroM2*acroL1) * acroG                                          // 14.7
	acroW2           = acroM2 * acroLC2 * acroG                                                          // 4.9
)

// Acrobot is the two-link acrobot of SymODEN's task 4 (Zhong et al. 2020;
// gym's Acrobot: masses 1, l1 = 1, lc = 0.5, I = 1, g = 9.8): the first
// link's angle t1 from hanging down and the second link's angle t2
// relative to the first, q = (t1, t2), with
//
//	M(t2) = [[3.5 + cos t2, 1.25 + 0.5 cos t2], [1.25 + 0.5 cos t2, 1.25]],
//	V(q)  = -14.7 cos t1 - 4.9 cos(t1 + t2),
//
// and a torque on the second joint, g = (0, 1). With FullyActuated a
// torque acts on each joint, g = I (SymODEN's fully actuated acrobot).
type Acrobot struct {
	// FullyActuated adds a torque on the first joint as a first input.
	FullyActuated bool
}

// Name returns "acrobot", or "acrobot-full" if FullyActuated.
func (s Acrobot) Name() string {
	if s.FullyActuated {
		return "acrobot-full"
	}
	return "acrobot"
}

// Coords returns 2.
func (Acrobot) Coords() int { return 2 }

// Inputs returns 1, or 2 if FullyActuated.
func (s Acrobot) Inputs() int {
	if s.FullyActuated {
		return 2
	}
	return 1
}

// Angles returns [true true].
func (Acrobot) Angles() []bool { return []bool{true, true} }

// acroMass returns the entries m11, m12, m22 of M(t2).
func acroMass(t2 float64) (m11, m12, m22 float64) {
	c := math.Cos(t2)
	return acroD11 + 2*acroH*c, acroD12 + acroH*c, acroD12
}

// Energy returns q-dot^T M(t2) q-dot / 2 + V(t1, t2).
func (Acrobot) Energy(q, qdot []float64) float64 {
	checkQ(2, q, qdot)
	m11, m12, m22 := acroMass(q[1])
	a, b := qdot[0], qdot[1]
	return (m11*a*a+2*m12*a*b+m22*b*b)/2 - acroW1*math.Cos(q[0]) - acroW2*math.Cos(q[0]+q[1])
}

// Mass writes M(t2).
func (Acrobot) Mass(dst, q []float64) {
	checkLen(dst, 4)
	checkLen(q, 2)
	m11, m12, m22 := acroMass(q[1])
	dst[0], dst[1], dst[2], dst[3] = m11, m12, m12, m22
}

// Force writes (-14.7 sin t1 - 4.9 sin(t1 + t2),
// -0.5 sin t2 (t1d^2 + t1d t2d) - 4.9 sin(t1 + t2)).
func (Acrobot) Force(dst, q, qdot []float64) {
	checkQ(2, q, qdot)
	checkLen(dst, 2)
	s12 := math.Sin(q[0] + q[1])
	a, b := qdot[0], qdot[1]
	dst[0] = -acroW1*math.Sin(q[0]) - acroW2*s12
	dst[1] = -acroH*math.Sin(q[1])*(a*a+a*b) - acroW2*s12
}

// InputMatrix writes (0, 1), or the identity if FullyActuated.
func (s Acrobot) InputMatrix(dst, q []float64) {
	checkLen(q, 2)
	if s.FullyActuated {
		checkLen(dst, 4)
		dst[0], dst[1], dst[2], dst[3] = 1, 0, 0, 1
		return
	}
	checkLen(dst, 2)
	dst[0], dst[1] = 0, 1
}

// Accel solves M q-ddot = g u - h - grad V with the velocity terms
// h = 0.5 sin t2 (-t2d^2 - 2 t1d t2d, t1d^2).
func (s Acrobot) Accel(dst, q, qdot, u []float64) {
	checkQ(2, q, qdot)
	checkLen(dst, 2)
	checkLen(u, s.Inputs())
	s2, s12 := math.Sin(q[1]), math.Sin(q[0]+q[1])
	a, b := qdot[0], qdot[1]
	r0 := acroH*s2*(b*b+2*a*b) - acroW1*math.Sin(q[0]) - acroW2*s12
	r1 := -acroH*s2*a*a - acroW2*s12
	if s.FullyActuated {
		r0 += u[0]
		r1 += u[1]
	} else {
		r1 += u[0]
	}
	m11, m12, m22 := acroMass(q[1])
	det := m11*m22 - m12*m12
	dst[0] = (m22*r0 - m12*r1) / det
	dst[1] = (m11*r1 - m12*r0) / det
}
