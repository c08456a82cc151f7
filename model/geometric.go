package model

import "github.com/hnn-go/hnn/nn"

func init() {
	parts := func(c Config) []Part { return unstructuredParts(c, true) }
	Register(Kind{
		Name:    "geometric",
		Title:   "Geometric NN",
		Layouts: mechLayouts,
		Parts:   parts,
		Build32: newGeometric[float32],
		Build64: newGeometric[float64],
		FLOPs:   partsFLOPs(parts, false),
		Cost:    1,
	})
}

// newGeometric returns the geometric baseline of SymODEN (and the
// Lagrangian network paper's baseline): an Unstructured model that knows
// the kinematics. On states (q, q-dot, u) its field is
//
//	dq/dt = q-dot,  d(q-dot)/dt = F(q, q-dot, u),  du/dt = 0,
//
// with F a network (network "F", angles seen as (cos q, sin q)). On
// states (q, p, u) the kinematics depend on the unknown mass, so it
// learns both blocks, as the naive kind does.
func newGeometric[T nn.Float](c Config, p Pieces[T]) Model[T] {
	return newUnstructured(c, p, true)
}
