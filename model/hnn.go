package model

import "github.com/hnn-go/hnn/nn"

func init() {
	parts := func(c Config) []Part { return []Part{Net(c, "H", c.Dim, 1)} }
	Register(Kind{
		Name:        "hnn",
		Title:       "Hamiltonian NN",
		Canonical:   true,
		SecondOrder: true,
		Parts:       parts,
		Build32:     newHNN[float32],
		Build64:     newHNN[float64],
		FLOPs:       partsFLOPs(parts, true),
		Cost:        2,
	})
}

// HNN is a Hamiltonian neural network: an MLP learns a scalar H(q, p)
// (network "H") and the model's field is its symplectic gradient J grad H,
// that is dq/dt = dH/dp and dp/dt = -dH/dq.
type HNN[T nn.Float] struct {
	base[T]
	h *nn.MLP[T]
}

func newHNN[T nn.Float](c Config, p Pieces[T]) Model[T] {
	return &HNN[T]{base: base[T]{c, p.Params}, h: p.Nets[0]}
}

// NewWorkspace returns a workspace for batches of batch rows; its dynamic
// type is *HNNWorkspace[T].
func (m *HNN[T]) NewWorkspace(batch int, train bool) Workspace[T] {
	return m.newWorkspace(batch, train)
}

func (m *HNN[T]) newWorkspace(batch int, train bool) *HNNWorkspace[T] {
	ws := &HNNWorkspace[T]{m: m, ws: m.h.NewWorkspace(batch, train), f: make([]T, batch*m.cfg.Dim)}
	if train {
		ws.p = make([]T, batch*m.cfg.Dim)
	}
	return ws
}

// HNNWorkspace is the Workspace of an HNN; it also evaluates the learned
// energy.
type HNNWorkspace[T nn.Float] struct {
	m  *HNN[T]
	ws *nn.Workspace[T]
	// f is the field, then dL/df; p is dL/d(grad H).
	f, p []T
}

// Batch returns the number of rows the workspace holds.
func (w *HNNWorkspace[T]) Batch() int { return w.ws.Batch() }

// Freeze keeps the network's weights packed for the workspace's products
// (Freezer).
func (w *HNNWorkspace[T]) Freeze() { w.m.h.FreezeWeights(w.ws) }

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

// FieldVJP propagates u = dL/df back through f = J grad H: grad H receives
// u J, and its vector-Jacobian product is a Hessian-vector product of H.
func (w *HNNWorkspace[T]) FieldVJP(grad, dx, u []T) {
	checkTrain(w.p)
	checkLen("gradient", len(grad), len(w.m.params))
	SymplecticAdjoint(w.p, u, w.m.cfg.Dim)
	w.m.h.InputGradientVJP(w.ws, grad, dx, w.p)
}

// Loss returns the mean squared error of the field against y.
func (w *HNNWorkspace[T]) Loss(x, y []T) float64 { return fieldLoss(w, w.f, x, y) }

// LossGrad returns the loss and writes its (second-order) parameter gradient
// into grad, as fieldLossGrad defines them, through the network's blocked
// pass (nn's InputGradientGrad): the field, the loss and its adjoint are
// formed block by block, the loss's squares added in row order as one
// pass adds them. It panics if the workspace was not made for training.
func (w *HNNWorkspace[T]) LossGrad(x, y, grad []T) float64 {
	checkTrain(w.p)
	checkLen("gradient", len(grad), len(w.m.params))
	d := w.m.cfg.Dim
	var s float64
	scale := 2 / T(len(w.f))
	w.m.h.InputGradientGrad(w.ws, x, grad, func(p, g []T, lo, hi int) {
		f := w.f[lo*d : hi*d]
		Symplectic(f, g, d)
		s = sumSquared(s, f, y[lo*d:hi*d], f, scale)
		SymplecticAdjoint(p, f, d)
	})
	return s / float64(len(w.f))
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
