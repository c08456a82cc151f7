package nn

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// impl is the generic path of float32 products and the only path of
// float64 ones.
var impl gonum.Implementation

// Sgemm computes C = alpha op(A) op(B) + beta C for row-major float32
// matrices, op(A) m x k and op(B) k x n, op the transpose where tA or tB is
// set, with leading dimensions lda, ldb and ldc: the product every float32
// network of this package uses, exported for benchmarks. It panics on
// impossible dimensions or slices too short for them.
func Sgemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	gemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func gemm[T Float](tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	ta, tb := blas.NoTrans, blas.NoTrans
	if tA {
		ta = blas.Trans
	}
	if tB {
		tb = blas.Trans
	}
	switch a := any(a).(type) {
	case []float32:
		b, c := any(b).([]float32), any(c).([]float32)
		if sgemm(tA, tB, m, n, k, float32(alpha), a, lda, b, ldb, float32(beta), c, ldc) {
			return
		}
		impl.Sgemm(ta, tb, m, n, k, float32(alpha), a, lda, b, ldb, float32(beta), c, ldc)
	case []float64:
		impl.Dgemm(ta, tb, m, n, k, float64(alpha), a, lda, any(b).([]float64), ldb, float64(beta), any(c).([]float64), ldc)
	}
}
