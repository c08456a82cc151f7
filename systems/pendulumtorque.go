package systems

import "math"

// TorquePendulum is the pendulum driven by a torque of SymODEN (Zhong,
// Dey, Chakraborty 2020), tasks 1 and 2: one angle q, zero hanging down,
// mass M = 1/MassInv, potential V(q) = K (1 - cos q) and the torque
// entering with g(q) = 1, so
//
//	H(q, p) = MassInv p^2 / 2 + K (1 - cos q),  dp/dt = -K sin q + u,
//	q-ddot = MassInv (u - K sin q).
//
// The zero value is SymODEN's, MassInv = 3 and K = 5:
// H = 1.5 p^2 + 5 (1 - cos q) (task 1). Task 2's gym pendulum (g = 10,
// m = 1, l = 1; theta” = -15 sin(theta + pi) + 3u) is the same system
// in q = theta + pi with q-dot = theta-dot and p = theta-dot / 3. Small
// oscillations have the angular frequency sqrt(MassInv K) (sqrt 15).
type TorquePendulum struct {
	// MassInv is the inverse mass 1/M; zero means 3.
	MassInv float64
	// K is the coefficient of the potential; zero means 5.
	K float64
}

func (s TorquePendulum) params() (minv, k float64) {
	minv, k = s.MassInv, s.K
	if minv == 0 {
		minv = 3
	}
	if k == 0 {
		k = 5
	}
	return minv, k
}

// Name returns "pendulum-torque".
func (TorquePendulum) Name() string { return "pendulum-torque" }

// Coords returns 1.
func (TorquePendulum) Coords() int { return 1 }

// Inputs returns 1.
func (TorquePendulum) Inputs() int { return 1 }

// Angles returns [true].
func (TorquePendulum) Angles() []bool { return []bool{true} }

// Energy returns q-dot^2 / (2 MassInv) + K (1 - cos q).
func (s TorquePendulum) Energy(q, qdot []float64) float64 {
	checkQ(1, q, qdot)
	minv, k := s.params()
	return qdot[0]*qdot[0]/(2*minv) + k*(1-math.Cos(q[0]))
}

// Mass writes 1/MassInv.
func (s TorquePendulum) Mass(dst, q []float64) {
	checkLen(dst, 1)
	checkLen(q, 1)
	minv, _ := s.params()
	dst[0] = 1 / minv
}

// Force writes -K sin q.
func (s TorquePendulum) Force(dst, q, qdot []float64) {
	checkQ(1, q, qdot)
	checkLen(dst, 1)
	_, k := s.params()
	dst[0] = -k * math.Sin(q[0])
}

// InputMatrix writes 1.
func (TorquePendulum) InputMatrix(dst, q []float64) {
	checkLen(dst, 1)
	checkLen(q, 1)
	dst[0] = 1
}

// Accel writes MassInv (u - K sin q).
func (s TorquePendulum) Accel(dst, q, qdot, u []float64) {
	checkQ(1, q, qdot)
	checkLen(dst, 1)
	checkLen(u, 1)
	minv, k := s.params()
	dst[0] = minv * (u[0] - k*math.Sin(q[0]))
}
