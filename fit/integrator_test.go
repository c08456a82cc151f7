package fit

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/hnn-go/hnn/model"
)

// stepCase is a stepper of every registered integrator (step-only ones
// included) on a small float64 model of a kind it suits, with a random
// batch of B states and steps of both signs.
type stepCase struct {
	name string
	st   Stepper[float64]
	m    model.Model[float64]
	x    []float64
	xn   []float64 // a second state per row, for increments
	h    []float64
}

func stepCases(t *testing.T) []stepCase {
	t.Helper()
	const B, D = 3, 4
	var out []stepCase
	for _, name := range sortedKeys(integrators) {
		ig := integrators[name]
		for _, kind := range model.Kinds() {
			k, _ := model.Lookup(kind)
			if !ig.Suits(k) {
				continue
			}
			rng := rand.New(rand.NewPCG(11, 12))
			m, err := model.New[float64](model.Config{Kind: kind, Dim: D, Hidden: []int{6}, Precision: model.Float64}, rng)
			if err != nil {
				t.Fatal(err)
			}
			c := stepCase{name: name + "/" + kind, st: ig.New64(), m: m, x: make([]float64, B*D), xn: make([]float64, B*D), h: []float64{0.1, -0.07, 1}}
			for i := range c.x {
				c.x[i] = rng.NormFloat64()
				c.xn[i] = c.x[i] + 0.1*rng.NormFloat64()
			}
			out = append(out, c)
		}
	}
	return out
}

// engine returns an engine for c, keeping the stages' evaluations on
// workspaces of their own if keep is set.
func (c stepCase) engine(keep bool) *Engine[float64] {
	e := NewEngine(c.m.NewWorkspace(len(c.h), true), len(c.x)/len(c.h), len(c.m.Params()))
	if keep {
		var ws []model.Workspace[float64]
		for range c.st.Stages() {
			ws = append(ws, c.m.NewWorkspace(len(c.h), true))
		}
		e.Keep(ws)
	}
	return e
}

// TestStepperGradFD checks every registered stepper's Backward (and, for
// an Incrementer, IncrementBackward) against central finite differences
// of the loss sum_i w_i y_i of its result y, with respect to the state
// and the parameters, in float64, on steps of both signs and sizes; and
// that an engine that keeps the stages' evaluations (Keep) gives the same
// results to the last bit as one that evaluates them again. The
// tolerance, 1e-6 relative to the largest gradient entry, is far above
// the differences' error (eps^2 = 1e-12 times third derivatives, plus
// rounding 1e-16/eps) and far below what a wrong term gives.
func TestStepperGradFD(t *testing.T) {
	t.Parallel()
	for _, c := range stepCases(t) {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			n := len(c.x)
			wts := make([]float64, n)
			rng := rand.New(rand.NewPCG(13, 14))
			for i := range wts {
				wts[i] = rng.NormFloat64()
			}
			save := make([]float64, c.st.Stages()*n)
			y := make([]float64, n)
			inc, isInc := c.st.(Incrementer[float64])
			type pass struct {
				name string
				// loss evaluates sum w y at x, xn; grad writes the
				// gradients (dx, dxn, dparams) with the engine e.
				loss func(e *Engine[float64], x, xn []float64) float64
				grad func(e *Engine[float64], dx, dxn []float64)
			}
			passes := []pass{{
				name: "step",
				loss: func(e *Engine[float64], x, _ []float64) float64 {
					c.st.Forward(e, y, x, c.h, save)
					return dot(wts, y)
				},
				grad: func(e *Engine[float64], dx, _ []float64) {
					c.st.Forward(e, y, c.x, c.h, save)
					c.st.Backward(e, dx, wts, c.h, save)
				},
			}}
			if isInc {
				passes = append(passes, pass{
					name: "increment",
					loss: func(e *Engine[float64], x, xn []float64) float64 {
						inc.Increment(e, y, x, xn, c.h, save)
						return dot(wts, y)
					},
					grad: func(e *Engine[float64], dx, dxn []float64) {
						inc.Increment(e, y, c.x, c.xn, c.h, save)
						inc.IncrementBackward(e, dx, dxn, wts, c.h, save)
					},
				})
			}
			for _, p := range passes {
				var got [2][3][]float64
				for ki, keep := range []bool{false, true} {
					e := c.engine(keep)
					// Backward adds: start from ones to check that it
					// adds rather than overwrites.
					dx, dxn := slices.Repeat([]float64{1}, n), slices.Repeat([]float64{1}, n)
					p.grad(e, dx, dxn)
					for i := range dx {
						dx[i]--
						dxn[i]--
					}
					got[ki] = [3][]float64{dx, dxn, slices.Clone(e.Grad)}
				}
				for j := range 3 {
					if !slices.Equal(got[0][j], got[1][j]) {
						t.Fatalf("%s: a keeping engine's gradient %d differs: %v, %v", p.name, j, got[1][j], got[0][j])
					}
				}
				e := c.engine(false)
				params := c.m.Params()
				for j, v := range [][]float64{c.x, c.xn, params} {
					want := got[0][j]
					scale := 1e-3
					for _, g := range want {
						scale = math.Max(scale, math.Abs(g))
					}
					const eps = 1e-6
					for i := range v {
						old := v[i]
						v[i] = old + eps
						lp := p.loss(e, c.x, c.xn)
						v[i] = old - eps
						lm := p.loss(e, c.x, c.xn)
						v[i] = old
						if fd := (lp - lm) / (2 * eps); math.Abs(fd-want[i]) > 1e-6*scale {
							t.Fatalf("%s: gradient %d entry %d is %.10g, finite differences %.10g", p.name, j, i, want[i], fd)
						}
					}
				}
			}
		})
	}
}

// TestIncrement checks the increments against the steps: an explicit
// step's result is x plus its increment to the last bit, and the implicit
// midpoint's increment from x to its own step's result is that result
// minus x, to its solver's tolerance.
func TestIncrement(t *testing.T) {
	t.Parallel()
	names := Steps()
	for _, want := range []string{"euler", "implicit-midpoint", "rk4"} {
		if !slices.Contains(names, want) {
			t.Errorf("Steps() = %v, want %s among them", names, want)
		}
	}
	for _, c := range stepCases(t) {
		inc, ok := c.st.(Incrementer[float64])
		if !ok {
			continue
		}
		n := len(c.x)
		e := c.engine(false)
		save := make([]float64, c.st.Stages()*n)
		y, d := make([]float64, n), make([]float64, n)
		c.st.Forward(e, y, c.x, c.h, save)
		inc.Increment(e, d, c.x, y, c.h, save)
		for i := range y {
			if _, implicit := c.st.(*implicitMidpoint[float64]); implicit {
				// The fixed point meets 1e-12 (1 + max |x|) relative.
				if math.Abs(c.x[i]+d[i]-y[i]) > 1e-10 {
					t.Fatalf("%s: x + increment %v, step %v", c.name, c.x[i]+d[i], y[i])
				}
			} else if c.x[i]+d[i] != y[i] {
				t.Fatalf("%s: x + increment %v, step %v", c.name, c.x[i]+d[i], y[i])
			}
		}
	}
}

// TestLookupIntegrator checks names, aliases and step-only integrators.
func TestLookupIntegrator(t *testing.T) {
	t.Parallel()
	if ig, err := LookupIntegrator("midpoint"); err != nil || ig.Name != "implicit-midpoint" {
		t.Errorf("alias midpoint: %v, %v", ig, err)
	}
	if _, err := LookupIntegrator("dopri5"); err == nil {
		t.Error("dopri5: no error")
	}
	if slices.Contains(Integrators(), "euler") || !slices.Contains(Steps(), "euler") {
		t.Errorf("Integrators() = %v, Steps() = %v: want euler a step only", Integrators(), Steps())
	}
	if slices.Contains(Steps(), "leapfrog") {
		t.Errorf("Steps() = %v lists leapfrog, which has no increment", Steps())
	}
	if err := (Config{Mode: "rollout", Integrator: "midpoint"}).Validate("hnn"); err != nil {
		t.Errorf("rollout with the alias midpoint: %v", err)
	}
}

func dot(a, b []float64) float64 {
	var s float64
	for i, v := range a {
		s += v * b[i]
	}
	return s
}
