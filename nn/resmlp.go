package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// ResMLP is a residual multilayer perceptron, one half of the reference's
// MLPAutoencoder:
//
//	h_0 = s(x W_0 + b_0)                     (In -> Width)
//	h_k = h_{k-1} + s(h_{k-1} W_k + b_k)     (Width -> Width, k = 1..Residual)
//	y   = h_K W_out + b_out                  (Width -> Out, K = Residual)
//
// Every layer, the output layer included, has a bias (torch.nn.Linear's
// default).
//
// Its parameters live in one flat slice, layer by layer: W_0 (row-major,
// In x Width), b_0, W_1, b_1, ..., W_K, b_K, W_out (Width x Out), b_out. A
// gradient has the same layout.
type ResMLP[T Float] struct {
	// Act is the activation of the input and residual layers.
	Act Activation
	// Params holds all weights and biases.
	Params []T

	in, width, residual, out int
}

// ResMLPNumParams returns the number of parameters of a ResMLP with the given
// sizes. It panics if a width is below one or residual is negative.
func ResMLPNumParams(in, width, residual, out int) int {
	checkResSizes(in, width, residual, out)
	return in*width + width + residual*(width*width+width) + width*out + out
}

func checkResSizes(in, width, residual, out int) {
	if in < 1 || width < 1 || out < 1 {
		panic("nn: layer width below one")
	}
	if residual < 0 {
		panic("nn: negative number of residual layers")
	}
}

// NewResMLP returns a ResMLP with in inputs, residual residual layers of the
// given width and out outputs, initialised as the reference autoencoder:
// weights orthogonal (gain 1), biases uniform in +-1/sqrt(fan-in), all drawn
// from rng, layer by layer (weight then bias). It panics if the sizes are
// invalid.
func NewResMLP[T Float](in, width, residual, out int, act Activation, rng *rand.Rand) *ResMLP[T] {
	m := ResMLPFromParams(in, width, residual, out, act, make([]T, ResMLPNumParams(in, width, residual, out)))
	for k := 0; k < m.layers(); k++ {
		w, b := m.layer(m.Params, k)
		r, c := m.layerDims(k)
		orthogonal(w, r, c, rng)
		bound := 1 / math.Sqrt(float64(r))
		for i := range b {
			b[i] = T(bound * (2*rng.Float64() - 1))
		}
	}
	return m
}

// ResMLPFromParams returns a ResMLP that uses params (not a copy) as its
// parameters. It panics if the sizes are invalid or len(params) does not
// match them.
func ResMLPFromParams[T Float](in, width, residual, out int, act Activation, params []T) *ResMLP[T] {
	if len(params) != ResMLPNumParams(in, width, residual, out) {
		panic("nn: parameter count mismatch")
	}
	return &ResMLP[T]{Act: act, Params: params, in: in, width: width, residual: residual, out: out}
}

// In returns the input width.
func (m *ResMLP[T]) In() int { return m.in }

// Width returns the hidden width.
func (m *ResMLP[T]) Width() int { return m.width }

// Residual returns the number of residual layers.
func (m *ResMLP[T]) Residual() int { return m.residual }

// Out returns the output width.
func (m *ResMLP[T]) Out() int { return m.out }

// NumParams returns the number of parameters, len(m.Params).
func (m *ResMLP[T]) NumParams() int { return ResMLPNumParams(m.in, m.width, m.residual, m.out) }

// layers returns the number of affine layers: input, residual, output.
func (m *ResMLP[T]) layers() int { return m.residual + 2 }

// layerDims returns the fan-in and fan-out of layer k (0 input, 1..K
// residual, K+1 output).
func (m *ResMLP[T]) layerDims(k int) (r, c int) {
	switch {
	case k == 0:
		return m.in, m.width
	case k <= m.residual:
		return m.width, m.width
	default:
		return m.width, m.out
	}
}

// layer returns the weight and bias of layer k inside a parameter-shaped
// slice, without allocating.
func (m *ResMLP[T]) layer(flat []T, k int) (w, b []T) {
	off := 0
	if k > 0 {
		off = m.in*m.width + m.width + (k-1)*(m.width*m.width+m.width)
	}
	r, c := m.layerDims(k)
	w = flat[off : off+r*c : off+r*c]
	b = flat[off+r*c : off+r*c+c : off+r*c+c]
	return w, b
}

// Views splits a flat parameter-shaped slice (parameters or a gradient) into
// the weight matrices and biases of every layer, input layer first, output
// layer last; w[k] is row-major fan-in x fan-out. The views alias flat. It
// panics if len(flat) != m.NumParams().
func (m *ResMLP[T]) Views(flat []T) (w, b [][]T) {
	if len(flat) != m.NumParams() {
		panic("nn: parameter slice length mismatch")
	}
	for k := 0; k < m.layers(); k++ {
		wk, bk := m.layer(flat, k)
		w, b = append(w, wk), append(b, bk)
	}
	return w, b
}

// ParamView is one named parameter array of a network: a view into its flat
// parameter (or gradient) slice, with the array's shape.
type ParamView[T Float] struct {
	// Name is "W0", "b0", ..., "WK", "bK" for the input and residual layers
	// and "Wout", "bout" for the output layer.
	Name string
	// Shape is {fan-in, fan-out} for a weight, {fan-out} for a bias.
	Shape []int
	// Data aliases the flat slice the view was made from.
	Data []T
}

// ParamViews returns the named arrays of a flat parameter-shaped slice, in
// layout order, for checkpoints. It panics if len(flat) != m.NumParams().
func (m *ResMLP[T]) ParamViews(flat []T) []ParamView[T] {
	w, b := m.Views(flat)
	v := make([]ParamView[T], 0, 2*len(w))
	for k := range w {
		r, c := m.layerDims(k)
		suffix := fmt.Sprint(k)
		if k == len(w)-1 {
			suffix = "out"
		}
		v = append(v,
			ParamView[T]{Name: "W" + suffix, Shape: []int{r, c}, Data: w[k]},
			ParamView[T]{Name: "b" + suffix, Shape: []int{c}, Data: b[k]})
	}
	return v
}

// ResWorkspace holds the intermediate values of one batch size for one
// ResMLP shape, so that repeated passes allocate nothing. A ResWorkspace is
// used by one goroutine at a time.
type ResWorkspace[T Float] struct {
	batch int
	// x is the input of the last Forward (B x In).
	x []T
	// h[k] is h_k (B x Width) and s[k] is s'(A_k), k = 0..K.
	h, s [][]T
	// g is dL/dh_k, abar is dL/dA_k during the backward pass (B x Width).
	g, abar    []T
	out        []T
	hasForward bool
}

// NewWorkspace returns a workspace for batches of exactly batch rows. It
// panics if batch < 1.
func (m *ResMLP[T]) NewWorkspace(batch int) *ResWorkspace[T] {
	if batch < 1 {
		panic("nn: batch size below one")
	}
	n := batch * m.width
	ws := &ResWorkspace[T]{
		batch: batch,
		x:     make([]T, batch*m.in),
		g:     make([]T, n),
		abar:  make([]T, n),
		out:   make([]T, batch*m.out),
	}
	for k := 0; k <= m.residual; k++ {
		ws.h = append(ws.h, make([]T, n))
		ws.s = append(ws.s, make([]T, n))
	}
	return ws
}

// Batch returns the number of rows the workspace holds.
func (ws *ResWorkspace[T]) Batch() int { return ws.batch }

// Output returns the network output (B x Out) of the last Forward call on
// ws.
func (ws *ResWorkspace[T]) Output() []T { return ws.out }

func (m *ResMLP[T]) checkWorkspace(ws *ResWorkspace[T]) {
	B := ws.batch
	if len(ws.x) != B*m.in || len(ws.h) != m.residual+1 || len(ws.g) != B*m.width || len(ws.out) != B*m.out {
		panic("nn: workspace made for another network shape")
	}
}

// Forward computes the network's output for the batch x (B x In) and returns
// it as a B x Out slice owned by ws. It copies x, so the caller may reuse it
// before Backward. It panics if x does not have ws's batch size or ws was
// made for another shape.
func (m *ResMLP[T]) Forward(ws *ResWorkspace[T], x []T) []T {
	m.checkWorkspace(ws)
	B, w := ws.batch, m.width
	if len(x) != B*m.in {
		panic(fmt.Sprintf("nn: batch slice has %d values, want %d x %d", len(x), B, m.in))
	}
	copyVals(ws.x, x)
	prev, pw := ws.x, m.in
	for k := 0; k <= m.residual; k++ {
		wk, bk := m.layer(m.Params, k)
		a := ws.h[k]
		setRows(a[:B*w], bk)
		mul(a, prev, wk, B, pw, w, 1)
		activate(m.Act, a, ws.s[k], nil)
		if k > 0 {
			addVals(a, prev)
		}
		prev, pw = a, w
	}
	wo, bo := m.layer(m.Params, m.residual+1)
	setRows(ws.out[:B*m.out], bo)
	mul(ws.out, prev, wo, B, w, m.out, 1)
	ws.hasForward = true
	return ws.out
}

// Backward writes into grad the gradient of a loss with respect to all
// parameters, given dy = dL/dy (B x Out) for the batch of the last Forward
// call on ws, and, if dx is not nil, writes the input gradient dL/dx
// (B x In) into dx. grad is overwritten; BackwardAdd accumulates instead. It
// panics on length mismatches or if Forward has not run on ws.
func (m *ResMLP[T]) Backward(ws *ResWorkspace[T], grad, dx, dy []T) {
	m.backward(ws, grad, dx, dy, 0)
}

// BackwardAdd is Backward but adds the parameter gradient to grad instead of
// overwriting it, for a network applied to several batches in one loss (dx,
// if not nil, is still overwritten).
func (m *ResMLP[T]) BackwardAdd(ws *ResWorkspace[T], grad, dx, dy []T) {
	m.backward(ws, grad, dx, dy, 1)
}

func (m *ResMLP[T]) backward(ws *ResWorkspace[T], grad, dx, dy []T, beta T) {
	m.checkWorkspace(ws)
	B, w := ws.batch, m.width
	if len(dy) != B*m.out {
		panic("nn: output gradient length mismatch")
	}
	if len(grad) != m.NumParams() {
		panic("nn: parameter slice length mismatch")
	}
	if dx != nil && len(dx) != B*m.in {
		panic("nn: input gradient length mismatch")
	}
	if !ws.hasForward {
		panic("nn: Backward before Forward")
	}
	K := m.residual
	// Output layer: dW_out = h_K^T dy, db_out = 1^T dy, g = dy W_out^T.
	wo, _ := m.layer(m.Params, K+1)
	gwo, gbo := m.layer(grad, K+1)
	mulAT(gwo, ws.h[K], dy, w, B, m.out, beta)
	colSumAdd(gbo, dy, B, m.out, beta)
	g := ws.g
	mulBT(g, dy, wo, B, m.out, w, 0)
	for k := K; k >= 0; k-- {
		// abar = g (.) s'(A_k); dW_k = h_{k-1}^T abar; db_k = 1^T abar.
		abar := ws.abar
		mulTo(abar[:len(g)], g, ws.s[k])
		wk, _ := m.layer(m.Params, k)
		gwk, gbk := m.layer(grad, k)
		prev, pw := ws.x, m.in
		if k > 0 {
			prev, pw = ws.h[k-1], w
		}
		mulAT(gwk, prev, abar, pw, B, w, beta)
		colSumAdd(gbk, abar, B, w, beta)
		switch {
		case k > 0:
			// dL/dh_{k-1} = g + abar W_k^T (the skip connection carries g).
			mulBT(g, abar, wk, B, w, w, 1)
		case dx != nil:
			mulBT(dx, abar, wk, B, w, m.in, 0)
		}
	}
}
