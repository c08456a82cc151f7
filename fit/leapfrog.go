package fit

import "github.com/hnn-go/hnn/nn"

// The leapfrog (velocity Verlet, kick-drift-kick) step, symplectic for a
// separable energy H = T(p) + V(q): for the kinds that list "leapfrog" in
// model.Kind.Integrators.
func init() {
	RegisterIntegrator(Integrator{
		Name:         "leapfrog",
		KindMustList: true,
		New32:        func() Stepper[float32] { return leapfrog[float32]{} },
		New64:        func() Stepper[float64] { return leapfrog[float64]{} },
	})
}

// leapfrog steps, with the field f = (f_q, f_p) evaluated at whole states,
//
//	p_h = p + h/2 f_p(q, p),   q' = q + h f_q(q, p_h),   p' = p_h + h/2 f_p(q', p_h),
//
// which for a separable field (f_q depending on p only, f_p on q only) is
// the leapfrog; it saves the three stage inputs (q, p), (q, p_h) and
// (q', p_h). Written on whole states, its backward pass is exact for any
// field.
type leapfrog[T nn.Float] struct{}

func (leapfrog[T]) Stages() int { return 3 }

func (leapfrog[T]) Forward(e *Engine[T], dst, x, h, save []T) {
	n, d := len(x), e.Dim()
	k := d / 2
	s1, s2, s3 := save[:n], save[n:2*n], save[2*n:3*n]
	copy(s1, x)
	e.Stage(0, s1)
	copy(s2, x)
	for q := 0; q < n; q += d {
		p, hr := q+k, h[q/d]
		for j := range k {
			s2[p+j] += hr / 2 * e.F[p+j]
		}
	}
	e.Stage(1, s2)
	copy(s3, s2)
	for q := 0; q < n; q += d {
		hr := h[q/d]
		for j := range k {
			s3[q+j] += hr * e.F[q+j]
		}
	}
	e.Stage(2, s3)
	copy(dst, s3)
	for q := 0; q < n; q += d {
		p, hr := q+k, h[q/d]
		for j := range k {
			dst[p+j] += hr / 2 * e.F[p+j]
		}
	}
}

// Backward: with w = (w_q, w_p) the adjoint of (q', p_h), then of
// (q, p_h), then of (q, p):
//
//	w = a + J3^T (0, h/2 a_p)           (p' = p_h + h/2 f_p(s3))
//	w = w + J2^T (h w_q, 0)             (q' = q + h f_q(s2))
//	dx += w + J1^T (0, h/2 w_p)         (p_h = p + h/2 f_p(s1))
func (leapfrog[T]) Backward(e *Engine[T], dx, a, h, save []T) {
	n, d := len(a), e.Dim()
	k := d / 2
	s1, s2, s3 := save[:n], save[n:2*n], save[2*n:3*n]
	u, w := e.U, e.W
	clear(u)
	for q := 0; q < n; q += d {
		p, hr := q+k, h[q/d]
		for j := range k {
			u[p+j] = hr / 2 * a[p+j]
		}
	}
	e.StageVJP(2, s3, u, true)
	for i, v := range e.DS {
		w[i] = a[i] + v
	}
	clear(u)
	for q := 0; q < n; q += d {
		hr := h[q/d]
		for j := range k {
			u[q+j] = hr * w[q+j]
		}
	}
	e.StageVJP(1, s2, u, true)
	for i, v := range e.DS {
		w[i] += v
	}
	clear(u)
	for q := 0; q < n; q += d {
		p, hr := q+k, h[q/d]
		for j := range k {
			u[p+j] = hr / 2 * w[p+j]
		}
	}
	e.StageVJP(0, s1, u, true)
	for i, v := range e.DS {
		dx[i] += w[i] + v
	}
}
