package nn

// BlockRows bounds the rows of the blocks InputGradientGrad cuts a large
// float32 batch into: a batch of B > 2 BlockRows rows runs as
// ceil(B / BlockRows) blocks of nearly equal rows, so that each block's
// weight-gradient products ([Z; M] of 2 x rows) stay within one depth block
// of the kernels (kc) and a block's values stay in the core's caches.
// Measured on the reference HNN's step (2-200-200-1) at 750 and 1125 rows,
// in one process against one pass over the batch: 1.08 times the steps per
// second on one core, 1.04 and 1.11 with two trainings at once
// (docs/speed.md).
const BlockRows = 128

// InputGradientGrad computes, for a network with a scalar output H and a
// loss L that depends on the batch x (B x In) only through G = grad_x H,
// the gradient of L with respect to all parameters, and writes it into
// grad. For each block of rows lo..hi-1 in order (see blocks) it computes
// the block's rows of G and calls adjoint(p, g, lo, hi) with g holding them
// ((hi-lo) x In); adjoint must write dL/dG for those rows into p (also
// (hi-lo) x In) before it returns, and may not keep g or p. The block's
// backward pass follows, adding its rows' part of the gradient.
//
// With one block (float64, the generic kernels, the sin activation, or B
// at most 2 BlockRows) the result is bit for bit that of InputGradient,
// then BackwardInputGradient with the whole dL/dG. With more, the bias and
// output-weight gradients still are (their column sums add the rows in
// order), and each weight gradient is the sum, block after block, of the
// blocks' own products [Z; M]^T [Abar; Delta]: the same terms, grouped by
// block instead of by the kernels' depth blocks over the whole batch, so
// its last bits differ from one pass's, and never depend on the number of
// cores. A block holds its values in the workspace's first rows, so a
// large batch's step keeps one block's values hot instead of the whole
// batch's. Afterwards ws holds no forward pass: InputGradientVJP,
// BackwardInputGradient and Output need a new InputGradient. It panics if
// the output is not scalar, ws was not made with second set, or x has the
// wrong size.
func (m *MLP[T]) InputGradientGrad(ws *Workspace[T], x, grad []T, adjoint func(p, g []T, lo, hi int)) {
	if m.Out() != 1 {
		panic("nn: InputGradientGrad needs a scalar output")
	}
	if !ws.second {
		panic("nn: InputGradientGrad needs a workspace made with second set")
	}
	m.check(ws, x, m.In())
	in := m.In()
	m.eachBlock(ws, x, func(lo, hi int, beta T) {
		r := hi - lo
		m.forwardRows(ws, x[lo*in:hi*in], r, true)
		adjoint(ws.xp[r*in:2*r*in], m.inputGradientRows(ws, r), lo, hi)
		m.backwardInputGradientRows(ws, grad, r, beta)
	})
}

// eachBlock calls f for the rows lo..hi-1 of every block of the batch x
// (blocks), in order, with beta 0 for the first and 1 for the others, the
// weights packed once for them (packWeights) when there are several; ws
// holds no forward pass afterwards.
func (m *MLP[T]) eachBlock(ws *Workspace[T], x []T, f func(lo, hi int, beta T)) {
	B := ws.batch
	nb := blocks(B, m.Act, x)
	// Weights frozen for another network stay (mulW does not read them
	// for m's products, which then pack m's as a single block does).
	if ws.frozenBy == nil {
		ws.wpOn = nb > 1 && m.packWeights(ws)
	}
	// The packed weights are current only during this call, whatever f
	// does, unless they are frozen.
	defer func() { ws.wpOn, ws.hasForward = ws.frozenBy != nil, false }()
	var beta T
	for b := range nb {
		f(b*B/nb, (b+1)*B/nb, beta)
		beta = 1
	}
}

// blocks returns the number of blocks InputGradientGrad cuts a batch of B
// rows of x into, for a network with activation act: more than one only
// for float32 with the assembly kernels, whose values do not depend on the
// rows around them (gonum's products, for float64 and the generic level,
// group their sums by the product's shape, and the sin kernel leaves the
// values after one it cannot reduce to a scalar loop), and only when that
// leaves blocks of at least BlockRows / 2 rows.
func blocks[T Float](B int, act Activation, x []T) int {
	if _, f32 := any(x).([]float32); !f32 || kernelSets[level] == nil || act == Sin || B <= 2*BlockRows {
		return 1
	}
	return (B + BlockRows - 1) / BlockRows
}

// ForwardGrad computes the gradient of a loss L of the network's outputs
// on the batch x (B x In) with respect to all parameters, and writes it
// into grad, block by block as InputGradientGrad does: for each block of
// rows lo..hi-1 in order it computes the block's outputs and calls
// adjoint(out, lo, hi) with out holding them ((hi-lo) x Out); adjoint must
// overwrite out with dL/dOut for those rows before it returns, and may not
// keep it. The block's backward pass follows. With one block the result is
// bit for bit that of Forward, then Backward; with more, the bias
// gradients still are and each weight gradient is the blocks' own products
// summed in block order (see InputGradientGrad). Afterwards ws holds no
// forward pass. It panics if x has the wrong size.
func (m *MLP[T]) ForwardGrad(ws *Workspace[T], x, grad []T, adjoint func(out []T, lo, hi int)) {
	m.check(ws, x, m.In())
	L, in, o := len(ws.zm), m.In(), m.Out()
	m.eachBlock(ws, x, func(lo, hi int, beta T) {
		r := hi - lo
		m.forwardRows(ws, x[lo*in:hi*in], r, false)
		out := ws.out[:r*o]
		m.mulW(ws, out, ws.zm[L-1][:r*m.Sizes[L]], L, r, false, 0)
		adjoint(out, lo, hi)
		m.backwardRows(ws, grad, nil, out, r, beta)
	})
}
