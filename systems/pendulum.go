package systems

import "math"

// Pendulum is the ideal pendulum of the reference,
// H(q, p) = 3(1 - cos q) + p^2, whose field is
// (dq/dt, dp/dt) = (2p, -3 sin q). Its states are (q, p), D = 2; q = 0 is
// hanging down.
type Pendulum struct{}

// Name returns "pendulum".
func (Pendulum) Name() string { return "pendulum" }

// Dim returns 2.
func (Pendulum) Dim() int { return 2 }

// Energy returns 3(1 - cos q) + p^2. It panics if len(x) != 2.
func (Pendulum) Energy(x []float64) float64 {
	checkLen(x, 2)
	return 3*(1-math.Cos(x[0])) + x[1]*x[1]
}

// Field writes (2p, -3 sin q) into dst. It panics if len(dst) != 2 or
// len(x) != 2.
func (Pendulum) Field(dst, x []float64) {
	checkLen(x, 2)
	checkLen(dst, 2)
	q, p := x[0], x[1]
	dst[0] = 2 * p
	dst[1] = -3 * math.Sin(q)
}
