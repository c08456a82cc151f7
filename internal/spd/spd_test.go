package spd

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestFactorSolve checks on random SPD matrices of sizes 1 to 4 that the
// factor is lower triangular with c c^T = a, that Solve inverts a (to
// 1e-12 relative in float64), that c may be a and x may be b, and that a
// matrix that is not positive definite is reported.
func TestFactorSolve(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 1; n <= 4; n++ {
		g := make([]float64, n*n)
		for i := range g {
			g[i] = rng.NormFloat64()
		}
		a := make([]float64, n*n)
		for i := range n {
			for j := range n {
				for k := range n {
					a[i*n+j] += g[i*n+k] * g[j*n+k]
				}
			}
			a[i*n+i] += 0.5
		}
		c := make([]float64, n*n)
		if !Factor(c, a, n) {
			t.Fatalf("n %d: SPD matrix reported as not positive definite", n)
		}
		for i := range n {
			for j := range n {
				var s float64
				for k := range n {
					s += c[i*n+k] * c[j*n+k]
				}
				if j > i && c[i*n+j] != 0 {
					t.Errorf("n %d: c[%d,%d] = %v above the diagonal", n, i, j, c[i*n+j])
				}
				if math.Abs(s-a[i*n+j]) > 1e-12*(1+math.Abs(a[i*n+j])) {
					t.Errorf("n %d: (c c^T)[%d,%d] = %v, a has %v", n, i, j, s, a[i*n+j])
				}
			}
		}
		b := make([]float64, n)
		for i := range b {
			b[i] = rng.NormFloat64()
		}
		x := append([]float64(nil), b...)
		Solve(x, c, x, n)
		for i := range n {
			var s float64
			for k := range n {
				s += a[i*n+k] * x[k]
			}
			if math.Abs(s-b[i]) > 1e-12*(1+math.Abs(b[i])) {
				t.Errorf("n %d: (a x)[%d] = %v, b has %v", n, i, s, b[i])
			}
		}
		in := append([]float64(nil), a...)
		Factor(in, in, n)
		for i := range in {
			if in[i] != c[i] {
				t.Fatalf("n %d: the factor in place differs at %d: %v against %v", n, i, in[i], c[i])
			}
		}
	}
	if Factor(make([]float64, 4), []float64{1, 2, 2, 1}, 2) {
		t.Error("indefinite matrix reported as positive definite")
	}
}
