package model

import "github.com/hnn-go/hnn/nn"

func init() {
	parts := func(c Config) []Part { return []Part{Net(c, "H", c.Dim, 1), Net(c, "D", c.Dim, 1)} }
	Register(Kind{
		Name:        "dhnn",
		Title:       "Dissipative HNN",
		Canonical:   true,
		SecondOrder: true,
		Parts:       parts,
		Build32:     newDHNN[float32],
		Build64:     newDHNN[float64],
		FLOPs:       partsFLOPs(parts, true),
		Cost:        4,
	})
}

// DHNN is a dissipative Hamiltonian neural network (Sosanya & Greydanus
// 2022): two MLPs learn scalars, an energy H(q, p) (network "H") and a
// Rayleigh dissipation function D(q, p) (network "D"), and the model's
// field is
//
//	f = J grad H + grad D,
//
// that is dq/dt = dH/dp + dD/dq and dp/dt = -dH/dq + dD/dp. The first term
// conserves H; the second, the gradient of D on every component, carries
// the dissipation. Its parameters are H's followed by D's.
type DHNN[T nn.Float] struct {
	base[T]
	h, d *nn.MLP[T]
}

func newDHNN[T nn.Float](c Config, p Pieces[T]) Model[T] {
	return &DHNN[T]{base: base[T]{c, p.Params}, h: p.Nets[0], d: p.Nets[1]}
}

// NewWorkspace returns a workspace for batches of batch rows; its dynamic
// type is *DHNNWorkspace[T].
func (m *DHNN[T]) NewWorkspace(batch int, train bool) Workspace[T] {
	n := batch * m.cfg.Dim
	ws := &DHNNWorkspace[T]{m: m, wh: m.h.NewWorkspace(batch, train), wd: m.d.NewWorkspace(batch, train), f: make([]T, n)}
	if train {
		ws.p, ws.dxd = make([]T, n), make([]T, n)
	}
	return ws
}

// DHNNWorkspace is the Workspace of a DHNN; it also evaluates the learned
// energy and dissipation and the two parts of the field.
type DHNNWorkspace[T nn.Float] struct {
	m      *DHNN[T]
	wh, wd *nn.Workspace[T]
	// f is the field, then dL/df; p is dL/d(grad H); dxd is D's share of
	// dL/dx.
	f, p, dxd []T
}

// Batch returns the number of rows the workspace holds.
func (w *DHNNWorkspace[T]) Batch() int { return w.wh.Batch() }

// Freeze keeps both networks' weights packed for the workspace's
// products (Freezer).
func (w *DHNNWorkspace[T]) Freeze() {
	w.m.h.FreezeWeights(w.wh)
	w.m.d.FreezeWeights(w.wd)
}

// Energy writes the learned H at each row of x (B x D) into dst (B). It
// panics on length mismatch.
func (w *DHNNWorkspace[T]) Energy(dst, x []T) {
	checkLen("energy destination", len(dst), w.Batch())
	copy(dst, w.m.h.Forward(w.wh, x))
}

// Dissipation writes the learned D at each row of x (B x D) into dst (B).
// It panics on length mismatch.
func (w *DHNNWorkspace[T]) Dissipation(dst, x []T) {
	checkLen("dissipation destination", len(dst), w.Batch())
	copy(dst, w.m.d.Forward(w.wd, x))
}

// Parts writes the conservative part J grad H of the field at each row of x
// into cons and the dissipative part grad D into diss; their sum is the
// field. It panics on length mismatch.
func (w *DHNNWorkspace[T]) Parts(cons, diss, x []T) {
	checkLen("conservative part", len(cons), len(x))
	checkLen("dissipative part", len(diss), len(x))
	Symplectic(cons, w.m.h.InputGradient(w.wh, x), w.m.cfg.Dim)
	copy(diss, w.m.d.InputGradient(w.wd, x))
}

// Field writes J grad H + grad D at each row of x into dst. It panics on
// length mismatch.
func (w *DHNNWorkspace[T]) Field(dst, x []T) {
	checkLen("field destination", len(dst), len(x))
	Symplectic(dst, w.m.h.InputGradient(w.wh, x), w.m.cfg.Dim)
	for i, v := range w.m.d.InputGradient(w.wd, x) {
		dst[i] += v
	}
}

// FieldVJP propagates u = dL/df back through f = J grad H + grad D: H's
// input gradient receives u J and D's receives u; H's parameters come
// first in grad.
func (w *DHNNWorkspace[T]) FieldVJP(grad, dx, u []T) {
	checkTrain(w.p)
	checkLen("gradient", len(grad), len(w.m.params))
	nh := len(w.m.h.Params)
	SymplecticAdjoint(w.p, u, w.m.cfg.Dim)
	w.m.h.InputGradientVJP(w.wh, grad[:nh], dx, w.p)
	var dxd []T
	if dx != nil {
		dxd = w.dxd
	}
	w.m.d.InputGradientVJP(w.wd, grad[nh:], dxd, u)
	for i, v := range dxd {
		dx[i] += v
	}
}

// Loss returns the mean squared error of the field against y.
func (w *DHNNWorkspace[T]) Loss(x, y []T) float64 { return fieldLoss(w, w.f, x, y) }

// LossGrad returns the loss and writes its (second-order) parameter gradient
// into grad. It panics if the workspace was not made for training or
// len(grad) != len(Params).
func (w *DHNNWorkspace[T]) LossGrad(x, y, grad []T) float64 {
	return fieldLossGrad(w, w.f, x, y, grad)
}
