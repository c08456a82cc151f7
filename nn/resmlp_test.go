package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"
)

// randVec returns n normal deviates times scale.
func randVec(rng *rand.Rand, n int, scale float64) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = scale * rng.NormFloat64()
	}
	return s
}

// maxRelErr returns max |a-b| / max(max |b|, floor).
func maxRelErr[T Float](a []T, b []float64, floor float64) float64 {
	d, nb := 0.0, floor
	for i := range b {
		d = math.Max(d, math.Abs(float64(a[i])-b[i]))
		nb = math.Max(nb, math.Abs(b[i]))
	}
	return d / nb
}

func to32(x []float64) []float32 {
	y := make([]float32, len(x))
	for i, v := range x {
		y[i] = float32(v)
	}
	return y
}

// refResForward is a direct, loop-by-loop float64 evaluation of the ResMLP
// definition, independent of the engine's layout tricks. It also returns the
// smallest |pre-activation|, to keep ReLU tests away from the kink.
func refResForward(m *ResMLP[float64], x []float64, B int) (y []float64, minPre float64) {
	w, b := m.Views(m.Params)
	act := func(a float64) float64 {
		z, s := []float64{a}, []float64{0}
		activate(m.Act, z, s, nil)
		return z[0]
	}
	affine := func(h []float64, k int) []float64 {
		r, c := m.layerDims(k)
		a := make([]float64, c)
		for j := 0; j < c; j++ {
			a[j] = b[k][j]
			for i := 0; i < r; i++ {
				a[j] += h[i] * w[k][i*c+j]
			}
		}
		return a
	}
	minPre = math.Inf(1)
	for r := 0; r < B; r++ {
		h := affine(x[r*m.In():(r+1)*m.In()], 0)
		for j, a := range h {
			minPre = math.Min(minPre, math.Abs(a))
			h[j] = act(a)
		}
		for k := 1; k <= m.Residual(); k++ {
			a := affine(h, k)
			for j := range h {
				minPre = math.Min(minPre, math.Abs(a[j]))
				h[j] += act(a[j])
			}
		}
		y = append(y, affine(h, m.Residual()+1)...)
	}
	return y, minPre
}

var resCases = []struct {
	in, width, residual, out, batch int
	act                             Activation
}{
	{3, 5, 0, 2, 4, Tanh},
	{4, 6, 1, 3, 5, Softplus},
	{5, 8, 2, 2, 3, Tanh},
	{2, 7, 3, 4, 6, Sin},
	{6, 5, 2, 1, 4, Sigmoid},
	{7, 9, 2, 3, 5, ReLU},
	{12, 10, 2, 2, 8, ReLU},
}

// mseLoss returns mean((o - y)^2) and, when dout is not nil, writes its
// gradient.
func mseLoss[T Float](o []T, y, dout []float64) float64 {
	var l float64
	for j := range y {
		r := float64(o[j]) - y[j]
		l += r * r
		if dout != nil {
			dout[j] = 2 * r / float64(len(y))
		}
	}
	return l / float64(len(y))
}

// TestResMLPForwardMatchesReference checks Forward against a direct
// evaluation of the definition.
func TestResMLPForwardMatchesReference(t *testing.T) {
	t.Parallel()
	for i, tc := range resCases {
		rng := rand.New(rand.NewPCG(uint64(i), 10))
		m := NewResMLP[float64](tc.in, tc.width, tc.residual, tc.out, tc.act, rng)
		x := randVec(rng, tc.batch*tc.in, 1)
		want, _ := refResForward(m, x, tc.batch)
		got := m.Forward(m.NewWorkspace(tc.batch), x)
		// Sums of at most a dozen O(1) terms: a few ulps.
		if e := maxRelErr(got, want, 1); e > 1e-14 {
			t.Errorf("case %d: Forward differs from the definition: rel err %g", i, e)
		}
	}
}

// TestResMLPGradFD checks the parameter gradient and the input gradient of
// an MSE loss against central finite differences over every parameter and
// every input. ReLU cases are checked only where every pre-activation is
// farther from the kink than the finite-difference steps can move it.
func TestResMLPGradFD(t *testing.T) {
	t.Parallel()
	for i, tc := range resCases {
		t.Run(fmt.Sprintf("%d-%v", i, tc.act), func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(uint64(i), 11))
			m := NewResMLP[float64](tc.in, tc.width, tc.residual, tc.out, tc.act, rng)
			B := tc.batch
			x := randVec(rng, B*tc.in, 1)
			y := randVec(rng, B*tc.out, 1)
			step := 1e-5
			if tc.act == ReLU {
				// A step of 1e-6 moves a pre-activation by at most ~1e-5;
				// inside one linear piece the network is a polynomial in the
				// parameters and central differences stay accurate.
				step = 1e-6
				if _, minPre := refResForward(m, x, B); minPre < 1e-4 {
					t.Fatalf("a pre-activation is %g from the ReLU kink; choose another seed", minPre)
				}
			}
			ws := m.NewWorkspace(B)
			dy := make([]float64, B*tc.out)
			mseLoss(m.Forward(ws, x), y, dy)
			grad := make([]float64, m.NumParams())
			dx := make([]float64, B*tc.in)
			m.Backward(ws, grad, dx, dy)

			ev := m.NewWorkspace(B)
			orig := append([]float64(nil), m.Params...)
			want := fd.Gradient(nil, func(theta []float64) float64 {
				copy(m.Params, theta)
				l := mseLoss(m.Forward(ev, x), y, nil)
				copy(m.Params, orig)
				return l
			}, orig, &fd.Settings{Formula: fd.Central, Step: step})
			// Central differences: truncation O(step^2) ~ 1e-10 and
			// roundoff eps/step ~ 1e-11 relative to O(1) gradients.
			e := maxRelErr(grad, want, 1e-6)
			if e > 1e-7 {
				t.Errorf("parameter gradient differs from finite differences: rel err %g", e)
			}
			wantX := fd.Gradient(nil, func(xx []float64) float64 {
				return mseLoss(m.Forward(ev, xx), y, nil)
			}, x, &fd.Settings{Formula: fd.Central, Step: step})
			ex := maxRelErr(dx, wantX, 1e-6)
			if ex > 1e-7 {
				t.Errorf("input gradient differs from finite differences: rel err %g", ex)
			}
			t.Logf("rel err: parameters %.1e, input %.1e", e, ex)
		})
	}
}

// TestResMLPBackwardAdd checks that BackwardAdd adds to grad what Backward
// writes, and that a nil dx changes nothing else.
func TestResMLPBackwardAdd(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 12))
	m := NewResMLP[float64](6, 8, 2, 3, Tanh, rng)
	B := 5
	ws := m.NewWorkspace(B)
	x, dy := randVec(rng, B*6, 1), randVec(rng, B*3, 1)
	m.Forward(ws, x)
	g := make([]float64, m.NumParams())
	m.Backward(ws, g, nil, dy)
	base := randVec(rng, m.NumParams(), 1)
	acc := append([]float64(nil), base...)
	m.BackwardAdd(ws, acc, nil, dy)
	for i := range acc {
		if d := math.Abs(acc[i] - (base[i] + g[i])); d > 1e-14*(1+math.Abs(acc[i])) {
			t.Fatalf("BackwardAdd[%d] = %g, want %g", i, acc[i], base[i]+g[i])
		}
	}
	// Backward overwrites whatever grad held.
	m.Backward(ws, acc, make([]float64, B*6), dy)
	for i := range acc {
		if acc[i] != g[i] {
			t.Fatalf("Backward did not overwrite grad[%d]: %g, want %g", i, acc[i], g[i])
		}
	}
}

// TestResMLPFloat32MatchesFloat64 checks that the float32 network computes
// the same output and gradients as the float64 one to float32 accuracy, at
// the autoencoder's widths (shrunk input).
func TestResMLPFloat32MatchesFloat64(t *testing.T) {
	t.Parallel()
	for _, act := range []Activation{ReLU, Tanh} {
		in, width, out, B := 196, 64, 2, 16
		m64 := NewResMLP[float64](in, width, 2, out, act, rand.New(rand.NewPCG(7, 7)))
		m32 := ResMLPFromParams(in, width, 2, out, act, to32(m64.Params))
		rng := rand.New(rand.NewPCG(8, 8))
		x := randVec(rng, B*in, 1)
		y := randVec(rng, B*out, 1)
		ws64, ws32 := m64.NewWorkspace(B), m32.NewWorkspace(B)
		dy := make([]float64, B*out)
		o64 := append([]float64(nil), m64.Forward(ws64, x)...)
		mseLoss(o64, y, dy)
		g64, dx64 := make([]float64, m64.NumParams()), make([]float64, B*in)
		m64.Backward(ws64, g64, dx64, dy)
		o32 := m32.Forward(ws32, to32(x))
		g32, dx32 := make([]float32, m32.NumParams()), make([]float32, B*in)
		m32.Backward(ws32, g32, dx32, to32(dy))
		// float32's unit roundoff is 6e-8; sums of 64-196 terms through four
		// layers lose a few digits more.
		for _, c := range []struct {
			name string
			a    []float32
			b    []float64
		}{{"output", o32, o64}, {"parameter gradient", g32, g64}, {"input gradient", dx32, dx64}} {
			if e := maxRelErr(c.a, c.b, 1e-6); e > 1e-4 {
				t.Errorf("%v: float32 %s differs from float64: rel err %g", act, c.name, e)
			}
		}
	}
}

// TestResMLPNoAllocs checks that Forward and Backward allocate nothing once
// the workspace exists. The sizes keep every product below gonum's
// threshold for parallel gemm, whose worker goroutines allocate. It is not
// parallel: AllocsPerRun counts every goroutine's allocations.
func TestResMLPNoAllocs(t *testing.T) {
	for _, typ := range []string{"float32", "float64"} {
		var fwd, bwd float64
		switch typ {
		case "float32":
			fwd, bwd = resAllocs[float32]()
		case "float64":
			fwd, bwd = resAllocs[float64]()
		}
		if fwd != 0 || bwd != 0 {
			t.Errorf("%s: Forward allocates %v times, Backward %v times per call", typ, fwd, bwd)
		}
	}
}

func resAllocs[T Float]() (fwd, bwd float64) {
	rng := rand.New(rand.NewPCG(1, 1))
	m := NewResMLP[T](40, 32, 2, 2, ReLU, rng)
	B := 16
	ws := m.NewWorkspace(B)
	x := make([]T, B*40)
	for i := range x {
		x[i] = T(rng.Float64())
	}
	dy := make([]T, B*2)
	grad, dx := make([]T, m.NumParams()), make([]T, B*40)
	fwd = testing.AllocsPerRun(20, func() { m.Forward(ws, x) })
	bwd = testing.AllocsPerRun(20, func() { m.Backward(ws, grad, dx, dy) })
	return fwd, bwd
}

// TestResMLPInit checks the orthogonal weights and the bias bounds of
// NewResMLP, and that ParamViews names and aliases every parameter once.
func TestResMLPInit(t *testing.T) {
	t.Parallel()
	m := NewResMLP[float64](30, 20, 2, 3, ReLU, rand.New(rand.NewPCG(1, 1)))
	views := m.ParamViews(m.Params)
	names := []string{"W0", "b0", "W1", "b1", "W2", "b2", "Wout", "bout"}
	if len(views) != len(names) {
		t.Fatalf("%d views, want %d", len(views), len(names))
	}
	total := 0
	for i, v := range views {
		if v.Name != names[i] {
			t.Errorf("view %d is %q, want %q", i, v.Name, names[i])
		}
		n := 1
		for _, s := range v.Shape {
			n *= s
		}
		if n != len(v.Data) {
			t.Errorf("%s: shape %v but %d values", v.Name, v.Shape, len(v.Data))
		}
		if &v.Data[0] != &m.Params[total] {
			t.Errorf("%s does not alias Params at offset %d", v.Name, total)
		}
		total += n
		if len(v.Shape) == 2 {
			r, c := v.Shape[0], v.Shape[1]
			a := mat.NewDense(r, c, v.Data)
			var g mat.Dense
			if r >= c {
				g.Mul(a.T(), a)
			} else {
				g.Mul(a, a.T())
			}
			n, _ := g.Dims()
			id := mat.NewDiagDense(n, nil)
			for j := 0; j < n; j++ {
				id.SetDiag(j, 1)
			}
			if !mat.EqualApprox(&g, id, 1e-12) {
				t.Errorf("%s (%dx%d) is not orthogonal", v.Name, r, c)
			}
		} else {
			fanIn := views[i-1].Shape[0]
			bound := 1 / math.Sqrt(float64(fanIn))
			for _, b := range v.Data {
				if math.Abs(b) > bound {
					t.Errorf("%s has %g outside +-%g", v.Name, b, bound)
				}
			}
		}
	}
	if total != m.NumParams() || total != len(m.Params) {
		t.Errorf("views cover %d values of %d", total, len(m.Params))
	}
	// ResMLPFromParams aliases its slice.
	a := ResMLPFromParams(30, 20, 2, 3, ReLU, m.Params)
	ws := a.NewWorkspace(1)
	x := randVec(rand.New(rand.NewPCG(2, 2)), 30, 1)
	before := a.Forward(ws, x)[0]
	views[len(views)-1].Data[0] += 1
	if after := a.Forward(ws, x)[0]; math.Abs(after-before-1) > 1e-12 {
		t.Errorf("changing bout by 1 moved output 0 from %g to %g", before, after)
	}
}

// TestResMLPPanics checks the documented panics.
func TestResMLPPanics(t *testing.T) {
	t.Parallel()
	m := NewResMLP[float64](4, 5, 1, 2, Tanh, rand.New(rand.NewPCG(1, 1)))
	ws := m.NewWorkspace(3)
	other := NewResMLP[float64](4, 5, 2, 2, Tanh, rand.New(rand.NewPCG(1, 1))).NewWorkspace(3)
	for name, f := range map[string]func(){
		"bad sizes":         func() { ResMLPNumParams(0, 5, 1, 2) },
		"negative residual": func() { ResMLPNumParams(4, 5, -1, 2) },
		"params length":     func() { ResMLPFromParams(4, 5, 1, 2, Tanh, make([]float64, 3)) },
		"batch 0":           func() { m.NewWorkspace(0) },
		"x length":          func() { m.Forward(ws, make([]float64, 11)) },
		"workspace shape":   func() { m.Forward(other, make([]float64, 12)) },
		"backward first":    func() { m.Backward(m.NewWorkspace(3), make([]float64, m.NumParams()), nil, make([]float64, 6)) },
		"dy length": func() {
			m.Forward(ws, make([]float64, 12))
			m.Backward(ws, make([]float64, m.NumParams()), nil, make([]float64, 5))
		},
		"dx length": func() {
			m.Forward(ws, make([]float64, 12))
			m.Backward(ws, make([]float64, m.NumParams()), make([]float64, 3), make([]float64, 6))
		},
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

// ExampleResMLP builds the encoder half of the pixel-pendulum autoencoder
// and encodes a batch of two frame pairs.
func ExampleResMLP() {
	rng := rand.New(rand.NewPCG(1, 2))
	enc := NewResMLP[float32](1568, 200, 2, 2, ReLU, rng)
	ws := enc.NewWorkspace(2)
	z := enc.Forward(ws, make([]float32, 2*1568))
	fmt.Println(enc.NumParams(), len(z))
	for _, v := range enc.ParamViews(enc.Params) {
		fmt.Print(v.Name, v.Shape, " ")
	}
	fmt.Println()
	// Output:
	// 394602 4
	// W0[1568 200] b0[200] W1[200 200] b1[200] W2[200 200] b2[200] Wout[200 2] bout[2]
}

// BenchmarkResMLP times a float32 forward and backward pass of the pixel
// autoencoder's halves at batch 200: the encoder 1568 -> 200 (2 residual)
// -> 2 without an input gradient, and the decoder 2 -> 200 (2 residual) ->
// 1568 with one (its input is the latent, whose gradient reaches the
// encoder).
func BenchmarkResMLP(b *testing.B) {
	for _, c := range []struct {
		name    string
		in, out int
		dx      bool
	}{{"encoder", 1568, 2, false}, {"decoder", 2, 1568, true}} {
		b.Run(c.name, func(b *testing.B) {
			const batch, width, res = 200, 200, 2
			rng := rand.New(rand.NewPCG(1, 1))
			m := NewResMLP[float32](c.in, width, res, c.out, ReLU, rng)
			ws := m.NewWorkspace(batch)
			x := make([]float32, batch*c.in)
			for i := range x {
				x[i] = float32(rng.Float64())
			}
			dy := make([]float32, batch*c.out)
			for i := range dy {
				dy[i] = float32(rng.NormFloat64())
			}
			grad := make([]float32, m.NumParams())
			var dx []float32
			// Forward and weight gradients: 2 B (in w + K w^2 + w out) each;
			// propagating dL/dh: 2 B (K w^2 + w out), plus 2 B w in for dx.
			layers := float64(c.in*width + res*width*width + width*c.out)
			flops := 2 * batch * (2*layers + float64(res*width*width+width*c.out))
			if c.dx {
				dx = make([]float32, batch*c.in)
				flops += 2 * batch * float64(width*c.in)
			}
			for b.Loop() {
				m.Forward(ws, x)
				m.Backward(ws, grad, dx, dy)
			}
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
