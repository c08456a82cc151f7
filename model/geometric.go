package model

import (
	"errors"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/nn"
)

func init() {
	parts := func(c Config) []Part { return unstructuredParts(c, true) }
	Register(Kind{
		Name:    "geometric",
		Title:   "Geometric NN",
		Layouts: geometricLayouts,
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
// with F a network (network "F", angles seen as (cos q, sin q)). States
// (q, p, u) are refused (geometricLayouts): there the kinematics depend
// on the unknown mass. On the canonical states (q, p) of the HNN's tasks
// it learns both blocks, as the naive kind does.
func newGeometric[T nn.Float](c Config, p Pieces[T]) Model[T] {
	return newUnstructured(c, p, true)
}

// geometricLayouts refuses declared layouts of momenta: the geometric
// kind's structure is the kinematics dq/dt = q-dot, which needs the
// velocities. Canonical states (q, p) without inputs or angles are still
// taken, where the kind is the naive one, so that every kind runs the
// HNN's tasks.
func geometricLayouts(l data.Layout) error {
	if !l.Velocities && !l.Canonical() {
		return errors.New("geometric needs velocities (its structure is dq/dt = q-dot), the layout has momenta; use naive, symoden or delan on (q, p, u)")
	}
	return nil
}
