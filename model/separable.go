package model

import "github.com/hnn-go/hnn/nn"

func init() {
	parts := func(c Config) []Part { return []Part{Net(c, "T", c.Dim/2, 1), Net(c, "V", c.Dim/2, 1)} }
	Register(Kind{
		Name:        "separable",
		Title:       "Separable HNN",
		Canonical:   true,
		SecondOrder: true,
		Parts:       parts,
		Build32:     newSeparable[float32],
		Build64:     newSeparable[float64],
		FLOPs:       partsFLOPs(parts, true),
		Integrators: []string{"leapfrog"},
		Cost:        4,
	})
}

// Separable is a separable Hamiltonian neural network: the energy is
// learned as a sum H(q, p) = T(p) + V(q) of a kinetic term, network "T" on
// the momenta, and a potential term, network "V" on the positions, each
// with n = Dim/2 inputs and a scalar output. Its field is the symplectic
// gradient
//
//	dq/dt = grad T(p),  dp/dt = -grad V(q),
//
// so the q-half of the field depends only on p and the p-half only on q,
// as the explicit symplectic integrators (leapfrog) assume. Its parameters
// are T's followed by V's.
type Separable[T nn.Float] struct {
	base[T]
	t, v *nn.MLP[T]
}

func newSeparable[T nn.Float](c Config, p Pieces[T]) Model[T] {
	return &Separable[T]{base: base[T]{c, p.Params}, t: p.Nets[0], v: p.Nets[1]}
}

// NewWorkspace returns a workspace for batches of batch rows; its dynamic
// type is *SeparableWorkspace[T].
func (m *Separable[T]) NewWorkspace(batch int, train bool) Workspace[T] {
	half := batch * m.cfg.Dim / 2
	ws := &SeparableWorkspace[T]{
		m:  m,
		wt: m.t.NewWorkspace(batch, train), wv: m.v.NewWorkspace(batch, train),
		q: make([]T, half), p: make([]T, half), f: make([]T, 2*half),
	}
	if train {
		ws.rt, ws.rv = make([]T, half), make([]T, half)
		ws.dq, ws.dp = make([]T, half), make([]T, half)
	}
	return ws
}

// SeparableWorkspace is the Workspace of a Separable model; it also
// evaluates the learned energy and its two terms. It gathers the positions
// and momenta of a batch into contiguous buffers of its own, so a call
// allocates nothing.
type SeparableWorkspace[T nn.Float] struct {
	m      *Separable[T]
	wt, wv *nn.Workspace[T]
	// q and p are B x n: the halves of the last batch.
	q, p []T
	// f is B x D: the field, then dL/df.
	f []T
	// rt and rv are B x n: dL/d(grad T) and dL/d(grad V); dq and dp the
	// halves of dL/dx.
	rt, rv, dq, dp []T
}

// Batch returns the number of rows the workspace holds.
func (w *SeparableWorkspace[T]) Batch() int { return w.wt.Batch() }

// Freeze keeps both networks' weights packed for the workspace's
// products (Freezer).
func (w *SeparableWorkspace[T]) Freeze() {
	w.m.t.FreezeWeights(w.wt)
	w.m.v.FreezeWeights(w.wv)
}

// split gathers the q and p halves of the rows of x (B x D) into w.q and
// w.p. It panics if x does not have B rows.
func (w *SeparableWorkspace[T]) split(x []T) {
	splitHalves(w.q, w.p, x, w.m.cfg.Dim/2)
}

// Kinetic writes the learned T(p) at each row of x (B x D) into dst (B). It
// panics on length mismatch.
func (w *SeparableWorkspace[T]) Kinetic(dst, x []T) {
	checkLen("kinetic destination", len(dst), w.Batch())
	w.split(x)
	copy(dst, w.m.t.Forward(w.wt, w.p))
}

// Potential writes the learned V(q) at each row of x (B x D) into dst (B).
// It panics on length mismatch.
func (w *SeparableWorkspace[T]) Potential(dst, x []T) {
	checkLen("potential destination", len(dst), w.Batch())
	w.split(x)
	copy(dst, w.m.v.Forward(w.wv, w.q))
}

// Energy writes the learned H = T(p) + V(q) at each row of x (B x D) into
// dst (B). It panics on length mismatch.
func (w *SeparableWorkspace[T]) Energy(dst, x []T) {
	checkLen("energy destination", len(dst), w.Batch())
	w.split(x)
	copy(dst, w.m.t.Forward(w.wt, w.p))
	for i, v := range w.m.v.Forward(w.wv, w.q) {
		dst[i] += v
	}
}

// Field writes (grad T(p), -grad V(q)) at each row of x into dst. It
// panics on length mismatch.
func (w *SeparableWorkspace[T]) Field(dst, x []T) {
	checkLen("field destination", len(dst), len(x))
	w.split(x)
	gt := w.m.t.InputGradient(w.wt, w.p)
	gv := w.m.v.InputGradient(w.wv, w.q)
	n := w.m.cfg.Dim / 2
	for r, k := 0, 0; k < len(gt); r, k = r+2*n, k+n {
		copy(dst[r:r+n], gt[k:k+n])
		for i, g := range gv[k : k+n] {
			dst[r+n+i] = -g
		}
	}
}

// FieldVJP propagates u = dL/df = (u_q, u_p) back through the field
// (grad T(p), -grad V(q)): T's input gradient receives u_q and V's -u_p;
// T's parameters come first in grad.
func (w *SeparableWorkspace[T]) FieldVJP(grad, dx, u []T) {
	checkTrain(w.rt)
	checkLen("gradient", len(grad), len(w.m.params))
	checkLen("field adjoint", len(u), len(w.f))
	n := w.m.cfg.Dim / 2
	for r, k := 0, 0; k < len(w.rt); r, k = r+2*n, k+n {
		copy(w.rt[k:k+n], u[r:r+n])
		for i, v := range u[r+n : r+2*n] {
			w.rv[k+i] = -v
		}
	}
	var dq, dp []T
	if dx != nil {
		checkLen("input gradient", len(dx), len(w.f))
		dq, dp = w.dq, w.dp
	}
	nt := len(w.m.t.Params)
	w.m.t.InputGradientVJP(w.wt, grad[:nt], dp, w.rt)
	w.m.v.InputGradientVJP(w.wv, grad[nt:], dq, w.rv)
	if dx == nil {
		return
	}
	// dx is the rows (dq, dp): splitHalves's adjoint.
	for r, k := 0, 0; k < len(dq); r, k = r+2*n, k+n {
		copy(dx[r:r+n], dq[k:k+n])
		copy(dx[r+n:r+2*n], dp[k:k+n])
	}
}

// Loss returns the mean squared error of the field against y.
func (w *SeparableWorkspace[T]) Loss(x, y []T) float64 { return fieldLoss(w, w.f, x, y) }

// LossGrad returns the loss and writes its (second-order) parameter gradient
// into grad. It panics if the workspace was not made for training or
// len(grad) != len(Params).
func (w *SeparableWorkspace[T]) LossGrad(x, y, grad []T) float64 {
	return fieldLossGrad(w, w.f, x, y, grad)
}
