package systems

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"
)

// fdTol is the tolerance for comparing exact derivatives with central finite
// differences: the central formula's truncation error is O(h^2) with
// h ~ 6e-6 and its rounding error O(eps/h) ~ 4e-11 times the function's
// scale, so 1e-7 relative to a state of order one leaves a wide margin while
// still catching any wrong coefficient.
const fdTol = 1e-7

// checkSystem checks a System's contract at the states xs: the dimension is
// even, Field equals J grad Energy (grad by central differences), the field
// is divergence-free (trace of its finite-difference Jacobian), and Energy
// and Field panic on a length mismatch. Every system's test calls it.
func checkSystem(t *testing.T, sys System, xs [][]float64) {
	t.Helper()
	d := sys.Dim()
	if d < 2 || d%2 != 0 {
		t.Fatalf("%s: Dim() = %d, want a positive even number", sys.Name(), d)
	}
	if sys.Name() == "" {
		t.Errorf("%T: empty name", sys)
	}
	n := d / 2
	central := &fd.Settings{Formula: fd.Central}
	for _, x := range xs {
		grad := fd.Gradient(nil, sys.Energy, x, central)
		f := make([]float64, d)
		sys.Field(f, x)
		for i := range n {
			// dq/dt = dH/dp, dp/dt = -dH/dq.
			want := []float64{grad[n+i], -grad[i]}
			got := []float64{f[i], f[n+i]}
			for k := range want {
				if math.Abs(got[k]-want[k]) > fdTol*(1+math.Abs(want[k])) {
					t.Errorf("%s: at %v field[%d] = %v, finite differences of the energy give %v",
						sys.Name(), x, i+k*n, got[k], want[k])
				}
			}
		}

		var jac mat.Dense
		jac.ReuseAs(d, d)
		fd.Jacobian(&jac, sys.Field, x, &fd.JacobianSettings{Formula: fd.Central})
		if div := mat.Trace(&jac); math.Abs(div) > fdTol*(1+mat.Norm(&jac, math.Inf(1))) {
			t.Errorf("%s: at %v divergence = %v, want 0", sys.Name(), x, div)
		}

		// Energy is conserved: grad H . J grad H = 0 exactly in theory.
		var dot float64
		for i := range grad {
			dot += grad[i] * f[i]
		}
		if math.Abs(dot) > fdTol*(1+math.Abs(sys.Energy(x))) {
			t.Errorf("%s: at %v dH/dt = %v, want 0", sys.Name(), x, dot)
		}
	}

	mustPanic(t, sys.Name()+" Energy short", func() { sys.Energy(make([]float64, d-1)) })
	mustPanic(t, sys.Name()+" Energy long", func() { sys.Energy(make([]float64, d+1)) })
	mustPanic(t, sys.Name()+" Field short x", func() { sys.Field(make([]float64, d), make([]float64, d-1)) })
	mustPanic(t, sys.Name()+" Field short dst", func() { sys.Field(make([]float64, d-1), make([]float64, d)) })
}

// mustPanic reports an error if f does not panic.
func mustPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s: no panic", what)
		}
	}()
	f()
}

func TestFieldAdapter(t *testing.T) {
	t.Parallel()
	f := Field(Pendulum{})
	dst := make([]float64, 2)
	f(dst, 123, []float64{0.5, -0.25})
	want := []float64{-0.5, -3 * math.Sin(0.5)}
	for i := range want {
		if dst[i] != want[i] {
			t.Errorf("Field(Pendulum)(0.5, -0.25)[%d] = %v, want %v", i, dst[i], want[i])
		}
	}
}
