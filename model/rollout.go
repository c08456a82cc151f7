package model

import (
	"github.com/hnn-go/hnn/nn"
	"github.com/hnn-go/hnn/ode"
)

// FieldFunc returns a factory of ode.Func that evaluate m's field on one
// float64 state at a time. Each Func made by the factory has its own
// workspace, so the factory suits ode.SolveMany.
func FieldFunc[T nn.Float](m Model[T]) func() ode.Func {
	return func() ode.Func {
		d := m.Config().Dim
		ws := m.NewWorkspace(1, false)
		x, f := make([]T, d), make([]T, d)
		return func(dst []float64, _ float64, s []float64) {
			for i, v := range s {
				x[i] = T(v)
			}
			ws.Field(f, x)
			for i, v := range f {
				dst[i] = float64(v)
			}
		}
	}
}

// BatchFieldFunc returns an ode.BatchFunc that evaluates m's field on rows
// float64 states at once, through one workspace of that many rows (for
// ode.SolveBatch). The workspace keeps the weights of m as they are at
// this call (Freezer), so m's parameters must not change while the
// function is used. It is not safe for concurrent use. It panics if
// rows < 1.
func BatchFieldFunc[T nn.Float](m Model[T], rows int) ode.BatchFunc {
	if rows < 1 {
		panic("model: BatchFieldFunc of no rows")
	}
	d := m.Config().Dim
	ws := m.NewWorkspace(rows, false)
	if fz, ok := ws.(Freezer); ok {
		fz.Freeze()
	}
	x, f := make([]T, rows*d), make([]T, rows*d)
	return func(dst, _, s []float64) {
		for i, v := range s {
			x[i] = T(v)
		}
		ws.Field(f, x)
		for i, v := range f {
			dst[i] = float64(v)
		}
	}
}

// Rollout integrates m's field from each of the B = len(x0)/D initial states
// in x0 and writes the states at the times ts into dst (B x len(ts) x D),
// concurrently over states (workers <= 0 means GOMAXPROCS). The result does
// not depend on the number of workers.
func Rollout[T nn.Float](dst []float64, m Model[T], ig ode.Integrator, x0, ts []float64, workers int) error {
	return ode.SolveMany(ig, FieldFunc(m), x0, m.Config().Dim, ts, dst, workers)
}
