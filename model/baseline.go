package model

import "github.com/hnn-go/hnn/nn"

func init() {
	parts := func(c Config) []Part { return []Part{Net(c, "F", c.Dim, c.Dim)} }
	Register(Kind{
		Name:    "baseline",
		Title:   "Baseline NN",
		Parts:   parts,
		Build32: newBaseline[float32],
		Build64: newBaseline[float64],
		FLOPs:   partsFLOPs(parts, false),
		Cost:    1,
	})
}

// Baseline is the unstructured model of the HNN paper: the same MLP trunk
// outputs dx/dt directly (network "F").
type Baseline[T nn.Float] struct {
	base[T]
	f *nn.MLP[T]
}

func newBaseline[T nn.Float](c Config, p Pieces[T]) Model[T] {
	return &Baseline[T]{base: base[T]{c, p.Params}, f: p.Nets[0]}
}

// NewWorkspace returns a workspace for batches of batch rows.
func (m *Baseline[T]) NewWorkspace(batch int, train bool) Workspace[T] {
	return &baselineWorkspace[T]{m: m, ws: m.f.NewWorkspace(batch, false), f: make([]T, batch*m.cfg.Dim)}
}

type baselineWorkspace[T nn.Float] struct {
	m  *Baseline[T]
	ws *nn.Workspace[T]
	f  []T
}

func (w *baselineWorkspace[T]) Batch() int { return w.ws.Batch() }

// Freeze keeps the network's weights packed for the workspace's products
// (Freezer).
func (w *baselineWorkspace[T]) Freeze() { w.m.f.FreezeWeights(w.ws) }

func (w *baselineWorkspace[T]) Field(dst, x []T) {
	checkLen("field destination", len(dst), len(x))
	copy(dst, w.m.f.Forward(w.ws, x))
}

func (w *baselineWorkspace[T]) FieldVJP(grad, dx, u []T) {
	checkLen("gradient", len(grad), len(w.m.params))
	w.m.f.BackwardInput(w.ws, grad, dx, u)
}

func (w *baselineWorkspace[T]) Loss(x, y []T) float64 { return fieldLoss(w, w.f, x, y) }

// LossGrad returns fieldLoss and writes its gradient into grad, as
// fieldLossGrad defines them, through the network's blocked pass (nn's
// ForwardGrad): the loss's squares are added in row order as one pass adds
// them.
func (w *baselineWorkspace[T]) LossGrad(x, y, grad []T) float64 {
	checkLen("gradient", len(grad), len(w.m.params))
	d := w.m.cfg.Dim
	var s float64
	scale := 2 / T(len(w.f))
	w.m.f.ForwardGrad(w.ws, x, grad, func(out []T, lo, hi int) {
		s = sumSquared(s, out, y[lo*d:hi*d], out, scale)
	})
	return s / float64(len(w.f))
}
