package latent

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/floats"
)

// TestImplicitMidpointGradFD checks the exact gradient of the loss with
// fit's implicit midpoint as the dynamics step (by its name and its alias
// midpoint) and as the rollout integrator (its forward solves and adjoint
// solves), forwards and forward-backward, against central finite
// differences in float64, as TestRolloutLossGradFD does for the others.
func TestImplicitMidpointGradFD(t *testing.T) {
	t.Parallel()
	for _, c := range []Config{
		{Kind: "hnn", Step: "implicit-midpoint"},
		{Kind: "baseline", Step: "midpoint", Horizon: 2, Integrator: "implicit-midpoint"},
		{Kind: "hnn", Horizon: 3, Integrator: "implicit-midpoint", Backward: true},
		{Kind: "separable", Step: "rk4", Horizon: 2, Integrator: "implicit-midpoint", Backward: true},
	} {
		m, ws := tinyRollConfig(t, c, 23)
		grad := make([]float64, len(m.Params))
		ls := ws.LossGrad(grad)
		if math.IsInf(ls.Total, 0) || math.IsNaN(ls.Total) {
			t.Fatalf("%+v: losses %+v", c, ls)
		}
		// Central differences at h = 1e-6 (gonum's diff/fd), as
		// TestRolloutLossGradFD: the fixed-point solves meet 1e-12
		// relative, far below the differences' error of about 1e-9.
		orig := slices.Clone(m.Params)
		want := fd.Gradient(nil, func(p []float64) float64 {
			copy(m.Params, p)
			return ws.Loss(nil).Total
		}, orig, &fd.Settings{Formula: fd.Central, Step: 1e-6})
		copy(m.Params, orig)
		if e := floats.Distance(grad, want, 2) / floats.Norm(want, 2); !(e < 1e-7) {
			t.Errorf("%+v: gradient differs from finite differences, relative error %.3g", c, e)
		}
	}
}

// TestStepNames checks that the step and integrator names are fit's: the
// registered ones are taken (with their aliases), the others and those
// that do not suit the kind or the use are refused with the valid names,
// and a Config with its defaults unset validates as with them.
func TestStepNames(t *testing.T) {
	t.Parallel()
	for _, c := range []Config{
		{Kind: "hnn"},
		{Kind: "hnn", Step: "euler"},
		{Kind: "hnn", Step: "midpoint"},
		{Kind: "hnn", Step: "implicit-midpoint", Horizon: 1, Integrator: "implicit-midpoint"},
		{Kind: "separable", Step: "rk4", Horizon: 1, Integrator: "leapfrog"},
	} {
		if err := c.Validate(); err != nil {
			t.Errorf("%+v: %v", c, err)
		}
	}
	for _, c := range []struct {
		c    Config
		want string
	}{
		{Config{Kind: "hnn", Step: "dopri5"}, "euler, implicit-midpoint (midpoint), rk4"},
		{Config{Kind: "separable", Step: "leapfrog"}, "euler, implicit-midpoint (midpoint), rk4"},
		{Config{Kind: "hnn", Horizon: 2, Integrator: "euler"}, "implicit-midpoint (midpoint), leapfrog, rk4"},
		{Config{Kind: "hnn", Horizon: 2, Integrator: "leapfrog"}, "separable"},
	} {
		err := c.c.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want one naming %s", c.c, err, c.want)
		}
		if _, err := New[float32](c.c, rand.New(rand.NewPCG(1, 1))); err == nil {
			t.Errorf("%+v: New: no error", c.c)
		}
	}
}

// TestUnconvergedIsInfinite checks that a rollout loss whose implicit
// midpoint solves do not converge (a latent field too stiff for a unit
// step: the fixed-point iteration's map is no contraction) is infinite,
// which a Stepper reports without moving the parameters.
func TestUnconvergedIsInfinite(t *testing.T) {
	t.Parallel()
	m, ws := tinyRollConfig(t, Config{Kind: "baseline", Horizon: 2, Integrator: "implicit-midpoint"}, 29)
	if ls := ws.Loss(nil); math.IsInf(ls.Total, 0) {
		t.Fatalf("converging solves: losses %+v", ls)
	}
	for i := range m.Dyn.Params() {
		m.Dyn.Params()[i] *= 30
	}
	per := make([]float64, ws.Batch())
	if ls := ws.Loss(per); !math.IsInf(ls.Total, 1) || !math.IsInf(per[0], 1) {
		t.Errorf("stiff field: losses %+v, per sample %v; want infinite", ls, per)
	}
	grad := make([]float64, len(m.Params))
	if ls := ws.LossGrad(grad); !math.IsInf(ls.Total, 1) {
		t.Errorf("stiff field: LossGrad losses %+v; want infinite", ls)
	}
}
