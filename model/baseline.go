package model

import "github.com/hnn-go/hnn/nn"

// Baseline is the unstructured model of the HNN paper: the same MLP trunk
// outputs dx/dt directly.
type Baseline[T nn.Float] struct {
	cfg    Config
	params []T
	f      *nn.MLP[T]
}

// Config returns the model's architecture.
func (m *Baseline[T]) Config() Config { return m.cfg }

// Params returns the network's parameters.
func (m *Baseline[T]) Params() []T { return m.params }

// Networks returns the field network, named "F".
func (m *Baseline[T]) Networks() []Network[T] { return []Network[T]{{Name: "F", MLP: m.f}} }

// NewWorkspace returns a workspace for batches of batch rows.
func (m *Baseline[T]) NewWorkspace(batch int, train bool) Workspace[T] {
	return &baselineWorkspace[T]{m: m, ws: m.f.NewWorkspace(batch, false), r: make([]T, batch*m.cfg.Dim)}
}

type baselineWorkspace[T nn.Float] struct {
	m  *Baseline[T]
	ws *nn.Workspace[T]
	r  []T
}

func (w *baselineWorkspace[T]) Batch() int { return w.ws.Batch() }

func (w *baselineWorkspace[T]) Field(dst, x []T) {
	checkLen("field destination", len(dst), len(x))
	copy(dst, w.m.f.Forward(w.ws, x))
}

func (w *baselineWorkspace[T]) Loss(x, y []T) float64 {
	return meanSquared(w.m.f.Forward(w.ws, x), y, nil)
}

func (w *baselineWorkspace[T]) LossGrad(x, y, grad []T) float64 {
	loss := meanSquared(w.m.f.Forward(w.ws, x), y, w.r)
	w.m.f.Backward(w.ws, grad, w.r)
	return loss
}
