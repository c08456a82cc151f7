package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// symplecticLoss returns mean((G J^T - Y)^2) for the input gradient G and,
// when p is not nil, writes dL/dG into p.
func symplecticLoss(g, y, p []float64, B, D int) float64 {
	n := D / 2
	var loss float64
	scale := 2 / float64(B*D)
	for b := 0; b < B; b++ {
		for i := 0; i < n; i++ {
			rq := g[b*D+n+i] - y[b*D+i]  // dq/dt = dH/dp
			rp := -g[b*D+i] - y[b*D+n+i] // dp/dt = -dH/dq
			loss += rq*rq + rp*rp
			if p != nil {
				p[b*D+n+i] = scale * rq
				p[b*D+i] = -scale * rp
			}
		}
	}
	return loss / float64(B*D)
}

func randSlice(rng *rand.Rand, n int, scale float64) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = scale * rng.NormFloat64()
	}
	return s
}

// relErr returns max |a-b| / max(|b|_inf, floor).
func relErr(a, b []float64, floor float64) float64 {
	d := 0.0
	for i := range a {
		d = math.Max(d, math.Abs(a[i]-b[i]))
	}
	return d / math.Max(floats.Norm(b, math.Inf(1)), floor)
}

var gradCases = []struct {
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

// TestInputGradientFD checks grad_x H against central differences of H.
func TestInputGradientFD(t *testing.T) {
	t.Parallel()
	for i, tc := range gradCases {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 1))
			m := New[float64](tc.sizes, tc.act, rng)
			D := tc.sizes[0]
			x := randSlice(rng, tc.batch*D, 1)
			ws := m.NewWorkspace(tc.batch, false)
			g := append([]float64(nil), m.InputGradient(ws, x)...)
			one := m.NewWorkspace(1, false)
			for b := 0; b < tc.batch; b++ {
				want := fd.Gradient(nil, func(xb []float64) float64 {
					return m.Forward(one, xb)[0]
				}, x[b*D:(b+1)*D], &fd.Settings{Formula: fd.Central, Step: 1e-5})
				if e := relErr(g[b*D:(b+1)*D], want, 1e-3); e > 1e-7 {
					t.Errorf("row %d: grad_x H = %v, finite differences %v (rel err %g)", b, g[b*D:(b+1)*D], want, e)
				}
			}
		})
	}
}

// TestHNNParamGradFD checks the second-order parameter gradient of the HNN
// loss against central finite differences over every parameter.
func TestHNNParamGradFD(t *testing.T) {
	t.Parallel()
	for i, tc := range gradCases {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 2))
			m := New[float64](tc.sizes, tc.act, rng)
			B, D := tc.batch, tc.sizes[0]
			x := randSlice(rng, B*D, 1)
			y := randSlice(rng, B*D, 1)
			ws := m.NewWorkspace(B, true)
			p := make([]float64, B*D)
			g := m.InputGradient(ws, x)
			symplecticLoss(g, y, p, B, D)
			grad := make([]float64, len(m.Params))
			m.BackwardInputGradient(ws, grad, p)

			ev := m.NewWorkspace(B, false)
			orig := append([]float64(nil), m.Params...)
			want := fd.Gradient(nil, func(theta []float64) float64 {
				copy(m.Params, theta)
				l := symplecticLoss(m.InputGradient(ev, x), y, nil, B, D)
				copy(m.Params, orig)
				return l
			}, orig, &fd.Settings{Formula: fd.Central, Step: 1e-5})
			if e := relErr(grad, want, 1e-6); e > 1e-6 {
				t.Errorf("HNN parameter gradient differs from finite differences: rel err %g", e)
			}
		})
	}
}

// TestBackwardFD checks ordinary backpropagation of an MSE loss for a vector
// output, including ReLU.
func TestBackwardFD(t *testing.T) {
	t.Parallel()
	cases := []struct {
		sizes []int
		act   Activation
	}{
		{[]int{2, 8, 2}, Tanh},
		{[]int{4, 10, 10, 4}, Tanh},
		{[]int{3, 6, 5, 7, 2}, Softplus},
		{[]int{2, 9, 9, 2}, ReLU},
	}
	for i, tc := range cases {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 3))
			m := New[float64](tc.sizes, tc.act, rng)
			B, out := 6, m.Out()
			x := randSlice(rng, B*m.In(), 1)
			y := randSlice(rng, B*out, 1)
			mse := func(o, dout []float64) float64 {
				var l float64
				for j := range o {
					r := o[j] - y[j]
					l += r * r
					if dout != nil {
						dout[j] = 2 * r / float64(len(o))
					}
				}
				return l / float64(len(o))
			}
			ws := m.NewWorkspace(B, false)
			dout := make([]float64, B*out)
			mse(m.Forward(ws, x), dout)
			grad := make([]float64, len(m.Params))
			m.Backward(ws, grad, dout)
			orig := append([]float64(nil), m.Params...)
			want := fd.Gradient(nil, func(theta []float64) float64 {
				copy(m.Params, theta)
				l := mse(m.Forward(ws, x), nil)
				copy(m.Params, orig)
				return l
			}, orig, &fd.Settings{Formula: fd.Central, Step: 1e-6})
			if e := relErr(grad, want, 1e-6); e > 1e-6 {
				t.Errorf("backprop gradient differs from finite differences: rel err %g", e)
			}
			// BackwardInput gives the same parameter gradient and the
			// gradient with respect to the input.
			mse(m.Forward(ws, x), dout)
			grad2 := make([]float64, len(m.Params))
			dx := make([]float64, len(x))
			m.BackwardInput(ws, grad2, dx, dout)
			if e := relErr(grad2, grad, 1e-12); e > 1e-12 {
				t.Errorf("BackwardInput's parameter gradient differs from Backward's: rel err %g", e)
			}
			xOrig := append([]float64(nil), x...)
			wantX := fd.Gradient(nil, func(xs []float64) float64 {
				copy(x, xs)
				l := mse(m.Forward(ws, x), nil)
				copy(x, xOrig)
				return l
			}, xOrig, &fd.Settings{Formula: fd.Central, Step: 1e-6})
			if e := relErr(dx, wantX, 1e-6); e > 1e-6 {
				t.Errorf("input gradient differs from finite differences: rel err %g", e)
			}
		})
	}
}

// TestFloat32MatchesFloat64 checks that the float32 engine computes the same
// HNN gradient as the float64 one to float32 accuracy.
func TestFloat32MatchesFloat64(t *testing.T) {
	t.Parallel()
	sizes := []int{2, 64, 64, 1}
	m64 := New[float64](sizes, Tanh, rand.New(rand.NewPCG(7, 7)))
	p32 := make([]float32, len(m64.Params))
	for i, v := range m64.Params {
		p32[i] = float32(v)
	}
	m32 := FromParams(sizes, Tanh, p32)
	B, D := 32, 2
	rng := rand.New(rand.NewPCG(8, 8))
	x := randSlice(rng, B*D, 1)
	y := randSlice(rng, B*D, 1)
	x32, y32 := make([]float32, len(x)), make([]float32, len(y))
	for i := range x {
		x32[i], y32[i] = float32(x[i]), float32(y[i])
	}
	ws64, ws32 := m64.NewWorkspace(B, true), m32.NewWorkspace(B, true)
	p := make([]float64, B*D)
	symplecticLoss(m64.InputGradient(ws64, x), y, p, B, D)
	g64 := make([]float64, len(m64.Params))
	m64.BackwardInputGradient(ws64, g64, p)
	g := m32.InputGradient(ws32, x32)
	gf := make([]float64, len(g))
	for i, v := range g {
		gf[i] = float64(v)
	}
	symplecticLoss(gf, y, p, B, D)
	p32b := make([]float32, len(p))
	for i, v := range p {
		p32b[i] = float32(v)
	}
	g32 := make([]float32, len(p32))
	m32.BackwardInputGradient(ws32, g32, p32b)
	g32f := make([]float64, len(g32))
	for i, v := range g32 {
		g32f[i] = float64(v)
	}
	// float32 has a 6e-8 unit roundoff; sums of 64-200 terms lose a few
	// digits more.
	if e := relErr(g32f, g64, 1e-6); e > 1e-4 {
		t.Errorf("float32 gradient differs from float64: rel err %g", e)
	}
}

// TestOrthogonalInit checks that initial weight matrices have orthonormal
// rows or columns.
func TestOrthogonalInit(t *testing.T) {
	t.Parallel()
	m := New[float64]([]int{2, 30, 20, 1}, Tanh, rand.New(rand.NewPCG(1, 1)))
	w, _ := m.Views(m.Params)
	for k, wk := range w {
		r, c := m.Sizes[k], m.Sizes[k+1]
		a := mat.NewDense(r, c, wk)
		var g mat.Dense
		if r >= c {
			g.Mul(a.T(), a)
		} else {
			g.Mul(a, a.T())
		}
		n, _ := g.Dims()
		if !mat.EqualApprox(&g, eye(n), 1e-12) {
			t.Errorf("layer %d (%dx%d) is not orthogonal", k, r, c)
		}
	}
}

func eye(n int) *mat.Dense {
	d := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		d.Set(i, i, 1)
	}
	return d
}

// TestActivationDerivatives checks s' and s” of every activation against
// central differences.
func TestActivationDerivatives(t *testing.T) {
	t.Parallel()
	xs := []float64{-3.1, -0.7, -1e-3, 0.2, 0.45, 0.55, 1.9, 25}
	for _, act := range []Activation{Tanh, Softplus, Sigmoid, Sin} {
		s := func(x float64) (v, d1, d2 float64) {
			z, a, b := []float64{x}, []float64{0}, []float64{0}
			activate(act, z, a, b)
			return z[0], a[0], b[0]
		}
		for _, x := range xs {
			_, d1, d2 := s(x)
			h := 1e-5
			vp, d1p, _ := s(x + h)
			vm, d1m, _ := s(x - h)
			if e := math.Abs((vp-vm)/(2*h) - d1); e > 1e-8 {
				t.Errorf("%v'(%g): error %g", act, x, e)
			}
			if e := math.Abs((d1p-d1m)/(2*h) - d2); e > 1e-8 {
				t.Errorf("%v''(%g): error %g", act, x, e)
			}
		}
	}
	for _, x := range []float64{-30, -2, -0.5, -1e-9, 0, 1e-12, 0.3, 0.5, 0.7, 5, 30} {
		if e := math.Abs(tanh(x) - math.Tanh(x)); e > 4e-16*math.Max(1, math.Abs(math.Tanh(x))) && e > 1e-300 {
			if e/math.Abs(math.Tanh(x)) > 4e-16 {
				t.Errorf("tanh(%g) = %g, math.Tanh %g", x, tanh(x), math.Tanh(x))
			}
		}
	}
}

func TestParseActivation(t *testing.T) {
	for _, n := range ActivationNames() {
		a, err := ParseActivation(n)
		if err != nil || a.String() != n {
			t.Errorf("ParseActivation(%q) = %v, %v", n, a, err)
		}
	}
	if _, err := ParseActivation("gelu"); err == nil {
		t.Error("ParseActivation(gelu) did not fail")
	}
}

// TestAdamMatchesClosedForm checks the first Adam steps on a 1-D quadratic
// against a direct evaluation of the update rule.
func TestAdamMatchesClosedForm(t *testing.T) {
	a := NewAdam[float64](1, 0.1, 0.01)
	p := []float64{1}
	m, v := 0.0, 0.0
	want := 1.0
	for s := 1; s <= 5; s++ {
		g := 2 * p[0] // d/dp p^2
		a.Step(p, []float64{g})
		gw := 2*want + 0.01*want
		m = 0.9*m + 0.1*gw
		v = 0.999*v + 0.001*gw*gw
		mh := m / (1 - math.Pow(0.9, float64(s)))
		vh := v / (1 - math.Pow(0.999, float64(s)))
		want -= 0.1 * mh / (math.Sqrt(vh) + 1e-8)
		if math.Abs(p[0]-want) > 1e-12 {
			t.Fatalf("step %d: p = %v, want %v", s, p[0], want)
		}
	}
}

// TestTanh32 bounds the error of the float32 path's tanh over a dense grid.
func TestTanh32(t *testing.T) {
	t.Parallel()
	worst := 0.0
	for x := -25.0; x <= 25; x += 1e-4 {
		worst = math.Max(worst, math.Abs(float64(tanh32(float32(x)))-math.Tanh(float64(float32(x)))))
	}
	if worst > 3e-7 {
		t.Errorf("tanh32 max abs error %g, want < 3e-7", worst)
	}
	if got := tanh32(float32(math.Copysign(0, -1))); got != 0 {
		t.Errorf("tanh32(-0) = %g", got)
	}
}
