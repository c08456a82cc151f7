package latent

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/hnn-go/hnn/nn"
	"github.com/hnn-go/hnn/train"
)

// tinyRoll returns a small float64 model of kind with a rollout loss over
// horizon frames by integrator (and the one-step loss's step), and a
// workspace whose input sequence holds random inputs.
func tinyRoll(t *testing.T, kind, step, integrator string, horizon int, seed uint64) (*Model[float64], *Workspace[float64]) {
	t.Helper()
	c := Config{Kind: kind, Input: 6, Width: 5, Residual: 1, Latent: 2, Hidden: []int{7, 6}, AEActivation: nn.Tanh,
		Step: step, Horizon: horizon, Integrator: integrator}
	m, err := New[float64](c, rand.New(rand.NewPCG(seed, 1)))
	if err != nil {
		t.Fatal(err)
	}
	ws := m.NewWorkspace(3, true)
	rng := rand.New(rand.NewPCG(seed, 2))
	for i := range ws.Seq() {
		ws.Seq()[i] = rng.Float64()
	}
	return m, ws
}

// TestRolloutLossGradFD checks the exact gradient of the loss with the
// rollout term (back through the decoder at every rolled-out frame and
// through every integrator step by the latent field's FieldVJP) against
// central finite differences in float64.
func TestRolloutLossGradFD(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		kind, step, integrator string
		horizon                int
	}{
		{"hnn", "", "", 3},
		{"hnn", "rk4", "rk4", 2},
		{"baseline", "", "rk4", 3},
		{"dhnn", "midpoint", "", 1},
		{"separable", "", "leapfrog", 3},
		{"separable", "", "rk4", 2},
	} {
		m, ws := tinyRoll(t, c.kind, c.step, c.integrator, c.horizon, 7)
		grad := make([]float64, len(m.Params))
		ls := ws.LossGrad(grad)
		if !(ls.Roll > 0) || math.Abs(ls.Total-(ls.AE+ls.Aux+ls.Dyn+ls.Roll)) > 1e-15 {
			t.Fatalf("%+v: losses %+v", c, ls)
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
		// As TestLossGradFD: central differences at h = 1e-6 are good to
		// about 1e-9 relative; a missing or wrong term shows at 1e-3 or
		// more.
		if e := math.Sqrt(diff / norm); !(e < 1e-7) {
			t.Errorf("%+v: gradient differs from finite differences, relative error %.3g", c, e)
		}
	}
}

// TestRolloutLossParts checks the rollout term against a direct
// computation: encode the input at t, Advance k frames, decode, and
// compare with the input at t+k; and that Advance of such a model ignores
// its substeps argument.
func TestRolloutLossParts(t *testing.T) {
	t.Parallel()
	for _, integ := range []string{"rk4", "leapfrog"} {
		m, ws := tinyRoll(t, "separable", "", integ, 3, 9)
		B, in := ws.Batch(), m.cfg.Input
		ls := ws.Loss(nil)
		ev := m.NewWorkspace(B, false)
		z := make([]float64, 2*B)
		ev.Encode(z, ws.Seq()[:B*in])
		z2 := append([]float64(nil), z...)
		xhat := make([]float64, B*in)
		var roll float64
		for k := 1; k <= 3; k++ {
			ev.Advance(z, 0)
			ev.Advance(z2, 7)
			ev.Decode(xhat, z)
			for i, v := range xhat {
				d := v - ws.Seq()[k*B*in+i]
				roll += d * d / float64(3*B*in)
			}
		}
		for i := range z {
			if z[i] != z2[i] {
				t.Fatalf("%s: Advance depends on substeps: %v vs %v", integ, z, z2)
			}
		}
		if math.Abs(ls.Roll-roll) > 1e-12*roll {
			t.Errorf("%s: rollout loss %v, direct %v", integ, ls.Roll, roll)
		}
	}
}

// TestLeapfrogStep checks the leapfrog step of a separable latent energy
// for what makes it the method the rollouts need: its Jacobian has
// determinant 1 (symplectic in two dimensions), it is time-reversible
// (a step of the field negated undoes it: leapfrog's adjoint is itself),
// and it stays close to RK4.
func TestLeapfrogStep(t *testing.T) {
	t.Parallel()
	m, _ := tinyRoll(t, "separable", "", "leapfrog", 1, 13)
	rng := rand.New(rand.NewPCG(13, 3))
	const B = 5
	z := make([]float64, 2*B)
	for i := range z {
		z[i] = rng.NormFloat64()
	}
	lf := newUnroller(m.Dyn, "leapfrog", B, 2, false)
	rk := newUnroller(m.Dyn, "rk4", B, 2, false)
	step := func(u *unroller[float64], x []float64) []float64 {
		out := make([]float64, len(x))
		u.forward(out, x, 2)
		return out
	}
	zn := step(lf, z)
	// Determinant of the Jacobian by central differences (h = 1e-5,
	// accurate to about 1e-9).
	const h = 1e-5
	for b := range B {
		var jac [2][2]float64
		for j := range 2 {
			up, down := append([]float64(nil), z...), append([]float64(nil), z...)
			up[2*b+j] += h
			down[2*b+j] -= h
			u, d := step(lf, up), step(lf, down)
			for i := range 2 {
				jac[i][j] = (u[2*b+i] - d[2*b+i]) / (2 * h)
			}
		}
		if det := jac[0][0]*jac[1][1] - jac[0][1]*jac[1][0]; math.Abs(det-1) > 1e-7 {
			t.Errorf("row %d: leapfrog Jacobian determinant %v, want 1", b, det)
		}
	}
	// Reversibility: the step of the field negated, the same kicks and
	// drift in reverse order, undoes it exactly.
	inv := stepNegated(t, m, zn, B)
	for i := range z {
		if math.Abs(inv[i]-z[i]) > 1e-12 {
			t.Fatalf("leapfrog with the field negated does not undo the step: %v, want %v", inv, z)
		}
	}
	// Both are consistent with the flow: they differ by less than the
	// step itself (a wrong sign or a missing kick would not).
	zr := step(rk, z)
	var dmax, smax float64
	for i := range z {
		dmax = max(dmax, math.Abs(zn[i]-zr[i]))
		smax = max(smax, math.Abs(zn[i]-z[i]))
	}
	if !(dmax < smax) {
		t.Errorf("leapfrog and RK4 steps differ by %v for a step of %v", dmax, smax)
	}
}

// stepNegated runs the leapfrog step with the field negated on z (B x 2)
// by hand from the latent field: the inverse of the leapfrog step.
func stepNegated(t *testing.T, m *Model[float64], z []float64, B int) []float64 {
	t.Helper()
	ws := m.Dyn.NewWorkspace(B, false)
	f := make([]float64, 2*B)
	x := append([]float64(nil), z...)
	ws.Field(f, x)
	for b := range B {
		x[2*b+1] -= f[2*b+1] / 2
	}
	ws.Field(f, x)
	for b := range B {
		x[2*b] -= f[2*b]
	}
	ws.Field(f, x)
	for b := range B {
		x[2*b+1] -= f[2*b+1] / 2
	}
	return x
}

// TestRolloutConfig checks the errors of the rollout settings and that a
// model with a rollout loss round-trips through a checkpoint, while a
// checkpoint from before the setting existed still loads as one without.
func TestRolloutConfig(t *testing.T) {
	t.Parallel()
	for _, c := range []Config{
		{Kind: "hnn", Horizon: 3, Integrator: "leapfrog"},
		{Kind: "hnn", Integrator: "rk4"},
		{Kind: "hnn", Horizon: -1},
		{Kind: "hnn", Horizon: MaxHorizon + 1},
		{Kind: "hnn", Horizon: 2, Integrator: "euler"},
	} {
		if _, err := New[float32](c, rand.New(rand.NewPCG(1, 1))); err == nil {
			t.Errorf("%+v: no error", c)
		}
	}
	m, _ := tinyRoll(t, "separable", "", "leapfrog", 4, 3)
	dir := t.TempDir()
	if err := Save(dir, m); err != nil {
		t.Fatal(err)
	}
	back, err := Load[float64](dir)
	if err != nil {
		t.Fatal(err)
	}
	if c := back.Config(); c.Horizon != 4 || c.Integrator != "leapfrog" {
		t.Errorf("loaded horizon %d, integrator %q", c.Horizon, c.Integrator)
	}
	// latent.json of a model saved before rollouts existed.
	old, _ := tiny(t, "hnn", nn.Tanh, 4)
	odir := t.TempDir()
	if err := Save(odir, old); err != nil {
		t.Fatal(err)
	}
	cfg := `{"kind":"hnn","input":6,"width":5,"residual":1,"latent":2,"hidden":[7,6],"ae_activation":"tanh","activation":"tanh","dyn_weight":0.1}`
	if err := os.WriteFile(filepath.Join(odir, ConfigFile), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	if o, err := Load[float64](odir); err != nil || o.Config().Horizon != 0 {
		t.Errorf("old checkpoint: %v", err)
	}
}

// TestStepperNoAlloc checks that an optimiser step with the rollout loss
// (and with the reference's loss) allocates nothing. It is not parallel:
// AllocsPerRun counts every goroutine's allocations.
func TestStepperNoAlloc(t *testing.T) {
	for _, c := range []Config{
		{Kind: "hnn", Input: 16, Width: 8, Residual: 1, Hidden: []int{8, 8}},
		{Kind: "separable", Input: 24, Width: 8, Residual: 1, Hidden: []int{8, 8}, Horizon: 3, Integrator: "leapfrog"},
		{Kind: "baseline", Input: 24, Width: 8, Residual: 1, Hidden: []int{8, 8}, Horizon: 2},
	} {
		m := mustNew(t, c)
		set := oscillatorSamples(64, 1)
		set.Window = c.Input / set.Frame
		set.Index = set.Index[:0]
		// Starts that leave room for the window and the inputs ahead in
		// each 10-frame trajectory.
		for base := 0; base+10 <= len(set.Frames)/set.Frame; base += 10 {
			for k := 0; k+set.Window+max(c.Horizon, 1) <= 10; k++ {
				set.Index = append(set.Index, base+k)
			}
		}
		st, err := NewStepper(m, set, train.Config{Steps: 10, LR: 1e-3, Batch: 16}, rand.New(rand.NewPCG(1, 2)))
		if err != nil {
			t.Fatal(err)
		}
		if a := testing.AllocsPerRun(5, func() { st.Step() }); a != 0 {
			t.Errorf("%s horizon %d: %v allocations per step", c.Kind, c.Horizon, a)
		}
	}
}
