package nn

// InputHessianVec computes, for a network with a scalar output H and every
// row b of the batch x of the last InputGradient call on ws, the
// Hessian-vector product Hess_x H(x_b) u_b, and writes it into row b of dst
// (B x In). u is B x In. Equivalently, dst is the input gradient dL/dX of
// any loss L whose gradient with respect to G = grad_x H is u: the Hessian is
// symmetric, so (dG/dx)^T u = Hess u. The derivation is in
// docs/GRADIENTS.md.
//
// ws must have been made with second set, and no Forward call may come
// between InputGradient and InputHessianVec. The call leaves what
// InputGradient stored intact, so it may be repeated with other u, and
// BackwardInputGradient may follow it. It panics on length mismatches or if
// ws was not made with second set.
func (m *MLP[T]) InputHessianVec(ws *Workspace[T], dst, u []T) {
	if dst == nil {
		panic("nn: InputHessianVec needs a destination")
	}
	m.InputGradientVJP(ws, nil, dst, u)
}

// InputGradientVJP propagates p = dL/dG (B x In), where G is the input
// gradient returned by the last InputGradient call on ws, back through the
// input-gradient pass. If grad is not nil it writes the parameter gradient
// into it, exactly as BackwardInputGradient does; if dx is not nil it writes
// the input gradient dL/dX (B x In), whose row b is Hess_x H(x_b) p_b. With
// both, one pass computes both for the price of BackwardInputGradient and
// one thin B x N_1 x In product; with grad nil, the weight-gradient products
// are skipped (InputHessianVec). ws must have been made with second set, and
// no Forward call may come between InputGradient and InputGradientVJP. It
// panics on length mismatches or if ws was not made with second set.
func (m *MLP[T]) InputGradientVJP(ws *Workspace[T], grad, dx, p []T) {
	if !ws.second {
		panic("nn: InputGradientVJP needs a workspace made with second set")
	}
	if m.Out() != 1 {
		panic("nn: InputGradientVJP needs a scalar output")
	}
	B, in, n1 := ws.batch, m.In(), m.Sizes[1]
	if len(p) != B*in {
		panic("nn: input-gradient adjoint length mismatch")
	}
	if dx != nil && len(dx) != B*in {
		panic("nn: input gradient length mismatch")
	}
	if !ws.hasForward {
		panic("nn: InputGradientVJP before InputGradient")
	}
	switch {
	case grad != nil:
		// BackwardInputGradient leaves Abar_1 = dL/dA_1 in ws.da[0][:B*N_1].
		m.BackwardInputGradient(ws, grad, p)
	case dx != nil:
		m.inputGradientAdjoint(ws, p)
	default:
		return
	}
	if dx != nil {
		// X enters the graph only through A_1 = X W_1 + 1 b_1^T.
		mulBT(dx, ws.da[0][:B*n1], m.w[0], B, n1, in, 0)
	}
}

// inputGradientAdjoint runs the backward pass of BackwardInputGradient
// without the parameter gradient: it leaves Abar_k = dL/dA_k in
// ws.da[k-1][:B*N_k] for every layer, given p = dL/dG.
func (m *MLP[T]) inputGradientAdjoint(ws *Workspace[T], p []T) {
	B, L, in := ws.batch, len(ws.zm), m.In()
	// Pi_1 = P W_1.
	mul(ws.pi[0], p, m.w[0], B, in, m.Sizes[1], 0)
	for k := 0; k < L; k++ {
		n := m.Sizes[k+1]
		pi := ws.pi[k]
		s1, s2, u := ws.s1[k][:len(pi)], ws.s2[k][:len(pi)], ws.u[k][:len(pi)]
		ek := ws.da[k][:len(pi)] // E_k, later Abar_k
		if k == L-1 {
			// M_L only feeds dw_o, which is not wanted here.
			secondOrderTerms(nil, ek, pi, s1, u, s2)
			break
		}
		mk := ws.zm[k][B*n : B*n+len(pi)]
		secondOrderTerms(mk, ek, pi, s1, u, s2)
		// Pi_{k+1} = M_k W_{k+1}.
		mul(ws.pi[k+1], mk, m.w[k+1], B, n, m.Sizes[k+2], 0)
	}
	// Abar_L = E_L; Abar_{k-1} = E_{k-1} + (Abar_k W_k^T) (.) S_{k-1}.
	for k := L - 1; k > 0; k-- {
		n, pn := m.Sizes[k+1], m.Sizes[k]
		t := ws.tmp[k-1][:B*pn]
		mulBT(t, ws.da[k][:B*n], m.w[k], B, n, pn, 0)
		mulAddInto(ws.da[k-1][:len(t)], t, ws.s1[k-1])
	}
}
