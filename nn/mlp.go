package nn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// MLP is a multilayer perceptron x -> s(x W_1 + b_1) -> ... -> z_L W_o with
// an activation s after every hidden layer and no bias on the output layer.
//
// Its parameters live in one flat slice, layer by layer: W_1 (row-major,
// Sizes[0] x Sizes[1]), b_1, W_2, b_2, ..., and last W_o (Sizes[L] x
// Sizes[L+1]). A gradient has the same layout.
type MLP[T Float] struct {
	// Sizes holds the input width, the hidden widths and the output width.
	Sizes []int
	// Act is the activation of the hidden layers.
	Act Activation
	// Params holds all weights and biases.
	Params []T

	w, b [][]T
}

// NumParams returns the number of parameters of an MLP with the given sizes.
// It panics if sizes has fewer than three entries or a width below one.
func NumParams(sizes []int) int {
	checkSizes(sizes)
	n := 0
	for k := 0; k+1 < len(sizes); k++ {
		n += sizes[k] * sizes[k+1]
		if k+2 < len(sizes) {
			n += sizes[k+1]
		}
	}
	return n
}

func checkSizes(sizes []int) {
	if len(sizes) < 3 {
		panic("nn: an MLP needs an input, at least one hidden layer and an output")
	}
	for _, s := range sizes {
		if s < 1 {
			panic("nn: layer width below one")
		}
	}
}

// New returns an MLP with the given sizes and activation, initialised as the
// reference HNN code does: weights orthogonal (gain 1), hidden biases uniform
// in +-1/sqrt(fan-in), all drawn from rng. It panics if sizes is invalid.
func New[T Float](sizes []int, act Activation, rng *rand.Rand) *MLP[T] {
	m := &MLP[T]{Sizes: append([]int(nil), sizes...), Act: act, Params: make([]T, NumParams(sizes))}
	m.w, m.b = m.Views(m.Params)
	for k, w := range m.w {
		orthogonal(w, sizes[k], sizes[k+1], rng)
		if k < len(m.b) {
			bound := 1 / math.Sqrt(float64(sizes[k]))
			for i := range m.b[k] {
				m.b[k][i] = T(bound * (2*rng.Float64() - 1))
			}
		}
	}
	return m
}

// FromParams returns an MLP that uses params (not a copy) as its parameters.
// It panics if len(params) does not match sizes.
func FromParams[T Float](sizes []int, act Activation, params []T) *MLP[T] {
	if len(params) != NumParams(sizes) {
		panic("nn: parameter count mismatch")
	}
	m := &MLP[T]{Sizes: append([]int(nil), sizes...), Act: act, Params: params}
	m.w, m.b = m.Views(params)
	return m
}

// Views splits a flat parameter-shaped slice (parameters or a gradient) into
// the weight matrices of every layer (the output layer last) and the biases
// of the hidden layers. It panics if len(flat) != NumParams(m.Sizes).
func (m *MLP[T]) Views(flat []T) (w, b [][]T) {
	if len(flat) != NumParams(m.Sizes) {
		panic("nn: parameter slice length mismatch")
	}
	s := m.Sizes
	for k := 0; k+1 < len(s); k++ {
		n := s[k] * s[k+1]
		w = append(w, flat[:n:n])
		flat = flat[n:]
		if k+2 < len(s) {
			b = append(b, flat[:s[k+1]:s[k+1]])
			flat = flat[s[k+1]:]
		}
	}
	return w, b
}

// In returns the input width and Out the output width.
func (m *MLP[T]) In() int { return m.Sizes[0] }

// Out returns the output width.
func (m *MLP[T]) Out() int { return m.Sizes[len(m.Sizes)-1] }

// orthogonal fills the r x c matrix w with a random orthogonal matrix (rows
// or columns orthonormal, whichever are fewer), as torch.nn.init.orthogonal_.
func orthogonal[T Float](w []T, r, c int, rng *rand.Rand) {
	rows, cols := r, c
	if rows < cols {
		rows, cols = cols, rows
	}
	a := mat.NewDense(rows, cols, nil)
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			a.Set(i, j, rng.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(a)
	var q, rr mat.Dense
	qr.QTo(&q)
	qr.RTo(&rr)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			ii, jj := i, j
			if r < c {
				ii, jj = j, i
			}
			v := q.At(ii, jj)
			if rr.At(jj, jj) < 0 {
				v = -v
			}
			w[i*c+j] = T(v)
		}
	}
}

// Workspace holds the intermediate values of one batch size for one MLP
// shape, so that repeated passes allocate nothing. A Workspace is used by one
// goroutine at a time.
type Workspace[T Float] struct {
	batch  int
	second bool
	// xp is 2B x in: the input X, then dL/dG.
	xp []T
	// zm[k] is 2B x N_k: the activations Z_k, then M_k.
	zm [][]T
	// da[k] is 2B x N_k: Abar_k (the adjoint of the pre-activation), then Delta_k.
	da         [][]T
	s1, s2, u  [][]T
	pi, tmp    [][]T
	out, g     []T
	hasForward bool
	// gw and gb cache the views of the last gradient slice the backward
	// passes wrote, so that a training loop that passes the same slice
	// every step allocates nothing.
	gw, gb [][]T
	gflat  []T
	// wp holds, during a blocked pass (InputGradientGrad, ForwardGrad),
	// every layer's weights packed for the float32 products that read
	// them, W_k in wp[k][0] and W_k^T in wp[k][1] (packB), so that the
	// blocks' products do not pack them again; wpOn says they are current.
	wp   [][2][]float32
	wpOn bool
	// frozenBy, when not nil, is the network whose weights wp holds for
	// every call on the workspace (FreezeWeights), not only during a
	// blocked pass.
	frozenBy *MLP[T]
}

// gradViews returns m.Views(grad), reusing the workspace's cached views when
// grad is the slice of the previous call.
func (ws *Workspace[T]) gradViews(m *MLP[T], grad []T) (w, b [][]T) {
	if len(grad) > 0 && len(ws.gflat) == len(grad) && &ws.gflat[0] == &grad[0] {
		return ws.gw, ws.gb
	}
	ws.gw, ws.gb = m.Views(grad)
	ws.gflat = grad
	return ws.gw, ws.gb
}

// NewWorkspace returns a workspace for batches of exactly batch rows. With
// second set it also keeps what BackwardInputGradient needs. It panics if
// batch < 1.
func (m *MLP[T]) NewWorkspace(batch int, second bool) *Workspace[T] {
	if batch < 1 {
		panic("nn: batch size below one")
	}
	L := len(m.Sizes) - 2
	ws := &Workspace[T]{batch: batch, second: second}
	ws.xp = make([]T, 2*batch*m.In())
	ws.out = make([]T, batch*m.Out())
	ws.g = make([]T, batch*m.In())
	for k := 0; k < L; k++ {
		n := batch * m.Sizes[k+1]
		ws.zm = append(ws.zm, make([]T, 2*n))
		ws.da = append(ws.da, make([]T, 2*n))
		ws.s1 = append(ws.s1, make([]T, n))
		ws.u = append(ws.u, make([]T, n))
		ws.tmp = append(ws.tmp, make([]T, n))
		if second {
			ws.s2 = append(ws.s2, make([]T, n))
			ws.pi = append(ws.pi, make([]T, n))
		}
	}
	return ws
}

// Batch returns the number of rows the workspace holds.
func (ws *Workspace[T]) Batch() int { return ws.batch }

func (m *MLP[T]) check(ws *Workspace[T], x []T, width int) {
	if len(x) != ws.batch*width {
		panic(fmt.Sprintf("nn: batch slice has %d values, want %d x %d", len(x), ws.batch, width))
	}
	if len(ws.zm) != len(m.Sizes)-2 || len(ws.g) != ws.batch*m.In() || len(ws.out) != ws.batch*m.Out() {
		panic("nn: workspace made for another network shape")
	}
}

// forward runs the hidden layers on x and keeps Z_k, s'(A_k) and, when
// second, s”(A_k).
func (m *MLP[T]) forward(ws *Workspace[T], x []T, second bool) {
	m.forwardRows(ws, x, ws.batch, second)
}

// forwardRows is forward on the B rows of x, which the workspace's first
// rows hold (B at most its batch).
func (m *MLP[T]) forwardRows(ws *Workspace[T], x []T, B int, second bool) {
	copyVals(ws.xp[:B*m.In()], x)
	prev := ws.xp[:B*m.In()]
	for k := range ws.zm {
		n := m.Sizes[k+1]
		z := ws.zm[k][:B*n]
		setRows(z, m.b[k])
		m.mulW(ws, z, prev, k, B, false, 1)
		var s2 []T
		if second {
			s2 = ws.s2[k]
		}
		activate(m.Act, z, ws.s1[k], s2)
		prev = z
	}
	ws.hasForward = true
}

// Forward computes the network's output for the batch x (B x In) and returns
// it as a B x Out slice owned by ws. It panics if x does not have ws's batch
// size.
func (m *MLP[T]) Forward(ws *Workspace[T], x []T) []T {
	m.check(ws, x, m.In())
	m.forward(ws, x, false)
	L := len(ws.zm)
	mul(ws.out, ws.zm[L-1][:ws.batch*m.Sizes[L]], m.w[L], ws.batch, m.Sizes[L], m.Out(), 0)
	return ws.out
}

// Backward writes into grad the gradient of a loss with respect to all
// parameters, given dout = dLoss/dOut (B x Out) for the batch of the last
// Forward call on ws. It panics on length mismatches.
func (m *MLP[T]) Backward(ws *Workspace[T], grad, dout []T) {
	m.BackwardInput(ws, grad, nil, dout)
}

// BackwardInput is Backward that also writes the gradient of the loss with
// respect to the network's input, dLoss/dX (B x In), into dx unless dx is
// nil. It panics on length mismatches.
func (m *MLP[T]) BackwardInput(ws *Workspace[T], grad, dx, dout []T) {
	if dx != nil && len(dx) != ws.batch*m.In() {
		panic("nn: input gradient length mismatch")
	}
	if len(dout) != ws.batch*m.Out() {
		panic("nn: output gradient length mismatch")
	}
	if !ws.hasForward {
		panic("nn: Backward before Forward")
	}
	m.backwardRows(ws, grad, dx, dout, ws.batch, 0)
}

// backwardRows is BackwardInput on the first B rows of the workspace,
// after their forward pass, that sets the gradient (beta 0) or adds to it
// (beta 1), as backwardInputGradientRows does.
func (m *MLP[T]) backwardRows(ws *Workspace[T], grad, dx, dout []T, B int, beta T) {
	L := len(ws.zm)
	gw, gb := ws.gradViews(m, grad)
	nL := m.Sizes[L]
	mulAT(gw[L], ws.zm[L-1][:B*nL], dout, nL, B, m.Out(), beta)
	abar := ws.da[L-1][:B*nL]
	m.mulW(ws, abar, dout, L, B, true, 0)
	mulInto(abar, ws.s1[L-1])
	for k := L - 1; k >= 0; k-- {
		n := m.Sizes[k+1]
		abar := ws.da[k][:B*n]
		prev := ws.xp[:B*m.In()]
		if k > 0 {
			prev = ws.zm[k-1][:B*m.Sizes[k]]
		}
		mulAT(gw[k], prev, abar, m.Sizes[k], B, n, beta)
		colSums(gb[k], abar, B, n, beta, false)
		if k > 0 {
			pn := m.Sizes[k]
			next := ws.da[k-1][:B*pn]
			m.mulW(ws, next, abar, k, B, true, 0)
			mulInto(next, ws.s1[k-1])
		} else if dx != nil {
			m.mulW(ws, dx, abar, 0, B, true, 0)
		}
	}
}

// mulW sets C = A op(W_k) + beta C over the first B rows of A and C, with
// op(W_k) = W_k (Sizes[k] x Sizes[k+1]) or, with tB, its transpose: from
// the packed copy in ws.wp while a blocked pass holds one (the same values
// as packing W_k for this product), otherwise through mul or mulBT.
func (m *MLP[T]) mulW(ws *Workspace[T], c, a []T, k, B int, tB bool, beta T) {
	kin, kout := m.Sizes[k], m.Sizes[k+1]
	K, N := kin, kout
	t := 0
	if tB {
		K, N, t = kout, kin, 1
	}
	if ws.wpOn && (ws.frozenBy == nil || ws.frozenBy == m) {
		if c32, ok := any(c).([]float32); ok && sgemmPre(false, tB, B, N, K, 1, any(a).([]float32), K,
			any(m.w[k]).([]float32), kout, float32(beta), c32, N, ws.wp[k][t]) {
			return
		}
	}
	if tB {
		mulBT(c, a, m.w[k], B, K, N, beta)
		return
	}
	mul(c, a, m.w[k], B, K, N, beta)
}

// packWeights packs every layer's weights, and their transposes, into
// ws.wp for float32 products at a kernel level, and reports whether it
// did: a blocked pass's products then read them from there.
func (m *MLP[T]) packWeights(ws *Workspace[T]) bool {
	if kernelSets[level] == nil {
		return false
	}
	if len(ws.wp) != len(m.w) {
		ws.wp = make([][2][]float32, len(m.w))
	}
	for k, w := range m.w {
		w32, ok := any(w).([]float32)
		if !ok {
			return false
		}
		kin, kout := m.Sizes[k], m.Sizes[k+1]
		ws.wp[k][0] = packB(ws.wp[k][0], false, kin, kout, w32, kout)
		ws.wp[k][1] = packB(ws.wp[k][1], true, kout, kin, w32, kout)
	}
	return true
}

// FreezeWeights packs m's weights into ws for the float32 products that
// read them, as a blocked pass does for its blocks, and keeps them there:
// every later product of a call of m on ws reads the packed copy instead
// of packing the weights again, with the same values. It is for a network
// whose parameters no longer change, evaluated many times on small
// batches (rolling a trained model out: packing a 200 x 200 layer's
// transpose for each of its products of 15 rows costs about half as much
// as the product). After changing m's parameters, call FreezeWeights again
// or ThawWeights; a workspace frozen for m is not frozen for another
// network. It reports whether it packed (float32 with the assembly
// kernels).
func (m *MLP[T]) FreezeWeights(ws *Workspace[T]) bool {
	ws.ThawWeights()
	if !m.packWeights(ws) {
		return false
	}
	ws.frozenBy, ws.wpOn = m, true
	return true
}

// ThawWeights undoes FreezeWeights: ws's products pack the weights again.
func (ws *Workspace[T]) ThawWeights() { ws.frozenBy, ws.wpOn = nil, false }

// mulInto sets a[i] *= b[i]. It panics if len(b) < len(a).
func mulInto[T Float](a, b []T) { mulTo(a, a, b) }

// mulTo sets dst[i] = a[i] * b[i] in one pass (dst may be a). It panics if
// a or b is shorter than dst.
func mulTo[T Float](dst, a, b []T) {
	a, b = a[:len(dst)], b[:len(dst)]
	if d32, ok := any(dst).([]float32); ok {
		if done := mulToVec(d32, any(a).([]float32), any(b).([]float32)); done > 0 {
			dst, a, b = dst[done:], a[done:], b[done:]
		}
	}
	for i, v := range a {
		dst[i] = v * b[i]
	}
}

// mulAddInto sets dst[i] += x[i] * y[i]. It panics if x or y is shorter
// than dst.
func mulAddInto[T Float](dst, x, y []T) {
	x, y = x[:len(dst)], y[:len(dst)]
	if d32, ok := any(dst).([]float32); ok {
		if done := mulAddVec(d32, any(x).([]float32), any(y).([]float32)); done > 0 {
			dst, x, y = dst[done:], x[done:], y[done:]
		}
	}
	for i, v := range x {
		dst[i] += v * y[i]
	}
}

// InputGradient computes, for a network with a single output H, the gradient
// grad_x H at every row of the batch x (B x In) and returns it as a B x In
// slice owned by ws; H itself is in ws.Output() afterwards. If ws was made
// with second set, it also keeps what BackwardInputGradient needs. It panics
// if the network's output is not scalar or x has the wrong size.
func (m *MLP[T]) InputGradient(ws *Workspace[T], x []T) []T {
	if m.Out() != 1 {
		panic("nn: InputGradient needs a scalar output")
	}
	m.check(ws, x, m.In())
	m.forward(ws, x, ws.second)
	L, nL := len(ws.zm), m.Sizes[len(ws.zm)]
	mul(ws.out, ws.zm[L-1][:ws.batch*nL], m.w[L], ws.batch, nL, 1, 0)
	return m.inputGradientRows(ws, ws.batch)
}

// inputGradientRows runs InputGradient's backward pass to the input on the
// first B rows of the workspace, after their forward pass, and returns
// the B x In input gradient.
func (m *MLP[T]) inputGradientRows(ws *Workspace[T], B int) []T {
	L, nL := len(ws.zm), m.Sizes[len(ws.zm)]
	// U_L has every row equal to w_o; Delta_L = U_L (.) S_L.
	wo := m.w[L]
	u, s1 := ws.u[L-1], ws.s1[L-1]
	delta := ws.da[L-1][B*nL:]
	setRows(u[:B*nL], wo)
	// Delta_L = S_L (.) U_L, in one vectorised pass (products commute, so
	// the values are those of w_o[j] * s1).
	mulTo(delta[:B*nL], s1[:B*nL], u[:B*nL])
	for k := L - 2; k >= 0; k-- {
		n, nn := m.Sizes[k+1], m.Sizes[k+2]
		u := ws.u[k][:B*n]
		m.mulW(ws, u, ws.da[k+1][B*nn:], k+1, B, true, 0)
		// Delta_k = U_k (.) S_k.
		mulTo(ws.da[k][B*n:B*n+len(u)], u, ws.s1[k])
	}
	g := ws.g[:B*m.In()]
	m.mulW(ws, g, ws.da[0][B*m.Sizes[1]:], 0, B, true, 0)
	return g
}

// Output returns the network output (B x Out) of the last Forward or
// InputGradient call on ws.
func (ws *Workspace[T]) Output() []T { return ws.out }

// BackwardInputGradient writes into grad the gradient with respect to all
// parameters of a loss L, given p = dL/dG (B x In) where G is the input
// gradient returned by the last InputGradient call on ws. This is the
// second-order derivative an HNN's training needs. It panics if ws was not
// made with second set or on length mismatches.
func (m *MLP[T]) BackwardInputGradient(ws *Workspace[T], grad, p []T) {
	if !ws.second {
		panic("nn: BackwardInputGradient needs a workspace made with second set")
	}
	if len(p) != ws.batch*m.In() {
		panic("nn: input-gradient adjoint length mismatch")
	}
	copyVals(ws.xp[ws.batch*m.In():], p)
	m.backwardInputGradientRows(ws, grad, ws.batch, 0)
}

// backwardInputGradientRows is BackwardInputGradient on the first B rows
// of the workspace, with dL/dG in rows B..2B-1 of xp, that sets the
// gradient (beta 0) or adds to it (beta 1): the weight gradients' products
// by the kernels' accumulation (C += the product over these rows), the
// column sums by adding these rows in order after those already summed.
func (m *MLP[T]) backwardInputGradientRows(ws *Workspace[T], grad []T, B int, beta T) {
	L, in := len(ws.zm), m.In()
	gw, gb := ws.gradViews(m, grad)
	p := ws.xp[B*in : 2*B*in]
	// Pi_1 = P W_1.
	m.mulW(ws, ws.pi[0], p, 0, B, false, 0)
	for k := 0; k < L; k++ {
		n := m.Sizes[k+1]
		pi, s1, s2, u := ws.pi[k][:B*n], ws.s1[k], ws.s2[k], ws.u[k]
		mk := ws.zm[k][B*n : 2*B*n]
		ek := ws.da[k][:B*n] // E_k, later Abar_k
		secondOrderTerms(mk, ek, pi, s1, u, s2)
		if k < L-1 {
			m.mulW(ws, ws.pi[k+1], mk, k+1, B, false, 0)
		} else {
			colSums(gw[L], mk, B, n, beta, false)
		}
	}
	for k := L - 1; k >= 0; k-- {
		n := m.Sizes[k+1]
		prev, pw := ws.xp, in
		if k > 0 {
			prev, pw = ws.zm[k-1], m.Sizes[k]
		}
		// dW_k = [Z_{k-1}; M_{k-1}]^T [Abar_k; Delta_k] in one product.
		mulAT(gw[k], prev[:2*B*pw], ws.da[k][:2*B*n], pw, 2*B, n, beta)
		abar := ws.da[k][:B*n]
		colSums(gb[k], abar, B, n, beta, false)
		if k > 0 {
			t := ws.tmp[k-1][:B*pw]
			m.mulW(ws, t, abar, k, B, true, 0)
			mulAddInto(ws.da[k-1][:B*pw], t, ws.s1[k-1])
		}
	}
}
