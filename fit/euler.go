package fit

import "github.com/hnn-go/hnn/nn"

// The explicit Euler step, for every model kind, offered as a step only
// (StepOnly): the step of the reference's latent dynamics loss, whose
// residual x' - x - h f(x) is its defect (package latent). A rollout
// does not take it: an oscillation's energy grows by a factor 1 + (w h)^2
// per step.
func init() {
	RegisterIntegrator(Integrator{
		Name:     "euler",
		StepOnly: true,
		New32:    func() Stepper[float32] { return explicit[float32]{euler[float32]{}} },
		New64:    func() Stepper[float64] { return explicit[float64]{euler[float64]{}} },
	})
}

// euler steps x' = x + h f(x); it saves its stage input x. It is the
// increment of an explicit step.
type euler[T nn.Float] struct{}

func (euler[T]) Stages() int { return 1 }

// Increment writes h f(x).
func (euler[T]) Increment(e *Engine[T], dst, x, _, h, save []T) {
	s := save[:len(x)]
	copy(s, x)
	e.Stage(0, s)
	scaleRows(dst, e.F, 1, h, e.Dim())
}

// IncrementBackward adds J^T (h a) to dx.
func (euler[T]) IncrementBackward(e *Engine[T], dx, _, a, h, save []T) {
	scaleRows(e.U, a, 1, h, e.Dim())
	e.StageVJP(0, save[:len(a)], e.U, true)
	addTo(dx, e.DS)
}
