package systems

// SpringChain is a chain of N masses m_i on a line joined by N+1 springs
// of stiffness k_0..k_N, its two ends fixed to walls (the spring-chain
// system of SRNN, Chen et al. 2020):
//
//	H(q, p) = sum_i p_i^2 / (2 m_i) + sum_{i=0..N} k_i (q_i - q_{i-1})^2 / 2
//
// with q_{-1} = q_N = 0 the walls (q indexed 0..N-1). Its states are
// (q_0..q_{N-1}, p_0..p_{N-1}), D = 2N.
type SpringChain struct {
	// M holds the N masses, K the N+1 stiffnesses.
	M, K []float64
}

// Name returns "spring-chain".
func (SpringChain) Name() string { return "spring-chain" }

// Dim returns 2N.
func (s SpringChain) Dim() int { return 2 * len(s.M) }

// Energy returns H(x). It panics if len(x) != Dim().
func (s SpringChain) Energy(x []float64) float64 {
	checkLen(x, s.Dim())
	n := len(s.M)
	var h, prev float64
	for i := range n {
		p := x[n+i]
		h += p * p / (2 * s.M[i])
		d := x[i] - prev
		h += s.K[i] * d * d / 2
		prev = x[i]
	}
	return h + s.K[n]*prev*prev/2
}

// Field writes (p_i / m_i, -dV/dq_i) into dst. It panics if len(dst) or
// len(x) differs from Dim().
func (s SpringChain) Field(dst, x []float64) {
	checkLen(x, s.Dim())
	checkLen(dst, s.Dim())
	n := len(s.M)
	for i := range n {
		dst[i] = x[n+i] / s.M[i]
		left, right := 0.0, 0.0
		if i > 0 {
			left = x[i-1]
		}
		if i < n-1 {
			right = x[i+1]
		}
		dst[n+i] = -s.K[i]*(x[i]-left) + s.K[i+1]*(right-x[i])
	}
}
