//go:build openblas

package main

/*
#cgo LDFLAGS: -lopenblas
#include <cblas.h>
void openblas_set_num_threads(int);
*/
import "C"

import "unsafe"

// The openblas build of this command (nn itself has no OpenBLAS build any
// more) times cblas_sgemm with one OpenBLAS thread, as nn's retired
// openblas build called it, beside nn's kernels; it times no training
// steps, which would be nn's own.
func init() {
	C.openblas_set_num_threads(1)
	sgemm = openblasSgemm
	matmulVia = "cblas_sgemm of OpenBLAS through cgo with openblas_set_num_threads(1), as nn's retired openblas build called it (one core)"
	measureSteps = false
}

func cblasTrans(t bool) C.enum_CBLAS_TRANSPOSE {
	if t {
		return C.CblasTrans
	}
	return C.CblasNoTrans
}

func openblasSgemm(tA, tB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	C.cblas_sgemm(C.CblasRowMajor, cblasTrans(tA), cblasTrans(tB), C.blasint(m), C.blasint(n), C.blasint(k),
		1, (*C.float)(unsafe.Pointer(&a[0])), C.blasint(lda),
		(*C.float)(unsafe.Pointer(&b[0])), C.blasint(ldb), 0,
		(*C.float)(unsafe.Pointer(&c[0])), C.blasint(ldc))
}
