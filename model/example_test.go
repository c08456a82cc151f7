package model_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/nn"
	"github.com/hnn-go/hnn/systems"
	"github.com/hnn-go/hnn/train"
)

// linear is the model of the example kind: a linear field dx/dt = A x,
// whose parameters are the D x D matrix A (row-major).
type linear[T nn.Float] struct {
	cfg model.Config
	a   []T
}

func newLinear[T nn.Float](c model.Config, p model.Pieces[T]) model.Model[T] {
	return &linear[T]{cfg: c, a: p.Arrays[0]}
}

func (m *linear[T]) Config() model.Config { return m.cfg }
func (m *linear[T]) Params() []T          { return m.a }

func (m *linear[T]) NewWorkspace(batch int, train bool) model.Workspace[T] {
	n := batch * m.cfg.Dim
	return &linearWorkspace[T]{m: m, batch: batch, x: make([]T, n), f: make([]T, n)}
}

// linearWorkspace keeps the batch of the last Field call for FieldVJP.
type linearWorkspace[T nn.Float] struct {
	m     *linear[T]
	batch int
	x, f  []T
}

func (w *linearWorkspace[T]) Batch() int { return w.batch }

// Field writes f = A x for every row of x.
func (w *linearWorkspace[T]) Field(dst, x []T) {
	d, a := w.m.cfg.Dim, w.m.a
	copy(w.x, x)
	for r := range w.batch {
		for i := range d {
			var s T
			for j := range d {
				s += a[i*d+j] * x[r*d+j]
			}
			dst[r*d+i] = s
		}
	}
}

// FieldVJP writes dL/dA = sum over rows of u x^T and dL/dx = A^T u.
func (w *linearWorkspace[T]) FieldVJP(grad, dx, u []T) {
	d, a := w.m.cfg.Dim, w.m.a
	clear(grad)
	for r := range w.batch {
		for i := range d {
			for j := range d {
				grad[i*d+j] += u[r*d+i] * w.x[r*d+j]
			}
		}
		if dx == nil {
			continue
		}
		for j := range d {
			var s T
			for i := range d {
				s += a[i*d+j] * u[r*d+i]
			}
			dx[r*d+j] = s
		}
	}
}

// Loss is the mean squared error of the field against y.
func (w *linearWorkspace[T]) Loss(x, y []T) float64 {
	w.Field(w.f, x)
	var s float64
	for i, v := range w.f {
		s += float64(v-y[i]) * float64(v-y[i])
	}
	return s / float64(len(w.f))
}

// LossGrad is Loss with its gradient, through FieldVJP.
func (w *linearWorkspace[T]) LossGrad(x, y, grad []T) float64 {
	loss := w.Loss(x, y)
	for i, v := range w.f {
		w.f[i] = 2 * (v - y[i]) / T(len(w.f))
	}
	w.FieldVJP(grad, nil, w.f)
	return loss
}

// ExampleRegister adds a model kind, a linear field dx/dt = A x, and uses
// it through the registry as hnn does: New builds it from its name, train
// fits it to the ideal spring, whose field (2p, -2q) is linear, and a
// checkpoint saved and loaded finds it by its name. A kind of hnn
// registers itself from an init function of its own file; the example
// registers its kind here, under a name no real kind has.
func ExampleRegister() {
	model.Register(model.Kind{
		Name:  "example-linear",
		Title: "Linear field",
		Parts: func(c model.Config) []model.Part {
			return []model.Part{{Name: "A", Shape: []int{c.Dim, c.Dim}}}
		},
		Build32: newLinear[float32],
		Build64: newLinear[float64],
		FLOPs:   func(c model.Config) float64 { return 6 * float64(c.Dim*c.Dim) },
	})
	k, err := model.Lookup("example-linear")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(k.Title, model.NumParams(model.Config{Kind: "example-linear", Dim: 2}), "parameters")

	c := model.Config{Kind: "example-linear", Dim: 2, Precision: model.Float64}
	m, err := model.New[float64](c, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		fmt.Println(err)
		return
	}
	rng := rand.New(rand.NewPCG(3, 4))
	set := &data.Set{Dim: 2}
	dx := make([]float64, 2)
	for range 50 {
		x := []float64{rng.NormFloat64(), rng.NormFloat64()}
		systems.Spring{}.Field(dx, x)
		set.X, set.DX = append(set.X, x...), append(set.DX, dx...)
	}
	if _, err := train.Train(m, set, set, train.Config{Steps: 1000, LR: 0.02}, rng, nil); err != nil {
		fmt.Println(err)
		return
	}

	dir, err := os.MkdirTemp("", "example-linear")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	if err := model.Save(dir, m); err != nil {
		fmt.Println(err)
		return
	}
	loaded, err := model.Load[float64](dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	a := loaded.Params()
	round := func(v float64) float64 { return math.Round(v*100)/100 + 0 } // + 0: no -0.00
	fmt.Println(loaded.Config().Kind, "learned A:")
	fmt.Printf("%5.2f %5.2f\n%5.2f %5.2f\n", round(a[0]), round(a[1]), round(a[2]), round(a[3]))
	// Output:
	// Linear field 4 parameters
	// example-linear learned A:
	//  0.00  2.00
	// -2.00  0.00
}
