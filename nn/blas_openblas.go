//go:build openblas

package nn

/*
#cgo LDFLAGS: -lopenblas
#include <cblas.h>
void openblas_set_num_threads(int);
*/
import "C"

import "unsafe"

// BLAS names the implementation of matrix products this build uses.
const BLAS = "openblas"

func init() {
	// hnn parallelises across seeds and trajectories with goroutines; an
	// OpenBLAS thread pool spinning beside them on few cores only costs time.
	C.openblas_set_num_threads(1)
}

func trans(t bool) C.enum_CBLAS_TRANSPOSE {
	if t {
		return C.CblasTrans
	}
	return C.CblasNoTrans
}

// Sgemm computes C = alpha op(A) op(B) + beta C for row-major float32
// matrices, op(A) m x k and op(B) k x n, op the transpose where tA or tB is
// set, with leading dimensions lda, ldb and ldc: the product every float32
// network of this package uses, exported for benchmarks. It panics on
// impossible dimensions or slices too short for them.
func Sgemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	gemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func gemm[T Float](tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		for i := 0; i < m; i++ {
			row := c[i*ldc : i*ldc+n]
			for j := range row {
				row[j] *= beta
			}
		}
		return
	}
	switch a := any(a).(type) {
	case []float32:
		b, c := any(b).([]float32), any(c).([]float32)
		C.cblas_sgemm(C.CblasRowMajor, trans(tA), trans(tB), C.blasint(m), C.blasint(n), C.blasint(k),
			C.float(alpha), (*C.float)(unsafe.Pointer(&a[0])), C.blasint(lda),
			(*C.float)(unsafe.Pointer(&b[0])), C.blasint(ldb), C.float(beta),
			(*C.float)(unsafe.Pointer(&c[0])), C.blasint(ldc))
	case []float64:
		b, c := any(b).([]float64), any(c).([]float64)
		C.cblas_dgemm(C.CblasRowMajor, trans(tA), trans(tB), C.blasint(m), C.blasint(n), C.blasint(k),
			C.double(alpha), (*C.double)(unsafe.Pointer(&a[0])), C.blasint(lda),
			(*C.double)(unsafe.Pointer(&b[0])), C.blasint(ldb), C.double(beta),
			(*C.double)(unsafe.Pointer(&c[0])), C.blasint(ldc))
	}
}
