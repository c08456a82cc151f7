package ode

// Leapfrog is the Störmer-Verlet method in kick-drift-kick form, a
// second-order symplectic and time-reversible method for separable
// Hamiltonians H = T(p) + V(q):
//
//	p_{1/2} = p + h/2 a(q),  q' = q + h v(p_{1/2}),  p' = p_{1/2} + h/2 a(q'),
//
// with (v, a) = (dq/dt, dp/dt) = f(q, p). The state is canonical: the first
// half of x is q, the second half p. The method reads only the q half of f
// at (q, p_{1/2}) and the p half at (q', p_{1/2}); for a separable field,
// where dq/dt depends on p alone and dp/dt on q alone, these are v(p_{1/2})
// and a(q'), and the force of the last kick is reused as the first kick of
// the next step, so a step costs two evaluations of f. Applied to a
// non-separable field it is still a consistent first-order method but
// neither symplectic nor of second order: that is the caller's
// responsibility (a separable HNN, model kind "separable", is separable by
// construction).
//
// Step is the largest step, as for RK4: each output interval is divided into
// equal substeps of at most Step (one if Step is zero).
type Leapfrog struct {
	// Step is the largest step size. Zero means one step per output
	// interval.
	Step float64
}

// Name returns "leapfrog".
func (Leapfrog) Name() string { return "leapfrog" }

// Solve integrates dx/dt = f from x0 at ts[0] and writes the state at each
// ts[i] into dst[i*d:(i+1)*d], d = len(x0). It panics if len(dst) !=
// len(ts)*len(x0), if len(ts) == 0 or if Step is negative or NaN. It returns
// an error if d is odd, if ts is not finite and strictly increasing, or if
// the state becomes non-finite.
func (l Leapfrog) Solve(dst []float64, f Func, x0, ts []float64) error {
	if err := checkCanonical("leapfrog", len(x0)); err != nil {
		return err
	}
	s := newVerlet(f, len(x0))
	return solveFixed("leapfrog", l.Step, dst, x0, ts, s.step)
}

// verlet holds the work buffers of kick-drift-kick steps and the force
// cached from the last kick.
type verlet struct {
	f     Func
	fx    []float64
	a     []float64 // dp/dt at the current q, valid if haveA
	haveA bool
	lastQ []float64 // the q the cached force belongs to
	n     int
}

func newVerlet(f Func, d int) *verlet {
	return &verlet{f: f, fx: make([]float64, d), a: make([]float64, d/2), lastQ: make([]float64, d/2), n: d / 2}
}

// step makes one kick-drift-kick step of size h (h may be negative, which
// runs the method backwards: it is time-reversible).
func (s *verlet) step(x []float64, t, h float64) error {
	n := s.n
	q, p := x[:n], x[n:]
	if !s.haveA || !equal(s.lastQ, q) {
		s.f(s.fx, t, x)
		copy(s.a, s.fx[n:])
	}
	for i := range p {
		p[i] += h / 2 * s.a[i]
	}
	s.f(s.fx, t+h/2, x)
	for i := range q {
		q[i] += h * s.fx[i]
	}
	s.f(s.fx, t+h, x)
	copy(s.a, s.fx[n:])
	for i := range p {
		p[i] += h / 2 * s.a[i]
	}
	copy(s.lastQ, q)
	s.haveA = true
	return nil
}

// equal reports whether a and b hold the same values.
func equal(a, b []float64) bool {
	for i, v := range a {
		if b[i] != v {
			return false
		}
	}
	return true
}
