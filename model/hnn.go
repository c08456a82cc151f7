package model

import "github.com/hnn-go/hnn/nn"

// HNN is a Hamiltonian neural network: an MLP learns a scalar H(q, p) and
// the model's field is its symplectic gradient J grad H, that is
// dq/dt = dH/dp and dp/dt = -dH/dq.
type HNN[T nn.Float] struct {
	cfg    Config
	params []T
	h      *nn.MLP[T]
}

// Config returns the model's architecture.
func (m *HNN[T]) Config() Config { return m.cfg }

// Params returns the parameters of the energy network.
func (m *HNN[T]) Params() []T { return m.params }

// Networks returns the energy network, named "H".
func (m *HNN[T]) Networks() []Network[T] { return []Network[T]{{Name: "H", MLP: m.h}} }

// NewWorkspace returns a workspace for batches of batch rows.
func (m *HNN[T]) NewWorkspace(batch int, train bool) Workspace[T] {
	return m.newWorkspace(batch, train)
}

func (m *HNN[T]) newWorkspace(batch int, train bool) *HNNWorkspace[T] {
	d := m.cfg.Dim
	ws := &HNNWorkspace[T]{m: m, ws: m.h.NewWorkspace(batch, train), f: make([]T, batch*d)}
	if train {
		ws.p = make([]T, batch*d)
	}
	return ws
}

// HNNWorkspace is the Workspace of an HNN; it also evaluates the learned
// energy.
type HNNWorkspace[T nn.Float] struct {
	m    *HNN[T]
	ws   *nn.Workspace[T]
	f, p []T
}

// Batch returns the number of rows the workspace holds.
func (w *HNNWorkspace[T]) Batch() int { return w.ws.Batch() }

// Energy writes the learned H at each row of x (B x D) into dst (B).
func (w *HNNWorkspace[T]) Energy(dst, x []T) {
	checkLen("energy destination", len(dst), w.Batch())
	copy(dst, w.m.h.Forward(w.ws, x))
}

// Field writes J grad H at each row of x into dst.
func (w *HNNWorkspace[T]) Field(dst, x []T) {
	checkLen("field destination", len(dst), len(x))
	Symplectic(dst, w.m.h.InputGradient(w.ws, x), w.m.cfg.Dim)
}

// Loss returns the mean squared error of the field against y.
func (w *HNNWorkspace[T]) Loss(x, y []T) float64 {
	w.Field(w.f, x)
	return meanSquared(w.f, y, nil)
}

// LossGrad returns the loss and writes its (second-order) parameter gradient
// into grad.
func (w *HNNWorkspace[T]) LossGrad(x, y, grad []T) float64 {
	if w.p == nil {
		panic("model: LossGrad on a workspace not made for training")
	}
	w.Field(w.f, x)
	loss := meanSquared(w.f, y, w.f)
	// dL/dG = R J for F = G J^T.
	SymplecticAdjoint(w.p, w.f, w.m.cfg.Dim)
	w.m.h.BackwardInputGradient(w.ws, grad, w.p)
	return loss
}

// Symplectic writes the symplectic gradient J g of every row of g (rows of
// width d = 2n, g = grad H) into dst: dst = (g_p, -g_q). dst and g must not
// overlap. It panics on length mismatch or odd d.
func Symplectic[T nn.Float](dst, g []T, d int) {
	if d%2 != 0 || len(dst) != len(g) || len(g)%d != 0 {
		panic("model: Symplectic shape mismatch")
	}
	n := d / 2
	for r := 0; r < len(g); r += d {
		for i := 0; i < n; i++ {
			dst[r+i] = g[r+n+i]
			dst[r+n+i] = -g[r+i]
		}
	}
}

// SymplecticAdjoint writes r J (the adjoint of Symplectic applied to the
// field residual r) into dst: dst = (-r_p, r_q). dst and r must not overlap.
func SymplecticAdjoint[T nn.Float](dst, r []T, d int) {
	if d%2 != 0 || len(dst) != len(r) || len(r)%d != 0 {
		panic("model: SymplecticAdjoint shape mismatch")
	}
	n := d / 2
	for k := 0; k < len(r); k += d {
		for i := 0; i < n; i++ {
			dst[k+i] = -r[k+n+i]
			dst[k+n+i] = r[k+i]
		}
	}
}
