package fit

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/internal/check"
	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/ode"
	"github.com/hnn-go/hnn/train"
)

// oscillator returns trajectories of the harmonic oscillator q' = p,
// p' = -q (exact solutions) from random starts with |x| in [0.5, 1.5], at
// uneven times (steps 0.1..0.3), with their exact derivatives.
func oscillator(rng *rand.Rand, trajs, rows int) *data.Set {
	s := &data.Set{Dim: 2}
	for k := range trajs {
		r, phi := 0.5+rng.Float64(), 2*math.Pi*rng.Float64()
		t := 0.0
		for range rows {
			q, p := r*math.Cos(t+phi), -r*math.Sin(t+phi)
			s.X = append(s.X, q, p)
			s.DX = append(s.DX, p, -q)
			s.T = append(s.T, t)
			s.Traj = append(s.Traj, k)
			t += 0.1 + 0.2*rng.Float64()
		}
	}
	return s
}

// fieldError returns the mean squared error of m's field against the
// oscillator's (p, -q) on a grid of the annulus the data cover, relative
// to the field's mean square.
func fieldError(m model.Model[float64]) float64 {
	ws := m.NewWorkspace(1, false)
	f := make([]float64, 2)
	var num, den float64
	for i := range 12 {
		for _, r := range []float64{0.6, 1, 1.4} {
			a := 2 * math.Pi * float64(i) / 12
			q, p := r*math.Cos(a), r*math.Sin(a)
			ws.Field(f, []float64{q, p})
			num += (f[0]-p)*(f[0]-p) + (f[1]+q)*(f[1]+q)
			den += p*p + q*q
		}
	}
	return num / den
}

// TestFitModesLearn trains small models with every fit mode and
// integrator on clean oscillator trajectories with uneven steps and checks
// the learned field: within 5% (relative mean square) of the truth,
// where the untrained models are off by more than 50%. A wrong gradient
// through an integrator does not get there in 600 steps.
func TestFitModesLearn(t *testing.T) {
	t.Parallel()
	cases := []struct {
		kind string
		c    Config
	}{
		{"hnn", Config{}},
		{"hnn", Config{Mode: "midpoint"}},
		{"hnn", Config{Mode: "rollout", Horizon: 4}},
		{"hnn", Config{Mode: "rollout", Horizon: 2, Integrator: "implicit-midpoint"}},
		{"separable", Config{Mode: "rollout", Horizon: 3, Integrator: "leapfrog", FitStarts: true}},
		{"baseline", Config{Mode: "rollout", Horizon: 2}},
		{"dhnn", Config{Mode: "midpoint"}},
	}
	for _, c := range cases {
		t.Run(c.kind+"/"+c.c.WithDefaults().Mode+"/"+c.c.Integrator, func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(11, 12))
			m, err := model.New[float64](model.Config{Kind: c.kind, Dim: 2, Hidden: []int{16}, Precision: model.Float64}, rng)
			if err != nil {
				t.Fatal(err)
			}
			if e := fieldError(m); e < 0.5 {
				t.Fatalf("untrained field error %.3g, want above 0.5 for the check to mean anything", e)
			}
			tr, te := oscillator(rng, 8, 25), oscillator(rng, 2, 25)
			h, err := Train(m, tr, te, c.c, train.Config{Steps: 600, LR: 1e-2}, rand.New(rand.NewPCG(1, 2)), nil)
			if err != nil {
				t.Fatal(err)
			}
			if e := fieldError(m); e > 0.05 {
				t.Errorf("field error %.3g after training (last test loss %.3g), want below 0.05", e, h.Log[len(h.Log)-1].Test)
			}
		})
	}
}

// TestMidpointRows checks the midpoint fit's rows on a straight line
// x = (t, 2t) of two trajectories: midpoints, difference quotients, and no
// row across trajectories.
func TestMidpointRows(t *testing.T) {
	t.Parallel()
	s := &data.Set{Dim: 2, Traj: []int{0, 0, 0, 1, 1}, T: []float64{0, 0.5, 2, 0, 1}}
	for _, tm := range s.T {
		s.X = append(s.X, tm, 2*tm)
	}
	r := MidpointRows(s)
	want := []float64{0.25, 0.5, 1.25, 2.5, 0.5, 1}
	if r.Len() != 3 {
		t.Fatalf("%d rows, want 3", r.Len())
	}
	for i, v := range want {
		if math.Abs(r.X[i]-v) > 1e-15 || math.Abs(r.DX[i]-[]float64{1, 2}[i%2]) > 1e-15 {
			t.Fatalf("row %d: x %v dx %v, want x %v dx (1, 2)", i/2, r.X[i], r.DX[i], v)
		}
	}
}

// TestConfigErrors checks that every bad setting names its field.
func TestConfigErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		c     Config
		kind  string
		field string
	}{
		{Config{Mode: "euler"}, "hnn", "fit"},
		{Config{Horizon: 3}, "hnn", "horizon"},
		{Config{Mode: "midpoint", Integrator: "rk4"}, "hnn", "integrator"},
		{Config{Mode: "rollout", Horizon: -1}, "hnn", "horizon"},
		{Config{Mode: "rollout", Integrator: "euler"}, "hnn", "integrator"},
		{Config{Mode: "rollout", Integrator: "leapfrog"}, "hnn", "integrator"},
		{Config{FitStarts: true}, "hnn", "fit_starts"},
	}
	for _, c := range cases {
		err := c.c.Validate(c.kind)
		var fe *check.FieldError
		if !errors.As(err, &fe) || fe.Field != c.field {
			t.Errorf("%+v on %s: error %v, want one naming %s", c.c, c.kind, err, c.field)
		}
	}
	if err := (Config{Mode: "rollout", Integrator: "leapfrog"}).Validate("separable"); err != nil {
		t.Errorf("leapfrog on separable: %v", err)
	}
	// A set without times cannot train a trajectory fit.
	m, _ := model.New[float64](model.Config{Kind: "hnn", Dim: 2, Hidden: []int{4}}, rand.New(rand.NewPCG(1, 1)))
	rows := &data.Set{Dim: 2, X: []float64{1, 2}, DX: []float64{0, 0}}
	if _, err := Train(m, rows, nil, Config{Mode: "midpoint"}, train.Config{Steps: 1}, rand.New(rand.NewPCG(1, 1)), nil); err == nil {
		t.Error("the midpoint fit trained on rows without times")
	}
}

// TestRolloutStepAllocs checks that a rollout step allocates nothing.
func TestRolloutStepAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	for _, ig := range []string{"rk4", "leapfrog", "implicit-midpoint"} {
		m, _ := model.New[float32](model.Config{Kind: "separable", Dim: 2, Hidden: []int{8}}, rng)
		r, err := NewRollout(m, oscillator(rng, 4, 12), Config{Mode: "rollout", Integrator: ig, FitStarts: true}, train.Config{LR: 1e-3, Batch: 3}, rng)
		if err != nil {
			t.Fatal(err)
		}
		if n := testing.AllocsPerRun(5, func() { r.Step() }); n != 0 {
			t.Errorf("%s: %v allocations per step, want 0", ig, n)
		}
	}
}

// TestFitStart checks the test-time fit of a start: observations made by
// the model itself (RK4 at the data's uneven times, the fit's integrator)
// from a true start, with the first observation off by 0.3 in every
// component. The loss weighs the first observation like each of the five
// others, so over this short, nearly linear flow its minimum keeps about a
// sixth of the error; the fitted start must be within a quarter of it,
// where the observation is off by all of it.
func TestFitStart(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(9, 9))
	m, err := model.New[float64](model.Config{Kind: "hnn", Dim: 2, Hidden: []int{8}, Precision: model.Float64}, rng)
	if err != nil {
		t.Fatal(err)
	}
	ts := []float64{0, 0.1, 0.25, 0.3, 0.45, 0.6}
	x0 := []float64{0.7, -0.4}
	obs := make([]float64, len(ts)*2)
	if err := (ode.RK4{}).Solve(obs, model.FieldFunc(m)(), x0, ts); err != nil {
		t.Fatal(err)
	}
	obs[0] += 0.3
	obs[1] -= 0.3
	got := FitStart(m, Config{Mode: "rollout"}, ts, obs, 300, 1e-2)
	off := math.Hypot(got[0]-x0[0], got[1]-x0[1])
	if noisy := math.Hypot(0.3, 0.3); off > noisy/4 {
		t.Errorf("fitted start %v is %.3g from the true %v, want below %.3g (the observation's error / 4)", got, off, x0, noisy/4)
	}
}
