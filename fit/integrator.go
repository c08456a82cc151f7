package fit

import (
	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/nn"
)

// Integrator describes a differentiable integrator of the rollout fit,
// registered from its own file with RegisterIntegrator.
type Integrator struct {
	// Name is the integrator's registry name, as package ode spells it.
	Name string
	// KindMustList is set for an integrator that suits only the model
	// kinds listing it in model.Kind.Integrators (leapfrog: separable
	// energies).
	KindMustList bool
	// New32 and New64 return a stepper.
	New32 func() Stepper[float32]
	New64 func() Stepper[float64]
}

// Stepper is one differentiable integrator step on a batch of B states
// with a step size per row, through an Engine.
type Stepper[T nn.Float] interface {
	// Stages returns the number of B x D stage inputs a step saves for
	// its backward pass.
	Stages() int
	// Forward writes the state one step of size h[r] after row r of x
	// into dst (B x D) and the stage inputs into save (Stages() x B x D).
	Forward(e *Engine[T], dst, x, h, save []T)
	// Backward writes into dx the gradient with respect to x of a loss
	// whose gradient with respect to the step's result is a, and adds its
	// gradient with respect to the parameters to e.Grad, from the stage
	// inputs Forward saved. dx must not alias a.
	Backward(e *Engine[T], dx, a, h, save []T)
}

var integrators = map[string]*Integrator{}

// RegisterIntegrator adds ig to the registry. It panics if the name is
// empty or taken or a constructor is missing; call it from init.
func RegisterIntegrator(ig Integrator) {
	if ig.Name == "" || ig.New32 == nil || ig.New64 == nil {
		panic("fit: RegisterIntegrator needs a name, New32 and New64")
	}
	if _, ok := integrators[ig.Name]; ok {
		panic("fit: integrator " + ig.Name + " registered twice")
	}
	integrators[ig.Name] = &ig
}

// Integrators returns the names of the registered integrators, sorted.
func Integrators() []string { return sortedKeys(integrators) }

// newStepper returns the stepper of the registered integrator name. It
// panics if there is none: for names a Config validated.
func newStepper[T nn.Float](name string) Stepper[T] {
	ig, ok := integrators[name]
	if !ok {
		panic("fit: unknown integrator " + name)
	}
	var s any
	var zero T
	if _, ok := any(zero).(float32); ok {
		s = ig.New32()
	} else {
		s = ig.New64()
	}
	return s.(Stepper[T])
}

// Engine evaluates a model's field and its vector-Jacobian products on a
// batch of B rows for the steppers, with buffers made once.
type Engine[T nn.Float] struct {
	ws   model.Workspace[T]
	d    int
	F    []T // the field of the last Field call (B x D)
	DS   []T // the input gradient of the last VJP (B x D)
	U    []T // scratch for a stepper (B x D)
	W    []T // scratch for a stepper (B x D)
	V    []T // scratch for a stepper (B x D)
	g    []T // the parameter gradient of one VJP
	Grad []T // the accumulated parameter gradient
	// Tol is the relative tolerance of implicit steps' fixed-point
	// iterations (1e-12 in float64, 1e-6 in float32).
	Tol float64
	// Unconverged counts the implicit solves (forward or adjoint) that
	// stopped at their iteration limit without meeting Tol; a Rollout
	// clears it before each loss and reports such a loss as infinite.
	Unconverged int
}

// NewEngine returns an engine on ws, a workspace of rows of dimension d
// (made for training if gradients are wanted) of a model with params
// parameters.
func NewEngine[T nn.Float](ws model.Workspace[T], d, params int) *Engine[T] {
	n := ws.Batch() * d
	e := &Engine[T]{ws: ws, d: d, F: make([]T, n), DS: make([]T, n), U: make([]T, n), W: make([]T, n), V: make([]T, n), g: make([]T, params), Grad: make([]T, params), Tol: 1e-12}
	var zero T
	if _, ok := any(zero).(float32); ok {
		e.Tol = 1e-6
	}
	return e
}

// Dim returns the state dimension D.
func (e *Engine[T]) Dim() int { return e.d }

// Field writes the field at x into e.F.
func (e *Engine[T]) Field(x []T) { e.ws.Field(e.F, x) }

// VJP writes u^T df/dx at x into e.DS and, if accumulate is set, adds
// u^T df/dparams to e.Grad.
func (e *Engine[T]) VJP(x, u []T, accumulate bool) {
	e.ws.Field(e.F, x)
	e.ws.FieldVJP(e.g, e.DS, u)
	if accumulate {
		for i, v := range e.g {
			e.Grad[i] += v
		}
	}
}

// axpyRows writes x + c h[r] y into dst for every row r (dst may alias x
// or y).
func axpyRows[T nn.Float](dst, x []T, c T, h, y []T, d int) {
	for r, hr := range h {
		s := c * hr
		for j := r * d; j < (r+1)*d; j++ {
			dst[j] = x[j] + s*y[j]
		}
	}
}
