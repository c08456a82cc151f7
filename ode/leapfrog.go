package ode

// Leapfrog is the Störmer-Verlet method in kick-drift-kick form, a
// second-order symplectic and time-reversible method for separable
// Hamiltonians H = T(p) + V(q):
//
//	p_{1/2} = p + h/2 a(q),  q' = q + h v(p_{1/2}),  p' = p_{1/2} + h/2 a(q'),
//
// with (v, a) = (dq/dt, dp/dt) = f(q, p).
//
// The state is canonical: the first half of x is q, the second half p, so
// its dimension must be even. The method only has the joint field f, so it
// reads v as the q half of f evaluated at (q, p_{1/2}) and a as the p half
// of f at (q', p_{1/2}). For a separable field, where dq/dt depends on p
// alone and dp/dt on q alone, these are exactly v(p_{1/2}) and a(q'), and
// the force a(q') of the closing kick is also the force of the opening kick
// of the next step (f at (q', p') and at (q', p_{1/2}) have the same p
// half), so it is kept and reused: a step costs two evaluations of f, one
// for the drift and one for the kicks, plus one at the start of Solve. Fewer
// is not possible with a joint f, since each drift needs v at a momentum
// that depends on the force just evaluated.
//
// Applied to a non-separable field the method is still consistent, of first
// order at least, but neither symplectic nor in general of second order;
// making sure the field is separable is the caller's responsibility (a
// separable HNN is separable by construction). ImplicitMidpoint is
// symplectic for any Hamiltonian.
//
// Step is the largest step, as for RK4: each output interval [ts[i],
// ts[i+1]] is divided into ceil((ts[i+1]-ts[i])/Step) equal substeps, with
// the same few-ulp slack, so output times are hit exactly. Step zero means
// one step per output interval.
//
// A Leapfrog holds only settings; its Solve allocates its workspace once per
// call and is safe for concurrent use if f is.
type Leapfrog struct {
	// Step is the largest step size. Zero means one step per output
	// interval.
	Step float64
}

// Name returns "leapfrog".
func (Leapfrog) Name() string { return "leapfrog" }

// Solve integrates dx/dt = f from x0 at ts[0] and writes the state at each
// ts[i] into dst[i*d:(i+1)*d], d = len(x0), with dst[0:d] = x0. It panics if
// len(dst) != len(ts)*len(x0), if len(ts) == 0, or if Step is negative,
// infinite or NaN. It returns an error if d is odd, if ts is not finite and
// strictly increasing, if x0 or the state becomes non-finite, or if an
// output interval would need more than 2^52 substeps.
func (l Leapfrog) Solve(dst []float64, f Func, x0, ts []float64) error {
	if err := checkCanonical("leapfrog", len(x0)); err != nil {
		return err
	}
	s := newVerlet(f, len(x0))
	return solveFixed("leapfrog", l.Step, dst, x0, ts, s.step)
}

// verlet holds the work buffers of kick-drift-kick steps and the force
// kept from the last kick.
type verlet struct {
	f     Func
	n     int       // len(q) = len(p)
	fx    []float64 // f at the latest evaluation, length 2n
	a     []float64 // dp/dt at lastQ, valid if haveA
	lastQ []float64 // the q the kept force a belongs to
	haveA bool
}

// newVerlet returns the leapfrog workspace for f in dimension d (even),
// from one allocation.
func newVerlet(f Func, d int) verlet {
	n := d / 2
	work := make([]float64, 2*d)
	return verlet{f: f, n: n, fx: work[:d:d], a: work[d : d+n : d+n], lastQ: work[d+n:]}
}

// step makes one kick-drift-kick step of size h from time t with x = (q, p)
// in place. h may be negative, which runs the method backwards: it is
// time-reversible, so a step of h followed by one of -h returns to x up to
// round-off. The kept force is used only if q is bitwise the q it was
// evaluated at, so step may be called on any state. It never fails; the
// error is for the stepFunc signature.
func (s *verlet) step(x []float64, t, h float64) error {
	n := s.n
	q, p := x[:n], x[n:]
	if !s.haveA || !equal(s.lastQ, q) {
		s.f(s.fx, t, x)
		copy(s.a, s.fx[n:])
	}
	// Kick: p_{1/2} = p + h/2 a(q).
	for i, a := range s.a {
		p[i] += h / 2 * a
	}
	// Drift: q' = q + h v(p_{1/2}), v the q half of f at (q, p_{1/2}).
	s.f(s.fx, t+h/2, x)
	for i, v := range s.fx[:n] {
		q[i] += h * v
	}
	// Kick: p' = p_{1/2} + h/2 a(q'), a the p half of f at (q', p_{1/2});
	// it is kept for the next step's first kick.
	s.f(s.fx, t+h, x)
	copy(s.a, s.fx[n:])
	for i, a := range s.a {
		p[i] += h / 2 * a
	}
	copy(s.lastQ, q)
	s.haveA = true
	return nil
}

// equal reports whether a and b hold the same values. It assumes
// len(b) >= len(a).
func equal(a, b []float64) bool {
	for i, v := range a {
		if b[i] != v {
			return false
		}
	}
	return true
}
