package latent

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/nn"
	"github.com/hnn-go/hnn/train"
)

// tinyRoll returns a small float64 model of kind with a rollout loss over
// horizon frames by integrator (and the one-step loss's step), and a
// workspace of 3 samples whose input sequence holds random inputs.
func tinyRoll(t *testing.T, kind, step, integrator string, horizon int, seed uint64) (*Model[float64], *Workspace[float64]) {
	t.Helper()
	return tinyRollConfig(t, Config{Kind: kind, Step: step, Horizon: horizon, Integrator: integrator}, seed)
}

// tinyRollConfig is tinyRoll for the settings of c (its kind, steps,
// rollout and backward settings) on tinyRoll's small networks.
func tinyRollConfig(t *testing.T, c Config, seed uint64) (*Model[float64], *Workspace[float64]) {
	t.Helper()
	c.Input, c.Width, c.Residual, c.Latent, c.Hidden, c.AEActivation = 6, 5, 1, 2, []int{7, 6}, nn.Tanh
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
	for _, c := range []Config{
		{Kind: "hnn", Horizon: 3},
		{Kind: "hnn", Step: "rk4", Horizon: 2, Integrator: "rk4"},
		{Kind: "baseline", Horizon: 3, Integrator: "rk4"},
		{Kind: "dhnn", Step: "midpoint", Horizon: 1},
		{Kind: "separable", Horizon: 3, Integrator: "leapfrog"},
		{Kind: "separable", Horizon: 2, Integrator: "rk4"},
		// Forward-backward: the last of the 3 samples rolls backwards
		// from its encoded input K frames ahead.
		{Kind: "hnn", Horizon: 3, Backward: true},
		{Kind: "baseline", Horizon: 1, Backward: true},
		{Kind: "separable", Horizon: 3, Integrator: "leapfrog", Backward: true},
		{Kind: "dhnn", Step: "rk4", Horizon: 2, Backward: true},
	} {
		m, ws := tinyRollConfig(t, c, 7)
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
		u.forward(out, x, 2, nil)
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
		{Kind: "hnn", Backward: true},
		{Kind: "hnn", Horizon: 2, Integrator: "euler"},
	} {
		if _, err := New[float32](c, rand.New(rand.NewPCG(1, 1))); err == nil {
			t.Errorf("%+v: no error", c)
		}
	}
	m, _ := tinyRollConfig(t, Config{Kind: "separable", Horizon: 4, Integrator: "leapfrog", Backward: true}, 3)
	dir := t.TempDir()
	if err := Save(dir, m); err != nil {
		t.Fatal(err)
	}
	back, err := Load[float64](dir)
	if err != nil {
		t.Fatal(err)
	}
	if c := back.Config(); c.Horizon != 4 || c.Integrator != "leapfrog" || !c.Backward {
		t.Errorf("loaded horizon %d, integrator %q, backward %v", c.Horizon, c.Integrator, c.Backward)
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
		{Kind: "hnn", Input: 24, Width: 8, Residual: 1, Hidden: []int{8, 8}, Horizon: 2, Backward: true},
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

// TestBackwardStepUndoes checks the backward step of the forward-backward
// loss (a step of -1 through the same integrator, sign -1 per row): for
// leapfrog, symmetric and so time-reversible, it undoes a forward step to
// rounding; for RK4, which is not symmetric, it does not, so the check
// can tell the two apart.
func TestBackwardStepUndoes(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		integrator string
		exact      bool
	}{
		{"leapfrog", true},
		{"rk4", false},
	} {
		m, _ := tinyRoll(t, "separable", "", c.integrator, 1, 17)
		rng := rand.New(rand.NewPCG(17, 3))
		const B = 6
		z := make([]float64, 2*B)
		for i := range z {
			z[i] = rng.NormFloat64()
		}
		back := make([]float64, B)
		for i := range back {
			back[i] = -1
		}
		u := newUnroller(m.Dyn, c.integrator, B, 2, false)
		zn, z0 := make([]float64, 2*B), make([]float64, 2*B)
		u.forward(zn, z, 2, nil)
		u.forward(z0, zn, 2, back)
		var err, moved float64
		for i := range z {
			err = max(err, math.Abs(z0[i]-z[i]))
			moved = max(moved, math.Abs(zn[i]-z[i]))
		}
		// Leapfrog's round trip is exact up to float64 rounding of O(1)
		// values; RK4's misses by its local error, many orders above.
		if c.exact && !(err < 1e-12) {
			t.Errorf("%s: a backward step after a forward one misses the start by %.3g (the step moved %.3g)", c.integrator, err, moved)
		}
		if !c.exact && !(err > 1e-9) {
			t.Errorf("%s: round trip exact to %.3g; the check cannot tell a reversible method", c.integrator, err)
		}
		// The backward step is leapfrog with the field negated, written
		// out by hand in stepNegated.
		if c.exact {
			hand := stepNegated(t, m, zn, B)
			for i := range z0 {
				if math.Abs(hand[i]-z0[i]) > 1e-14 {
					t.Fatalf("backward step %v, by hand %v", z0, hand)
				}
			}
		}
	}
}

// TestBackwardRolloutParts checks the forward-backward loss against a
// direct computation: the first samples encode their input at t and roll
// forwards by Advance, the last encodes its input K frames ahead and rolls
// backwards by hand-written steps of the field negated; each decoded frame
// is compared with its input (t+k forwards, t+K-k backwards), and the
// reconstruction term of the backward sample is that of its input at t+K.
func TestBackwardRolloutParts(t *testing.T) {
	t.Parallel()
	const K = 3
	for _, integ := range []string{"rk4", "leapfrog"} {
		m, ws := tinyRollConfig(t, Config{Kind: "separable", Horizon: K, Integrator: integ, Backward: true}, 19)
		B, in := ws.Batch(), m.cfg.Input
		nb := B / 2
		ls := ws.Loss(nil)
		seq := ws.Seq()
		ev := m.NewWorkspace(B, false)
		z0, zK := make([]float64, 2*B), make([]float64, 2*B)
		ev.Encode(z0, seq[:B*in])
		ev.Encode(zK, seq[K*B*in:(K+1)*B*in])
		// z holds the forward rows' states from z0 and the backward rows'
		// from zK.
		z := append([]float64(nil), z0...)
		copy(z[2*(B-nb):], zK[2*(B-nb):])
		xhat := make([]float64, B*in)
		mse := func(b, block int) float64 {
			var s float64
			for j := range in {
				d := xhat[b*in+j] - seq[(block*B+b)*in+j]
				s += d * d
			}
			return s / float64(in)
		}
		var ae, roll float64
		ev.Decode(xhat, z)
		for b := range B {
			if b < B-nb {
				ae += mse(b, 0) / float64(B)
			} else {
				ae += mse(b, K) / float64(B)
			}
		}
		dyn := m.Dyn.NewWorkspace(B, false)
		for k := 1; k <= K; k++ {
			fw := append([]float64(nil), z...)
			ev.Advance(fw, 0)
			bw := stepBack(dyn, integ, z)
			copy(z, fw[:2*(B-nb)])
			copy(z[2*(B-nb):], bw[2*(B-nb):])
			ev.Decode(xhat, z)
			for b := range B {
				block := k
				if b >= B-nb {
					block = K - k
				}
				roll += mse(b, block) / float64(K*B)
			}
		}
		// Sums of a few dozen squares in another order: 1e-12 relative.
		if math.Abs(ls.AE-ae) > 1e-12*ae || math.Abs(ls.Roll-roll) > 1e-12*roll {
			t.Errorf("%s: reconstruction %v and rollout loss %v, direct %v and %v", integ, ls.AE, ls.Roll, ae, roll)
		}
	}
}

// stepBack advances the batch z (B x 2) one unit of time backwards by
// integrator, written out from the latent field: RK4 or leapfrog of the
// field negated.
func stepBack(ws model.Workspace[float64], integrator string, z []float64) []float64 {
	f := make([]float64, len(z))
	neg := func(dst, x []float64) {
		ws.Field(dst, x)
		for i := range dst {
			dst[i] = -dst[i]
		}
	}
	x := append([]float64(nil), z...)
	if integrator == IntegratorLeapfrog {
		kick := func() {
			neg(f, x)
			for i := 1; i < len(x); i += 2 {
				x[i] += f[i] / 2
			}
		}
		kick()
		neg(f, x)
		for i := 0; i < len(x); i += 2 {
			x[i] += f[i]
		}
		kick()
		return x
	}
	k := make([][]float64, 4)
	s := append([]float64(nil), z...)
	for i, c := range []float64{0.5, 0.5, 1, 0} {
		k[i] = make([]float64, len(z))
		neg(k[i], s)
		for j := range s {
			s[j] = z[j] + c*k[i][j]
		}
	}
	for j := range x {
		x[j] += (k[0][j] + 2*k[1][j] + 2*k[2][j] + k[3][j]) / 6
	}
	return x
}
