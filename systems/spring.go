package systems

// Spring is the ideal mass-spring of the reference, H(q, p) = q^2 + p^2,
// whose field is (dq/dt, dp/dt) = (2p, -2q). Its states are (q, p), D = 2.
//
// From a start (q0, p0) the exact solution is
// q(t) = q0 cos 2t + p0 sin 2t, p(t) = p0 cos 2t - q0 sin 2t.
type Spring struct{}

// Name returns "spring".
func (Spring) Name() string { return "spring" }

// Dim returns 2.
func (Spring) Dim() int { return 2 }

// Energy returns q^2 + p^2. It panics if len(x) != 2.
func (Spring) Energy(x []float64) float64 {
	checkLen(x, 2)
	return x[0]*x[0] + x[1]*x[1]
}

// Field writes (2p, -2q) into dst. It panics if len(dst) != 2 or len(x) != 2.
func (Spring) Field(dst, x []float64) {
	checkLen(x, 2)
	checkLen(dst, 2)
	q, p := x[0], x[1]
	dst[0] = 2 * p
	dst[1] = -2 * q
}
