package nn

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/floats"
)

var tangentCases = []struct {
	sizes    []int
	act      Activation
	batch, k int
}{
	{[]int{2, 7, 3}, Tanh, 5, 2},
	{[]int{3, 9, 8, 6}, Tanh, 4, 3},
	{[]int{4, 6, 5, 7, 1}, Softplus, 3, 1},
	{[]int{2, 8, 6, 4}, Sigmoid, 3, 2},
	{[]int{3, 6, 6, 2}, Sin, 2, 4},
	{[]int{2, 5, 3}, Tanh, 4, 0},
}

// TestForwardTangentFD checks every tangent output dY_j against central
// differences of Y along dX_j, (f(X + h dX_j) - f(X - h dX_j)) / 2h, and
// the values against Forward. Step 1e-5: truncation ~1e-10, rounding
// ~1e-11, so 1e-7 relative to the largest entry leaves a wide margin.
func TestForwardTangentFD(t *testing.T) {
	t.Parallel()
	for i, tc := range tangentCases {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(uint64(i), 31))
			m := New[float64](tc.sizes, tc.act, rng)
			B, D, O := tc.batch, tc.sizes[0], m.Out()
			x, dx := randVec(rng, B*D, 1), randVec(rng, tc.k*B*D, 1)
			ws := m.NewTangentWorkspace(B, tc.k)
			y, dy := m.ForwardTangent(ws, x, dx)
			ev := m.NewWorkspace(B, false)
			if e := maxRelErr(y, m.Forward(ev, x), 1e-3); e > 1e-14 {
				t.Errorf("values differ from Forward: rel err %g", e)
			}
			const h = 1e-5
			xp, xm := make([]float64, B*D), make([]float64, B*D)
			for j := range tc.k {
				d := dx[j*B*D : (j+1)*B*D]
				floats.AddScaledTo(xp, x, h, d)
				floats.AddScaledTo(xm, x, -h, d)
				want := append([]float64(nil), m.Forward(ev, xp)...)
				floats.Sub(want, m.Forward(ev, xm))
				floats.Scale(1/(2*h), want)
				if e := maxRelErr(dy[j*B*O:(j+1)*B*O], want, 1e-3); e > 1e-7 {
					t.Errorf("tangent %d differs from finite differences: rel err %g", j, e)
				}
			}
		})
	}
}

// TestBackwardTangentFD checks BackwardTangent's parameter, input and
// tangent gradients of L = ybar . Y + dybar . dY against central
// differences (float64, step 1e-5, tolerance 1e-7 of the largest entry as
// above).
func TestBackwardTangentFD(t *testing.T) {
	t.Parallel()
	for i, tc := range tangentCases {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(uint64(i), 32))
			m := New[float64](tc.sizes, tc.act, rng)
			B, D, O, k := tc.batch, tc.sizes[0], m.Out(), tc.k
			x, dx := randVec(rng, B*D, 1), randVec(rng, k*B*D, 1)
			yb, dyb := randVec(rng, B*O, 1), randVec(rng, k*B*O, 1)
			ws := m.NewTangentWorkspace(B, k)
			m.ForwardTangent(ws, x, dx)
			grad := make([]float64, len(m.Params))
			xbar, dxbar := make([]float64, B*D), make([]float64, k*B*D)
			m.BackwardTangent(ws, grad, xbar, dxbar, yb, dyb)
			// Without the input adjoints the parameter gradient is the same.
			g2 := make([]float64, len(grad))
			m.ForwardTangent(ws, x, dx)
			m.BackwardTangent(ws, g2, nil, nil, yb, dyb)
			if e := maxRelErr(g2, grad, 1e-3); e != 0 {
				t.Errorf("parameter gradient without input adjoints differs: %g", e)
			}
			ev := m.NewTangentWorkspace(B, k)
			loss := func(x, dx []float64) float64 {
				y, dy := m.ForwardTangent(ev, x, dx)
				return floats.Dot(y, yb) + floats.Dot(dy, dyb)
			}
			set := &fd.Settings{Formula: fd.Central, Step: 1e-5}
			check := func(name string, got, want []float64) {
				if e := maxRelErr(got, want, 1e-3); e > 1e-7 {
					t.Errorf("%s gradient differs from finite differences: rel err %g", name, e)
				}
			}
			check("input", xbar, fd.Gradient(nil, func(v []float64) float64 { return loss(v, dx) }, x, set))
			if k > 0 {
				check("tangent", dxbar, fd.Gradient(nil, func(v []float64) float64 { return loss(x, v) }, dx, set))
			}
			orig := append([]float64(nil), m.Params...)
			check("parameter", grad, fd.Gradient(nil, func(p []float64) float64 {
				copy(m.Params, p)
				l := loss(x, dx)
				copy(m.Params, orig)
				return l
			}, orig, set))
		})
	}
}

// TestForwardTangentFloat32 checks that the float32 passes (the assembly
// kernels where the CPU has them) agree with float64 to float32 rounding.
func TestForwardTangentFloat32(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 33))
	sizes := []int{3, 40, 40, 6}
	m := New[float64](sizes, Tanh, rng)
	m32 := FromParams(sizes, Tanh, to32(m.Params))
	const B, k = 17, 3
	x, dx := randVec(rng, B*3, 1), randVec(rng, k*B*3, 1)
	yb, dyb := randVec(rng, B*6, 1), randVec(rng, k*B*6, 1)
	ws, ws32 := m.NewTangentWorkspace(B, k), m32.NewTangentWorkspace(B, k)
	y, dy := m.ForwardTangent(ws, x, dx)
	y32, dy32 := m32.ForwardTangent(ws32, to32(x), to32(dx))
	g, g32 := make([]float64, len(m.Params)), make([]float32, len(m.Params))
	m.BackwardTangent(ws, g, nil, nil, yb, dyb)
	m32.BackwardTangent(ws32, g32, nil, nil, to32(yb), to32(dyb))
	for name, e := range map[string]float64{
		"value":    maxRelErr(y32, y, 1e-3),
		"tangent":  maxRelErr(dy32, dy, 1e-3),
		"gradient": maxRelErr(g32, g, 1e-3),
	} {
		// float32 rounding (6e-8) grown over three layers of 40 terms.
		if e > 1e-5 {
			t.Errorf("float32 %s differs from float64: rel err %g", name, e)
		}
	}
}

var jetCases = []struct {
	sizes    []int
	act      Activation
	batch, k int
	pairs    [][2]int
}{
	{[]int{2, 7, 1}, Tanh, 4, 2, [][2]int{{0, 0}, {0, 1}, {1, 1}}},
	{[]int{3, 8, 6, 1}, Tanh, 3, 3, [][2]int{{1, 0}, {2, 2}, {0, 2}}},
	{[]int{4, 6, 5, 7, 2}, Softplus, 3, 2, [][2]int{{0, 1}, {1, 1}}},
	{[]int{2, 8, 6, 3}, Sigmoid, 2, 2, [][2]int{{0, 0}, {1, 0}}},
	{[]int{3, 6, 6, 1}, Sin, 2, 3, [][2]int{{2, 1}, {0, 0}}},
}

// TestForwardJetFD checks every second derivative ddY_p along a pair
// (a, b) against central differences of the tangent dY_a along dX_b
// (step 1e-5, tolerance 1e-7 of the largest entry as above), and the
// values and tangents against ForwardTangent.
func TestForwardJetFD(t *testing.T) {
	t.Parallel()
	for i, tc := range jetCases {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(uint64(i), 34))
			m := New[float64](tc.sizes, tc.act, rng)
			B, D, O, k := tc.batch, tc.sizes[0], m.Out(), tc.k
			x, dx := randVec(rng, B*D, 1), randVec(rng, k*B*D, 1)
			ws := m.NewJetWorkspace(B, k, tc.pairs)
			y, dy, ddy := m.ForwardJet(ws, x, dx)
			tw := m.NewTangentWorkspace(B, k)
			y1, dy1 := m.ForwardTangent(tw, x, dx)
			if e := maxRelErr(y, y1, 1e-3) + maxRelErr(dy, dy1, 1e-3); e > 1e-14 {
				t.Errorf("values or tangents differ from ForwardTangent: %g", e)
			}
			const h = 1e-5
			xp, xm := make([]float64, B*D), make([]float64, B*D)
			for p, pr := range tc.pairs {
				a, b := pr[0], pr[1]
				d := dx[b*B*D : (b+1)*B*D]
				floats.AddScaledTo(xp, x, h, d)
				floats.AddScaledTo(xm, x, -h, d)
				_, up := m.ForwardTangent(tw, xp, dx)
				want := append([]float64(nil), up[a*B*O:(a+1)*B*O]...)
				_, down := m.ForwardTangent(tw, xm, dx)
				floats.Sub(want, down[a*B*O:(a+1)*B*O])
				floats.Scale(1/(2*h), want)
				if e := maxRelErr(ddy[p*B*O:(p+1)*B*O], want, 1e-3); e > 1e-7 {
					t.Errorf("pair %v differs from finite differences: rel err %g", pr, e)
				}
			}
		})
	}
}

// TestBackwardJetFD checks BackwardJet's parameter, input and tangent
// gradients of L = ybar . Y + dybar . dY + ddybar . ddY against central
// differences (step 1e-5, tolerance 1e-7 of the largest entry).
func TestBackwardJetFD(t *testing.T) {
	t.Parallel()
	for i, tc := range jetCases {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(uint64(i), 35))
			m := New[float64](tc.sizes, tc.act, rng)
			B, D, O, k, np := tc.batch, tc.sizes[0], m.Out(), tc.k, len(tc.pairs)
			x, dx := randVec(rng, B*D, 1), randVec(rng, k*B*D, 1)
			yb, dyb, ddyb := randVec(rng, B*O, 1), randVec(rng, k*B*O, 1), randVec(rng, np*B*O, 1)
			ws := m.NewJetWorkspace(B, k, tc.pairs)
			m.ForwardJet(ws, x, dx)
			grad := make([]float64, len(m.Params))
			xbar, dxbar := make([]float64, B*D), make([]float64, k*B*D)
			m.BackwardJet(ws, grad, xbar, dxbar, yb, dyb, ddyb)
			ev := m.NewJetWorkspace(B, k, tc.pairs)
			loss := func(x, dx []float64) float64 {
				y, dy, ddy := m.ForwardJet(ev, x, dx)
				return floats.Dot(y, yb) + floats.Dot(dy, dyb) + floats.Dot(ddy, ddyb)
			}
			set := &fd.Settings{Formula: fd.Central, Step: 1e-5}
			check := func(name string, got, want []float64) {
				if e := maxRelErr(got, want, 1e-3); e > 1e-7 {
					t.Errorf("%s gradient differs from finite differences: rel err %g", name, e)
				}
			}
			check("input", xbar, fd.Gradient(nil, func(v []float64) float64 { return loss(v, dx) }, x, set))
			check("tangent", dxbar, fd.Gradient(nil, func(v []float64) float64 { return loss(x, v) }, dx, set))
			orig := append([]float64(nil), m.Params...)
			check("parameter", grad, fd.Gradient(nil, func(p []float64) float64 {
				copy(m.Params, p)
				l := loss(x, dx)
				copy(m.Params, orig)
				return l
			}, orig, set))
		})
	}
}
