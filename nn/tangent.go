package nn

// JetWorkspace holds the intermediate values of ForwardJet and BackwardJet
// for one batch size, one set of tangents and second-order pairs, and one
// MLP shape, so that repeated passes allocate nothing. It is used by one
// goroutine at a time.
//
// Every buffer stacks the batch, its k tangents and its P pairs: R =
// (1+k+P) B rows, the first B for the values, then B rows per tangent,
// then B rows per pair.
type JetWorkspace[T Float] struct {
	batch, k int
	pairs    [][2]int
	// xs is R x In: the input X, the tangents dX_a, zero for the pairs.
	xs []T
	// zs[l] is R x N_l: Z_l, the tangents dZ_l,a, the second derivatives
	// ddZ_l,p.
	zs [][]T
	// as[l] is (k+P) B x N_l: dA_l,a and ddA_l,p of the pre-activations.
	as [][]T
	// s1, s2, s3 (B x N_l) are s', s'', s''' at A_l (s3 only with pairs);
	// acc is scratch (B x N_l) and tmp (k B x N_l).
	s1, s2, s3, acc, tmp [][]T
	// g[l] is R x N_l: the adjoints of Z_l, dZ_l,a and ddZ_l,p, then of
	// the pre-activations.
	g [][]T
	// out is R x Out (Y, dY_a, ddY_p), yb the stacked output adjoints, xg
	// R x In the input adjoints.
	out, yb, xg []T
	hasForward  bool
	// gw and gb cache the views of the last gradient slice (see
	// Workspace.gradViews).
	gw, gb [][]T
	gflat  []T
}

// NewJetWorkspace returns a workspace for ForwardJet and BackwardJet on
// batches of exactly batch rows with k tangents per row and the second
// derivatives along the given pairs of tangents (indices below k; a pair
// (a, a) is the second derivative along tangent a). It panics if batch < 1,
// k < 0 or a pair is out of range.
func (m *MLP[T]) NewJetWorkspace(batch, k int, pairs [][2]int) *JetWorkspace[T] {
	if batch < 1 || k < 0 {
		panic("nn: jet workspace needs batch >= 1 and k >= 0")
	}
	for _, p := range pairs {
		if p[0] < 0 || p[0] >= k || p[1] < 0 || p[1] >= k {
			panic("nn: jet pair out of range")
		}
	}
	np := len(pairs)
	r := (1 + k + np) * batch
	ws := &JetWorkspace[T]{batch: batch, k: k, pairs: append([][2]int(nil), pairs...)}
	ws.xs = make([]T, r*m.In())
	ws.xg = make([]T, r*m.In())
	ws.out = make([]T, r*m.Out())
	ws.yb = make([]T, r*m.Out())
	for l := 1; l < len(m.Sizes)-1; l++ {
		n := m.Sizes[l]
		ws.zs = append(ws.zs, make([]T, r*n))
		ws.as = append(ws.as, make([]T, (k+np)*batch*n))
		ws.s1 = append(ws.s1, make([]T, batch*n))
		ws.s2 = append(ws.s2, make([]T, batch*n))
		if np > 0 {
			ws.s3 = append(ws.s3, make([]T, batch*n))
		}
		ws.acc = append(ws.acc, make([]T, batch*n))
		ws.tmp = append(ws.tmp, make([]T, k*batch*n))
		ws.g = append(ws.g, make([]T, r*n))
	}
	return ws
}

// Batch returns the number of rows the workspace holds.
func (ws *JetWorkspace[T]) Batch() int { return ws.batch }

// ForwardJet computes the network's output Y = f(X) for the batch x (B x
// In), for each of the k tangent batches dX_a in dx (k blocks of B x In)
// the directional derivatives dY_a = J_f(X) dX_a, and for each pair
// p = (a, b) of the workspace the second directional derivatives
// ddY_p = D2f(X)[dX_a, dX_b], row by row: forward-mode differentiation to
// second order, for an input whose second derivatives along the pairs are
// zero (an input linear in each direction of a pair). It returns y (B x
// Out), dy (k blocks) and ddy (P blocks of B x Out), owned by ws. The
// derivation, and that of BackwardJet, is in docs/GRADIENTS.md. It panics
// on length mismatches or a workspace made for another shape.
func (m *MLP[T]) ForwardJet(ws *JetWorkspace[T], x, dx []T) (y, dy, ddy []T) {
	B, k, np, in := ws.batch, ws.k, len(ws.pairs), m.In()
	if len(x) != B*in || len(dx) != k*B*in {
		panic("nn: ForwardJet: batch or tangent length mismatch")
	}
	L := len(m.Sizes) - 2
	if len(ws.zs) != L || len(ws.xs) != (1+k+np)*B*in || len(ws.out) != (1+k+np)*B*m.Out() {
		panic("nn: jet workspace made for another network shape")
	}
	r := (1 + k + np) * B
	copy(ws.xs, x)
	copy(ws.xs[B*in:], dx)
	prev, pw := ws.xs, in
	for l := range L {
		n := m.Sizes[l+1]
		z := ws.zs[l]
		// [A_l - 1 b^T; dA_l,a; ddA_l,p] = [Z; dZ; ddZ]_{l-1} W_l.
		mul(z, prev, m.w[l], r, pw, n, 0)
		copy(ws.as[l], z[B*n:])
		zb := z[:B*n]
		for i := range B {
			row := zb[i*n : (i+1)*n]
			for j, b := range m.b[l] {
				row[j] += b
			}
		}
		s1, s2 := ws.s1[l], ws.s2[l]
		activate(m.Act, zb, s1, s2)
		if np > 0 {
			thirdDerivative(m.Act, ws.s3[l], zb, s1, s2)
		}
		da := func(a int) []T { return ws.as[l][a*B*n : (a+1)*B*n] }
		for a := range k {
			blk := z[(1+a)*B*n : (2+a)*B*n]
			mulTo(blk, da(a), s1)
		}
		// ddZ_p = s'' (.) dA_a (.) dA_b + s' (.) ddA_p.
		for p, ab := range ws.pairs {
			blk := z[(1+k+p)*B*n : (2+k+p)*B*n]
			mulTo(blk, da(k+p), s1)
			acc := ws.acc[l]
			mulTo(acc, da(ab[0]), da(ab[1]))
			mulAddInto(blk, acc, s2)
		}
		prev, pw = z, n
	}
	o := m.Out()
	mul(ws.out, prev, m.w[L], r, pw, o, 0)
	ws.hasForward = true
	return ws.out[:B*o], ws.out[B*o : (1+k)*B*o], ws.out[(1+k)*B*o:]
}

// BackwardJet propagates ybar = dL/dY (B x Out), dybar = dL/d(dY) (k
// blocks) and ddybar = dL/d(ddY) (P blocks) for the outputs of the last
// ForwardJet call on ws back through it: it writes the gradient of L with
// respect to all parameters into grad (overwritten) and, unless xbar or
// dxbar is nil, dL/dX (B x In) into xbar and dL/d(dX) (k blocks of B x In)
// into dxbar. It panics on length mismatches or if ForwardJet has not run
// on ws.
func (m *MLP[T]) BackwardJet(ws *JetWorkspace[T], grad, xbar, dxbar, ybar, dybar, ddybar []T) {
	B, k, np, in, o := ws.batch, ws.k, len(ws.pairs), m.In(), m.Out()
	if len(ybar) != B*o || len(dybar) != k*B*o || len(ddybar) != np*B*o {
		panic("nn: BackwardJet: output adjoint length mismatch")
	}
	if (xbar != nil && len(xbar) != B*in) || (dxbar != nil && len(dxbar) != k*B*in) {
		panic("nn: BackwardJet: input adjoint length mismatch")
	}
	if !ws.hasForward {
		panic("nn: BackwardJet before ForwardJet")
	}
	gw, gb := ws.gradViews(m, grad)
	L := len(m.Sizes) - 2
	r := (1 + k + np) * B
	copy(ws.yb, ybar)
	copy(ws.yb[B*o:], dybar)
	copy(ws.yb[(1+k)*B*o:], ddybar)
	nL := m.Sizes[L]
	// dW_o = [Z; dZ; ddZ]_L^T [Ybar; dYbar; ddYbar]; the adjoints of
	// [Z; dZ; ddZ]_L are [Ybar; dYbar; ddYbar] W_o^T.
	mulAT(gw[L], ws.zs[L-1], ws.yb, nL, r, o, 0)
	mulBT(ws.g[L-1], ws.yb, m.w[L], r, o, nL, 0)
	for l := L - 1; l >= 0; l-- {
		n := m.Sizes[l+1]
		g := ws.g[l]
		s1, s2, acc, tmp := ws.s1[l], ws.s2[l], ws.acc[l], ws.tmp[l]
		blk := func(i int) []T { return g[i*B*n : (i+1)*B*n] }
		da := func(a int) []T { return ws.as[l][a*B*n : (a+1)*B*n] }
		// Abar = s' Zbar + s'' sum_a dA_a dZbar_a
		//        + sum_p (s''' dA_a dA_b + s'' ddA_p) ddZbar_p.
		ab := blk(0)
		mulInto(ab, s1)
		clear(acc)
		for a := range k {
			mulAddInto(acc, da(a), blk(1+a))
		}
		for p := range ws.pairs {
			mulAddInto(acc, da(k+p), blk(1+k+p))
		}
		mulAddInto(ab, acc, s2)
		if np > 0 {
			s3 := ws.s3[l]
			for p, pr := range ws.pairs {
				mulTo(acc, da(pr[0]), da(pr[1]))
				mulInto(acc, blk(1+k+p))
				mulAddInto(ab, acc, s3)
			}
		}
		// dAbar_a = s' dZbar_a + s'' sum over the pairs (a, b) and (b, a)
		// of dA_b ddZbar_p (twice for (a, a)).
		for a := range k {
			t := tmp[a*B*n : (a+1)*B*n]
			mulTo(t, blk(1+a), s1)
		}
		for p, pr := range ws.pairs {
			for side, a := range pr {
				other := pr[1-side]
				t := tmp[a*B*n : (a+1)*B*n]
				mulTo(acc, da(other), blk(1+k+p))
				mulAddInto(t, acc, s2)
			}
		}
		copy(g[B*n:(1+k)*B*n], tmp)
		// ddAbar_p = s' ddZbar_p.
		for p := range ws.pairs {
			mulInto(blk(1+k+p), s1)
		}
		prev, pw := ws.xs, in
		if l > 0 {
			prev, pw = ws.zs[l-1], m.Sizes[l]
		}
		// dW_l = [Z; dZ; ddZ]_{l-1}^T [Abar; dAbar; ddAbar]_l, db_l = Abar_l^T 1.
		mulAT(gw[l], prev, g, pw, r, n, 0)
		colSum(gb[l], ab, B, n)
		switch {
		case l > 0:
			mulBT(ws.g[l-1], g, m.w[l], r, n, pw, 0)
		case xbar != nil || dxbar != nil:
			// The pairs' input adjoints are not wanted: their inputs are
			// zero by assumption.
			mulBT(ws.xg[:(1+k)*B*in], g[:(1+k)*B*n], m.w[0], (1+k)*B, n, in, 0)
			if xbar != nil {
				copy(xbar, ws.xg[:B*in])
			}
			if dxbar != nil {
				copy(dxbar, ws.xg[B*in:(1+k)*B*in])
			}
		}
	}
}

// thirdDerivative writes the third derivative of act at A into s3, from
// the activated values z = s(A) and the first and second derivatives s1
// and s2 at A.
func thirdDerivative[T Float](act Activation, s3, z, s1, s2 []T) {
	s3 = s3[:len(z)]
	for i, v := range z {
		switch act {
		case Tanh: // s' = 1 - t^2, s'' = -2 t s', s''' = s' (6 t^2 - 2)
			s3[i] = s1[i] * (6*v*v - 2)
		case Softplus: // s' = sigma, s'' = sigma (1 - sigma)
			s3[i] = s2[i] * (1 - 2*s1[i])
		case Sigmoid: // s'' = s' (1 - 2 sigma)
			s3[i] = s2[i]*(1-2*v) - 2*s1[i]*s1[i]
		case Sin:
			s3[i] = -s1[i]
		default:
			s3[i] = 0
		}
	}
}

// gradViews returns m.Views(grad), reusing the cached views when grad is
// the slice of the previous call.
func (ws *JetWorkspace[T]) gradViews(m *MLP[T], grad []T) (w, b [][]T) {
	if len(grad) > 0 && len(ws.gflat) == len(grad) && &ws.gflat[0] == &grad[0] {
		return ws.gw, ws.gb
	}
	ws.gw, ws.gb = m.Views(grad)
	ws.gflat = grad
	return ws.gw, ws.gb
}

// TangentWorkspace holds what ForwardTangent and BackwardTangent need: a
// JetWorkspace without second-order pairs.
type TangentWorkspace[T Float] struct{ j *JetWorkspace[T] }

// NewTangentWorkspace returns a workspace for ForwardTangent and
// BackwardTangent on batches of exactly batch rows with k tangents per
// row. It panics if batch < 1 or k < 0.
func (m *MLP[T]) NewTangentWorkspace(batch, k int) *TangentWorkspace[T] {
	return &TangentWorkspace[T]{m.NewJetWorkspace(batch, k, nil)}
}

// Batch returns the number of rows the workspace holds.
func (ws *TangentWorkspace[T]) Batch() int { return ws.j.batch }

// Tangents returns the number of tangents per row the workspace holds.
func (ws *TangentWorkspace[T]) Tangents() int { return ws.j.k }

// ForwardTangent computes the network's output Y = f(X) for the batch x
// (B x In) and, for each of the k tangent batches dX_j held in dx (k
// blocks of B x In, tangent j in block j), the directional derivatives
// dY_j = J_f(X) dX_j, row by row: ForwardJet without pairs. It returns y
// (B x Out) and dy (k blocks of B x Out), both owned by ws. It panics on
// length mismatches or a workspace made for another shape.
func (m *MLP[T]) ForwardTangent(ws *TangentWorkspace[T], x, dx []T) (y, dy []T) {
	y, dy, _ = m.ForwardJet(ws.j, x, dx)
	return y, dy
}

// BackwardTangent propagates ybar = dL/dY (B x Out) and dybar = dL/d(dY)
// (k blocks of B x Out) for the outputs of the last ForwardTangent call on
// ws back through it: it writes the gradient of L with respect to all
// parameters into grad (overwritten) and, unless xbar or dxbar is nil,
// dL/dX (B x In) into xbar and dL/d(dX) (k blocks of B x In) into dxbar.
// It panics on length mismatches or if ForwardTangent has not run on ws.
func (m *MLP[T]) BackwardTangent(ws *TangentWorkspace[T], grad, xbar, dxbar, ybar, dybar []T) {
	m.BackwardJet(ws.j, grad, xbar, dxbar, ybar, dybar, nil)
}
