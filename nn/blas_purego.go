//go:build !amd64 || purego

package nn

// BLAS names the implementation of matrix products this build uses: gonum's
// pure-Go BLAS, for both float32 and float64.
const BLAS = "gonum"
