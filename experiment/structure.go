package experiment

import (
	"fmt"

	"github.com/hnn-go/hnn/control"
	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/nn"
)

// Structure returns the learned potential and input matrix of r's model
// as a control.Structure, from which control builds the energy-shaping
// law. It returns an error naming the model kind if the model has none
// (the baselines, naive and geometric, learn a vector field only), has
// no inputs, or was trained in standardised units (the law would need
// the scale of V and g; SymODEN's tasks train in their own units).
func Structure(r *Run) (control.Structure, error) {
	kind := r.Spec.Model.Kind
	switch m := r.Model.(type) {
	case trained[float32]:
		return newLearned(m.m, kind)
	case trained[float64]:
		return newLearned(m.m, kind)
	case scaled[float32], scaled[float64]:
		return nil, fmt.Errorf("experiment: control: the %s model was trained in standardised units (scale.json); the law needs V and g in the task's units", kind)
	}
	return nil, fmt.Errorf("experiment: control: the %s run has no state-space model", kind)
}

// learned is a control.Structure over a one-row workspace of a model
// with a learned V and g.
type learned[T nn.Float] struct {
	ws    model.Mechanical[T]
	n, m  int
	x     []T // a state with the positions set
	v, dv []T
	g     []T
	mass  []T
}

func newLearned[T nn.Float](m model.Model[T], kind string) (control.Structure, error) {
	ws, ok := m.NewWorkspace(1, false).(model.Mechanical[T])
	if !ok {
		return nil, fmt.Errorf("experiment: control: model kind %s learns no potential V(q) and input matrix g(q), which the energy-shaping law is built from (symoden and delan do)", kind)
	}
	c := m.Config()
	l := c.StateLayout()
	if l.Inputs == 0 {
		return nil, fmt.Errorf("experiment: control: the %s model has no inputs", kind)
	}
	n := l.Positions
	return &learned[T]{ws: ws, n: n, m: l.Inputs, x: make([]T, c.Dim), v: make([]T, 1), dv: make([]T, n), g: make([]T, n*l.Inputs), mass: make([]T, n*n)}, nil
}

func (l *learned[T]) Coords() int { return l.n }
func (l *learned[T]) Inputs() int { return l.m }

func (l *learned[T]) setQ(q []float64) {
	if len(q) != l.n {
		panic("experiment: control: position length mismatch")
	}
	for i, v := range q {
		l.x[i] = T(v)
	}
}

func (l *learned[T]) PotentialGrad(dst, q []float64) {
	l.setQ(q)
	l.ws.Potential(l.v, l.dv, l.x)
	for i, v := range l.dv {
		dst[i] = float64(v)
	}
}

func (l *learned[T]) InputMatrix(dst, q []float64) {
	l.setQ(q)
	l.ws.InputMatrix(l.g, l.x)
	for i, v := range l.g {
		dst[i] = float64(v)
	}
}

func (l *learned[T]) Mass(dst, q []float64) {
	l.setQ(q)
	l.ws.Mass(l.mass, l.x)
	for i, v := range l.mass {
		dst[i] = float64(v)
	}
}
