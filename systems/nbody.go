package systems

import (
	"fmt"
	"math"
)

// NBody is the gravitational N-body problem in the plane: Bodies point
// masses attract each other with Newton's law of gravitation, optionally
// softened. Its Hamiltonian is
//
//	H = sum_i |p_i|^2 / (2 m_i)  -  sum_{i<j} G m_i m_j / sqrt(|q_i - q_j|^2 + eps^2),
//
// the kinetic plus the potential energy, with q_i the position and
// p_i = m_i v_i the momentum of body i and eps the Softening (Plummer
// softening; zero gives the exact Newtonian potential).
//
// # State layout
//
// A state holds D = 4*Bodies values, all positions and then all momenta,
// each coordinate for all bodies in turn:
//
//	x = (x_1, ..., x_N, y_1, ..., y_N, px_1, ..., px_N, py_1, ..., py_N).
//
// This is the reference's canonical order (experiment-2body/data.py flattens
// its per-body states into [x1, x2, y1, y2, vx1, vx2, vy1, vy2]), so a
// dataset made here lines up column by column with the reference's, and it
// is canonical in the package's sense: the first half q = (x_1..x_N,
// y_1..y_N), the second half p = (px_1..px_N, py_1..py_N), and q_k is
// conjugate to p_k. The reference's states hold velocities; with its unit
// masses they equal the momenta. Body and SetBody read and write one body
// in this layout.
//
// The zero value is not usable: Bodies must be at least 1. A zero G means
// G = 1 and nil Masses mean unit masses, the reference's choice. Every
// method panics if Bodies < 1, if Masses is not nil and has a length other
// than Bodies, or if a state has a length other than Dim().
type NBody struct {
	// Bodies is the number of bodies N.
	Bodies int
	// G is the gravitational constant; zero means 1.
	G float64
	// Masses holds the N masses; nil means all 1.
	Masses []float64
	// Softening is the Plummer softening length eps >= 0; zero means none.
	Softening float64
}

// Name returns "two-body" or "three-body" for two or three bodies and
// "N-body" with N in digits otherwise.
func (s NBody) Name() string {
	switch s.check() {
	case 2:
		return "two-body"
	case 3:
		return "three-body"
	}
	return fmt.Sprintf("%d-body", s.Bodies)
}

// Dim returns 4*Bodies.
func (s NBody) Dim() int { return 4 * s.check() }

// check panics unless s is usable and returns Bodies.
func (s NBody) check() int {
	if s.Bodies < 1 {
		panic("systems: nbody: fewer than one body")
	}
	if s.Masses != nil && len(s.Masses) != s.Bodies {
		panic("systems: nbody: len(Masses) != Bodies")
	}
	return s.Bodies
}

// g returns the gravitational constant.
func (s NBody) g() float64 {
	if s.G == 0 {
		return 1
	}
	return s.G
}

// Mass returns the mass of body i. It panics if i is out of range.
func (s NBody) Mass(i int) float64 {
	if i < 0 || i >= s.check() {
		panic("systems: nbody: body index out of range")
	}
	if s.Masses == nil {
		return 1
	}
	return s.Masses[i]
}

// Body returns the position (qx, qy) and momentum (px, py) of body i in
// state x. It panics if len(x) != Dim() or i is out of range.
func (s NBody) Body(x []float64, i int) (qx, qy, px, py float64) {
	n := s.check()
	checkLen(x, 4*n)
	if i < 0 || i >= n {
		panic("systems: nbody: body index out of range")
	}
	return x[i], x[n+i], x[2*n+i], x[3*n+i]
}

// SetBody writes the position (qx, qy) and momentum (px, py) of body i into
// state x. It panics if len(x) != Dim() or i is out of range.
func (s NBody) SetBody(x []float64, i int, qx, qy, px, py float64) {
	n := s.check()
	checkLen(x, 4*n)
	if i < 0 || i >= n {
		panic("systems: nbody: body index out of range")
	}
	x[i], x[n+i], x[2*n+i], x[3*n+i] = qx, qy, px, py
}

// Energy returns H(x), the kinetic plus the potential energy.
func (s NBody) Energy(x []float64) float64 {
	return s.Kinetic(x) + s.Potential(x)
}

// Kinetic returns the kinetic energy sum_i |p_i|^2 / (2 m_i).
func (s NBody) Kinetic(x []float64) float64 {
	n := s.check()
	checkLen(x, 4*n)
	var ke float64
	for i := range n {
		px, py := x[2*n+i], x[3*n+i]
		ke += (px*px + py*py) / (2 * s.Mass(i))
	}
	return ke
}

// Potential returns the potential energy
// -sum_{i<j} G m_i m_j / sqrt(|q_i - q_j|^2 + eps^2). It is -Inf when two
// unsoftened bodies coincide.
func (s NBody) Potential(x []float64) float64 {
	n := s.check()
	checkLen(x, 4*n)
	g, e2 := s.g(), s.Softening*s.Softening
	var pe float64
	for i := range n {
		for j := i + 1; j < n; j++ {
			dx, dy := x[j]-x[i], x[n+j]-x[n+i]
			pe -= g * s.Mass(i) * s.Mass(j) / math.Sqrt(dx*dx+dy*dy+e2)
		}
	}
	return pe
}

// Field writes dx/dt into dst: dq_i/dt = p_i / m_i and
// dp_i/dt = sum_{j != i} G m_i m_j (q_j - q_i) / (|q_j - q_i|^2 + eps^2)^(3/2).
// It does not allocate.
func (s NBody) Field(dst, x []float64) {
	n := s.check()
	checkLen(x, 4*n)
	checkLen(dst, 4*n)
	g, e2 := s.g(), s.Softening*s.Softening
	for i := range n {
		m := s.Mass(i)
		dst[i] = x[2*n+i] / m
		dst[n+i] = x[3*n+i] / m
		dst[2*n+i] = 0
		dst[3*n+i] = 0
	}
	for i := range n {
		for j := i + 1; j < n; j++ {
			dx, dy := x[j]-x[i], x[n+j]-x[n+i]
			r2 := dx*dx + dy*dy + e2
			c := g * s.Mass(i) * s.Mass(j) / (r2 * math.Sqrt(r2))
			dst[2*n+i] += c * dx
			dst[3*n+i] += c * dy
			dst[2*n+j] -= c * dx
			dst[3*n+j] -= c * dy
		}
	}
}

// Momentum returns the total momentum (sum_i px_i, sum_i py_i), conserved
// by the dynamics.
func (s NBody) Momentum(x []float64) (px, py float64) {
	n := s.check()
	checkLen(x, 4*n)
	for i := range n {
		px += x[2*n+i]
		py += x[3*n+i]
	}
	return px, py
}

// AngularMomentum returns the total angular momentum about the origin,
// sum_i (x_i py_i - y_i px_i), conserved by the dynamics.
func (s NBody) AngularMomentum(x []float64) float64 {
	n := s.check()
	checkLen(x, 4*n)
	var l float64
	for i := range n {
		l += x[i]*x[3*n+i] - x[n+i]*x[2*n+i]
	}
	return l
}

// MinDistance returns the smallest distance between two bodies in x, or
// +Inf for a single body.
func (s NBody) MinDistance(x []float64) float64 {
	n := s.check()
	checkLen(x, 4*n)
	d2 := math.Inf(1)
	for i := range n {
		for j := i + 1; j < n; j++ {
			dx, dy := x[j]-x[i], x[n+j]-x[n+i]
			d2 = min(d2, dx*dx+dy*dy)
		}
	}
	return math.Sqrt(d2)
}
