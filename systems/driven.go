package systems

import (
	"github.com/hnn-go/hnn/internal/spd"
	"github.com/hnn-go/hnn/ode"
)

// Driven is a mechanical system of n generalised coordinates q, observed
// as positions and velocities (q, q-dot), and pushed by m inputs u (forces
// or torques). Its Lagrangian is
//
//	L(q, q-dot) = q-dot^T M(q) q-dot / 2 - V(q),
//
// with a symmetric positive definite mass matrix M(q), and its equations
// of motion are Euler-Lagrange's with the generalised force g(q) u:
//
//	d/dt dL/dq-dot - dL/dq = g(q) u,   that is
//	M(q) q-ddot = dL/dq - M-dot(q) q-dot + g(q) u.
//
// Its energy E = q-dot^T M q-dot / 2 + V(q) is conserved when u = 0 and
// changes at the rate dE/dt = q-dot . g(q) u, the power of the input. In
// canonical coordinates (q, p), p = M(q) q-dot, the same system is
// SymODEN's H(q, p) = p^T M^-1(q) p / 2 + V(q) with
// dq/dt = dH/dp, dp/dt = -dH/dq + g(q) u; NewCanonical gives that view.
//
// Every method panics with a "systems: ..." message when a slice has the
// wrong length. Matrices are row-major. The methods hold no state, so a
// Driven value is safe for concurrent use.
type Driven interface {
	// Name returns a short lowercase name, such as "cartpole".
	Name() string
	// Coords returns n, the number of generalised coordinates.
	Coords() int
	// Inputs returns m, the number of inputs; zero for an undriven system.
	Inputs() int
	// Angles returns, in a new slice of length n, whether each coordinate
	// is an angle (its dynamics are 2 pi periodic in it).
	Angles() []bool
	// Energy returns the exact energy q-dot^T M(q) q-dot / 2 + V(q).
	Energy(q, qdot []float64) float64
	// Mass writes M(q), n x n, into dst.
	Mass(dst, q []float64)
	// Force writes dL/dq = (q-dot^T (dM/dq_i) q-dot / 2 - dV/dq_i)_i into
	// dst, the rate of change of the momentum p = M q-dot when u = 0.
	// With q-dot = 0 it is -grad V(q).
	Force(dst, q, qdot []float64)
	// InputMatrix writes g(q), n x m, into dst.
	InputMatrix(dst, q []float64)
	// Accel writes the exact acceleration q-ddot under the input u into
	// dst.
	Accel(dst, q, qdot, u []float64)
}

// Potential returns V(q) = sys.Energy(q, 0). It allocates.
func Potential(sys Driven, q []float64) float64 {
	return sys.Energy(q, make([]float64, len(q)))
}

// DrivenField returns the vector field of sys on augmented states
// z = (q, q-dot, u) of length 2n+m, as SymODEN treats an input: a state
// channel that stays constant,
//
//	dz/dt = (q-dot, Accel(q, q-dot, u), 0).
//
// The time argument is ignored. The Func holds no state, so it is safe
// for concurrent use; it panics if len(dst) or len(z) != 2n+m.
func DrivenField(sys Driven) ode.Func {
	n, m := sys.Coords(), sys.Inputs()
	d := 2*n + m
	return func(dst []float64, _ float64, z []float64) {
		checkLen(z, d)
		checkLen(dst, d)
		copy(dst[:n], z[n:2*n])
		sys.Accel(dst[n:2*n], z[:n], z[n:2*n], z[2*n:])
		clear(dst[2*n:])
	}
}

// Canonical is a Driven system under a constant input, seen as a System
// in canonical coordinates x = (q, p), p = M(q) q-dot:
//
//	H(q, p) = p^T M^-1(q) p / 2 + V(q),
//	dq/dt = M^-1(q) p,  dp/dt = dL/dq + g(q) u = -dH/dq + g(q) u.
//
// With u = 0 its field is J grad H. A Canonical holds workspace, so one
// value must not be used by two goroutines at once; make one per worker
// with NewCanonical.
type Canonical struct {
	sys     Driven
	u       []float64
	mass, g []float64 // n x n and n x m workspace
	qdot    []float64
}

// NewCanonical returns the canonical view of sys under the constant input
// u, which it copies. It panics if len(u) != sys.Inputs().
func NewCanonical(sys Driven, u []float64) *Canonical {
	n, m := sys.Coords(), sys.Inputs()
	checkLen(u, m)
	return &Canonical{
		sys:  sys,
		u:    append([]float64(nil), u...),
		mass: make([]float64, n*n),
		g:    make([]float64, n*m),
		qdot: make([]float64, n),
	}
}

// Name returns the driven system's name.
func (c *Canonical) Name() string { return c.sys.Name() }

// Dim returns 2n.
func (c *Canonical) Dim() int { return 2 * c.sys.Coords() }

// Velocity writes q-dot = M^-1(q) p into dst. It panics on a length
// mismatch or if M(q) is not positive definite.
func (c *Canonical) Velocity(dst, q, p []float64) {
	n := c.sys.Coords()
	checkLen(dst, n)
	checkLen(q, n)
	checkLen(p, n)
	c.sys.Mass(c.mass, q)
	copy(dst, p)
	solveSPD(c.mass, dst)
}

// Momentum writes p = M(q) q-dot into dst. It panics on a length mismatch.
func (c *Canonical) Momentum(dst, q, qdot []float64) {
	n := c.sys.Coords()
	checkLen(dst, n)
	checkLen(q, n)
	checkLen(qdot, n)
	c.sys.Mass(c.mass, q)
	for i := range n {
		var s float64
		for j := range n {
			s += c.mass[i*n+j] * qdot[j]
		}
		dst[i] = s
	}
}

// Energy returns H(q, p). It panics if len(x) != 2n.
func (c *Canonical) Energy(x []float64) float64 {
	n := c.sys.Coords()
	checkLen(x, 2*n)
	c.Velocity(c.qdot, x[:n], x[n:])
	return c.sys.Energy(x[:n], c.qdot)
}

// Field writes (M^-1 p, dL/dq + g u) into dst. It panics if len(dst) or
// len(x) != 2n.
func (c *Canonical) Field(dst, x []float64) {
	n, m := c.sys.Coords(), c.sys.Inputs()
	checkLen(x, 2*n)
	checkLen(dst, 2*n)
	q := x[:n]
	c.Velocity(dst[:n], q, x[n:])
	c.sys.Force(dst[n:], q, dst[:n])
	if m == 0 {
		return
	}
	c.sys.InputMatrix(c.g, q)
	for i := range n {
		var s float64
		for j := range m {
			s += c.g[i*m+j] * c.u[j]
		}
		dst[n+i] += s
	}
}

// solveSPD overwrites b with a^-1 b for the symmetric positive definite
// n x n matrix a (row-major, n = len(b)), overwriting the lower triangle
// of a with its Cholesky factor. It panics if a is not positive definite.
func solveSPD(a, b []float64) {
	n := len(b)
	if !spd.Factor(a, a, n) {
		panic("systems: mass matrix not positive definite")
	}
	spd.Solve(b, a, b, n)
}

// checkQ panics unless q and qdot have length n.
func checkQ(n int, q, qdot []float64) {
	checkLen(q, n)
	checkLen(qdot, n)
}
