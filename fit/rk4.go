package fit

import "github.com/hnn-go/hnn/nn"

// The classical fourth-order Runge-Kutta step, for every model kind.
func init() {
	RegisterIntegrator(Integrator{
		Name:  "rk4",
		New32: func() Stepper[float32] { return explicit[float32]{rk4[float32]{}} },
		New64: func() Stepper[float64] { return explicit[float64]{rk4[float64]{}} },
	})
}

// rk4 steps x' = x + h (k1 + 2 k2 + 2 k3 + k4)/6 with k1 = f(x),
// k2 = f(x + h/2 k1), k3 = f(x + h/2 k2), k4 = f(x + h k3); it saves the
// four stage inputs. It is the increment of an explicit step.
type rk4[T nn.Float] struct{}

func (rk4[T]) Stages() int { return 4 }

// Increment writes h (k1 + 2 k2 + 2 k3 + k4)/6, summed in that order.
func (rk4[T]) Increment(e *Engine[T], dst, x, _, h, save []T) {
	n, d := len(x), e.Dim()
	s := [4][]T{save[:n], save[n : 2*n], save[2*n : 3*n], save[3*n : 4*n]}
	acc := e.U
	copy(s[0], x)
	e.Stage(0, s[0])
	copy(acc, e.F)
	axpyRows(s[1], x, 0.5, h, e.F, d)
	e.Stage(1, s[1])
	for i, v := range e.F {
		acc[i] += 2 * v
	}
	axpyRows(s[2], x, 0.5, h, e.F, d)
	e.Stage(2, s[2])
	for i, v := range e.F {
		acc[i] += 2 * v
	}
	axpyRows(s[3], x, 1, h, e.F, d)
	e.Stage(3, s[3])
	for i, v := range e.F {
		acc[i] += v
	}
	for r, hr := range h {
		for j := r * d; j < (r+1)*d; j++ {
			dst[j] = hr * acc[j] / 6
		}
	}
}

// IncrementBackward runs the stages in reverse: with a = dL/d(increment),
// the adjoints of the slopes are dk4 = h/6 a, dk3 = h/3 a + h J4^T dk4,
// dk2 = h/3 a + h/2 J3^T dk3, dk1 = h/6 a + h/2 J2^T dk2, and the
// increment's dL/dx = sum J_i^T dk_i (the step's adds a).
func (rk4[T]) IncrementBackward(e *Engine[T], dx, _, a, h, save []T) {
	n, d := len(a), e.Dim()
	s := [4][]T{save[:n], save[n : 2*n], save[2*n : 3*n], save[3*n : 4*n]}
	u := e.U
	scaleRows(u, a, T(1)/6, h, d)
	for st := 3; st >= 0; st-- {
		e.StageVJP(st, s[st], u, true)
		addTo(dx, e.DS)
		switch st {
		case 3: // dk3 = h/3 a + h ds
			scaleRows(u, a, T(1)/3, h, d)
			axpyRows(u, u, 1, h, e.DS, d)
		case 2: // dk2 = h/3 a + h/2 ds
			scaleRows(u, a, T(1)/3, h, d)
			axpyRows(u, u, 0.5, h, e.DS, d)
		case 1: // dk1 = h/6 a + h/2 ds
			scaleRows(u, a, T(1)/6, h, d)
			axpyRows(u, u, 0.5, h, e.DS, d)
		}
	}
}

// scaleRows writes c h[r] y into dst for every row r.
func scaleRows[T nn.Float](dst, y []T, c T, h []T, d int) {
	for r, hr := range h {
		s := c * hr
		for j := r * d; j < (r+1)*d; j++ {
			dst[j] = s * y[j]
		}
	}
}
