package experiment

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/ode"
	"github.com/hnn-go/hnn/systems"
)

// drivenModel is a Trained of a driven layout whose field is the true
// system's: a perfect model of it.
type drivenModel struct {
	fieldModel
	l data.Layout
}

func (m drivenModel) Config() model.Config {
	return model.Config{Kind: "symoden", Dim: m.d, Layout: m.l}
}

func trueDriven(sys systems.Driven) drivenModel {
	f := systems.DrivenField(sys)
	l := systems.DrivenProtocol{}.Layout(sys)
	return drivenModel{fieldModel{l.Dim(), func(dst, x []float64) { f(dst, 0, x) }}, l}
}

// TestRolloutInputsTrueSystem rolls the true cart-pole out under inputs
// that change at every sample and checks the result against the truth
// driven by the same zero-order hold (systems.ZeroOrderHold, Dormand-Prince
// at 1e-10 on both sides: 1e-6 leaves room for the two step sequences);
// constant inputs must equal inputs repeated on every row, and differ from
// the unforced motion.
func TestRolloutInputsTrueSystem(t *testing.T) {
	t.Parallel()
	sys := systems.CartPole{}
	m := trueDriven(sys)
	const points, h = 21, 0.05
	ig := ode.DormandPrince{RTol: 1e-10, ATol: 1e-10}
	starts := [][]float64{{0.1, 0.5, 0, -0.3}, {-0.2, 2.5, 0.1, 1}}
	x0 := data.Array{Shape: []int{2, 4}, Data: append(append([]float64(nil), starts[0]...), starts[1]...)}
	u := data.Array{Shape: []int{points, 1}, Data: make([]float64, points)}
	for k := range u.Data {
		u.Data[k] = 2 * math.Sin(0.7*float64(k))
	}
	ts, x, err := RolloutInputs(m, ig, x0, "x0.npy", u, "u.npy", h*(points-1), points)
	if err != nil {
		t.Fatal(err)
	}
	if ts.Shape[0] != points || len(x.Shape) != 3 || x.Shape[0] != 2 || x.Shape[1] != points || x.Shape[2] != 5 {
		t.Fatalf("shapes t %v, x %v, want (%d,) and (2, %d, 5)", ts.Shape, x.Shape, points, points)
	}
	for b, s := range starts {
		hold := systems.ZeroOrderHold{Step: h, Steps: points - 1, RTol: 1e-10}
		policy := func(v, _, _ []float64, t float64) { v[0] = u.Data[int(math.Round(t/h))] }
		want, err := hold.Run(sys, policy, s[:2], s[2:])
		if err != nil {
			t.Fatal(err)
		}
		got := x.Data[b*points*5 : (b+1)*points*5]
		for i := range want {
			if math.Abs(got[i]-want[i]) > 1e-6 {
				t.Fatalf("start %d, value %d (row %d): %v, truth %v", b, i, i/5, got[i], want[i])
			}
		}
	}

	// Constant inputs: (1,) equals (points, 1) of the same value; zero
	// input does not.
	roll := func(u data.Array) []float64 {
		_, x, err := RolloutInputs(m, ig, x0, "x0.npy", u, "u.npy", h*(points-1), points)
		if err != nil {
			t.Fatal(err)
		}
		return x.Data
	}
	one := roll(data.Array{Shape: []int{1}, Data: []float64{1.5}})
	rep := data.Array{Shape: []int{points, 1}, Data: make([]float64, points)}
	for k := range rep.Data {
		rep.Data[k] = 1.5
	}
	many := roll(rep)
	row := roll(data.Array{Shape: []int{1, 1}, Data: []float64{1.5}})
	zero := roll(data.Array{Shape: []int{1}, Data: []float64{0}})
	for i := range one {
		if math.Abs(one[i]-many[i]) > 1e-7 || one[i] != row[i] {
			t.Fatalf("value %d: constant input %v, (1, 1) %v, repeated per sample %v", i, one[i], row[i], many[i])
		}
	}
	if last := (points - 1) * 5; math.Abs(one[last]-zero[last]) < 1e-3 {
		t.Errorf("the cart moved %v with u = 1.5 and %v with u = 0, want them apart", one[last], zero[last])
	}
	// Inputs per start: start 1's equal its own rollout under those inputs.
	per := data.Array{Shape: []int{2, points, 1}, Data: append(append([]float64(nil), rep.Data...), u.Data...)}
	both := roll(per)
	for i := range points * 5 {
		if math.Abs(both[i]-many[i]) > 1e-12 || math.Abs(both[points*5+i]-x.Data[points*5+i]) > 1e-12 {
			t.Fatalf("value %d: inputs per start differ from each start's own rollout", i)
		}
	}
}

// TestRolloutInputsErrors checks RolloutInputs' one-line errors.
func TestRolloutInputsErrors(t *testing.T) {
	t.Parallel()
	m := trueDriven(systems.Acrobot{})
	ig := ode.RK4{Step: 0.01}
	x0 := data.Array{Shape: []int{1, 4}, Data: []float64{0.1, 0.2, 0, 0}}
	u1 := data.Array{Shape: []int{1}, Data: []float64{1}}
	for _, c := range []struct {
		name  string
		m     Trained
		x0, u data.Array
		want  string
	}{
		{"no inputs", fieldModel{2, systems.Spring{}.Field}, data.Array{Shape: []int{2}, Data: []float64{1, 0}}, u1, "u.npy: this model has no inputs"},
		{"inputs in x0", m, data.Array{Shape: []int{5}, Data: make([]float64, 5)}, u1, "x0.npy: shape (5,) holds the 1 input columns too"},
		{"x0 width", m, data.Array{Shape: []int{3}, Data: make([]float64, 3)}, u1, "x0.npy: shape (3,), want (B, 4) or (4,)"},
		{"input width", m, x0, data.Array{Shape: []int{2}, Data: []float64{1, 2}}, "u.npy: shape (2,) has 2 inputs per row, this model takes 1"},
		{"input length", m, x0, data.Array{Shape: []int{7, 1}, Data: make([]float64, 7)}, "u.npy: shape (7, 1), want (1,) or (1, 1) for constant inputs or (11, 1), one row per output point"},
		{"per start", m, x0, data.Array{Shape: []int{2, 11, 1}, Data: make([]float64, 22)}, "u.npy: shape (2, 11, 1), want (1, 11, 1)"},
		{"rank", m, x0, data.Array{Shape: []int{1, 1, 1, 1}, Data: []float64{1}}, "u.npy: shape (1, 1, 1, 1), want (1,) or (1, 1)"},
		{"NaN", m, x0, data.Array{Shape: []int{1}, Data: []float64{math.NaN()}}, "u.npy: value at index (0,) is NaN"},
	} {
		_, _, err := RolloutInputs(c.m, ig, c.x0, "x0.npy", c.u, "u.npy", 1, 11)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %v, want one line containing %q", c.name, err, c.want)
		}
	}
}

// TestMechanics checks experiment.Mechanics: symoden and delan give M,
// V and g that agree with model.Mechanical on the same model; kinds
// without them and scaled runs give nil.
func TestMechanics(t *testing.T) {
	t.Parallel()
	l := data.Layout{Positions: 2, Velocities: true, Inputs: 1, Angles: []int{1}}
	for _, kind := range []string{"symoden", "delan", "naive"} {
		c := model.Config{Kind: kind, Dim: l.Dim(), Hidden: []int{8}, Layout: l, Precision: model.Float64}
		m, err := model.New[float64](c, rand.New(rand.NewPCG(3, 4)))
		if err != nil {
			t.Fatal(err)
		}
		f := Mechanics(Wrap(m))
		if kind == "naive" {
			if f != nil {
				t.Errorf("naive has Mechanics")
			}
			continue
		}
		if f == nil {
			t.Fatalf("%s has no Mechanics", kind)
		}
		q := []float64{0.3, -1.2}
		mass, g := make([]float64, 4), make([]float64, 2)
		pot := f(mass, q, g)
		ws := m.NewWorkspace(1, false).(model.Mechanical[float64])
		wm, wp, wg := make([]float64, 4), make([]float64, 1), make([]float64, 2)
		ws.Mechanics(wm, wp, wg, []float64{0.3, -1.2, 0.7, 0.1, 2})
		if pot != wp[0] || !slices.Equal(mass, wm) || !slices.Equal(g, wg) {
			t.Errorf("%s: Mechanics %v %v %v, the workspace's %v %v %v", kind, mass, pot, g, wm, wp[0], wg)
		}
		sc := data.Scale{Mean: make([]float64, 5), Factor: []float64{1, 1, 1, 1, 1}, Time: 1, Layout: l}
		if Mechanics(WrapScaled(m, sc)) != nil {
			t.Errorf("%s: a scaled run has Mechanics", kind)
		}
	}
}
