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

// colSum sets dst[j] = sum_i a[i*n+j] for an r x n matrix a.
func colSum[T Float](dst, a []T, r, n int) {
	clear(dst[:n])
	for i := 0; i < r; i++ {
		row := a[i*n : i*n+n]
		for j, v := range row {
			dst[j] += v
		}
	}
}
