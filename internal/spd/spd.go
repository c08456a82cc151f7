// Package spd factors and solves the small symmetric positive definite
// systems of mechanical models and systems (mass matrices of a few
// coordinates, one per state): a Cholesky factor and its two triangular
// solves on row-major n x n slices, in either element type, allocating
// nothing. gonum's mat.Cholesky serves large matrices; these are 1x1 to
// 3x3 ones inside per-row loops.
package spd

import "math"

// Float is the element type of the matrices.
type Float interface{ ~float32 | ~float64 }

// Factor writes the lower Cholesky factor of the symmetric positive
// definite n x n matrix a (row-major; its lower triangle is read) into c,
// with the upper triangle of c set to zero; c may be a. A pivot that is
// not positive (a not positive definite, or rounding) is clamped to the
// smallest positive float32 rather than producing NaN, and Factor reports
// false; it reports true otherwise.
func Factor[T Float](c, a []T, n int) bool {
	ok := true
	for j := range n {
		s := a[j*n+j]
		for k := range j {
			s -= c[j*n+k] * c[j*n+k]
		}
		if !(s > 0) {
			s = T(math.SmallestNonzeroFloat32)
			ok = false
		}
		dj := T(math.Sqrt(float64(s)))
		c[j*n+j] = dj
		for i := j + 1; i < n; i++ {
			s := a[i*n+j]
			for k := range j {
				s -= c[i*n+k] * c[j*n+k]
			}
			c[i*n+j] = s / dj
		}
	}
	for i := range n {
		clear(c[i*n+i+1 : (i+1)*n])
	}
	return ok
}

// Solve sets x = a^-1 b for a = c c^T, c the lower factor Factor wrote;
// x may be b.
func Solve[T Float](x, c, b []T, n int) {
	for i := range n { // c y = b
		s := b[i]
		for k := range i {
			s -= c[i*n+k] * x[k]
		}
		x[i] = s / c[i*n+i]
	}
	for i := n - 1; i >= 0; i-- { // c^T x = y
		s := x[i]
		for k := i + 1; k < n; k++ {
			s -= c[k*n+i] * x[k]
		}
		x[i] = s / c[i*n+i]
	}
}
