package model

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/internal/spd"
	"github.com/hnn-go/hnn/nn"
	"github.com/hnn-go/hnn/systems"
	"gonum.org/v1/gonum/diff/fd"
)

// mechLayoutCases are state layouts that exercise every path of the
// mechanical kinds: velocities and momenta, inputs or none, angles or
// none, one to three positions.
var mechLayoutCases = []data.Layout{
	{Positions: 1, Velocities: true, Inputs: 1, Angles: []int{0}},
	{Positions: 1, Inputs: 1},
	{Positions: 2, Inputs: 1, Angles: []int{1}},
	{Positions: 2, Velocities: true, Inputs: 2, Angles: []int{0, 1}},
	{Positions: 2, Velocities: true},
	{Positions: 3, Velocities: true, Inputs: 1, Angles: []int{2}},
	{Positions: 3, Inputs: 2, Angles: []int{0}},
}

// TestMechFieldVJPFD checks, for every mechanical kind and layout,
// FieldVJP's parameter gradient (each network on its own) and its input
// gradient (positions, velocities or momenta, inputs) of L = sum(u .* f)
// against central differences: float64, step 1e-5, so truncation and
// rounding errors near 1e-10 for these O(1) functions and a tolerance of
// 1e-7 of the largest entry, while a wrong term is off by O(1).
func TestMechFieldVJPFD(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"symoden", "delan", "lnn"} {
		for i, l := range mechLayoutCases {
			for _, act := range []nn.Activation{nn.Tanh, nn.Softplus} {
				t.Run(fmt.Sprintf("%s/%d/%v", kind, i, act), func(t *testing.T) {
					t.Parallel()
					c := Config{Kind: kind, Dim: l.Dim(), Hidden: []int{7, 5}, Activation: act, Layout: l}
					m := newConfigModel(t, c, uint64(20+i))
					checkFieldVJPFD(t, m, 3, uint64(30+i))
				})
			}
		}
	}
}

// checkFieldVJPFD checks m's FieldVJP on a random batch of B rows against
// central differences, each network's gradient and the input gradient to
// 1e-7 of its largest entry. The rows of an lnn model are drawn where its
// Hessian in the velocities is well conditioned (wellConditioned).
func checkFieldVJPFD(t *testing.T, m Model[float64], B int, seed uint64) {
	t.Helper()
	c := m.Config()
	d := c.Dim
	x, u := randBatch(B, d, seed), randBatch(B, d, seed+1)
	step := 1e-5
	if _, ok := m.(*LNN[float64]); ok {
		// lnn's acceleration H^-1 r is steep where H is small: there the
		// differences' truncation error, measured to fall as the step
		// squared (3e-3 at 1e-5, 3e-4 at 3e-6 of a gradient of 2500),
		// needs the smaller step; rounding stays near 1e-10.
		x, step = wellConditioned(t, m, B, seed), 1e-6
	}
	ws := m.NewWorkspace(B, true)
	f := make([]float64, B*d)
	ws.Field(f, x)
	grad, dx := make([]float64, len(m.Params())), make([]float64, B*d)
	ws.FieldVJP(grad, dx, u)
	g2 := make([]float64, len(grad))
	ws.Field(f, x)
	ws.FieldVJP(g2, nil, u)
	for i := range grad {
		if g2[i] != grad[i] {
			t.Fatalf("parameter gradient %d is %v without dx, %v with", i, g2[i], grad[i])
		}
	}
	eval := m.NewWorkspace(B, false)
	loss := func(xx []float64) float64 {
		eval.Field(f, xx)
		s := 0.0
		for i, v := range f {
			s += u[i] * v
		}
		return s
	}
	set := &fd.Settings{Formula: fd.Central, Step: step}
	check := func(name string, got, want []float64) {
		t.Helper()
		var worst, scale float64
		for i := range want {
			worst = math.Max(worst, math.Abs(got[i]-want[i]))
			scale = math.Max(scale, math.Abs(want[i]))
		}
		if scale == 0 || worst > 1e-7*scale {
			t.Errorf("%s gradient error %g (scale %g)", name, worst, scale)
		}
	}
	check("input", dx, fd.Gradient(nil, loss, x, set))
	orig := append([]float64(nil), m.Params()...)
	want := fd.Gradient(nil, func(p []float64) float64 {
		copy(m.Params(), p)
		l := loss(x)
		copy(m.Params(), orig)
		return l
	}, orig, set)
	off := 0
	for _, part := range MustLookup(c.Kind).Parts(c) {
		k := part.Len()
		check("parameter "+part.Name, grad[off:off+k], want[off:off+k])
		off += k
	}
}

// TestMechLossGradFD checks the loss gradient of the mechanical kinds on
// layouts with inputs and angles against finite differences (the
// tolerance of checkLossGradFD). lnn's is left to TestMechFieldVJPFD, which
// draws rows where its Hessian is well conditioned (the loss gradient is
// the same fieldLossGrad over FieldVJP for every kind).
func TestMechLossGradFD(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"symoden", "delan"} {
		for _, l := range mechLayoutCases[:4] {
			m := newConfigModel(t, Config{Kind: kind, Dim: l.Dim(), Hidden: []int{12, 10}, Layout: l}, 4)
			checkLossGradFD(t, m, 5, 5)
		}
	}
}

// trueOutputs writes into w, a workspace of one row, what exact networks
// would output at q for sys: the Cholesky entries of A - eps I (A = M^-1
// or M), the softplus inverted on the diagonal, and their derivatives
// along each position by central differences of step 1e-6 (error ~1e-11);
// the gradient of V from sys.Force at zero velocity; the input matrix.
func trueOutputs(w *mechWS[float64], sys systems.Driven, q []float64) {
	m := w.m
	n := m.n
	nl := cholLen(n)
	ellAt := func(dst, q []float64) {
		a, c := make([]float64, n*n), make([]float64, n*n)
		sys.Mass(a, q)
		if m.inv {
			inv := make([]float64, n*n)
			spd.Factor(c, a, n)
			col := make([]float64, n)
			for j := range n {
				clear(col)
				col[j] = 1
				spd.Solve(col, c, col, n)
				for i := range n {
					inv[i*n+j] = col[i]
				}
			}
			a = inv
		}
		for j := range n {
			a[j*n+j] -= float64(m.eps)
		}
		spd.Factor(c, a, n)
		for j := range n {
			for k := 0; k <= j; k++ {
				v := c[j*n+k]
				if j == k {
					v = math.Log(math.Expm1(v))
				}
				dst[j*(j+1)/2+k] = v
			}
		}
	}
	w.ell, w.dell = make([]float64, nl), make([]float64, n*nl)
	ellAt(w.ell, q)
	const h = 1e-6
	up, down := make([]float64, nl), make([]float64, nl)
	for i := range n {
		qq := append([]float64(nil), q...)
		qq[i] = q[i] + h
		ellAt(up, qq)
		qq[i] = q[i] - h
		ellAt(down, qq)
		for k := range nl {
			w.dell[i*nl+k] = (up[k] - down[k]) / (2 * h)
		}
	}
	f := make([]float64, n)
	sys.Force(f, q, make([]float64, n))
	w.vy, w.dv = []float64{systems.Potential(sys, q)}, make([]float64, n)
	for i := range n {
		w.dv[i] = -f[i]
	}
	w.gm = make([]float64, n*m.m)
	if m.m > 0 {
		sys.InputMatrix(w.gm, q)
	}
}

// TestMechTrueSystems checks the structure of the mechanical kinds: a
// model whose networks are replaced by the exact functions of a system
// (trueOutputs) gives the system's exact acceleration (sys.Accel) on
// states (q, q-dot, u), its exact canonical field on states (q, p, u) and
// its exact energy, for the pendulum with torque, the cart-pole, the
// acrobot and the double pendulum with joint torques, whose mass matrices
// (but the pendulum's) depend on q. Tolerance 1e-6: the derivatives of
// the exact Cholesky factor come from differences with errors near 1e-10.
func TestMechTrueSystems(t *testing.T) {
	t.Parallel()
	syss := []systems.Driven{systems.TorquePendulum{}, systems.CartPole{}, systems.Acrobot{FullyActuated: true}, systems.DoublePendulum{Torques: true}}
	for _, kind := range []string{"symoden", "delan"} {
		for _, sys := range syss {
			for _, vel := range []bool{true, false} {
				n, mi := sys.Coords(), sys.Inputs()
				l := systems.DrivenProtocol{Momenta: !vel}.Layout(sys)
				mm := newConfigModel(t, Config{Kind: kind, Dim: l.Dim(), Hidden: []int{4}, Layout: l}, 1)
				w := mm.NewWorkspace(1, false).(*mechWS[float64])
				rng := rand.New(rand.NewPCG(7, uint64(n)))
				for range 5 {
					q, s, u := make([]float64, n), make([]float64, n), make([]float64, mi)
					for i := range q {
						q[i], s[i] = 3*rng.Float64()-1.5, 2*rng.NormFloat64()
					}
					for i := range u {
						u[i] = 2 * rng.NormFloat64()
					}
					copy(w.q, q)
					copy(w.s, s)
					copy(w.u, u)
					trueOutputs(w, sys, q)
					w.row(0)
					var want []float64
					got := w.fv
					qdot := s
					if vel {
						want = make([]float64, n)
						sys.Accel(want, q, s, u)
						got = w.acc
					} else {
						f := make([]float64, 2*n)
						systems.NewCanonical(sys, u).Field(f, append(append([]float64(nil), q...), s...))
						want = f[n:]
						qdot = f[:n]
						for i := range n {
							if math.Abs(w.v[i]-f[i]) > 1e-6*(1+math.Abs(f[i])) {
								t.Errorf("%s %s momenta: q-dot %v, want %v", kind, sys.Name(), w.v, f[:n])
							}
						}
					}
					for i := range n {
						if math.Abs(got[i]-want[i]) > 1e-6*(1+math.Abs(want[i])) {
							t.Errorf("%s %s velocities %v: field %v, want %v", kind, sys.Name(), vel, got, want)
							break
						}
					}
					var e float64
					for i := range n {
						e += w.p[i] * w.v[i]
					}
					e = e/2 + w.vy[0]
					if want := sys.Energy(q, qdot); math.Abs(e-want) > 1e-6*(1+math.Abs(want)) {
						t.Errorf("%s %s: energy %v, want %v", kind, sys.Name(), e, want)
					}
				}
			}
		}
	}
}

// TestMechLearnsPendulum trains symoden and delan on SymODEN's pendulum
// with torque by the derivative fit, full batch, float64: on rows
// (q, q-dot, u) with q an angle (a small version of task 2: 16 starts, 5
// torques, 10 samples) and on rows (q, p, u) (a small task 1: 8 starts).
// It checks that the loss falls by a factor of 1000 in 150 Adam steps
// (measured: task 2 43 -> 0.002, task 1 9.9 -> 0.0005 (symoden) and
// 9.3 -> 0.001 (delan)), and that the same training with the potential's
// gradient dropped (a model that cannot learn gravity) does not
// (measured: 43 -> 17, 9 -> 3.5).
func TestMechLearnsPendulum(t *testing.T) {
	t.Parallel()
	embed, task1 := systems.PendulumEmbedProtocol(), systems.PendulumTorqueProtocol()
	embed.Starts, embed.Points = 16, 10
	task1.Starts, task1.Points = 8, 10
	for _, tc := range []struct {
		name string
		pr   systems.DrivenProtocol
	}{{"velocities", embed}, {"momenta", task1}} {
		ds, err := systems.GenerateDriven(systems.TorquePendulum{}, tc.pr, rand.New(rand.NewPCG(1, 2)))
		if err != nil {
			t.Fatal(err)
		}
		set := ds.Train
		rows := len(set.X) / set.Dim
		for _, kind := range []string{"symoden", "delan"} {
			t.Run(kind+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				const steps = 150
				fit := func(broken bool) (first, last float64) {
					c := Config{Kind: kind, Dim: set.Dim, Hidden: []int{32, 32}, Precision: Float64, Layout: set.Layout}
					m := newConfigModel(t, c, 3)
					ws := m.NewWorkspace(rows, true)
					grad := make([]float64, len(m.Params()))
					opt := nn.NewAdam[float64](len(grad), 1e-2, 0)
					nets := Networks(m)
					nv0 := len(nets[0].MLP.Params)
					nv1 := nv0 + len(nets[1].MLP.Params)
					for s := range steps {
						l := ws.LossGrad(set.X, set.DX, grad)
						if s == 0 {
							first = l
						}
						if broken {
							clear(grad[nv0:nv1])
						}
						opt.Step(m.Params(), grad)
					}
					return first, ws.Loss(set.X, set.DX)
				}
				first, last := fit(false)
				bf, bl := fit(true)
				t.Logf("%s: loss %.3g -> %.3g; with V's gradient dropped %.3g -> %.3g", kind, first, last, bf, bl)
				if !(last < first/1000) {
					t.Errorf("loss %.3g -> %.3g after %d steps, want a fall by 1000", first, last, steps)
				}
				if !(bl > bf/1000) {
					t.Errorf("with V's gradient dropped the loss fell %.3g -> %.3g, by 1000 too: the check cannot tell", bf, bl)
				}
			})
		}
	}
}

// TestMechConfig checks the layout's place in a configuration: the
// mechanical kinds take layouts that other kinds refuse with an error
// naming the kind, a layout that does not fit the dimension is an error
// naming the kind, and a checkpoint keeps the layout.
func TestMechConfig(t *testing.T) {
	t.Parallel()
	l := data.Layout{Positions: 2, Velocities: true, Inputs: 1, Angles: []int{1}}
	for _, tc := range []struct {
		c    Config
		want string
	}{
		{Config{Kind: "hnn", Dim: 5, Layout: l}, "hnn takes canonical states (q, p) without inputs or angles; the layout declares velocities, 1 inputs, angles [1]"},
		{Config{Kind: "baseline", Dim: 4, Layout: data.Layout{Positions: 3}}, "baseline: data: layout: 3 positions"},
		{Config{Kind: "symoden", Dim: 4, Layout: l}, "symoden: data: layout: 2 positions, 2 velocities and 1 inputs make 5 columns, the data have 4"},
		{Config{Kind: "delan", Dim: 5, Layout: data.Layout{Inputs: 1, Angles: []int{3}}}, "delan: data: layout: angle column 3 is one of the momenta"},
		{Config{Kind: "delan", Dim: 3}, "delan: data: layout"},
	} {
		err := tc.c.WithDefaults().Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want one containing %q", tc.c, err, tc.want)
		}
	}
	for _, kind := range []string{"symoden", "delan"} {
		m, err := New[float32](Config{Kind: kind, Dim: 5, Hidden: []int{6}, Layout: l}, rand.New(rand.NewPCG(1, 1)))
		if err != nil {
			t.Fatal(err)
		}
		if got := NumParams(m.Config()); got != len(m.Params()) {
			t.Fatalf("%s: NumParams %d, model holds %d", kind, got, len(m.Params()))
		}
		dir := t.TempDir()
		if err := Save(dir, m); err != nil {
			t.Fatal(err)
		}
		back, err := Load[float32](dir)
		if err != nil {
			t.Fatal(err)
		}
		if got := back.Config().Layout; got.Positions != 2 || !got.Velocities || got.Inputs != 1 || len(got.Angles) != 1 || got.Angles[0] != 1 {
			t.Errorf("%s: layout %+v after the round trip, want %+v", kind, got, l)
		}
		x := []float32{0.3, -0.2, 0.9, 0.1, -1.1}
		f0, f1 := make([]float32, 5), make([]float32, 5)
		m.NewWorkspace(1, false).Field(f0, x)
		back.NewWorkspace(1, false).Field(f1, x)
		for i := range f0 {
			if f0[i] != f1[i] {
				t.Fatalf("%s: field %v after the round trip, want %v", kind, f1, f0)
			}
		}
		if f0[4] != 0 {
			t.Errorf("%s: the input's derivative is %v, want 0", kind, f0[4])
		}
	}
	// A model without a layout writes none, so today's model.json files
	// stay as they were.
	dir := t.TempDir()
	m, _ := New[float32](Config{Kind: "hnn", Dim: 2, Hidden: []int{3}}, rand.New(rand.NewPCG(1, 1)))
	if err := Save(dir, m); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	if _, ok := raw["layout"]; ok {
		t.Errorf("model.json of a canonical model has a layout: %s", b)
	}
}

// TestLayoutKindsFloat32 checks that the new kinds' float32 field and
// gradient (nn's float32 kernels where the CPU has them) agree with
// float64 on the same parameters, on a layout with velocities, inputs and
// an angle, to 1e-3 of the largest entry: float32 rounding (6e-8) grown
// through the networks, their derivatives and the per-row solves.
func TestLayoutKindsFloat32(t *testing.T) {
	t.Parallel()
	l := data.Layout{Positions: 2, Velocities: true, Inputs: 1, Angles: []int{1}}
	for _, kind := range []string{"symoden", "delan", "lnn", "naive", "geometric"} {
		c := Config{Kind: kind, Dim: l.Dim(), Hidden: []int{16, 16}, Layout: l}
		m64 := newConfigModel(t, c, 9)
		c.Precision = Float32
		p32 := make([]float32, len(m64.Params()))
		for i, v := range m64.Params() {
			p32[i] = float32(v)
		}
		m32, err := FromParams(c, p32)
		if err != nil {
			t.Fatal(err)
		}
		const B = 6
		x, y := randBatch(B, l.Dim(), 10), randBatch(B, l.Dim(), 11)
		if kind == "lnn" {
			x = wellConditioned(t, m64, B, 10)
		}
		x32, y32 := make([]float32, len(x)), make([]float32, len(y))
		for i := range x {
			x32[i], y32[i] = float32(x[i]), float32(y[i])
		}
		g64, g32 := make([]float64, len(p32)), make([]float32, len(p32))
		m64.NewWorkspace(B, true).LossGrad(x, y, g64)
		m32.NewWorkspace(B, true).LossGrad(x32, y32, g32)
		var worst, scale float64
		for i, v := range g64 {
			worst = math.Max(worst, math.Abs(float64(g32[i])-v))
			scale = math.Max(scale, math.Abs(v))
		}
		if worst > 1e-3*scale {
			t.Errorf("%s: float32 gradient differs from float64 by %g (scale %g)", kind, worst, scale)
		}
	}
}

// TestLayoutKindsRollOutUnderInputs rolls every new kind out from states
// with inputs (dopri5, 20 samples) and checks that the inputs stay exactly as
// they started, as SymODEN's du/dt = 0 promises, and that the states stay
// finite.
func TestLayoutKindsRollOutUnderInputs(t *testing.T) {
	t.Parallel()
	l := data.Layout{Positions: 2, Velocities: true, Inputs: 1, Angles: []int{0}}
	ts := make([]float64, 21)
	for i := range ts {
		ts[i] = 0.01 * float64(i)
	}
	for _, kind := range []string{"symoden", "delan", "lnn", "naive", "geometric"} {
		m := newConfigModel(t, Config{Kind: kind, Dim: l.Dim(), Hidden: []int{8}, Layout: l}, 12)
		x0 := []float64{0.3, -0.2, 0.5, 0.1, 1.5, -1, 0.2, 0.4, -0.3, -2}
		out := make([]float64, 2*len(ts)*l.Dim())
		if err := Rollout(out, m, mustIntegrator(t), x0, ts, 2); err != nil {
			t.Fatal(err)
		}
		d := l.Dim()
		for s := range 2 {
			for j := range ts {
				row := out[(s*len(ts)+j)*d : (s*len(ts)+j+1)*d]
				if row[d-1] != x0[s*d+d-1] {
					t.Fatalf("%s: input %v at step %d, started at %v", kind, row[d-1], j, x0[s*d+d-1])
				}
				for _, v := range row {
					if math.IsNaN(v) || math.IsInf(v, 0) {
						t.Fatalf("%s: state %v at step %d", kind, row, j)
					}
				}
			}
		}
	}
}

// TestMechanical checks what an energy-shaping controller reads of symoden
// and delan (Mechanical), on random models with momentum rows (q, p, u)
// of the cart-pole with two inputs: Potential's V equals the energy at
// p = 0, its dV/dq the central differences of that energy (step 1e-5,
// tolerance 1e-6 for errors near 1e-10), and at p = 0 the field's
// dp/dt = -dV/dq + g u, so that InputMatrix's column k is the change of
// dp/dt when input k goes from 0 to 1 (to 1e-12). Baselines have no V and
// g and must not implement Mechanical.
func TestMechanical(t *testing.T) {
	t.Parallel()
	sys := systems.CartPole{FullyActuated: true}
	l := systems.DrivenProtocol{Momenta: true}.Layout(sys)
	n, m, d := l.Positions, l.Inputs, l.Dim()
	const B = 3
	for _, kind := range []string{"symoden", "delan"} {
		mm := newConfigModel(t, Config{Kind: kind, Dim: d, Hidden: []int{8}, Layout: l}, 3)
		ws := mm.NewWorkspace(B, false)
		mech, ok := ws.(Mechanical[float64])
		if !ok {
			t.Fatalf("%s: workspace does not implement Mechanical", kind)
		}
		x := randBatch(B, d, 5)
		for b := range B {
			clear(x[b*d+n : b*d+2*n]) // p = 0
			clear(x[b*d+2*n : (b+1)*d])
		}
		v, dv, g := make([]float64, B), make([]float64, B*n), make([]float64, B*n*m)
		mech.Potential(v, dv, x)
		mech.InputMatrix(g, x)
		e := make([]float64, B)
		ws.(Energy[float64]).Energy(e, x)
		for b := range B {
			if math.Abs(v[b]-e[b]) > 1e-12 {
				t.Errorf("%s row %d: V %v, energy at p = 0 %v", kind, b, v[b], e[b])
			}
		}
		const h = 1e-5
		xp, xm, ep, em := append([]float64(nil), x...), append([]float64(nil), x...), make([]float64, B), make([]float64, B)
		for i := range n {
			for b := range B {
				xp[b*d+i], xm[b*d+i] = x[b*d+i]+h, x[b*d+i]-h
			}
			ws.(Energy[float64]).Energy(ep, xp)
			ws.(Energy[float64]).Energy(em, xm)
			for b := range B {
				xp[b*d+i], xm[b*d+i] = x[b*d+i], x[b*d+i]
				if fd := (ep[b] - em[b]) / (2 * h); math.Abs(dv[b*n+i]-fd) > 1e-6*(1+math.Abs(fd)) {
					t.Errorf("%s row %d: dV/dq_%d %v, differences %v", kind, b, i, dv[b*n+i], fd)
				}
			}
		}
		f0, f1 := make([]float64, B*d), make([]float64, B*d)
		ws.Field(f0, x)
		for k := range m {
			xu := append([]float64(nil), x...)
			for b := range B {
				xu[b*d+2*n+k] = 1
			}
			ws.Field(f1, xu)
			for b := range B {
				for i := range n {
					if got := f1[b*d+n+i] - f0[b*d+n+i]; math.Abs(got-g[b*n*m+i*m+k]) > 1e-12 {
						t.Errorf("%s row %d: input %d moves dp_%d/dt by %v, g = %v", kind, b, k, i, got, g[b*n*m+i*m+k])
					}
				}
				if got := f0[b*d+n : b*d+2*n]; math.Abs(got[0]+dv[b*n]) > 1e-12 || math.Abs(got[1]+dv[b*n+1]) > 1e-12 {
					t.Errorf("%s row %d: dp/dt at p = 0, u = 0 is %v, want -dV/dq = -%v", kind, b, got, dv[b*n:(b+1)*n])
				}
			}
		}
	}
	// On velocity rows the kinetic energy is q-dot^T M q-dot / 2 = E - V.
	lv := systems.DrivenProtocol{}.Layout(sys)
	for _, kind := range []string{"symoden", "delan"} {
		mm := newConfigModel(t, Config{Kind: kind, Dim: d, Hidden: []int{8}, Layout: lv}, 4)
		ws := mm.NewWorkspace(B, false)
		mech := ws.(Mechanical[float64])
		x := randBatch(B, d, 6)
		v, dv, mass, e := make([]float64, B), make([]float64, B*n), make([]float64, B*n*n), make([]float64, B)
		mech.Potential(v, dv, x)
		mech.Mass(mass, x)
		ws.(Energy[float64]).Energy(e, x)
		for b := range B {
			qd, M := x[b*d+n:b*d+2*n], mass[b*n*n:(b+1)*n*n]
			var k float64
			for i := range n {
				for j := range n {
					k += qd[i] * M[i*n+j] * qd[j] / 2
				}
			}
			if math.Abs(k-(e[b]-v[b])) > 1e-10*(1+math.Abs(k)) || math.Abs(M[1]-M[2]) > 1e-12*(1+math.Abs(M[1])) {
				t.Errorf("%s row %d: q-dot^T M q-dot / 2 = %v, E - V = %v (M %v)", kind, b, k, e[b]-v[b], M)
			}
		}
	}
	for _, kind := range []string{"naive", "geometric"} {
		mm := newConfigModel(t, Config{Kind: kind, Dim: d, Hidden: []int{8}, Layout: lv}, 3)
		if _, ok := mm.NewWorkspace(1, false).(Mechanical[float64]); ok {
			t.Errorf("%s implements Mechanical", kind)
		}
	}
}
