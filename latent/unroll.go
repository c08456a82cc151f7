package latent

import (
	"github.com/hnn-go/hnn/fit"
	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/nn"
)

// The latent steps, of the dynamics loss (Config.Step) and of the rollout
// loss (Config.Integrator, Horizon > 0), are differentiable integrators of
// package fit's registry, stepping a batch of latent states by one frame,
// a unit of time: a step of size 1 per row, or -1 for a row rolled out
// backwards in time. Each evaluates the latent field on workspaces of its
// own, one per stage, which the engine keeps (fit.Engine.Keep) so that
// the backward pass runs back through every evaluation without making it
// again.
const (
	// IntegratorRK4 names fit's classical Runge-Kutta step, four field
	// evaluations per step, for any kind: the default integrator.
	IntegratorRK4 = "rk4"
	// IntegratorLeapfrog names fit's Stormer-Verlet (leapfrog) step, a
	// half kick, a drift and a half kick, three field evaluations per
	// step; it is symplectic and time-reversible for a separable energy
	// H = T(p) + V(q), so only kinds that list "leapfrog" among their
	// integrators (model.Kind.Integrators) may use it.
	IntegratorLeapfrog = "leapfrog"
)

// unroller is one step of a latent integrator: fit's stepper of a
// registered name on an engine, with a workspace of the latent dynamics
// and a stage input for every stage, and a unit step per row.
type unroller[T nn.Float] struct {
	st   fit.Stepper[T]
	inc  fit.Incrementer[T] // st, if it has an increment, else nil
	e    *fit.Engine[T]
	ws   []model.Workspace[T]
	save []T
	ones []T
}

// newUnroller returns one step of integrator name (a name fit.NewStepper
// takes) for batches of batch latent states of dimension n, on an engine
// of its own, its workspaces made from dyn.
func newUnroller[T nn.Float](dyn model.Model[T], name string, batch, n int, train bool) *unroller[T] {
	e := fit.NewEngine(dyn.NewWorkspace(batch, train), n, len(dyn.Params()))
	return newStep(dyn, e, nil, name, batch, n, train)
}

// newStep returns one step of integrator name on the engine e, as
// newUnroller does; its first stage is evaluated on first if that is not
// nil. It panics if the name is not registered (for a validated Config).
func newStep[T nn.Float](dyn model.Model[T], e *fit.Engine[T], first model.Workspace[T], name string, batch, n int, train bool) *unroller[T] {
	st, err := fit.NewStepper[T](name)
	if err != nil {
		panic("latent: " + err.Error())
	}
	u := &unroller[T]{st: st, e: e, save: make([]T, st.Stages()*batch*n), ones: make([]T, batch)}
	u.inc, _ = st.(fit.Incrementer[T])
	for i := range u.ones {
		u.ones[i] = 1
	}
	for i := range st.Stages() {
		if i == 0 && first != nil {
			u.ws = append(u.ws, first)
		} else {
			u.ws = append(u.ws, dyn.NewWorkspace(batch, train))
		}
	}
	return u
}

// steps returns the step of every row: sign (+1 or -1 per row), or a unit
// step forwards for every row if sign is nil.
func (u *unroller[T]) steps(sign []T) []T {
	if sign == nil {
		return u.ones
	}
	return sign
}

// forward writes the state one unit of time after z into zn (both B x n,
// canonical layout), keeping each stage's evaluation for backward. A row
// r with sign[r] = -1 is instead advanced by a step of -1, one unit of
// time backwards; a nil sign advances every row forwards. It panics if n
// is not the engine's dimension.
func (u *unroller[T]) forward(zn, z []T, n int, sign []T) {
	if n != u.e.Dim() {
		panic("latent: unroller dimension mismatch")
	}
	u.e.Keep(u.ws)
	u.st.Forward(u.e, zn, z, u.steps(sign), u.save)
}

// backward propagates a = dL/dzn back through the last forward step,
// made with the same sign: it adds dL/dz to dz and the parameter gradient
// to the engine's Grad.
func (u *unroller[T]) backward(dz, a, sign []T) {
	u.e.Keep(u.ws)
	u.st.Backward(u.e, dz, a, u.steps(sign), u.save)
}

// increment writes the increment of a unit step from z to zn (both
// B x n) into dst, keeping each stage's evaluation for
// incrementBackward. It panics if the integrator has no increment (for a
// validated Config).
func (u *unroller[T]) increment(dst, z, zn []T) {
	u.e.Keep(u.ws)
	u.inc.Increment(u.e, dst, z, zn, u.ones, u.save)
}

// incrementBackward propagates a = dL/d(increment) back through the last
// increment: it adds dL/dz to dz, dL/dzn to dzn and the parameter gradient
// to the engine's Grad.
func (u *unroller[T]) incrementBackward(dz, dzn, a []T) {
	u.e.Keep(u.ws)
	u.inc.IncrementBackward(u.e, dz, dzn, a, u.ones, u.save)
}
