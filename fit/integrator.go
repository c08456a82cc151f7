package fit

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hnn-go/hnn/internal/check"
	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/nn"
)

// Integrator describes a differentiable integrator, registered from its
// own file with RegisterIntegrator: a step of the rollout fit, of the
// latent rollout loss (package latent) and, if its stepper is an
// Incrementer, of a one-step loss such as the latent dynamics loss.
type Integrator struct {
	// Name is the integrator's registry name, as package ode spells it.
	Name string
	// Aliases are other names the integrator is looked up by.
	Aliases []string
	// KindMustList is set for an integrator that suits only the model
	// kinds listing it in model.Kind.Integrators (leapfrog: separable
	// energies).
	KindMustList bool
	// StepOnly is set for an integrator offered only as the step of a
	// one-step loss, through its increment, and not for rollouts:
	// Integrators does not list it and a rollout does not take it.
	StepOnly bool
	// New32 and New64 return a stepper.
	New32 func() Stepper[float32]
	New64 func() Stepper[float64]
}

// Stepper is one differentiable integrator step on a batch of B states
// with a step size per row, through an Engine. A step of size -1 is a
// unit step backwards in time.
type Stepper[T nn.Float] interface {
	// Stages returns the number of B x D stage inputs a step saves for
	// its backward pass (and the workspaces Engine.Keep needs).
	Stages() int
	// Forward writes the state one step of size h[r] after row r of x
	// into dst (B x D) and the stage inputs into save (Stages() x B x D).
	Forward(e *Engine[T], dst, x, h, save []T)
	// Backward adds to dx the gradient with respect to x of a loss
	// whose gradient with respect to the step's result is a, and adds its
	// gradient with respect to the parameters to e.Grad, from the stage
	// inputs Forward saved. dx must not alias a.
	Backward(e *Engine[T], dx, a, h, save []T)
}

// Incrementer is a Stepper whose step x' = x + d(x, x') has an increment
// d that can be evaluated when both ends are known, without solving: the
// one-step residual x' - x - d of observed states is then the defect of
// the step's equation (the latent dynamics loss's). An explicit step's
// increment ignores x'; the implicit midpoint's is h f((x + x')/2).
type Incrementer[T nn.Float] interface {
	Stepper[T]
	// Increment writes the increment of the step of size h[r] from row r
	// of x to row r of xn into dst (B x D) and the stage inputs into save
	// (Stages() x B x D).
	Increment(e *Engine[T], dst, x, xn, h, save []T)
	// IncrementBackward adds to dx and dxn the gradients with respect to
	// x and xn of a loss whose gradient with respect to the increment is
	// a, and adds its gradient with respect to the parameters to e.Grad,
	// from the stage inputs Increment saved. dxn is not used by explicit
	// steps and may then be nil. Neither may alias a.
	IncrementBackward(e *Engine[T], dx, dxn, a, h, save []T)
}

// increment is an explicit step given by its increment, which explicit
// makes a Stepper.
type increment[T nn.Float] interface {
	Stages() int
	Increment(e *Engine[T], dst, x, xn, h, save []T)
	IncrementBackward(e *Engine[T], dx, dxn, a, h, save []T)
}

// explicit is the Incrementer of an explicit step x' = x + d(x) given by
// its increment d (which ignores xn).
type explicit[T nn.Float] struct{ increment[T] }

// Forward writes x + d(x).
func (s explicit[T]) Forward(e *Engine[T], dst, x, h, save []T) {
	s.Increment(e, e.V, x, nil, h, save)
	for i, v := range x {
		dst[i] = v + e.V[i]
	}
}

// Backward adds a + (dd/dx)^T a to dx.
func (s explicit[T]) Backward(e *Engine[T], dx, a, h, save []T) {
	addTo(dx, a)
	s.IncrementBackward(e, dx, nil, a, h, save)
}

var (
	integrators = map[string]*Integrator{}
	aliases     = map[string]*Integrator{}
)

// RegisterIntegrator adds ig to the registry. It panics if the name is
// empty or taken (as a name or an alias) or a constructor is missing; call
// it from init.
func RegisterIntegrator(ig Integrator) {
	if ig.Name == "" || ig.New32 == nil || ig.New64 == nil {
		panic("fit: RegisterIntegrator needs a name, New32 and New64")
	}
	p := &ig
	for _, name := range append([]string{ig.Name}, ig.Aliases...) {
		if integrators[name] != nil || aliases[name] != nil {
			panic("fit: integrator " + name + " registered twice")
		}
		aliases[name] = p
	}
	integrators[ig.Name] = p
}

// Integrators returns the names of the registered integrators that
// rollouts take (all but the StepOnly ones), sorted.
func Integrators() []string {
	var out []string
	for _, name := range sortedKeys(integrators) {
		if !integrators[name].StepOnly {
			out = append(out, name)
		}
	}
	return out
}

// Steps returns the names of the registered integrators whose steppers
// are Incrementers, the steps a one-step loss can take, sorted.
func Steps() []string {
	var out []string
	for _, name := range sortedKeys(integrators) {
		if integrators[name].Incrementer() {
			out = append(out, name)
		}
	}
	return out
}

// LookupIntegrator returns the integrator registered under name or as an
// alias of it, or an error listing the registered names.
func LookupIntegrator(name string) (*Integrator, error) {
	ig, ok := aliases[name]
	if !ok {
		return nil, fmt.Errorf("fit: unknown integrator %s (valid: %s)", check.Quote(name), strings.Join(sortedKeys(integrators), ", "))
	}
	return ig, nil
}

// Incrementer reports whether ig's stepper is an Incrementer.
func (ig *Integrator) Incrementer() bool {
	_, ok := ig.New64().(Incrementer[float64])
	return ok
}

// Suits reports whether a model of kind k may use ig: any kind, unless
// ig.KindMustList, and then the kinds that list it.
func (ig *Integrator) Suits(k *model.Kind) bool {
	return !ig.KindMustList || slices.Contains(k.Integrators, ig.Name)
}

// NewStepper returns a stepper of the integrator registered under name or
// as an alias of it, or LookupIntegrator's error.
func NewStepper[T nn.Float](name string) (Stepper[T], error) {
	ig, err := LookupIntegrator(name)
	if err != nil {
		return nil, err
	}
	var s any
	var zero T
	if _, ok := any(zero).(float32); ok {
		s = ig.New32()
	} else {
		s = ig.New64()
	}
	return s.(Stepper[T]), nil
}

// newStepper returns the stepper of the registered integrator name. It
// panics if there is none: for names a Config validated.
func newStepper[T nn.Float](name string) Stepper[T] {
	s, err := NewStepper[T](name)
	if err != nil {
		panic(err.Error())
	}
	return s
}

// Engine evaluates a model's field and its vector-Jacobian products on a
// batch of B rows for the steppers, with buffers made once.
type Engine[T nn.Float] struct {
	ws   model.Workspace[T]
	kept []model.Workspace[T] // the stage workspaces of Keep, or nil
	d    int
	F    []T // the field of the last Field or Stage call (B x D)
	DS   []T // the input gradient of the last VJP (B x D)
	U    []T // scratch for a stepper (B x D)
	W    []T // scratch for a stepper (B x D)
	V    []T // scratch for a stepper (B x D)
	g    []T // the parameter gradient of one VJP
	// Grad is the accumulated parameter gradient; a caller may point it
	// at memory of its own (of the parameters' length).
	Grad []T
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

// Keep makes the engine evaluate stage i of the following steps on ws[i]
// and keep that evaluation for StageVJP, which then does not evaluate the
// field again; Field and VJP use ws[0]. ws holds a workspace (of the
// engine's batch, made for training if gradients are wanted) for each of
// the stepper's Stages; keep the same ones from a step's Forward to its
// Backward. Keeping costs a workspace per stage and saves an evaluation
// of the field per stage in the backward pass. Keep(nil) returns to the
// engine's own workspace for every stage.
func (e *Engine[T]) Keep(ws []model.Workspace[T]) { e.kept = ws }

// work returns the workspace of Field and VJP.
func (e *Engine[T]) work() model.Workspace[T] {
	if e.kept != nil {
		return e.kept[0]
	}
	return e.ws
}

// Field writes the field at x into e.F.
func (e *Engine[T]) Field(x []T) { e.work().Field(e.F, x) }

// VJP writes u^T df/dx at x into e.DS and, if accumulate is set, adds
// u^T df/dparams to e.Grad.
func (e *Engine[T]) VJP(x, u []T, accumulate bool) {
	ws := e.work()
	ws.Field(e.F, x)
	e.vjp(ws, u, accumulate)
}

// Stage writes the field at x, the input of stage i of a step, into e.F:
// with Keep on the stage's own workspace, kept for StageVJP.
func (e *Engine[T]) Stage(i int, x []T) {
	if e.kept == nil {
		e.ws.Field(e.F, x)
		return
	}
	e.kept[i].Field(e.F, x)
}

// StageVJP is VJP at x, the input of stage i of the step: with Keep it
// uses the evaluation of the last Stage(i, x) (x unchanged since) instead
// of evaluating the field again.
func (e *Engine[T]) StageVJP(i int, x, u []T, accumulate bool) {
	if e.kept == nil {
		e.VJP(x, u, accumulate)
		return
	}
	e.vjp(e.kept[i], u, accumulate)
}

// vjp runs ws's FieldVJP at its last evaluation.
func (e *Engine[T]) vjp(ws model.Workspace[T], u []T, accumulate bool) {
	ws.FieldVJP(e.g, e.DS, u)
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

// addTo adds x to dst.
func addTo[T nn.Float](dst, x []T) {
	for i, v := range x {
		dst[i] += v
	}
}
