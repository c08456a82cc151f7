package nn

// TangentWorkspace holds the intermediate values of ForwardTangent and
// BackwardTangent for one batch size, one number of tangents and one MLP
// shape, so that repeated passes allocate nothing. It is used by one
// goroutine at a time.
//
// Every buffer stacks the batch and its tangents: R = (k+1) B rows, the
// first B for the values, then B rows per tangent.
type TangentWorkspace[T Float] struct {
	batch, k int
	// xs is R x In: the input X, then the tangents dX_j.
	xs []T
	// zs[l] is R x N_l: Z_l, then the tangents dZ_l,j = S_l (.) dA_l,j.
	zs [][]T
	// as[l] is kB x N_l: the tangents dA_l,j of the pre-activations.
	as [][]T
	// s1[l], s2[l] and acc[l] are B x N_l: s'(A_l), s''(A_l), and scratch
	// for sum_j dA_l,j (.) dZbar_l,j.
	s1, s2, acc [][]T
	// g[l] is R x N_l: the adjoints of Z_l and dZ_l,j, then of A_l and
	// dA_l,j.
	g [][]T
	// out is R x Out: Y, then the dY_j; yb the stacked adjoints; xg is
	// R x In: the adjoints of X and the dX_j.
	out, yb, xg []T
	hasForward  bool
	// gw and gb cache the views of the last gradient slice (see
	// Workspace.gradViews).
	gw, gb [][]T
	gflat  []T
}

// NewTangentWorkspace returns a workspace for ForwardTangent and
// BackwardTangent on batches of exactly batch rows with k tangents per
// row. It panics if batch < 1 or k < 0.
func (m *MLP[T]) NewTangentWorkspace(batch, k int) *TangentWorkspace[T] {
	if batch < 1 || k < 0 {
		panic("nn: tangent workspace needs batch >= 1 and k >= 0")
	}
	r := (k + 1) * batch
	ws := &TangentWorkspace[T]{batch: batch, k: k}
	ws.xs = make([]T, r*m.In())
	ws.xg = make([]T, r*m.In())
	ws.out = make([]T, r*m.Out())
	ws.yb = make([]T, r*m.Out())
	for l := 1; l < len(m.Sizes)-1; l++ {
		n := m.Sizes[l]
		ws.zs = append(ws.zs, make([]T, r*n))
		ws.as = append(ws.as, make([]T, k*batch*n))
		ws.s1 = append(ws.s1, make([]T, batch*n))
		ws.s2 = append(ws.s2, make([]T, batch*n))
		ws.acc = append(ws.acc, make([]T, batch*n))
		ws.g = append(ws.g, make([]T, r*n))
	}
	return ws
}

// Batch returns the number of rows the workspace holds.
func (ws *TangentWorkspace[T]) Batch() int { return ws.batch }

// Tangents returns the number of tangents per row the workspace holds.
func (ws *TangentWorkspace[T]) Tangents() int { return ws.k }

// ForwardTangent computes the network's output Y = f(X) for the batch x
// (B x In) and, for each of the k tangent batches dX_j held in dx (k
// blocks of B x In, tangent j in block j), the directional derivatives
// dY_j = J_f(X) dX_j, row by row: forward-mode differentiation. It
// returns y (B x Out) and dy (k blocks of B x Out), both owned by ws. The
// derivation, and that of BackwardTangent, is in docs/GRADIENTS.md. It
// panics on length mismatches or a workspace made for another shape.
func (m *MLP[T]) ForwardTangent(ws *TangentWorkspace[T], x, dx []T) (y, dy []T) {
	B, k, in := ws.batch, ws.k, m.In()
	if len(x) != B*in || len(dx) != k*B*in {
		panic("nn: ForwardTangent: batch or tangent length mismatch")
	}
	L := len(m.Sizes) - 2
	if len(ws.zs) != L || len(ws.xs) != (k+1)*B*in || len(ws.out) != (k+1)*B*m.Out() {
		panic("nn: tangent workspace made for another network shape")
	}
	r := (k + 1) * B
	copy(ws.xs, x)
	copy(ws.xs[B*in:], dx)
	prev, pw := ws.xs, in
	for l := range L {
		n := m.Sizes[l+1]
		z := ws.zs[l]
		// [A_l - 1 b^T; dA_l,j] = [Z_{l-1}; dZ_{l-1},j] W_l in one product.
		mul(z, prev, m.w[l], r, pw, n, 0)
		copy(ws.as[l], z[B*n:])
		zb := z[:B*n]
		for i := range B {
			row := zb[i*n : (i+1)*n]
			for j, b := range m.b[l] {
				row[j] += b
			}
		}
		activate(m.Act, zb, ws.s1[l], ws.s2[l])
		for j := range k {
			blk := z[(j+1)*B*n : (j+2)*B*n]
			mulTo(blk, blk, ws.s1[l])
		}
		prev, pw = z, n
	}
	o := m.Out()
	mul(ws.out, prev, m.w[L], r, pw, o, 0)
	ws.hasForward = true
	return ws.out[:B*o], ws.out[B*o:]
}

// BackwardTangent propagates ybar = dL/dY (B x Out) and dybar = dL/d(dY)
// (k blocks of B x Out) for the outputs of the last ForwardTangent call on
// ws back through it: it writes the gradient of L with respect to all
// parameters into grad (overwritten) and, unless xbar or dxbar is nil,
// dL/dX (B x In) into xbar and dL/d(dX) (k blocks of B x In) into dxbar.
// It panics on length mismatches or if ForwardTangent has not run on ws.
func (m *MLP[T]) BackwardTangent(ws *TangentWorkspace[T], grad, xbar, dxbar, ybar, dybar []T) {
	B, k, in, o := ws.batch, ws.k, m.In(), m.Out()
	if len(ybar) != B*o || len(dybar) != k*B*o {
		panic("nn: BackwardTangent: output adjoint length mismatch")
	}
	if (xbar != nil && len(xbar) != B*in) || (dxbar != nil && len(dxbar) != k*B*in) {
		panic("nn: BackwardTangent: input adjoint length mismatch")
	}
	if !ws.hasForward {
		panic("nn: BackwardTangent before ForwardTangent")
	}
	gw, gb := ws.gradViews(m, grad)
	L := len(m.Sizes) - 2
	r := (k + 1) * B
	copy(ws.yb, ybar)
	copy(ws.yb[B*o:], dybar)
	nL := m.Sizes[L]
	// dW_o = [Z_L; dZ_L]^T [Ybar; dYbar]; [Zbar_L; dZbar_L] = [Ybar; dYbar] W_o^T.
	mulAT(gw[L], ws.zs[L-1], ws.yb, nL, r, o, 0)
	mulBT(ws.g[L-1], ws.yb, m.w[L], r, o, nL, 0)
	for l := L - 1; l >= 0; l-- {
		n := m.Sizes[l+1]
		g := ws.g[l]
		// Abar = S (.) Zbar + s'' (.) sum_j dA_j (.) dZbar_j, then
		// dAbar_j = S (.) dZbar_j.
		acc := ws.acc[l]
		clear(acc)
		for j := range k {
			mulAddInto(acc, ws.as[l][j*B*n:(j+1)*B*n], g[(j+1)*B*n:(j+2)*B*n])
		}
		mulInto(acc, ws.s2[l])
		zb := g[:B*n]
		mulInto(zb, ws.s1[l])
		for i, v := range acc {
			zb[i] += v
		}
		for j := range k {
			blk := g[(j+1)*B*n : (j+2)*B*n]
			mulInto(blk, ws.s1[l])
		}
		prev, pw := ws.xs, in
		if l > 0 {
			prev, pw = ws.zs[l-1], m.Sizes[l]
		}
		// dW_l = [Z_{l-1}; dZ_{l-1}]^T [Abar_l; dAbar_l], db_l = Abar_l^T 1.
		mulAT(gw[l], prev, g, pw, r, n, 0)
		colSum(gb[l], zb, B, n)
		switch {
		case l > 0:
			mulBT(ws.g[l-1], g, m.w[l], r, n, pw, 0)
		case xbar != nil || dxbar != nil:
			mulBT(ws.xg, g, m.w[0], r, n, in, 0)
			if xbar != nil {
				copy(xbar, ws.xg[:B*in])
			}
			if dxbar != nil {
				copy(dxbar, ws.xg[B*in:])
			}
		}
	}
}

// gradViews returns m.Views(grad), reusing the cached views when grad is
// the slice of the previous call.
func (ws *TangentWorkspace[T]) gradViews(m *MLP[T], grad []T) (w, b [][]T) {
	if len(grad) > 0 && len(ws.gflat) == len(grad) && &ws.gflat[0] == &grad[0] {
		return ws.gw, ws.gb
	}
	ws.gw, ws.gb = m.Views(grad)
	ws.gflat = grad
	return ws.gw, ws.gb
}
