package fit

import (
	"math"

	"github.com/hnn-go/hnn/nn"
)

// The implicit midpoint step, symplectic for every Hamiltonian and
// dissipative for a dissipative field, for every model kind; "midpoint"
// is its alias, the latent dynamics step's name for it.
func init() {
	RegisterIntegrator(Integrator{
		Name:    "implicit-midpoint",
		Aliases: []string{"midpoint"},
		New32:   func() Stepper[float32] { return &implicitMidpoint[float32]{} },
		New64:   func() Stepper[float64] { return &implicitMidpoint[float64]{} },
	})
}

// implicitMaxIter bounds the fixed-point iterations of one step's forward
// or backward pass.
const implicitMaxIter = 100

// implicitMidpoint steps x' = x + h f((x + x')/2), solved by the
// fixed-point iteration x' <- x + h f((x + x')/2) from the explicit Euler
// step, until the largest change is below e.Tol (1 + max |x|) or after 100
// iterations; it saves the midpoint m = (x + x')/2.
type implicitMidpoint[T nn.Float] struct{}

func (*implicitMidpoint[T]) Stages() int { return 1 }

func (*implicitMidpoint[T]) Forward(e *Engine[T], dst, x, h, save []T) {
	d := e.Dim()
	m := save[:len(x)]
	tol := e.Tol * (1 + maxAbs(x))
	e.Field(x)
	axpyRows(dst, x, 1, h, e.F, d)
	converged := false
	for range implicitMaxIter {
		for i, v := range x {
			m[i] = (v + dst[i]) / 2
		}
		e.Field(m)
		var change float64
		for r, hr := range h {
			for j := r * d; j < (r+1)*d; j++ {
				v := x[j] + hr*e.F[j]
				change = math.Max(change, math.Abs(float64(v-dst[j])))
				dst[j] = v
			}
		}
		if !(change > tol) {
			converged = true
			break
		}
	}
	if !converged {
		e.Unconverged++
	}
	for i, v := range x {
		m[i] = (v + dst[i]) / 2
	}
}

// Backward follows the implicit function theorem: with J the field's
// Jacobian at m and a = dL/dx', the adjoint lambda solves
// lambda = a + 1/2 J^T (h lambda) (by fixed-point iteration from a), and
// dL/dx = lambda + 1/2 J^T (h lambda) (added to dx), dL/dparams =
// (df/dparams)^T (h lambda).
func (*implicitMidpoint[T]) Backward(e *Engine[T], dx, a, h, save []T) {
	d := e.Dim()
	m := save[:len(a)]
	lam, u := e.W, e.U
	copy(lam, a)
	tol := e.Tol * (1 + maxAbs(a))
	converged := false
	for range implicitMaxIter {
		scaleRows(u, lam, 1, h, d)
		e.VJP(m, u, false)
		var change float64
		for i, v := range e.DS {
			nv := a[i] + v/2
			change = math.Max(change, math.Abs(float64(nv-lam[i])))
			lam[i] = nv
		}
		if !(change > tol) {
			converged = true
			break
		}
	}
	if !converged {
		e.Unconverged++
	}
	scaleRows(u, lam, 1, h, d)
	e.VJP(m, u, true)
	for i, v := range e.DS {
		dx[i] += lam[i] + v/2
	}
}

// Increment writes h f((x + xn)/2), the increment of the step from x to
// xn, without solving, and saves the midpoint.
func (*implicitMidpoint[T]) Increment(e *Engine[T], dst, x, xn, h, save []T) {
	d := e.Dim()
	m := save[:len(x)]
	for i, v := range x {
		m[i] = (v + xn[i]) / 2
	}
	e.Stage(0, m)
	scaleRows(dst, e.F, 1, h, d)
}

// IncrementBackward adds 1/2 J^T (h a) to dx and to dxn.
func (*implicitMidpoint[T]) IncrementBackward(e *Engine[T], dx, dxn, a, h, save []T) {
	d := e.Dim()
	m := save[:len(a)]
	scaleRows(e.U, a, 1, h, d)
	e.StageVJP(0, m, e.U, true)
	for i, v := range e.DS {
		dx[i] += v / 2
		dxn[i] += v / 2
	}
}

func maxAbs[T nn.Float](v []T) float64 {
	var m float64
	for _, x := range v {
		m = math.Max(m, math.Abs(float64(x)))
	}
	return m
}
