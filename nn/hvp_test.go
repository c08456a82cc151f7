package nn

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/floats"
)

var hvpCases = []struct {
	sizes []int
	act   Activation
	batch int
}{
	{[]int{2, 7, 1}, Tanh, 5},
	{[]int{2, 16, 16, 1}, Tanh, 9},
	{[]int{4, 12, 9, 11, 1}, Tanh, 4},
	{[]int{2, 10, 10, 1}, Softplus, 6},
	{[]int{6, 8, 5, 1}, Sigmoid, 3},
	{[]int{2, 9, 7, 1}, Sin, 7},
}

// fieldLoss returns mean((G J^T - Y)^2) for the input gradient G of a batch
// of B rows of even width D (the HNN loss on the field) and, when p is not
// nil, writes dL/dG into p.
func fieldLoss(g, y, p []float64, B, D int) float64 {
	n := D / 2
	var loss float64
	scale := 2 / float64(B*D)
	for b := 0; b < B; b++ {
		for i := 0; i < n; i++ {
			rq := g[b*D+n+i] - y[b*D+i]
			rp := -g[b*D+i] - y[b*D+n+i]
			loss += rq*rq + rp*rp
			if p != nil {
				p[b*D+n+i] = scale * rq
				p[b*D+i] = -scale * rp
			}
		}
	}
	return loss / float64(B*D)
}

// TestInputHessianVecFD checks Hess H(x_b) u_b against central differences
// of the input gradient along u: (G(x + h u) - G(x - h u)) / 2h, every row at
// once (rows are independent).
func TestInputHessianVecFD(t *testing.T) {
	t.Parallel()
	for i, tc := range hvpCases {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(uint64(i), 20))
			m := New[float64](tc.sizes, tc.act, rng)
			B, D := tc.batch, tc.sizes[0]
			x := randVec(rng, B*D, 1)
			u := randVec(rng, B*D, 1)
			ws := m.NewWorkspace(B, true)
			m.InputGradient(ws, x)
			hu := make([]float64, B*D)
			m.InputHessianVec(ws, hu, u)

			const h = 1e-5
			ev := m.NewWorkspace(B, false)
			xp, xm := make([]float64, B*D), make([]float64, B*D)
			floats.AddScaledTo(xp, x, h, u)
			floats.AddScaledTo(xm, x, -h, u)
			want := append([]float64(nil), m.InputGradient(ev, xp)...)
			floats.Sub(want, m.InputGradient(ev, xm))
			floats.Scale(1/(2*h), want)
			// Truncation h^2 |d^4 H| ~ 1e-10, roundoff eps/h ~ 1e-11.
			e := maxRelErr(hu, want, 1e-3)
			if e > 1e-7 {
				t.Errorf("Hessian-vector product differs from finite differences: rel err %g", e)
			}
			t.Logf("rel err %.1e", e)

			// The Hessian is symmetric: v . (Hess u) = u . (Hess v) per row.
			v := randVec(rng, B*D, 1)
			hv := make([]float64, B*D)
			m.InputHessianVec(ws, hv, v)
			for b := 0; b < B; b++ {
				r := b * D
				vhu := floats.Dot(v[r:r+D], hu[r:r+D])
				uhv := floats.Dot(u[r:r+D], hv[r:r+D])
				if d := vhu - uhv; d*d > 1e-26*(1+vhu*vhu) {
					t.Errorf("row %d: v.Hu = %g, u.Hv = %g", b, vhu, uhv)
				}
			}
		})
	}
}

// TestInputGradientVJP checks the combined pass of the HNN field loss: its
// parameter gradient equals BackwardInputGradient's, its input gradient
// equals InputHessianVec's and central differences of the loss over every
// input, and calls in any order on one workspace agree.
func TestInputGradientVJP(t *testing.T) {
	t.Parallel()
	for i, tc := range hvpCases {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(uint64(i), 21))
			m := New[float64](tc.sizes, tc.act, rng)
			B, D := tc.batch, tc.sizes[0]
			if D%2 != 0 {
				t.Skip("the field loss needs an even width")
			}
			x := randVec(rng, B*D, 1)
			y := randVec(rng, B*D, 1)
			p := make([]float64, B*D)
			ws := m.NewWorkspace(B, true)
			fieldLoss(m.InputGradient(ws, x), y, p, B, D)

			// An HVP first must not disturb what BackwardInputGradient reads.
			hvp := make([]float64, B*D)
			m.InputHessianVec(ws, hvp, p)
			ref := make([]float64, len(m.Params))
			m.BackwardInputGradient(ws, ref, p)

			grad, dx := make([]float64, len(m.Params)), make([]float64, B*D)
			m.InputGradientVJP(ws, grad, dx, p)
			for j := range grad {
				if grad[j] != ref[j] {
					t.Fatalf("grad[%d] = %g, BackwardInputGradient %g", j, grad[j], ref[j])
				}
			}
			if e := maxRelErr(dx, hvp, 1e-12); e > 1e-13 {
				t.Errorf("combined input gradient differs from InputHessianVec: rel err %g", e)
			}
			ev := m.NewWorkspace(B, false)
			want := fd.Gradient(nil, func(xx []float64) float64 {
				return fieldLoss(m.InputGradient(ev, xx), y, nil, B, D)
			}, x, &fd.Settings{Formula: fd.Central, Step: 1e-5})
			e := maxRelErr(dx, want, 1e-6)
			if e > 1e-7 {
				t.Errorf("dL/dx differs from finite differences: rel err %g", e)
			}
			t.Logf("rel err %.1e", e)
		})
	}
}

// TestInputHessianVecFloat32 checks the float32 HVP against float64.
func TestInputHessianVecFloat32(t *testing.T) {
	t.Parallel()
	sizes := []int{2, 64, 64, 1}
	m64 := New[float64](sizes, Tanh, rand.New(rand.NewPCG(7, 7)))
	m32 := FromParams(sizes, Tanh, to32(m64.Params))
	B, D := 32, 2
	rng := rand.New(rand.NewPCG(8, 8))
	x, u := randVec(rng, B*D, 1), randVec(rng, B*D, 1)
	ws64, ws32 := m64.NewWorkspace(B, true), m32.NewWorkspace(B, true)
	m64.InputGradient(ws64, x)
	m32.InputGradient(ws32, to32(x))
	h64, h32 := make([]float64, B*D), make([]float32, B*D)
	m64.InputHessianVec(ws64, h64, u)
	m32.InputHessianVec(ws32, h32, to32(u))
	// float32's unit roundoff is 6e-8; sums of 64 terms over three layers
	// lose a few digits more.
	if e := maxRelErr(h32, h64, 1e-6); e > 1e-4 {
		t.Errorf("float32 HVP differs from float64: rel err %g", e)
	}
}

// TestInputHessianVecNoAllocs checks that the HVP allocates nothing. Not
// parallel: AllocsPerRun counts every goroutine's allocations.
func TestInputHessianVecNoAllocs(t *testing.T) {
	m := New[float32]([]int{2, 32, 32, 1}, Tanh, rand.New(rand.NewPCG(1, 1)))
	B := 16
	ws := m.NewWorkspace(B, true)
	x, u, dst := make([]float32, B*2), make([]float32, B*2), make([]float32, B*2)
	for i := range x {
		x[i], u[i] = float32(i)/10, 1
	}
	m.InputGradient(ws, x)
	if a := testing.AllocsPerRun(20, func() { m.InputHessianVec(ws, dst, u) }); a != 0 {
		t.Errorf("InputHessianVec allocates %v times per call", a)
	}
}

// TestInputGradientVJPPanics checks the documented panics.
func TestInputGradientVJPPanics(t *testing.T) {
	t.Parallel()
	m := New[float64]([]int{2, 5, 1}, Tanh, rand.New(rand.NewPCG(1, 1)))
	first := m.NewWorkspace(3, false)
	ws := m.NewWorkspace(3, true)
	m.InputGradient(ws, make([]float64, 6))
	vec := New[float64]([]int{2, 5, 2}, Tanh, rand.New(rand.NewPCG(1, 1)))
	for name, f := range map[string]func(){
		"first-order workspace": func() { m.InputHessianVec(first, make([]float64, 6), make([]float64, 6)) },
		"nil destination":       func() { m.InputHessianVec(ws, nil, make([]float64, 6)) },
		"u length":              func() { m.InputHessianVec(ws, make([]float64, 6), make([]float64, 5)) },
		"dx length":             func() { m.InputGradientVJP(ws, nil, make([]float64, 5), make([]float64, 6)) },
		"before InputGradient":  func() { m.InputHessianVec(m.NewWorkspace(3, true), make([]float64, 6), make([]float64, 6)) },
		"vector output":         func() { vec.InputHessianVec(vec.NewWorkspace(3, true), make([]float64, 6), make([]float64, 6)) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

// BenchmarkInputHessianVec times, in float32 on the latent HNN 2 -> 200 ->
// 200 -> 1 (tanh) at batch 200, the input gradient followed by the HVP
// ("hvp"), and the input gradient followed by the combined parameter and
// input gradient ("vjp") beside BackwardInputGradient alone ("big").
func BenchmarkInputHessianVec(b *testing.B) {
	const batch, n = 200, 200
	rng := rand.New(rand.NewPCG(1, 1))
	m := New[float32]([]int{2, n, n, 1}, Tanh, rng)
	ws := m.NewWorkspace(batch, true)
	x, u := make([]float32, batch*2), make([]float32, batch*2)
	for i := range x {
		x[i], u[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())*1e-3
	}
	grad, dx := make([]float32, len(m.Params)), make([]float32, batch*2)
	// Full-size products of 2 B N^2 flops each: InputGradient 2 (Z_1 W_2,
	// Delta_2 W_2^T), the HVP 2 (M_1 W_2, Abar_2 W_2^T), the parameter
	// gradient 2 more (the stacked weight gradient of W_2).
	unit := 2 * float64(batch) * n * n
	for _, c := range []struct {
		name  string
		flops float64
		run   func()
	}{
		{"hvp", 4 * unit, func() { m.InputHessianVec(ws, dx, u) }},
		{"vjp", 6 * unit, func() { m.InputGradientVJP(ws, grad, dx, u) }},
		{"big", 6 * unit, func() { m.BackwardInputGradient(ws, grad, u) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				m.InputGradient(ws, x)
				c.run()
			}
			b.ReportMetric(c.flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
