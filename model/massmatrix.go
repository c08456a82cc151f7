package model

import "github.com/hnn-go/hnn/nn"

func init() {
	parts := func(c Config) []Part {
		n := c.Dim / 2
		return []Part{Net(c, "V", n, 1), {Name: "L", Shape: []int{n * (n + 1) / 2}}}
	}
	Register(Kind{
		Name:        "mass",
		Title:       "Mass-matrix HNN",
		Canonical:   true,
		SecondOrder: true,
		Parts:       parts,
		Build32:     newMass[float32],
		Build64:     newMass[float64],
		FLOPs: func(c Config) float64 {
			// The potential's network, plus L^T p and L w in the field and
			// L^T u, the outer products and L s in the backward pass, about
			// n^2 multiply-adds each.
			n := float64(c.Dim / 2)
			return NetFLOPs(parts(c)[0].Sizes, true) + 10*n*n
		},
		Integrators: []string{"leapfrog"},
		Cost:        2,
	})
}

// Mass is a Hamiltonian neural network with a learned constant mass matrix:
//
//	H(q, p) = 1/2 p^T M^-1 p + V(q),  M^-1 = L L^T,
//
// with L = I + A lower-triangular (A learned, starting at zero, so M^-1
// starts at the identity and stays positive semi-definite) and the
// potential V an MLP on the n = Dim/2 positions (network "V"). Its field is
// the symplectic gradient
//
//	dq/dt = L L^T p,  dp/dt = -grad V(q),
//
// separable like Separable's, so leapfrog suits it. Its parameters are V's
// followed by the lower triangle of A row by row (array "L", n(n+1)/2
// values: A_00, A_10, A_11, A_20, ...).
type Mass[T nn.Float] struct {
	base[T]
	v *nn.MLP[T]
	a []T
}

func newMass[T nn.Float](c Config, p Pieces[T]) Model[T] {
	return &Mass[T]{base: base[T]{c, p.Params}, v: p.Nets[0], a: p.Arrays[0]}
}

// l returns L_ij = A_ij + delta_ij for j <= i.
func (m *Mass[T]) l(i, j int) T {
	v := m.a[i*(i+1)/2+j]
	if i == j {
		v++
	}
	return v
}

// NewWorkspace returns a workspace for batches of batch rows; its dynamic
// type is *MassWorkspace[T].
func (m *Mass[T]) NewWorkspace(batch int, train bool) Workspace[T] {
	n := m.cfg.Dim / 2
	ws := &MassWorkspace[T]{
		m: m, wv: m.v.NewWorkspace(batch, train),
		q: make([]T, batch*n), p: make([]T, batch*n), w: make([]T, batch*n), f: make([]T, 2*batch*n),
	}
	if train {
		ws.rv, ws.dq, ws.s = make([]T, batch*n), make([]T, batch*n), make([]T, n)
	}
	return ws
}

// MassWorkspace is the Workspace of a Mass model; it also evaluates the
// learned energy.
type MassWorkspace[T nn.Float] struct {
	m  *Mass[T]
	wv *nn.Workspace[T]
	// q and p are the halves of the last batch, w = L^T p for each row
	// (B x n); f is the field, then dL/df (B x D).
	q, p, w, f []T
	// rv is dL/d(grad V), dq the q-half of dL/dx (B x n), s = L^T u_q of
	// one row (n).
	rv, dq, s []T
}

// Batch returns the number of rows the workspace holds.
func (w *MassWorkspace[T]) Batch() int { return w.wv.Batch() }

// Freeze keeps the potential's weights packed for the workspace's
// products (Freezer).
func (w *MassWorkspace[T]) Freeze() { w.m.v.FreezeWeights(w.wv) }

// split gathers the halves of the rows of x into w.q and w.p and sets
// w.w = L^T p row by row. It panics if x does not have B rows.
func (w *MassWorkspace[T]) split(x []T) {
	n := w.m.cfg.Dim / 2
	splitHalves(w.q, w.p, x, n)
	for k := 0; k < len(w.p); k += n {
		w.m.mulLT(w.w[k:k+n], w.p[k:k+n])
	}
}

// mulLT sets dst = L^T v.
func (m *Mass[T]) mulLT(dst, v []T) {
	for j := range dst {
		var s T
		for i := j; i < len(v); i++ {
			s += m.l(i, j) * v[i]
		}
		dst[j] = s
	}
}

// mulL sets dst = L v.
func (m *Mass[T]) mulL(dst, v []T) {
	for i := range dst {
		var s T
		for j := 0; j <= i; j++ {
			s += m.l(i, j) * v[j]
		}
		dst[i] = s
	}
}

// Energy writes H = 1/2 |L^T p|^2 + V(q) at each row of x (B x D) into dst
// (B). It panics on length mismatch.
func (w *MassWorkspace[T]) Energy(dst, x []T) {
	checkLen("energy destination", len(dst), w.Batch())
	w.split(x)
	n := w.m.cfg.Dim / 2
	for b, v := range w.m.v.Forward(w.wv, w.q) {
		var k T
		for _, wi := range w.w[b*n : (b+1)*n] {
			k += wi * wi
		}
		dst[b] = k/2 + v
	}
}

// Field writes (L L^T p, -grad V(q)) at each row of x into dst. It panics
// on length mismatch.
func (w *MassWorkspace[T]) Field(dst, x []T) {
	checkLen("field destination", len(dst), len(x))
	w.split(x)
	gv := w.m.v.InputGradient(w.wv, w.q)
	n := w.m.cfg.Dim / 2
	for r, k := 0, 0; k < len(gv); r, k = r+2*n, k+n {
		w.m.mulL(dst[r:r+n], w.w[k:k+n])
		for i, g := range gv[k : k+n] {
			dst[r+n+i] = -g
		}
	}
}

// FieldVJP propagates u = dL/df = (u_q, u_p) back through the field: V's
// input gradient receives -u_p; with w = L^T p and s = L^T u_q, L's
// gradient is the lower triangle of sum over rows of u_q w^T + p s^T, and
// dL/dp = L s. V's parameters come first in grad.
func (w *MassWorkspace[T]) FieldVJP(grad, dx, u []T) {
	checkTrain(w.rv)
	checkLen("gradient", len(grad), len(w.m.params))
	checkLen("field adjoint", len(u), len(w.f))
	n := w.m.cfg.Dim / 2
	for r, k := 0, 0; k < len(w.rv); r, k = r+2*n, k+n {
		for i, v := range u[r+n : r+2*n] {
			w.rv[k+i] = -v
		}
	}
	var dq []T
	if dx != nil {
		checkLen("input gradient", len(dx), len(w.f))
		dq = w.dq
	}
	nv := len(w.m.v.Params)
	w.m.v.InputGradientVJP(w.wv, grad[:nv], dq, w.rv)
	ga := grad[nv:]
	clear(ga)
	for r, k := 0, 0; k < len(w.q); r, k = r+2*n, k+n {
		uq, wk, pk := u[r:r+n], w.w[k:k+n], w.p[k:k+n]
		w.m.mulLT(w.s, uq)
		for i := range n {
			row := ga[i*(i+1)/2:]
			for j := 0; j <= i; j++ {
				row[j] += uq[i]*wk[j] + pk[i]*w.s[j]
			}
		}
		if dx != nil {
			copy(dx[r:r+n], dq[k:k+n])
			w.m.mulL(dx[r+n:r+2*n], w.s)
		}
	}
}

// Loss returns the mean squared error of the field against y.
func (w *MassWorkspace[T]) Loss(x, y []T) float64 { return fieldLoss(w, w.f, x, y) }

// LossGrad returns the loss and writes its (second-order) parameter gradient
// into grad. It panics if the workspace was not made for training or
// len(grad) != len(Params).
func (w *MassWorkspace[T]) LossGrad(x, y, grad []T) float64 {
	return fieldLossGrad(w, w.f, x, y, grad)
}
