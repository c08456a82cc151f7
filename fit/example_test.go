package fit_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/fit"
	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/nn"
	"github.com/hnn-go/hnn/train"
)

// euler is the explicit Euler step x' = x + h f(x), differentiable: its
// backward pass is dL/dx = a + h J^T a with a = dL/dx', and it adds
// h a^T df/dparams to the parameter gradient. It saves its one stage
// input, x.
type euler[T nn.Float] struct{}

func (euler[T]) Stages() int { return 1 }

func (euler[T]) Forward(e *fit.Engine[T], dst, x, h, save []T) {
	d := e.Dim()
	copy(save, x)
	e.Field(x)
	for j := range dst {
		dst[j] = x[j] + h[j/d]*e.F[j]
	}
}

func (euler[T]) Backward(e *fit.Engine[T], dx, a, h, save []T) {
	d := e.Dim()
	for j := range a {
		e.U[j] = h[j/d] * a[j]
	}
	e.VJP(save, e.U, true)
	for j := range dx {
		dx[j] = a[j] + e.DS[j]
	}
}

// ExampleRegisterIntegrator adds a differentiable integrator, the explicit
// Euler step, and fits an HNN to trajectories of the harmonic oscillator
// q' = p, p' = -q with the rollout fit through it. An integrator of hnn
// registers itself from an init function of its own file; the example
// registers its own here, under a name no real integrator has.
func ExampleRegisterIntegrator() {
	fit.RegisterIntegrator(fit.Integrator{
		Name:  "example-euler",
		New32: func() fit.Stepper[float32] { return euler[float32]{} },
		New64: func() fit.Stepper[float64] { return euler[float64]{} },
	})
	fmt.Println(fit.Integrators())
	c := fit.Config{Mode: "rollout", Horizon: 4, Integrator: "example-euler"}
	fmt.Println("valid for hnn:", c.Validate("hnn") == nil)

	// Trajectories of the oscillator from random starts, 40 points 0.05
	// apart each.
	rng := rand.New(rand.NewPCG(1, 2))
	set := &data.Set{Dim: 2}
	for k := range 8 {
		r, phi := 0.5+rng.Float64(), 2*math.Pi*rng.Float64()
		for i := range 40 {
			t := 0.05 * float64(i)
			set.X = append(set.X, r*math.Cos(t+phi), -r*math.Sin(t+phi))
			set.T = append(set.T, t)
			set.Traj = append(set.Traj, k)
		}
	}
	m, err := model.New[float64](model.Config{Kind: "hnn", Dim: 2, Hidden: []int{16}, Precision: model.Float64}, rng)
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := fit.Train(m, set, &data.Set{Dim: 2}, c, train.Config{Steps: 600, LR: 1e-2}, rng, nil); err != nil {
		fmt.Println(err)
		return
	}

	// The learned field against the truth (p, -q) on the unit circle.
	ws := m.NewWorkspace(1, false)
	f := make([]float64, 2)
	var worst float64
	for i := range 12 {
		q, p := math.Cos(float64(i)*math.Pi/6), math.Sin(float64(i)*math.Pi/6)
		ws.Field(f, []float64{q, p})
		worst = max(worst, math.Hypot(f[0]-p, f[1]+q))
	}
	fmt.Println("field within 10% on the unit circle:", worst < 0.1)
	// Output:
	// [example-euler implicit-midpoint leapfrog rk4]
	// valid for hnn: true
	// field within 10% on the unit circle: true
}
