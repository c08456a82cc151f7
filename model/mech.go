package model

import (
	"math"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/internal/spd"
	"github.com/hnn-go/hnn/nn"
)

// This file holds what the mechanical kinds share, symoden and delan: a
// state (q, s, u) of n positions, n velocities or momenta and m inputs; a
// network of the positions with its derivatives along each of them
// (posNet); and the field of a mass-matrix model whose matrix network
// gives A(q) = L(q) L(q)^T + eps I, A = M^-1 (symoden) or A = M (delan).
// The derivations are in docs/GRADIENTS.md.

// mechLayouts accepts every layout: positions with velocities or momenta,
// inputs and angles. It is Kind.Layouts of the mechanical kinds.
func mechLayouts(data.Layout) error { return nil }

// embedWidth returns the width of the network input of the positions of
// l: n, plus one for every angle, seen as (cos q, sin q).
func embedWidth(l data.Layout) int { return l.Positions + len(l.Angles) }

// cholLen returns n (n+1) / 2, the length of a lower triangle of n x n.
func cholLen(n int) int { return n * (n + 1) / 2 }

// posNet is a network of the n positions q of a state, seen through the
// embedding of its layout (an angle as (cos q, sin q)). With tangents set
// it is evaluated with its derivatives along every position: tangent i is
// d/dq_i.
type posNet[T nn.Float] struct {
	net      *nn.MLP[T]
	n        int
	angle    []bool
	slot     []int // first input column of each position
	tangents bool
}

func newPosNet[T nn.Float](net *nn.MLP[T], l data.Layout, tangents bool) *posNet[T] {
	p := &posNet[T]{net: net, n: l.Positions, angle: make([]bool, l.Positions), slot: make([]int, l.Positions), tangents: tangents}
	k := 0
	for i := range p.n {
		p.slot[i] = k
		p.angle[i] = l.Angle(i)
		k++
		if p.angle[i] {
			k++
		}
	}
	if k != net.In() {
		panic("model: position network input width mismatch")
	}
	return p
}

// posNetWS evaluates a posNet on batches of a fixed size.
type posNetWS[T nn.Float] struct {
	p      *posNet[T]
	ws     *nn.TangentWorkspace[T]
	k      int
	q      []T // B x n, the positions of the last batch
	x, dx  []T // B x E and k blocks of B x E
	xb, dt []T // their adjoints
}

func (p *posNet[T]) newWS(batch int) *posNetWS[T] {
	k := 0
	if p.tangents {
		k = p.n
	}
	e := p.net.In()
	w := &posNetWS[T]{
		p: p, ws: p.net.NewTangentWorkspace(batch, k), k: k,
		q: make([]T, batch*p.n), x: make([]T, batch*e), dx: make([]T, k*batch*e),
		xb: make([]T, batch*e), dt: make([]T, k*batch*e),
	}
	// Tangent i of a plain position is the unit vector of its column.
	for i := range k {
		if !p.angle[i] {
			for b := range batch {
				w.dx[(i*batch+b)*e+p.slot[i]] = 1
			}
		}
	}
	return w
}

// eval returns the network's output y (B x Out) at the positions q (B x
// n) and, with tangents, its derivatives dy (n blocks of B x Out, block i
// d/dq_i), both owned by the workspace.
func (w *posNetWS[T]) eval(q []T) (y, dy []T) {
	p, n, e := w.p, w.p.n, w.p.net.In()
	B := w.ws.Batch()
	copy(w.q, q)
	for b := range B {
		qb, xb := q[b*n:(b+1)*n], w.x[b*e:(b+1)*e]
		for i, v := range qb {
			j := p.slot[i]
			if !p.angle[i] {
				xb[j] = v
				continue
			}
			s, c := math.Sincos(float64(v))
			xb[j], xb[j+1] = T(c), T(s)
			if i < w.k {
				d := w.dx[(i*B+b)*e+j:]
				d[0], d[1] = T(-s), T(c)
			}
		}
	}
	return p.net.ForwardTangent(w.ws, w.x, w.dx)
}

// backward propagates ybar = dL/dy and dybar = dL/d(dy) for the last eval
// back: it writes the network's parameter gradient into grad and, unless
// qbar is nil, adds dL/dq into qbar (B x n).
func (w *posNetWS[T]) backward(grad, qbar, ybar, dybar []T) {
	if qbar == nil {
		w.p.net.BackwardTangent(w.ws, grad, nil, nil, ybar, dybar)
		return
	}
	w.p.net.BackwardTangent(w.ws, grad, w.xb, w.dt, ybar, dybar)
	p, n, e := w.p, w.p.n, w.p.net.In()
	B := w.ws.Batch()
	for b := range B {
		qb, xb, gb := w.q[b*n:(b+1)*n], w.xb[b*e:(b+1)*e], qbar[b*n:(b+1)*n]
		for i, v := range qb {
			j := p.slot[i]
			if !p.angle[i] {
				gb[i] += xb[j]
				continue
			}
			s, c := math.Sincos(float64(v))
			g := -T(s)*xb[j] + T(c)*xb[j+1]
			if i < w.k {
				// Tangent i is (-sin q_i, cos q_i) in the columns of q_i.
				d := w.dt[(i*B+b)*e+j:]
				g += -T(c)*d[0] - T(s)*d[1]
			}
			gb[i] += g
		}
	}
}

// mech is a mass-matrix model: networks of the positions give the lower
// triangle of L(q), whose diagonal is the softplus of the network's
// outputs, a potential V(q) and, with inputs, the n x m input matrix
// g(q). With A = L L^T + eps I, A is M^-1 (inv, symoden) or M (delan).
type mech[T nn.Float] struct {
	base[T]
	inv        bool
	eps        T
	l          data.Layout
	n, m       int
	ch, pot, g *posNet[T]
}

// mechParts returns the parts of a mechanical model of c: the matrix
// network named mat, the potential "V" and, with inputs, "g".
func mechParts(c Config, mat string) []Part {
	l := c.StateLayout()
	n, e := l.Positions, embedWidth(l)
	p := []Part{Net(c, mat, e, cholLen(n)), Net(c, "V", e, 1)}
	if l.Inputs > 0 {
		p = append(p, Net(c, "g", e, n*l.Inputs))
	}
	return p
}

// mechFLOPs returns the FLOP model of a mechanical model of c: every
// network evaluated with its n tangents (the input matrix without), each
// pass costing about a forward pass per tangent and the backward pass
// twice the forward.
func mechFLOPs(mat string) func(Config) float64 {
	return func(c Config) float64 {
		n := float64(c.StateLayout().Positions)
		f := 0.0
		for i, p := range mechParts(c, mat) {
			k := n + 1
			if i == 2 {
				k = 1
			}
			s := p.Sizes
			var fwd float64
			for j := 0; j+1 < len(s); j++ {
				fwd += 2 * float64(s[j]) * float64(s[j+1])
			}
			f += 3 * k * fwd
		}
		return f
	}
}

func newMech[T nn.Float](c Config, p Pieces[T], inv bool, eps float64) *mech[T] {
	l := c.StateLayout()
	m := &mech[T]{base: base[T]{c, p.Params}, inv: inv, eps: T(eps), l: l, n: l.Positions, m: l.Inputs}
	m.ch = newPosNet(p.Nets[0], l, true)
	m.pot = newPosNet(p.Nets[1], l, true)
	if m.m > 0 {
		m.g = newPosNet(p.Nets[2], l, false)
	}
	return m
}

// NewWorkspace returns a workspace for batches of batch rows; it
// implements Energy.
func (m *mech[T]) NewWorkspace(batch int, train bool) Workspace[T] {
	n, nn2, mm := m.n, m.n*m.n, m.m
	nl := cholLen(n)
	w := &mechWS[T]{
		m: m, batch: batch, wc: m.ch.newWS(batch), wv: m.pot.newWS(batch),
		q: make([]T, batch*n), s: make([]T, batch*n), u: make([]T, batch*mm),
		lm: make([]T, batch*nn2), dl: make([]T, batch*n*nn2), a: make([]T, batch*nn2), da: make([]T, batch*n*nn2),
		c: make([]T, batch*nn2), p: make([]T, batch*n), v: make([]T, batch*n), fv: make([]T, batch*n), acc: make([]T, batch*n),
		ad: make([]T, nn2), t1: make([]T, n), t2: make([]T, n),
		f: make([]T, batch*m.cfg.Dim),
	}
	if m.g != nil {
		w.wg = m.g.newWS(batch)
	}
	if train {
		w.ellb, w.dellb = make([]T, batch*nl), make([]T, n*batch*nl)
		w.vyb, w.dvb = make([]T, batch), make([]T, n*batch)
		w.gb, w.qb = make([]T, batch*n*mm), make([]T, batch*n)
		w.abar, w.dabar, w.lbar, w.dlbar = make([]T, nn2), make([]T, n*nn2), make([]T, nn2), make([]T, n*nn2)
		w.ebar, w.vbar, w.pbar, w.fbar, w.y = make([]T, nn2), make([]T, n), make([]T, n), make([]T, n), make([]T, n)
	}
	return w
}

// mechWS is the Workspace of a mechanical model.
type mechWS[T nn.Float] struct {
	m          *mech[T]
	batch      int
	wc, wv, wg *posNetWS[T]
	// q, s and u are the columns of the last batch (B x n, B x n, B x m).
	q, s, u []T
	// ell, dell, vy, dv and gm are the networks' outputs: the Cholesky
	// entries and their derivatives (n blocks), V, its derivatives (n
	// blocks of B), the input matrices (B x n m).
	ell, dell, vy, dv, gm []T
	// Per row: L, dL/dq_i (n of them), A, dA/dq_i, the Cholesky factor of
	// A (n x n each), and p, v, F (the rate of change of the momenta) and
	// the acceleration (n each).
	lm, dl, a, da, c []T
	p, v, fv, acc    []T
	// ad is Adot of one row; t1 and t2 are scratch vectors (n).
	ad, t1, t2 []T
	// f is the field, then dL/df.
	f []T
	// The adjoints (training only): of the networks' outputs, of the
	// positions, and per row of A, dA_i, L, dL_i, A + A^T, v, p, F and a
	// solve.
	ellb, dellb, vyb, dvb, gb, qb []T
	abar, dabar, lbar, dlbar      []T
	ebar, vbar, pbar, fbar, y     []T
}

// Batch returns the number of rows the workspace holds.
func (w *mechWS[T]) Batch() int { return w.batch }

func softplus(x float64) float64 { return math.Max(x, 0) + math.Log1p(math.Exp(-math.Abs(x))) }

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// split gathers the columns of the rows of x into w.q, w.s and w.u.
func (w *mechWS[T]) split(x []T) {
	n, mm, d := w.m.n, w.m.m, w.m.cfg.Dim
	checkLen("batch", len(x), w.batch*d)
	for b := range w.batch {
		r := x[b*d : (b+1)*d]
		copy(w.q[b*n:(b+1)*n], r[:n])
		copy(w.s[b*n:(b+1)*n], r[n:2*n])
		copy(w.u[b*mm:(b+1)*mm], r[2*n:])
	}
}

// Field writes (q-dot, the acceleration or dp/dt, 0) at each row of x into
// dst. It panics on length mismatch.
func (w *mechWS[T]) Field(dst, x []T) {
	checkLen("field destination", len(dst), len(x))
	m := w.m
	w.split(x)
	w.ell, w.dell = w.wc.eval(w.q)
	w.vy, w.dv = w.wv.eval(w.q)
	if w.wg != nil {
		w.gm, _ = w.wg.eval(w.q)
	}
	n, d := m.n, m.cfg.Dim
	for b := range w.batch {
		w.row(b)
		r := dst[b*d : (b+1)*d]
		copy(r[:n], w.v[b*n:(b+1)*n])
		if m.l.Velocities {
			copy(r[n:2*n], w.acc[b*n:(b+1)*n])
		} else {
			copy(r[n:2*n], w.fv[b*n:(b+1)*n])
		}
		clear(r[2*n:])
	}
}

// row computes the field's quantities of row b from the networks' outputs.
func (w *mechWS[T]) row(b int) {
	m := w.m
	n, nn2, mm, B := m.n, m.n*m.n, m.m, w.batch
	nl := cholLen(n)
	ell := w.ell[b*nl : (b+1)*nl]
	L := w.lm[b*nn2 : (b+1)*nn2]
	A, C := w.a[b*nn2:(b+1)*nn2], w.c[b*nn2:(b+1)*nn2]
	for j := range n {
		for k := 0; k <= j; k++ {
			v := ell[j*(j+1)/2+k]
			if j == k {
				v = T(softplus(float64(v)))
			}
			L[j*n+k] = v
		}
	}
	// A = L L^T + eps I.
	mulABT(A, L, L, n)
	for j := range n {
		A[j*n+j] += m.eps
	}
	for i := range n {
		dl := w.dell[(i*B+b)*nl : (i*B+b+1)*nl]
		dL := w.dl[(b*n+i)*nn2 : (b*n+i+1)*nn2]
		for j := range n {
			for k := 0; k <= j; k++ {
				v := dl[j*(j+1)/2+k]
				if j == k {
					v *= T(sigmoid(float64(ell[j*(j+1)/2+k])))
				}
				dL[j*n+k] = v
			}
		}
		// dA_i = dL_i L^T + L dL_i^T.
		dA := w.da[(b*n+i)*nn2 : (b*n+i+1)*nn2]
		mulABT(dA, dL, L, n)
		symmetrise(dA, n)
	}
	spd.Factor(C, A, n) // a = L L^T + eps I: a clamped pivot is rounding
	s, p, v := w.s[b*n:(b+1)*n], w.p[b*n:(b+1)*n], w.v[b*n:(b+1)*n]
	switch {
	case m.inv && !m.l.Velocities: // v = M^-1 p = A p
		copy(p, s)
		mulMV(v, A, p, n)
	case m.inv: // p = M v = A^-1 v
		copy(v, s)
		spd.Solve(p, C, v, n)
	case !m.l.Velocities: // v = M^-1 p = A^-1 p
		copy(p, s)
		spd.Solve(v, C, p, n)
	default: // p = M v = A v
		copy(v, s)
		mulMV(p, A, v, n)
	}
	// F_i = kappa_i - dV/dq_i + (g u)_i, kappa_i = -p^T dA_i p / 2 (A =
	// M^-1) or v^T dA_i v / 2 (A = M).
	F := w.fv[b*n : (b+1)*n]
	for i := range n {
		dA := w.da[(b*n+i)*nn2 : (b*n+i+1)*nn2]
		var kappa T
		if m.inv {
			kappa = -quad(dA, p, n) / 2
		} else {
			kappa = quad(dA, v, n) / 2
		}
		F[i] = kappa - w.dv[i*B+b]
		if mm > 0 {
			gr, ub := w.gm[(b*n+i)*mm:(b*n+i+1)*mm], w.u[b*mm:(b+1)*mm]
			for k, g := range gr {
				F[i] += g * ub[k]
			}
		}
	}
	if !m.l.Velocities {
		return
	}
	// Adot = sum_i v_i dA_i.
	clear(w.ad)
	for i := range n {
		dA := w.da[(b*n+i)*nn2 : (b*n+i+1)*nn2]
		for j, x := range dA {
			w.ad[j] += v[i] * x
		}
	}
	acc := w.acc[b*n : (b+1)*n]
	if m.inv {
		// a = A F + Adot p.
		mulMV(acc, A, F, n)
		mulMV(w.t1, w.ad, p, n)
		for j := range acc {
			acc[j] += w.t1[j]
		}
		return
	}
	// a = A^-1 (F - Adot v).
	mulMV(w.t1, w.ad, v, n)
	for j := range n {
		w.t1[j] = F[j] - w.t1[j]
	}
	spd.Solve(acc, C, w.t1, n)
}

// FieldVJP propagates u = dL/df back through the field of the last Field
// call: the networks' parameter gradients in the order of the parts and,
// unless dx is nil, dL/dx.
func (w *mechWS[T]) FieldVJP(grad, dx, u []T) {
	checkTrain(w.ellb)
	m := w.m
	checkLen("gradient", len(grad), len(m.params))
	checkLen("field adjoint", len(u), len(w.f))
	n, d := m.n, m.cfg.Dim
	var qb []T
	if dx != nil {
		checkLen("input gradient", len(dx), len(w.f))
		qb = w.qb
		clear(qb)
	}
	for b := range w.batch {
		w.rowBack(b, u[b*d:(b+1)*d], dx)
	}
	nc, nv := len(m.ch.net.Params), len(m.pot.net.Params)
	w.wc.backward(grad[:nc], qb, w.ellb, w.dellb)
	w.wv.backward(grad[nc:nc+nv], qb, w.vyb, w.dvb)
	if w.wg != nil {
		w.wg.backward(grad[nc+nv:], qb, w.gb, nil)
	}
	if dx == nil {
		return
	}
	for b := range w.batch {
		copy(dx[b*d:b*d+n], qb[b*n:(b+1)*n])
	}
}

// rowBack propagates the adjoint ub of row b's field back to the
// networks' outputs (into w.ellb, w.dellb, w.dvb, w.gb) and, unless dx is
// nil, to the row's velocities or momenta and inputs (into dx).
func (w *mechWS[T]) rowBack(b int, ub, dx []T) {
	m := w.m
	n, nn2, mm, B, d := m.n, m.n*m.n, m.m, w.batch, m.cfg.Dim
	nl := cholLen(n)
	A, C := w.a[b*nn2:(b+1)*nn2], w.c[b*nn2:(b+1)*nn2]
	p, v, F := w.p[b*n:(b+1)*n], w.v[b*n:(b+1)*n], w.fv[b*n:(b+1)*n]
	dA := func(i int) []T { return w.da[(b*n+i)*nn2 : (b*n+i+1)*nn2] }
	abar, dabar, vbar, pbar, fbar, y := w.abar, w.dabar, w.vbar, w.pbar, w.fbar, w.y
	clear(abar)
	clear(dabar)
	clear(pbar)
	copy(vbar, ub[:n])
	wbar := ub[n : 2*n]
	switch {
	case !m.l.Velocities:
		copy(fbar, wbar)
	case m.inv:
		// a = A F + Adot p.
		clear(w.ad)
		for i := range n {
			for j, x := range dA(i) {
				w.ad[j] += v[i] * x
			}
		}
		addOuter(abar, 1, wbar, F, n)
		mulMV(fbar, A, wbar, n)
		mulMV(w.t1, w.ad, wbar, n)
		for j := range n {
			pbar[j] += w.t1[j]
		}
		// Adotbar = wbar p^T: dA_i gets v_i of it, v_i its product with dA_i.
		for i := range n {
			addOuter(dabar[i*nn2:(i+1)*nn2], v[i], wbar, p, n)
			vbar[i] += bilinear(dA(i), wbar, p, n)
		}
	default:
		// a = A^-1 (F - Adot v).
		acc := w.acc[b*n : (b+1)*n]
		clear(w.ad)
		for i := range n {
			for j, x := range dA(i) {
				w.ad[j] += v[i] * x
			}
		}
		spd.Solve(y, C, wbar, n)
		addOuter(abar, -1, y, acc, n)
		copy(fbar, y)
		mulMV(w.t1, w.ad, y, n)
		for j := range n {
			vbar[j] -= w.t1[j]
		}
		// Adotbar = -y v^T.
		for i := range n {
			addOuter(dabar[i*nn2:(i+1)*nn2], -v[i], y, v, n)
			vbar[i] -= bilinear(dA(i), y, v, n)
		}
	}
	// F_i = kappa_i - dV/dq_i + (g u)_i.
	for i := range n {
		w.dvb[i*B+b] = -fbar[i]
	}
	if mm > 0 {
		ubr := w.u[b*mm : (b+1)*mm]
		gbr := w.gb[b*n*mm : (b+1)*n*mm]
		gr := w.gm[b*n*mm : (b+1)*n*mm]
		var ux []T
		if dx != nil {
			ux = dx[b*d+2*n : (b+1)*d]
			clear(ux)
		}
		for i := range n {
			for k := range mm {
				gbr[i*mm+k] = fbar[i] * ubr[k]
				if ux != nil {
					ux[k] += fbar[i] * gr[i*mm+k]
				}
			}
		}
	}
	for i := range n {
		if m.inv {
			// kappa_i = -p^T dA_i p / 2.
			addOuter(dabar[i*nn2:(i+1)*nn2], -fbar[i]/2, p, p, n)
			mulMV(w.t1, dA(i), p, n)
			for j := range n {
				pbar[j] -= fbar[i] * w.t1[j]
			}
		} else {
			// kappa_i = v^T dA_i v / 2.
			addOuter(dabar[i*nn2:(i+1)*nn2], fbar[i]/2, v, v, n)
			mulMV(w.t1, dA(i), v, n)
			for j := range n {
				vbar[j] += fbar[i] * w.t1[j]
			}
		}
	}
	var sbar []T
	if dx != nil {
		sbar = dx[b*d+n : b*d+2*n]
	}
	switch {
	case m.inv && !m.l.Velocities: // v = A p
		addOuter(abar, 1, vbar, p, n)
		mulMV(w.t1, A, vbar, n)
		for j := range n {
			pbar[j] += w.t1[j]
		}
		copy(sbar, pbar)
	case m.inv: // p = A^-1 v
		spd.Solve(y, C, pbar, n)
		addOuter(abar, -1, y, p, n)
		for j := range n {
			vbar[j] += y[j]
		}
		copy(sbar, vbar)
	case !m.l.Velocities: // v = A^-1 p
		spd.Solve(y, C, vbar, n)
		addOuter(abar, -1, y, v, n)
		for j := range n {
			pbar[j] += y[j]
		}
		copy(sbar, pbar)
	default:
		copy(sbar, vbar)
	}
	// A = L L^T + eps I, dA_i = dL_i L^T + L dL_i^T: with E = Abar +
	// Abar^T and E_i = dAbar_i + dAbar_i^T, Lbar = E L + sum_i E_i dL_i and
	// dLbar_i = E_i L.
	L := w.lm[b*nn2 : (b+1)*nn2]
	transposeAdd(w.ebar, abar, n)
	mulAB(w.lbar, w.ebar, L, n)
	for i := range n {
		transposeAdd(w.ebar, dabar[i*nn2:(i+1)*nn2], n)
		dL := w.dl[(b*n+i)*nn2 : (b*n+i+1)*nn2]
		addMulAB(w.lbar, w.ebar, dL, n)
		mulAB(w.dlbar[i*nn2:(i+1)*nn2], w.ebar, L, n)
	}
	// L's diagonal is softplus(ell): its derivatives are sigmoid(ell)
	// dell, and sigmoid' = sigmoid (1 - sigmoid).
	ell := w.ell[b*nl : (b+1)*nl]
	ellb := w.ellb[b*nl : (b+1)*nl]
	for j := range n {
		for k := 0; k <= j; k++ {
			idx := j*(j+1)/2 + k
			if j != k {
				ellb[idx] = w.lbar[j*n+k]
				for i := range n {
					w.dellb[(i*B+b)*nl+idx] = w.dlbar[i*nn2+j*n+k]
				}
				continue
			}
			sg := sigmoid(float64(ell[idx]))
			ds := T(sg * (1 - sg))
			g := w.lbar[j*n+j] * T(sg)
			for i := range n {
				db := w.dlbar[i*nn2+j*n+j]
				g += db * ds * w.dell[(i*B+b)*nl+idx]
				w.dellb[(i*B+b)*nl+idx] = db * T(sg)
			}
			ellb[idx] = g
		}
	}
}

// Energy writes the learned energy v^T M v / 2 + V(q) = p . v / 2 + V(q)
// at each row of x into dst. It panics on length mismatch.
func (w *mechWS[T]) Energy(dst, x []T) {
	checkLen("energy destination", len(dst), w.batch)
	w.Field(w.f, x)
	n := w.m.n
	for b := range w.batch {
		var e T
		for j := range n {
			e += w.p[b*n+j] * w.v[b*n+j]
		}
		dst[b] = e/2 + w.vy[b]
	}
}

// Potential writes the learned V(q) at each row of x into v and dV/dq
// into dv (B x n). It panics on length mismatch.
func (w *mechWS[T]) Potential(v, dv, x []T) {
	n, B := w.m.n, w.batch
	checkLen("potential", len(v), B)
	checkLen("potential gradient", len(dv), B*n)
	w.split(x)
	w.vy, w.dv = w.wv.eval(w.q)
	copy(v, w.vy)
	for b := range B {
		for i := range n {
			dv[b*n+i] = w.dv[i*B+b]
		}
	}
}

// InputMatrix writes the learned g(q) at each row of x into g (B x n m).
// It panics on length mismatch or if the model has no inputs.
func (w *mechWS[T]) InputMatrix(g, x []T) {
	if w.wg == nil {
		panic("model: InputMatrix of a model without inputs")
	}
	checkLen("input matrix", len(g), w.batch*w.m.n*w.m.m)
	w.split(x)
	w.gm, _ = w.wg.eval(w.q)
	copy(g, w.gm)
}

// Mass writes the learned M(q) at each row of x into mass (B x n n): A
// for delan, A^-1 for symoden. It panics on length mismatch.
func (w *mechWS[T]) Mass(mass, x []T) {
	n, nn2 := w.m.n, w.m.n*w.m.n
	checkLen("mass", len(mass), w.batch*nn2)
	w.Field(w.f, x) // A and its Cholesky factor C, per row
	for b := range w.batch {
		M := mass[b*nn2 : (b+1)*nn2]
		if !w.m.inv {
			copy(M, w.a[b*nn2:(b+1)*nn2])
			continue
		}
		C := w.c[b*nn2 : (b+1)*nn2]
		for j := range n {
			clear(w.t1)
			w.t1[j] = 1
			spd.Solve(w.t2, C, w.t1, n)
			for i := range n {
				M[i*n+j] = w.t2[i]
			}
		}
	}
}

// Loss returns the mean squared error of the field against y.
func (w *mechWS[T]) Loss(x, y []T) float64 { return fieldLoss(w, w.f, x, y) }

// LossGrad returns the loss and writes its parameter gradient into grad.
// It panics if the workspace was not made for training.
func (w *mechWS[T]) LossGrad(x, y, grad []T) float64 {
	return fieldLossGrad(w, w.f, x, y, grad)
}

// Small dense n x n helpers, row-major.

// mulABT sets dst = a b^T.
func mulABT[T nn.Float](dst, a, b []T, n int) {
	for i := range n {
		for j := range n {
			var s T
			for k := range n {
				s += a[i*n+k] * b[j*n+k]
			}
			dst[i*n+j] = s
		}
	}
}

// mulAB sets dst = a b.
func mulAB[T nn.Float](dst, a, b []T, n int) {
	clear(dst[:n*n])
	addMulAB(dst, a, b, n)
}

// addMulAB adds a b to dst.
func addMulAB[T nn.Float](dst, a, b []T, n int) {
	for i := range n {
		for k := range n {
			x := a[i*n+k]
			for j := range n {
				dst[i*n+j] += x * b[k*n+j]
			}
		}
	}
}

// symmetrise sets a = a + a^T in place.
func symmetrise[T nn.Float](a []T, n int) {
	for i := range n {
		a[i*n+i] *= 2
		for j := range i {
			s := a[i*n+j] + a[j*n+i]
			a[i*n+j], a[j*n+i] = s, s
		}
	}
}

// transposeAdd sets dst = a + a^T.
func transposeAdd[T nn.Float](dst, a []T, n int) {
	for i := range n {
		for j := range n {
			dst[i*n+j] = a[i*n+j] + a[j*n+i]
		}
	}
}

// mulMV sets dst = a x.
func mulMV[T nn.Float](dst, a, x []T, n int) {
	for i := range n {
		var s T
		for k := range n {
			s += a[i*n+k] * x[k]
		}
		dst[i] = s
	}
}

// quad returns x^T a x.
func quad[T nn.Float](a, x []T, n int) T { return bilinear(a, x, x, n) }

// bilinear returns x^T a y, the Frobenius product of a with x y^T.
func bilinear[T nn.Float](a, x, y []T, n int) T {
	var s T
	for i := range n {
		for j := range n {
			s += x[i] * a[i*n+j] * y[j]
		}
	}
	return s
}

// addOuter adds c x y^T to dst.
func addOuter[T nn.Float](dst []T, c T, x, y []T, n int) {
	for i := range n {
		for j := range n {
			dst[i*n+j] += c * x[i] * y[j]
		}
	}
}

// Mechanics implements Mechanical: symoden's M is the inverse of its
// learned M^-1, delan's its learned M (Mass), with V and g from the same
// evaluation.
func (w *mechWS[T]) Mechanics(mass, pot, g, x []T) {
	n, mm := w.m.n, w.m.m
	checkLen("potential destination", len(pot), w.batch)
	if mm > 0 {
		checkLen("input matrix destination", len(g), w.batch*n*mm)
	}
	w.Mass(mass, x) // evaluates the field: A, its factor, V and g per row
	copy(pot, w.vy[:w.batch])
	if mm > 0 {
		copy(g, w.gm[:w.batch*n*mm])
	}
}
