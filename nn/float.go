package nn

// Float is the element type of a network: float32 or float64.
type Float interface {
	float32 | float64
}

// mul sets C = A B + beta C with A m x k, B k x n and C m x n, all dense row-major.
func mul[T Float](c, a, b []T, m, k, n int, beta T) {
	gemm(false, false, m, n, k, 1, a, k, b, n, beta, c, n)
}

// mulBT sets C = A B^T + beta C with A m x k, B n x k and C m x n.
func mulBT[T Float](c, a, b []T, m, k, n int, beta T) {
	gemm(false, true, m, n, k, 1, a, k, b, k, beta, c, n)
}

// mulAT sets C = A^T B + beta C with A k x m, B k x n and C m x n.
func mulAT[T Float](c, a, b []T, m, k, n int, beta T) {
	gemm(true, false, m, n, k, 1, a, m, b, n, beta, c, n)
}

// colSum sets dst[j] = sum_i a[i*n+j] for an r x n matrix a, adding the
// rows in order with the vector kernels (colSumVec) where there are, which
// flush subnormal numbers to zero as every kernel does.
func colSum[T Float](dst, a []T, r, n int) { colSums(dst, a, r, n, 0, false) }

// colSumAdd sets dst[j] = beta dst[j] + sum_i a[i*n+j] for an r x n matrix a,
// adding the rows in order with Go's IEEE additions, subnormal numbers
// kept (by the exact vector kernels where there are, with the bits of the
// Go loop).
func colSumAdd[T Float](dst, a []T, r, n int, beta T) { colSums(dst, a, r, n, beta, true) }

// colSums is colSum (beta 0, subnormals flushed) and colSumAdd (exact
// set). A large float32 sum is cut into chunks of columns
// (parallelCols); each column's rows are added in the same order either
// way.
func colSums[T Float](dst, a []T, r, n int, beta T, exact bool) {
	dst = dst[:n]
	if d32, ok := any(dst).([]float32); ok && kernelSets[level] != nil {
		parallelCols(d32, any(a).([]float32), r, n, float32(beta), exact)
		return
	}
	colSumCols(dst, a, r, n, beta, 0, exact)
}

// colSumCols is colSums for the columns lo..lo+len(d)-1, whose sums d
// holds.
func colSumCols[T Float](d, a []T, r, n int, beta T, lo int, exact bool) {
	if beta == 0 {
		clear(d)
	} else if beta != 1 {
		for j := range d {
			d[j] *= beta
		}
	}
	if d32, ok := any(d).([]float32); ok {
		if done := colSumVec(d32, any(a).([]float32), r, n, lo, exact); done > 0 {
			d, lo = d[done:], lo+done
		}
	}
	hi := lo + len(d)
	for i := 0; i < r; i++ {
		row := a[i*n+lo : i*n+hi]
		for j, v := range row {
			d[j] += v
		}
	}
}

// secondOrderTerms sets ek[i] = pi[i]*u[i]*s2[i] and, unless mk is nil,
// mk[i] = pi[i]*s1[i]: the element-wise terms of the second-order backward
// pass. It panics if a slice is shorter than pi.
func secondOrderTerms[T Float](mk, ek, pi, s1, u, s2 []T) {
	ek, s1, u, s2 = ek[:len(pi)], s1[:len(pi)], u[:len(pi)], s2[:len(pi)]
	if mk != nil {
		mk = mk[:len(pi)]
	}
	if p32, ok := any(pi).([]float32); ok {
		var m32 []float32
		if mk != nil {
			m32 = any(mk).([]float32)
		}
		if done := secondOrderVec(m32, any(ek).([]float32), p32, any(s1).([]float32), any(u).([]float32), any(s2).([]float32)); done > 0 {
			ek, pi, s1, u, s2 = ek[done:], pi[done:], s1[done:], u[done:], s2[done:]
			if mk != nil {
				mk = mk[done:]
			}
		}
	}
	for i, v := range pi {
		if mk != nil {
			mk[i] = v * s1[i]
		}
		ek[i] = v * u[i] * s2[i]
	}
}
