package latent

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/nn"
)

// tiny returns a small float64 model of kind with smooth activations, for
// gradient checks, and a workspace whose pair buffer holds random inputs.
func tiny(t *testing.T, kind string, act nn.Activation, seed uint64) (*Model[float64], *Workspace[float64]) {
	return tinyStep(t, kind, act, seed, "")
}

func tinyStep(t *testing.T, kind string, act nn.Activation, seed uint64, step string) (*Model[float64], *Workspace[float64]) {
	t.Helper()
	c := Config{Kind: kind, Input: 6, Width: 5, Residual: 1, Latent: 2, Hidden: []int{7, 6}, AEActivation: act, Step: step}
	m, err := New[float64](c, rand.New(rand.NewPCG(seed, 1)))
	if err != nil {
		t.Fatal(err)
	}
	ws := m.NewWorkspace(4, true)
	rng := rand.New(rand.NewPCG(seed, 2))
	for i := range ws.Pair() {
		ws.Pair()[i] = rng.Float64()
	}
	return m, ws
}

// TestLossGradFD checks the exact gradient of the coupled loss
// (reconstruction + auxiliary + 0.1 dynamics, through the encoder twice,
// the decoder and the latent dynamics' FieldVJP, for the HNN the Hessian of
// H) against central finite differences in float64, for every kind the
// pixel task can use.
func TestLossGradFD(t *testing.T) {
	t.Parallel()
	type testCase struct {
		kind string
		act  nn.Activation
		step string
	}
	cases := []testCase{{"hnn", nn.Softplus, ""}, {"baseline", nn.Softplus, "rk4"}}
	for _, kind := range model.Kinds() {
		for _, step := range []string{"", "rk4", "midpoint"} {
			cases = append(cases, testCase{kind, nn.Tanh, step})
		}
	}
	for _, c := range cases {
		m, ws := tinyStep(t, c.kind, c.act, 3, c.step)
		grad := make([]float64, len(m.Params))
		ls := ws.LossGrad(grad)
		if !(ls.AE > 0 && ls.Aux > 0 && ls.Dyn > 0) || math.Abs(ls.Total-(ls.AE+ls.Aux+ls.Dyn)) > 1e-15 {
			t.Fatalf("%s: losses %+v", c.kind, ls)
		}
		const h = 1e-6
		var diff, norm float64
		for i := range m.Params {
			orig := m.Params[i]
			m.Params[i] = orig + h
			up := ws.Loss(nil).Total
			m.Params[i] = orig - h
			down := ws.Loss(nil).Total
			m.Params[i] = orig
			want := (up - down) / (2 * h)
			diff += (grad[i] - want) * (grad[i] - want)
			norm += want * want
		}
		// Central differences at h = 1e-6 are accurate to about 1e-9
		// relative; a wrong term in the gradient shows at 1e-2 or more.
		if e := math.Sqrt(diff / norm); !(e < 1e-7) {
			t.Errorf("%s %v %s: gradient differs from finite differences, relative error %.3g", c.kind, c.act, c.step, e)
		}
	}
}

// TestLossParts checks the loss parts against a direct computation from
// Encode, Decode and Field, and that the per-sample losses average to the
// total.
func TestLossParts(t *testing.T) {
	t.Parallel()
	m, ws := tiny(t, "hnn", nn.ReLU, 5)
	B, in := ws.Batch(), m.cfg.Input
	x := append([]float64(nil), ws.Pair()[:B*in]...)
	xn := append([]float64(nil), ws.Pair()[B*in:]...)
	per := make([]float64, B)
	ls := ws.Loss(per)

	ev := m.NewWorkspace(B, false)
	z, zn := make([]float64, 2*B), make([]float64, 2*B)
	ev.Encode(z, x)
	ev.Encode(zn, xn)
	xhat := make([]float64, B*in)
	ev.Decode(xhat, z)
	f := make([]float64, 2*B)
	ev.Field(f, z)
	var ae, aux, dyn, mean float64
	for b := range B {
		for j := range in {
			d := xhat[b*in+j] - x[b*in+j]
			ae += d * d / float64(in*B)
		}
		r := z[2*b+1] - (zn[2*b] - z[2*b])
		aux += r * r / float64(B)
		for k := range 2 {
			r := zn[2*b+k] - z[2*b+k] - f[2*b+k]
			dyn += 0.1 * r * r / float64(2*B)
		}
		mean += per[b] / float64(B)
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"reconstruction", ls.AE, ae}, {"auxiliary", ls.Aux, aux}, {"dynamics", ls.Dyn, dyn}, {"per-sample mean", mean, ls.Total}} {
		if math.Abs(c.got-c.want) > 1e-12*(1+math.Abs(c.want)) {
			t.Errorf("%s loss %v, want %v", c.name, c.got, c.want)
		}
	}
	// The HNN's field is J grad H.
	e := make([]float64, B)
	ev.Energy(e, z)
	const h = 1e-6
	for b := range B {
		zp := append([]float64(nil), z...)
		zp[2*b+1] += h
		ep := make([]float64, B)
		ev.Energy(ep, zp)
		if want := (ep[b] - e[b]) / h; math.Abs(f[2*b]-want) > 1e-4 {
			t.Errorf("dq/dt = %v, dH/dp by differences %v", f[2*b], want)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	t.Parallel()
	for _, c := range []Config{{Kind: "rnn"}, {Kind: "hnn", Latent: 3}, {Kind: "hnn", Activation: nn.ReLU}, {Kind: "hnn", Hidden: []int{0}}} {
		if _, err := New[float32](c, rand.New(rand.NewPCG(1, 1))); err == nil {
			t.Errorf("%+v: no error", c)
		}
	}
}

// TestProbe fits an affine map exactly and rejects too few samples.
func TestProbe(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 1))
	n := 20
	z := make([]float64, 2*n)
	y := make([]float64, 2*n)
	for i := range n {
		a, b := rng.NormFloat64(), rng.NormFloat64()
		z[2*i], z[2*i+1] = a, b
		y[2*i], y[2*i+1] = 2*a-b+0.5, -a+3*b-1
	}
	p, err := FitProbe(z, y, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]float64, 2*n)
	p.Apply(got, z)
	for i := range got {
		if math.Abs(got[i]-y[i]) > 1e-10 {
			t.Fatalf("probe output %v, want %v", got[i], y[i])
		}
	}
	if _, err := FitProbe(z[:4], y[:4], 2, 2); err == nil {
		t.Error("two samples: no error")
	}
}

// TestRollout checks that a rollout starts at the encoding of its input and
// takes the model's Euler steps.
func TestRollout(t *testing.T) {
	t.Parallel()
	m, _ := tiny(t, "hnn", nn.Tanh, 8)
	ws := m.NewWorkspace(3, false)
	rng := rand.New(rand.NewPCG(8, 3))
	x0 := make([]float64, 3*m.cfg.Input)
	for i := range x0 {
		x0[i] = rng.Float64()
	}
	const steps = 4
	z := make([]float64, (steps+1)*3*2)
	x := make([]float64, (steps+1)*3*m.cfg.Input)
	ws.Rollout(z, x, x0, steps, 0)
	z0 := make([]float64, 6)
	ws.Encode(z0, x0)
	f := make([]float64, 6)
	for i := range z0 {
		if z[i] != z0[i] {
			t.Fatal("the rollout does not start at the encoding")
		}
	}
	for s := 0; s < steps; s++ {
		ws.Field(f, z[s*6:(s+1)*6])
		for i := range f {
			if math.Abs(z[(s+1)*6+i]-(z[s*6+i]+f[i])) > 1e-14 {
				t.Fatalf("step %d is not z + f(z)", s)
			}
		}
	}
	dec := make([]float64, 3*m.cfg.Input)
	ws.Decode(dec, z[steps*6:])
	for i, v := range dec {
		if v != x[steps*3*m.cfg.Input+i] {
			t.Fatal("decoded rollout differs from Decode")
		}
	}
}

// TestCheckpoint saves and loads a model of each kind and checks that the
// parameters survive, and that a missing array is reported.
func TestCheckpoint(t *testing.T) {
	t.Parallel()
	for _, kind := range model.Kinds() {
		m, _ := tiny(t, kind, nn.ReLU, 11)
		dir := t.TempDir()
		if err := Save(dir, m); err != nil {
			t.Fatal(err)
		}
		back, err := Load[float64](dir)
		if err != nil {
			t.Fatal(err)
		}
		if back.Config().Kind != kind {
			t.Errorf("kind %q, want %q", back.Config().Kind, kind)
		}
		for i := range m.Params {
			if back.Params[i] != m.Params[i] {
				t.Fatalf("%s: parameter %d changed: %v -> %v", kind, i, m.Params[i], back.Params[i])
			}
		}
	}
	if _, err := Load[float32](t.TempDir()); err == nil {
		t.Error("empty directory: no error")
	}
	// The dynamics checkpoint must be the one latent.json describes.
	m, _ := tiny(t, "hnn", nn.Tanh, 12)
	other, _ := tiny(t, "dhnn", nn.Tanh, 12)
	dir, odir := t.TempDir(), t.TempDir()
	if err := Save(dir, m); err != nil {
		t.Fatal(err)
	}
	if err := Save(odir, other); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(odir, DynamicsDir), filepath.Join(dir, "other")); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(dir, DynamicsDir)); err != nil {
		t.Fatal(err)
	}
	if _, err := Load[float64](dir); err == nil || !strings.Contains(err.Error(), "model.json") {
		t.Errorf("missing dynamics checkpoint: %v", err)
	}
	if err := os.Rename(filepath.Join(dir, "other"), filepath.Join(dir, DynamicsDir)); err != nil {
		t.Fatal(err)
	}
	if _, err := Load[float64](dir); err == nil || !strings.Contains(err.Error(), "dynamics checkpoint holds a dhnn model") {
		t.Errorf("dynamics of another kind: %v", err)
	}
}

// TestRolloutRK4 checks that RK4 rollouts of an HNN conserve its learned
// energy far better than its Euler training step, and converge as the
// substeps grow.
func TestRolloutRK4(t *testing.T) {
	t.Parallel()
	m, _ := tiny(t, "hnn", nn.Tanh, 9)
	ws := m.NewWorkspace(2, false)
	rng := rand.New(rand.NewPCG(9, 3))
	x0 := make([]float64, 2*m.cfg.Input)
	for i := range x0 {
		x0[i] = rng.Float64()
	}
	const steps = 50
	drift := func(sub int) float64 {
		z := make([]float64, (steps+1)*4)
		ws.Rollout(z, nil, x0, steps, sub)
		e0, e1 := make([]float64, 2), make([]float64, 2)
		ws.Energy(e0, z[:4])
		ws.Energy(e1, z[steps*4:])
		return math.Abs(e1[0]-e0[0]) + math.Abs(e1[1]-e0[1])
	}
	euler, rk1, rk4 := drift(0), drift(1), drift(4)
	t.Logf("learned-energy drift over %d frames: Euler %.3g, RK4 x1 %.3g, RK4 x4 %.3g", steps, euler, rk1, rk4)
	if !(rk4 < euler/10) || !(rk4 <= rk1) {
		t.Errorf("learned-energy drift: Euler %.3g, RK4 x1 %.3g, RK4 x4 %.3g; want RK4 far below Euler and shrinking with substeps", euler, rk1, rk4)
	}
}

// TestRK4StepLoss checks the dynamics loss of the RK4 step against a
// classical RK4 step of unit length computed from Field.
func TestRK4StepLoss(t *testing.T) {
	t.Parallel()
	m, ws := tinyStep(t, "hnn", nn.Tanh, 12, "rk4")
	B, in := ws.Batch(), m.cfg.Input
	ls := ws.Loss(nil)
	ev := m.NewWorkspace(B, false)
	z, zn := make([]float64, 2*B), make([]float64, 2*B)
	ev.Encode(z, ws.Pair()[:B*in])
	ev.Encode(zn, ws.Pair()[B*in:])
	k := [4][]float64{}
	s := make([]float64, 2*B)
	for i := range k {
		k[i] = make([]float64, 2*B)
	}
	ev.Field(k[0], z)
	for _, st := range []struct {
		i    int
		from int
		h    float64
	}{{1, 0, 0.5}, {2, 1, 0.5}, {3, 2, 1}} {
		for j := range s {
			s[j] = z[j] + st.h*k[st.from][j]
		}
		ev.Field(k[st.i], s)
	}
	var dyn float64
	for j := range z {
		r := zn[j] - z[j] - (k[0][j]+2*k[1][j]+2*k[2][j]+k[3][j])/6
		dyn += 0.1 * r * r / float64(2*B)
	}
	if math.Abs(ls.Dyn-dyn) > 1e-12 {
		t.Errorf("RK4 dynamics loss %v, want %v", ls.Dyn, dyn)
	}
	if _, err := New[float32](Config{Kind: "hnn", Step: "leapfrog"}, rand.New(rand.NewPCG(1, 1))); err == nil {
		t.Error("unknown step: no error")
	}
}
