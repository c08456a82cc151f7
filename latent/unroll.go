package latent

import (
	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/nn"
)

// The latent integrators of the rollout loss (Config.Horizon > 0). Each
// advances a batch of latent states by one frame, a unit of time, in one
// step, through evaluations of the latent field on workspaces of their
// own, so that the vector-Jacobian product of the step can run back
// through every evaluation afterwards.
const (
	// IntegratorRK4 is the classical Runge-Kutta method, four field
	// evaluations per step, for any kind.
	IntegratorRK4 = "rk4"
	// IntegratorLeapfrog is the Stormer-Verlet (leapfrog) method, a half
	// kick, a drift and a half kick, three field evaluations per step; it
	// is symplectic and time-reversible for a separable energy H = T(p) +
	// V(q), so only kinds that list "leapfrog" among their integrators
	// (model.Kind.Integrators) may use it.
	IntegratorLeapfrog = "leapfrog"
)

// stages returns the field evaluations per step of integrator name.
func stages(name string) int {
	if name == IntegratorLeapfrog {
		return 3
	}
	return 4
}

// unroller holds the workspaces and buffers of one integrator step of a
// batch: the latent field's workspace of every stage, each stage's input
// and output, and scratch for the backward pass.
type unroller[T nn.Float] struct {
	leapfrog bool
	ws       []model.Workspace[T]
	in, out  [][]T
}

// newUnroller returns the buffers of one step of integrator name (Config
// integrator names; "" is RK4) for batches of batch latent states of
// dimension n, its workspaces made from dyn.
func newUnroller[T nn.Float](dyn model.Model[T], name string, batch, n int, train bool) *unroller[T] {
	s := stages(name)
	u := &unroller[T]{leapfrog: name == IntegratorLeapfrog}
	for range s {
		u.ws = append(u.ws, dyn.NewWorkspace(batch, train))
		u.in = append(u.in, make([]T, batch*n))
		u.out = append(u.out, make([]T, batch*n))
	}
	return u
}

// scaleRows multiplies row r (n values) of x by sign[r]; a nil sign
// leaves x as it is.
func scaleRows[T nn.Float](x, sign []T, n int) {
	if sign == nil {
		return
	}
	for r, s := range sign {
		if s != 1 {
			for i := r * n; i < (r+1)*n; i++ {
				x[i] *= s
			}
		}
	}
}

// field evaluates the latent field of stage s at in[s] into out[s], each
// row multiplied by its time direction sign[r] (nil: all forward): a row
// with sign -1 steps by -1, backwards in time, through the same
// integrator.
func (u *unroller[T]) field(s int, sign []T, n int) {
	u.ws[s].Field(u.out[s], u.in[s])
	scaleRows(u.out[s], sign, n)
}

// forward writes the state one unit of time after z into zn (both
// B x n, canonical layout), keeping each stage's input for backward. A
// row r with sign[r] = -1 is instead advanced by a step of -1, one unit
// of time backwards; a nil sign advances every row forwards.
func (u *unroller[T]) forward(zn, z []T, n int, sign []T) {
	in, out := u.in, u.out
	if u.leapfrog {
		h := n / 2
		// Half kick: p' = p + f_p(q, p)/2.
		copy(in[0], z)
		u.field(0, sign, n)
		copy(in[1], z)
		for r := 0; r < len(z); r += n {
			for i := h; i < n; i++ {
				in[1][r+i] += out[0][r+i] / 2
			}
		}
		// Drift: q' = q + f_q(q, p').
		u.field(1, sign, n)
		copy(in[2], in[1])
		for r := 0; r < len(z); r += n {
			for i := range h {
				in[2][r+i] += out[1][r+i]
			}
		}
		// Half kick: p'' = p' + f_p(q', p')/2.
		u.field(2, sign, n)
		copy(zn, in[2])
		for r := 0; r < len(z); r += n {
			for i := h; i < n; i++ {
				zn[r+i] += out[2][r+i] / 2
			}
		}
		return
	}
	copy(in[0], z)
	u.field(0, sign, n)
	for i, v := range z {
		in[1][i] = v + out[0][i]/2
	}
	u.field(1, sign, n)
	for i, v := range z {
		in[2][i] = v + out[1][i]/2
	}
	u.field(2, sign, n)
	for i, v := range z {
		in[3][i] = v + out[2][i]
	}
	u.field(3, sign, n)
	for i, v := range z {
		zn[i] = v + (out[0][i]+2*out[1][i]+2*out[2][i]+out[3][i])/6
	}
}

// backward propagates a = dL/dzn back through the last forward step,
// made with the same sign: it adds dL/dz to dz and the parameter gradient
// to grad. a is overwritten; gtmp (the parameter count), gu and gd
// (B x n) are scratch.
func (u *unroller[T]) backward(dz, a, grad, gtmp, gu, gd []T, n int, sign []T) {
	vjp := func(s int) {
		// A stage's output is sign * f: its adjoint reaches f times sign.
		scaleRows(gu, sign, n)
		u.ws[s].FieldVJP(gtmp, gd, gu)
		for i, v := range gtmp {
			grad[i] += v
		}
	}
	if u.leapfrog {
		h := n / 2
		// a holds (a_q', a_p''). p'' = p' + f_p(s3)/2, s3 = (q', p').
		for r := 0; r < len(a); r += n {
			for i := range h {
				gu[r+i] = 0
				gu[r+h+i] = a[r+h+i] / 2
			}
		}
		vjp(2)
		for i, v := range gd {
			a[i] += v // now (a_q', a_p')
		}
		// q' = q + f_q(s2), s2 = (q, p').
		for r := 0; r < len(a); r += n {
			for i := range h {
				gu[r+i] = a[r+i]
				gu[r+h+i] = 0
			}
		}
		vjp(1)
		for i, v := range gd {
			a[i] += v // now (a_q, a_p')
		}
		// p' = p + f_p(s1)/2, s1 = (q, p).
		for r := 0; r < len(a); r += n {
			for i := range h {
				gu[r+i] = 0
				gu[r+h+i] = a[r+h+i] / 2
			}
		}
		vjp(0)
		for i, v := range gd {
			dz[i] += a[i] + v
		}
		return
	}
	// zn = z + (k1 + 2 k2 + 2 k3 + k4)/6, k_i = f(s_i), s1 = z,
	// s2 = z + k1/2, s3 = z + k2/2, s4 = z + k3. Going back from k4, gs
	// (in gd) is dL/ds_{i+1} of the stage after i.
	weights := [4]T{1.0 / 6, 1.0 / 3, 1.0 / 3, 1.0 / 6}
	halves := [4]T{0.5, 0.5, 1, 0}
	for i, v := range a {
		dz[i] += v
	}
	for s := 3; s >= 0; s-- {
		for j, v := range a {
			g := weights[s] * v
			if s < 3 {
				g += halves[s] * gd[j]
			}
			gu[j] = g
		}
		vjp(s)
		for j, v := range gd {
			dz[j] += v
		}
	}
}
