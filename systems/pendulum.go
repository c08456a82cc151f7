package systems

import "math"

// Pendulum is the ideal pendulum of the reference,
// H(q, p) = K(1 - cos q) + p^2, whose field is
// (dq/dt, dp/dt) = (2p, -K sin q). Its states are (q, p), D = 2; q = 0 is
// hanging down. The zero value has K = 3, the reference's ideal pendulum;
// K = 2.4 is the energy the reference fits to the real pendulum of
// Schmidt & Lipson.
type Pendulum struct {
	// K is the coefficient of the potential; zero means 3.
	K float64
}

func (s Pendulum) k() float64 {
	if s.K == 0 {
		return 3
	}
	return s.K
}

// Name returns "pendulum".
func (Pendulum) Name() string { return "pendulum" }

// Dim returns 2.
func (Pendulum) Dim() int { return 2 }

// Energy returns K(1 - cos q) + p^2. It panics if len(x) != 2.
func (s Pendulum) Energy(x []float64) float64 {
	checkLen(x, 2)
	return s.k()*(1-math.Cos(x[0])) + x[1]*x[1]
}

// Field writes (2p, -K sin q) into dst. It panics if len(dst) != 2 or
// len(x) != 2.
func (s Pendulum) Field(dst, x []float64) {
	checkLen(x, 2)
	checkLen(dst, 2)
	q, p := x[0], x[1]
	dst[0] = 2 * p
	dst[1] = -s.k() * math.Sin(q)
}
