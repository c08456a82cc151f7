package model

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/diff/fd"

	"github.com/hnn-go/hnn/nn"
)

// newMassModel returns a float64 mass-matrix model on 2n states whose A
// holds random lower-triangular values of size about 0.3.
func newMassModel(t *testing.T, n int, seed uint64) *Mass[float64] {
	t.Helper()
	m := newConfigModel(t, Config{Kind: "mass", Dim: 2 * n, Hidden: []int{9, 7}}, seed).(*Mass[float64])
	rng := rand.New(rand.NewPCG(seed, 9))
	for i := range m.a {
		m.a[i] = 0.3 * rng.NormFloat64()
	}
	return m
}

// TestMassFieldIsSymplecticGradient checks the field against J grad H with
// grad H from central differences of Energy (error about 1e-10, tolerance
// 1e-7), and its q-half against L L^T p computed from the matrix.
func TestMassFieldIsSymplecticGradient(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 2, 3} {
		m := newMassModel(t, n, uint64(n))
		ws := m.NewWorkspace(1, false).(*MassWorkspace[float64])
		d := 2 * n
		x := randBatch(1, d, 5)
		f := make([]float64, d)
		ws.Field(f, x)
		g := fdGradient(ws.Energy, x)
		for i := range n {
			if math.Abs(f[i]-g[n+i]) > 1e-7 || math.Abs(f[n+i]+g[i]) > 1e-7 {
				t.Fatalf("n %d: field %v, J grad H by differences (%v, -%v)", n, f, g[n:], g[:n])
			}
		}
		p := x[n:]
		for i := range n {
			want := 0.0
			for j := range n {
				for k := 0; k <= min(i, j); k++ {
					want += m.l(i, k) * m.l(j, k) * p[j]
				}
			}
			if math.Abs(f[i]-want) > 1e-12 {
				t.Errorf("n %d: dq_%d/dt = %v, (L L^T p)_%d = %v", n, i, f[i], i, want)
			}
		}
	}
}

// TestMassSymplecticStructure checks, with the field's Jacobian Df from
// central differences, that J^T Df (the Hessian of H for a Hamiltonian
// field) is symmetric and that the field is separable: dq/dt does not
// depend on q nor dp/dt on p. Differences of O(1) fields at step 1e-5 are
// accurate to about 1e-10; the tolerance is 1e-7.
func TestMassSymplecticStructure(t *testing.T) {
	t.Parallel()
	const n, d = 2, 4
	m := newMassModel(t, n, 7)
	ws := m.NewWorkspace(1, false)
	x := randBatch(1, d, 8)
	df := make([]float64, d*d) // df[i*d+j] = d f_i / d x_j
	for i := range d {
		col := make([]float64, d)
		fd.Gradient(col, func(s []float64) float64 {
			f := make([]float64, d)
			ws.Field(f, s)
			return f[i]
		}, x, &fd.Settings{Formula: fd.Central, Step: 1e-5})
		copy(df[i*d:], col)
	}
	// (J^T Df)_{ij}: J^T = [[0, -I], [I, 0]], so its rows are -Df_{n+i}
	// for i < n and Df_{i-n} after.
	s := func(i, j int) float64 {
		if i < n {
			return -df[(n+i)*d+j]
		}
		return df[(i-n)*d+j]
	}
	for i := range d {
		for j := range d {
			if e := math.Abs(s(i, j) - s(j, i)); e > 1e-7 {
				t.Errorf("J^T Df is not symmetric at (%d, %d): %v vs %v", i, j, s(i, j), s(j, i))
			}
		}
	}
	for i := range n {
		for j := range n {
			if a, b := df[i*d+j], df[(n+i)*d+n+j]; math.Abs(a) > 1e-7 || math.Abs(b) > 1e-7 {
				t.Errorf("not separable: d(dq_%d/dt)/dq_%d = %v, d(dp_%d/dt)/dp_%d = %v", i, j, a, i, j, b)
			}
		}
	}
}

// TestMassLearnsSpring trains on a two-dimensional spring with the mass
// matrix M^-1 = [[0.5, 0.2], [0.2, 0.3]] and stiffness I (field
// (M^-1 p, -q)) and checks that the loss falls below 1e-3 and the learned
// M^-1 is within 0.03 of the true one. The same training with L's gradient
// dropped (a model whose mass matrix is stuck at the identity) cannot fit
// dq/dt and must stay above the threshold, so the check tells a working
// model from a broken one.
func TestMassLearnsSpring(t *testing.T) {
	t.Parallel()
	minv := [2][2]float64{{0.5, 0.2}, {0.2, 0.3}}
	const rows, d, steps = 256, 4, 1500
	x := randBatch(rows, d, 21)
	y := make([]float64, rows*d)
	for r := range rows {
		q, p := x[r*d:r*d+2], x[r*d+2:r*d+4]
		for i := range 2 {
			y[r*d+i] = minv[i][0]*p[0] + minv[i][1]*p[1]
			y[r*d+2+i] = -q[i]
		}
	}
	fit := func(broken bool) (float64, *Mass[float64]) {
		c := Config{Kind: "mass", Dim: d, Hidden: []int{32}, Precision: "float64"}
		mm, err := New[float64](c, rand.New(rand.NewPCG(3, 1)))
		if err != nil {
			t.Fatal(err)
		}
		m := mm.(*Mass[float64])
		ws := m.NewWorkspace(rows, true)
		grad := make([]float64, len(m.Params()))
		opt := nn.NewAdam[float64](len(grad), 1e-2, 0)
		for range steps {
			ws.LossGrad(x, y, grad)
			if broken {
				clear(grad[len(m.v.Params):])
			}
			opt.Step(m.Params(), grad)
		}
		return ws.Loss(x, y), m
	}
	loss, m := fit(false)
	if !(loss < 1e-3) {
		t.Errorf("loss after %d steps %.3g, want below 1e-3", steps, loss)
	}
	for i := range 2 {
		for j := range 2 {
			got := 0.0
			for k := 0; k <= min(i, j); k++ {
				got += m.l(i, k) * m.l(j, k)
			}
			if math.Abs(got-minv[i][j]) > 0.03 {
				t.Errorf("learned M^-1[%d][%d] = %.4f, want %.4f", i, j, got, minv[i][j])
			}
		}
	}
	broken, _ := fit(true)
	if !(broken > 1e-3) {
		t.Errorf("a model with its mass matrix frozen reached loss %.3g, below the threshold 1e-3", broken)
	}
	t.Logf("loss %.3g, with the mass matrix frozen %.3g", loss, broken)
}
