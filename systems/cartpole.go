package systems

import "math"

// The cart-pole of SymODEN's task 3 (gym's CartPole): cart mass 0.5,
// pole mass 0.5, half-length of the pole 0.5, g = 9.8.
const (
	cartMass       = 0.5
	cartPoleMass   = 0.5
	cartPoleHalf   = 0.5
	cartPoleG      = 9.8
	cartTotal      = cartMass + cartPoleMass                              // a = 1
	cartCoupling   = cartPoleMass * cartPoleHalf                          // b = 0.25
	cartPoleMoment = 4.0 / 3 * cartPoleMass * cartPoleHalf * cartPoleHalf // c = 1/6
	cartPoleWeight = cartPoleMass * cartPoleG * cartPoleHalf              // k = 2.45
)

// CartPole is the cart-pole of SymODEN's task 3 (Zhong et al. 2020; gym's
// CartPole with cart 0.5, pole 0.5, half-length 0.5, g = 9.8): the cart's
// position x and the pole's angle theta, zero upright, so q = (x, theta)
// with
//
//	M(theta) = [[1, 0.25 cos theta], [0.25 cos theta, 1/6]],
//	V(theta) = 2.45 cos theta,
//
// and a force on the cart, g = (1, 0). With FullyActuated an input acts
// on each coordinate, g = I (SymODEN's fully actuated cart-pole for
// control). Hanging down (theta = pi) the pole swings at the angular
// frequency sqrt(2.45 / (1/6 - 1/16)) while the cart moves against it.
type CartPole struct {
	// FullyActuated adds a torque on the pole as a second input.
	FullyActuated bool
}

// Name returns "cartpole", or "cartpole-full" if FullyActuated.
func (s CartPole) Name() string {
	if s.FullyActuated {
		return "cartpole-full"
	}
	return "cartpole"
}

// Coords returns 2.
func (CartPole) Coords() int { return 2 }

// Inputs returns 1, or 2 if FullyActuated.
func (s CartPole) Inputs() int {
	if s.FullyActuated {
		return 2
	}
	return 1
}

// Angles returns [false true].
func (CartPole) Angles() []bool { return []bool{false, true} }

// Energy returns (xd^2 + 0.5 cos theta xd thetad + thetad^2 / 6) / 2 +
// 2.45 cos theta.
func (CartPole) Energy(q, qdot []float64) float64 {
	checkQ(2, q, qdot)
	c := math.Cos(q[1])
	xd, td := qdot[0], qdot[1]
	return (cartTotal*xd*xd+2*cartCoupling*c*xd*td+cartPoleMoment*td*td)/2 + cartPoleWeight*c
}

// Mass writes [[1, 0.25 cos theta], [0.25 cos theta, 1/6]].
func (CartPole) Mass(dst, q []float64) {
	checkLen(dst, 4)
	checkLen(q, 2)
	b := cartCoupling * math.Cos(q[1])
	dst[0], dst[1], dst[2], dst[3] = cartTotal, b, b, cartPoleMoment
}

// Force writes (0, -0.25 sin theta xd thetad + 2.45 sin theta).
func (CartPole) Force(dst, q, qdot []float64) {
	checkQ(2, q, qdot)
	checkLen(dst, 2)
	sn := math.Sin(q[1])
	dst[0] = 0
	dst[1] = -cartCoupling*sn*qdot[0]*qdot[1] + cartPoleWeight*sn
}

// InputMatrix writes (1, 0), or the identity if FullyActuated.
func (s CartPole) InputMatrix(dst, q []float64) {
	checkLen(q, 2)
	if s.FullyActuated {
		checkLen(dst, 4)
		dst[0], dst[1], dst[2], dst[3] = 1, 0, 0, 1
		return
	}
	checkLen(dst, 2)
	dst[0], dst[1] = 1, 0
}

// Accel solves M q-ddot = (F_x + 0.25 sin theta thetad^2,
// 2.45 sin theta + F_theta) with F = g u.
func (s CartPole) Accel(dst, q, qdot, u []float64) {
	checkQ(2, q, qdot)
	checkLen(dst, 2)
	checkLen(u, s.Inputs())
	sn, cs := math.Sin(q[1]), math.Cos(q[1])
	td := qdot[1]
	r0 := u[0] + cartCoupling*sn*td*td
	r1 := cartPoleWeight * sn
	if s.FullyActuated {
		r1 += u[1]
	}
	b := cartCoupling * cs
	det := cartTotal*cartPoleMoment - b*b
	dst[0] = (cartPoleMoment*r0 - b*r1) / det
	dst[1] = (cartTotal*r1 - b*r0) / det
}
