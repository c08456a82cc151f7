package experiment

import (
	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/nn"
)

// Mechanics returns a function that writes the learned mass matrix M(q)
// (n x n), potential V(q) and input matrix g(q) (n x m) of m at the
// positions q, or nil if m learns none (a kind without
// model.Mechanical, or a run trained in standardised units, whose
// learned quantities are in the scaled ones). The function holds a
// workspace: it is not safe for concurrent use. It panics if len(q),
// len(mass) or len(g) do not fit m's layout.
func Mechanics(m Trained) func(mass []float64, q []float64, g []float64) float64 {
	switch t := m.(type) {
	case trained[float32]:
		return mechanicsOf(t.m)
	case trained[float64]:
		return mechanicsOf(t.m)
	}
	return nil
}

func mechanicsOf[T nn.Float](m model.Model[T]) func(mass, q, g []float64) float64 {
	ws := m.NewWorkspace(1, false)
	mw, ok := ws.(model.Mechanical[T])
	if !ok {
		return nil
	}
	c := m.Config()
	l, err := c.Layout.Resolve(c.Dim)
	if err != nil {
		return nil
	}
	n, k := l.Positions, l.Inputs
	x, mt, gt, pot := make([]T, c.Dim), make([]T, n*n), make([]T, n*k), make([]T, 1)
	return func(mass, q, g []float64) float64 {
		if len(q) != n || len(mass) != n*n || len(g) != n*k {
			panic("experiment: Mechanics: length mismatch")
		}
		for i, v := range q {
			x[i] = T(v)
		}
		mw.Mechanics(mt, pot, gt, x)
		for i, v := range mt {
			mass[i] = float64(v)
		}
		for i, v := range gt {
			g[i] = float64(v)
		}
		return float64(pot[0])
	}
}
