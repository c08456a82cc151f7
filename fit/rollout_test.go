package fit

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/train"
)

// randomTrajectories returns two trajectories of rows random states of
// dimension d at uneven times (steps 0.05..0.15).
func randomTrajectories(rng *rand.Rand, d, rows int) *data.Set {
	s := &data.Set{Dim: d}
	for k := range 2 {
		t := 0.0
		for range rows {
			for range d {
				s.X = append(s.X, rng.NormFloat64())
			}
			s.T = append(s.T, t)
			s.Traj = append(s.Traj, k)
			t += 0.05 + 0.1*rng.Float64()
		}
	}
	return s
}

// TestRolloutGradFD checks the rollout loss's gradient with respect to
// the parameters and to the fitted starts against central finite
// differences, for every model kind and every integrator that suits it,
// in float64, on uneven steps. The tolerance, 1e-6 relative to the
// largest gradient entry, is far above the differences' error (about
// eps^2 = 1e-12 times third derivatives, plus rounding 1e-16/eps) and far
// below what a wrong term of the backward pass gives.
func TestRolloutGradFD(t *testing.T) {
	t.Parallel()
	for _, kind := range model.Kinds() {
		for _, ig := range Integrators() {
			c := Config{Mode: "rollout", Horizon: 3, Integrator: ig, FitStarts: true}
			if c.Validate(kind) != nil {
				continue
			}
			t.Run(kind+"/"+ig, func(t *testing.T) {
				t.Parallel()
				rng := rand.New(rand.NewPCG(7, 8))
				m, err := model.New[float64](model.Config{Kind: kind, Dim: 4, Hidden: []int{6}, Precision: model.Float64}, rng)
				if err != nil {
					t.Fatal(err)
				}
				set := randomTrajectories(rng, 4, 8)
				r, err := NewRollout(m, set, c, train.Config{LR: 1e-3}, rng)
				if err != nil {
					t.Fatal(err)
				}
				// Move the starts off the data so that the start term
				// of the loss has a gradient.
				for i := range r.starts {
					r.starts[i] += 0.1 * rng.NormFloat64()
				}
				rows := make([]int, r.s)
				for i := range rows {
					rows[i] = i
				}
				r.loss(rows, true)
				grad, dstart := slices.Clone(r.e.Grad), slices.Clone(r.dx)
				check := func(name string, v []float64, want []float64, idx func(i int) int) {
					scale := 0.0
					for _, g := range want {
						scale = math.Max(scale, math.Abs(g))
					}
					const eps = 1e-6
					for i := range want {
						j := idx(i)
						old := v[j]
						v[j] = old + eps
						lp := r.loss(rows, false)
						v[j] = old - eps
						lm := r.loss(rows, false)
						v[j] = old
						fd := (lp - lm) / (2 * eps)
						if math.Abs(fd-want[i]) > 1e-6*scale {
							t.Fatalf("%s %d: gradient %.10g, finite differences %.10g (scale %.3g)", name, i, want[i], fd, scale)
						}
					}
				}
				check("parameter", m.Params(), grad, func(i int) int { return i })
				// r.dx row i is the start of segment rows[i] = i.
				check("start", r.starts, dstart, func(i int) int { return i })
			})
		}
	}
}

// TestCutSegments checks multiple shooting's segments: every k steps,
// one more ending at a trajectory's last row, none for one too short.
func TestCutSegments(t *testing.T) {
	t.Parallel()
	s := &data.Set{Dim: 2}
	lens := []int{8, 3, 7} // rows per trajectory
	for k, n := range lens {
		for i := range n {
			s.X = append(s.X, float64(100*k+i), 0)
			s.T = append(s.T, float64(i))
			s.Traj = append(s.Traj, k)
		}
	}
	seg := cutSegments(s, 3)
	var firsts []float64
	for i := range seg.s {
		firsts = append(firsts, seg.y[i*4*2])
	}
	// Trajectory 0 (7 steps): starts 0, 3 and the last segment 4; 1 (2
	// steps): none; 2 (6 steps): 0, 3.
	want := []float64{0, 3, 4, 200, 203}
	if fmt.Sprint(firsts) != fmt.Sprint(want) {
		t.Errorf("segment starts %v, want %v", firsts, want)
	}
	for _, h := range seg.h {
		if h != 1 {
			t.Fatalf("step %v, want 1", h)
		}
	}
}

// TestFittedStartsMoveWhenDrawn checks that a rollout step with fitted
// starts moves no start during the warm-up (the first half of the steps)
// and then exactly the starts of the segments in its minibatch: the
// others keep their values (their Adam moments would otherwise carry them
// on with no gradient of their own).
func TestFittedStartsMoveWhenDrawn(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	m, err := model.New[float64](model.Config{Kind: "hnn", Dim: 4, Hidden: []int{6}, Precision: model.Float64}, rng)
	if err != nil {
		t.Fatal(err)
	}
	set := randomTrajectories(rng, 4, 25) // 2 x 8 segments of 3 steps
	c := Config{Mode: "rollout", Horizon: 3, Integrator: "rk4", FitStarts: true}
	r, err := NewRollout(m, set, c, train.Config{Steps: 8, LR: 1e-2, Batch: 6}, rng) // 2 segments a step
	if err != nil {
		t.Fatal(err)
	}
	if r.b >= r.s {
		t.Fatalf("batch of %d segments of %d: want a minibatch", r.b, r.s)
	}
	for step := range 8 {
		before := slices.Clone(r.starts)
		r.Step()
		drawn := make([]bool, r.s)
		for _, sg := range r.perm[:r.b] {
			drawn[sg] = true
		}
		for sg := range r.s {
			changed := !slices.Equal(before[sg*r.d:(sg+1)*r.d], r.starts[sg*r.d:(sg+1)*r.d])
			if want := drawn[sg] && step >= 4; changed != want {
				t.Fatalf("step %d: segment %d drawn %v, start changed %v", step, sg, drawn[sg], changed)
			}
		}
	}
}

// TestImplicitUnconverged checks that an implicit-midpoint step whose
// fixed-point iteration cannot converge (a step far beyond the field's
// scale) makes the loss infinite, so that training stops as diverged,
// instead of returning the last iterate silently; and that a small step
// converges.
func TestImplicitUnconverged(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 6))
	m, err := model.New[float64](model.Config{Kind: "baseline", Dim: 2, Hidden: []int{8}, Precision: model.Float64}, rng)
	if err != nil {
		t.Fatal(err)
	}
	params := m.Params()
	for i := range params {
		params[i] *= 4 // a field with a Lipschitz constant well above 1
	}
	for _, tc := range []struct {
		dt     float64
		finite bool
	}{{1e-3, true}, {1e3, false}} {
		set := &data.Set{Dim: 2, X: []float64{0.5, -0.3, 0.4, -0.2}, T: []float64{0, tc.dt}, Traj: []int{0, 0}}
		r, err := NewRollout(m, set, Config{Mode: "rollout", Horizon: 1, Integrator: "implicit-midpoint"}, train.Config{LR: 1e-3}, rng)
		if err != nil {
			t.Fatal(err)
		}
		before := slices.Clone(params)
		loss := r.Step()
		if finite := !math.IsInf(loss, 0) && !math.IsNaN(loss); finite != tc.finite {
			t.Errorf("step %g: loss %v, want finite %v", tc.dt, loss, tc.finite)
		}
		if !tc.finite && !slices.Equal(before, params) {
			t.Errorf("step %g: an unconverged step changed the parameters", tc.dt)
		}
	}
}

// TestHorizonGrows checks the rollout fit's growing horizon: the training
// loss of the first step covers one integrator step (the start and the
// state after it), and from the end of the first quarter of the steps
// the whole segment, as the test loss always does.
func TestHorizonGrows(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(9, 10))
	m, err := model.New[float64](model.Config{Kind: "hnn", Dim: 2, Hidden: []int{8}, Precision: model.Float64}, rng)
	if err != nil {
		t.Fatal(err)
	}
	set := randomTrajectories(rng, 2, 9) // 2 x 2 segments of 4 steps
	r, err := NewRollout(m, set, Config{Mode: "rollout", Horizon: 4}, train.Config{Steps: 40, LR: 1e-3}, rng)
	if err != nil {
		t.Fatal(err)
	}
	rows := []int{0, 1, 2, 3}
	full := r.loss(rows, false)
	first := r.loss(rows, true)
	bd := r.b * r.d
	var want float64
	for i, v := range r.x[:2*bd] {
		e := v - r.yb[i]
		want += e * e
	}
	want /= float64(2 * bd)
	if math.Abs(first-want) > 1e-12*want || math.Abs(first-full) < 1e-6*full {
		t.Fatalf("first training loss %v, want the one-step loss %v (the full segment's is %v)", first, want, full)
	}
	r.steps = r.grow // from here the whole horizon
	if got := r.loss(rows, true); math.Abs(got-full) > 1e-12*full {
		t.Fatalf("training loss at step %d: %v, want the full segment's %v", r.steps, got, full)
	}
}
