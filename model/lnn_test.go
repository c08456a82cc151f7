package model

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/nn"
	"github.com/hnn-go/hnn/systems"
)

// wellConditioned returns B random rows for the lnn model m at which the
// Hessian of its Lagrangian in the velocities has eigenvalues within a
// factor of 3 of each other in magnitude: near a singular Hessian the
// acceleration H^-1 r is so steep that central differences lose the
// digits a gradient check needs. Rows of a momentum layout are taken as
// drawn.
func wellConditioned(t *testing.T, m Model[float64], B int, seed uint64) []float64 {
	t.Helper()
	c := m.Config()
	d, n := c.Dim, c.StateLayout().Positions
	if !c.StateLayout().Velocities {
		return randBatch(B, d, seed)
	}
	ws := m.NewWorkspace(1, false).(*lnnWS[float64])
	f := make([]float64, d)
	rng := rand.New(rand.NewPCG(seed, 77))
	out := make([]float64, 0, B*d)
	for tries := 0; len(out) < B*d; tries++ {
		if tries == 10000 {
			t.Fatalf("no well-conditioned rows in %d tries", tries)
		}
		x := make([]float64, d)
		for i := range x {
			x[i] = rng.NormFloat64()
		}
		ws.Field(f, x)
		var eig mat.EigenSym
		if !eig.Factorize(mat.NewSymDense(n, append([]float64(nil), ws.hess...)), false) {
			continue
		}
		lo, hi := math.Inf(1), 0.0
		for _, v := range eig.Values(nil) {
			lo, hi = math.Min(lo, math.Abs(v)), math.Max(hi, math.Abs(v))
		}
		if lo > hi/3 {
			out = append(out, x...)
		}
	}
	return out
}

// TestLNNTrueSystems checks the Euler-Lagrange solve of the lnn kind: with
// the network's derivatives replaced by those of a system's exact
// Lagrangian q-dot^T M q-dot / 2 - V (dL/dq from sys.Force, the Hessian M,
// the mixed derivative by central differences of M q-dot, step 1e-6) the
// field is sys.Accel and the energy sys.Energy, to 1e-6, for the pendulum
// with torque, the cart-pole, the fully actuated acrobot and the double
// pendulum with joint torques.
func TestLNNTrueSystems(t *testing.T) {
	t.Parallel()
	for _, sys := range []systems.Driven{systems.TorquePendulum{}, systems.CartPole{}, systems.Acrobot{FullyActuated: true}, systems.DoublePendulum{Torques: true}} {
		n, mi := sys.Coords(), sys.Inputs()
		l := systems.DrivenProtocol{}.Layout(sys)
		m := newConfigModel(t, Config{Kind: "lnn", Dim: l.Dim(), Hidden: []int{4}, Layout: l}, 1)
		w := m.NewWorkspace(1, false).(*lnnWS[float64])
		rng := rand.New(rand.NewPCG(8, uint64(n)))
		np := n * (n + 1) / 2
		for range 5 {
			q, v, u := make([]float64, n), make([]float64, n), make([]float64, mi)
			for i := range q {
				q[i], v[i] = 3*rng.Float64()-1.5, 2*rng.NormFloat64()
			}
			for i := range u {
				u[i] = 2 * rng.NormFloat64()
			}
			copy(w.q, q)
			copy(w.s, v)
			copy(w.u, u)
			mass := make([]float64, n*n)
			sys.Mass(mass, q)
			mv := func(q []float64) []float64 {
				a, out := make([]float64, n*n), make([]float64, n)
				sys.Mass(a, q)
				mulMV(out, a, v, n)
				return out
			}
			// The network's share N = L - |v|^2 / 2 of the exact L.
			w.dl, w.ddl = make([]float64, 2*n), make([]float64, np+n*n)
			sys.Force(w.dl[:n], q, v)
			copy(w.dl[n:], mv(q))
			p := 0
			for i := range n {
				w.dl[n+i] -= lnnPrior * v[i]
				for k := i; k < n; k++ {
					w.ddl[p] = mass[i*n+k]
					if k == i {
						w.ddl[p] -= lnnPrior
					}
					p++
				}
			}
			const h = 1e-6
			for j := range n {
				qq := append([]float64(nil), q...)
				qq[j] += h
				up := mv(qq)
				qq[j] -= 2 * h
				down := mv(qq)
				for i := range n {
					w.ddl[np+i*n+j] = (up[i] - down[i]) / (2 * h)
				}
			}
			w.gm = make([]float64, n*mi)
			sys.InputMatrix(w.gm, q)
			var kin, prior float64
			for i := range n {
				kin += v[i] * (w.dl[n+i] + lnnPrior*v[i])
				prior += lnnPrior * v[i] * v[i] / 2
			}
			w.lv = []float64{kin/2 - systems.Potential(sys, q) - prior}
			f := make([]float64, 2*n+mi)
			w.fieldRows(f)
			want := make([]float64, n)
			sys.Accel(want, q, v, u)
			for i := range n {
				if f[i] != v[i] || math.Abs(f[n+i]-want[i]) > 1e-6*(1+math.Abs(want[i])) {
					t.Errorf("%s: field %v, want (%v, %v, 0)", sys.Name(), f, v, want)
					break
				}
			}
			e := make([]float64, 1)
			w.energyRows(e)
			if want := sys.Energy(q, v); math.Abs(e[0]-want) > 1e-6*(1+math.Abs(want)) {
				t.Errorf("%s: energy %v, want %v", sys.Name(), e, want)
			}
		}
	}
}

// TestLNNSingularHessian checks the guard: guardedLU adds a ridge to a
// singular matrix and to no other, and an lnn model whose Lagrangian is
// zero (every Hessian zero) still returns a finite field and gradient.
func TestLNNSingularHessian(t *testing.T) {
	t.Parallel()
	lu, piv := make([]float64, 4), make([]int, 2)
	for _, tc := range []struct {
		h     []float64
		ridge bool
	}{
		{[]float64{1, 1, 1, 1}, true},
		{[]float64{0, 0, 0, 0}, true},
		{[]float64{2, 1, 1, -3}, false},
		{[]float64{0, 1, 1, 0}, false},
	} {
		h := append([]float64(nil), tc.h...)
		if got := guardedLU(lu, piv, h, 2); got != tc.ridge {
			t.Errorf("guardedLU(%v) added a ridge: %v, want %v", tc.h, got, tc.ridge)
		}
		x := make([]float64, 2)
		luSolve(x, lu, piv, []float64{1, 2}, 2)
		// The solve inverts the matrix guardedLU left in h.
		for i := range 2 {
			if r := h[2*i]*x[0] + h[2*i+1]*x[1] - float64(1+i); math.IsNaN(r) || math.Abs(r) > 1e-6 {
				t.Errorf("guardedLU(%v): residual %v", tc.h, r)
			}
		}
	}
	l := data.Layout{Positions: 2, Velocities: true, Inputs: 1, Angles: []int{0}}
	m := newConfigModel(t, Config{Kind: "lnn", Dim: l.Dim(), Hidden: []int{5}, Layout: l}, 2)
	clear(Networks(m)[0].MLP.Params)
	ws := m.NewWorkspace(3, true)
	x, y := randBatch(3, l.Dim(), 1), randBatch(3, l.Dim(), 2)
	grad := make([]float64, len(m.Params()))
	loss := ws.LossGrad(x, y, grad)
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		t.Fatalf("loss %v with a zero Lagrangian", loss)
	}
	for i, g := range grad {
		if math.IsNaN(g) || math.IsInf(g, 0) {
			t.Fatalf("gradient %d is %v with a zero Lagrangian", i, g)
		}
	}
}

// TestLNNLearnsPendulum trains the lnn kind on the small angle-embedded
// pendulum with torque of TestMechLearnsPendulum (derivative fit, full
// batch, float64, 150 Adam steps, softplus as LNN uses) and checks that
// the loss falls by a factor of 1000 (measured: 42 -> 0.0056), and that
// with the gradient of the input matrix dropped (a model that cannot learn
// the torque's effect) it does not (measured: 42 -> 5.5).
func TestLNNLearnsPendulum(t *testing.T) {
	t.Parallel()
	pr := systems.PendulumEmbedProtocol()
	pr.Starts, pr.Points = 16, 10
	ds, err := systems.GenerateDriven(systems.TorquePendulum{}, pr, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	set := ds.Train
	rows := len(set.X) / set.Dim
	const steps = 150
	fit := func(broken bool) (first, last float64) {
		c := Config{Kind: "lnn", Dim: set.Dim, Hidden: []int{32, 32}, Activation: nn.Softplus, Precision: Float64, Layout: set.Layout}
		m := newConfigModel(t, c, 3)
		ws := m.NewWorkspace(rows, true)
		grad := make([]float64, len(m.Params()))
		opt := nn.NewAdam[float64](len(grad), 1e-2, 0)
		nl := len(Networks(m)[0].MLP.Params)
		for s := range steps {
			l := ws.LossGrad(set.X, set.DX, grad)
			if s == 0 {
				first = l
			}
			if broken {
				clear(grad[nl:])
			}
			opt.Step(m.Params(), grad)
		}
		return first, ws.Loss(set.X, set.DX)
	}
	first, last := fit(false)
	bf, bl := fit(true)
	t.Logf("loss %.3g -> %.3g; with g's gradient dropped %.3g -> %.3g", first, last, bf, bl)
	if !(last < first/1000) {
		t.Errorf("loss %.3g -> %.3g after %d steps, want a fall by 1000", first, last, steps)
	}
	if !(bl > bf/1000) {
		t.Errorf("with g's gradient dropped the loss fell %.3g -> %.3g: the check cannot tell", bf, bl)
	}
}
