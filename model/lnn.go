package model

import (
	"math"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/nn"
)

// lnnPrior is c in the kinetic term c |q-dot|^2 / 2 that an lnn model adds
// to its network's Lagrangian on velocity rows.
const lnnPrior = 1

func init() {
	Register(Kind{
		Name:        "lnn",
		Title:       "Lagrangian NN",
		SecondOrder: true,
		Layouts:     mechLayouts,
		Parts:       lnnParts,
		Build32:     newLNN[float32],
		Build64:     newLNN[float64],
		FLOPs: func(c Config) float64 {
			// Every pass runs on 1 + 2n + pairs stacked copies of the
			// batch; the backward pass costs about twice the forward.
			l := c.StateLayout()
			n := l.Positions
			k := float64(1 + 2*n + len(lnnPairs(n, l.Velocities)))
			f := 0.0
			for i, p := range lnnParts(c) {
				r := k
				if i == 1 {
					r = 1
				}
				s := p.Sizes
				for j := 0; j+1 < len(s); j++ {
					f += 3 * r * 2 * float64(s[j]) * float64(s[j+1])
				}
			}
			return f
		},
		Cost: 12, // LossGrad beside a baseline (BenchmarkLayoutLossGrad): about 11x for one position, 35x for two
	})
}

// lnnParts returns the networks of an lnn model of c: the Lagrangian "L"
// of the embedded positions and the velocities (or momenta), and, with
// inputs, the input matrix "g" of the positions.
func lnnParts(c Config) []Part {
	l := c.StateLayout()
	n, e := l.Positions, embedWidth(l)
	p := []Part{Net(c, "L", e+n, 1)}
	if l.Inputs > 0 {
		p = append(p, Net(c, "g", e, n*l.Inputs))
	}
	return p
}

// lnnPairs returns the second-order pairs of tangents an lnn model needs:
// tangents 0..n-1 are d/dq_j, n..2n-1 d/dv_i; on velocity rows the pairs
// (v_i, v_k), i <= k, for the Hessian in the velocities, then (v_i, q_j)
// for the mixed one; on momentum rows none.
func lnnPairs(n int, velocities bool) [][2]int {
	if !velocities {
		return nil
	}
	var p [][2]int
	for i := range n {
		for k := i; k < n; k++ {
			p = append(p, [2]int{n + i, n + k})
		}
	}
	for i := range n {
		for j := range n {
			p = append(p, [2]int{n + i, j})
		}
	}
	return p
}

// LNN is the Lagrangian neural network of Cranmer, Greydanus et al.
// (2020): a network N (network "L", smooth activation) of the positions,
// angles seen as (cos q, sin q), and the velocities learns the Lagrangian
// L(q, q-dot) = |q-dot|^2 / 2 + N(q, q-dot), and on states (q, q-dot, u)
// the field is (q-dot, q-ddot, 0) with the Euler-Lagrange equation solved
// for the acceleration,
//
//	q-ddot = (d2L/dq-dot2)^-1 (dL/dq - (d2L/dq-dot dq) q-dot + g(q) u),
//
// The kinetic prior |q-dot|^2 / 2 restricts nothing (N learns the rest)
// but starts training from a regular Hessian I + d2N/dq-dot2: without it
// a random network's Hessian is near singular at many rows and the first
// losses are 1e5 times the data's (measured on the pendulum with torque:
// 4e6 against 42, and 150 Adam steps left it at 8e3, against 0.002 with
// the prior).
//
// g(q) the n x m input matrix of a second network ("g") when the layout
// has inputs. The derivatives come from second-order forward mode through
// the network (nn.ForwardJet). Where the Hessian d2L/dq-dot2 is singular
// (a pivot below 1e-10 of its largest entry) it is solved with a ridge
// delta I added, delta = 1e-6 of the largest entry, grown tenfold until
// the solve succeeds, the guard standing in for LNN's pseudo-inverse.
//
// On states (q, p, u), where the velocities a Lagrangian needs are not
// observed, the network is read as the Legendre transform of the
// Lagrangian, the energy H(q, p), and the field is J grad H + (0, g u): an
// HNN with inputs (SymODEN's "unstructured" model). Its workspace
// implements Energy: q-dot . dL/dq-dot - L on velocity rows, H on momentum
// rows. Network N's tangents and pairs come from nn.ForwardJet; the
// derivation of the field's adjoint is in docs/GRADIENTS.md.
type LNN[T nn.Float] struct {
	base[T]
	l     data.Layout
	n, m  int
	net   *nn.MLP[T]
	g     *posNet[T]
	slot  []int // first input column of each position
	angle []bool
	pairs [][2]int
}

func newLNN[T nn.Float](c Config, p Pieces[T]) Model[T] {
	l := c.StateLayout()
	m := &LNN[T]{base: base[T]{c, p.Params}, l: l, n: l.Positions, m: l.Inputs, net: p.Nets[0], pairs: lnnPairs(l.Positions, l.Velocities)}
	k := 0
	for i := range m.n {
		m.slot = append(m.slot, k)
		m.angle = append(m.angle, l.Angle(i))
		k++
		if l.Angle(i) {
			k++
		}
	}
	if m.m > 0 {
		m.g = newPosNet(p.Nets[1], l, false)
	}
	return m
}

// NewWorkspace returns a workspace for batches of batch rows; it
// implements Energy.
func (m *LNN[T]) NewWorkspace(batch int, train bool) Workspace[T] {
	n, e, mm := m.n, m.net.In(), m.m
	k, np := 2*n, len(m.pairs)
	w := &lnnWS[T]{
		m: m, batch: batch, ws: m.net.NewJetWorkspace(batch, k, m.pairs),
		q: make([]T, batch*n), s: make([]T, batch*n), u: make([]T, batch*mm),
		x: make([]T, batch*e), dx: make([]T, k*batch*e),
		hess: make([]T, batch*n*n), lu: make([]T, batch*n*n), piv: make([]int, batch*n), acc: make([]T, batch*n),
		r: make([]T, n), f: make([]T, batch*m.cfg.Dim),
	}
	// Tangents of the plain positions and of the velocities are unit
	// vectors of their columns; an angle's are set per batch.
	for j := range n {
		for b := range batch {
			if !m.angle[j] {
				w.dx[(j*batch+b)*e+m.slot[j]] = 1
			}
			w.dx[((n+j)*batch+b)*e+e-n+j] = 1
		}
	}
	if m.g != nil {
		w.wg = m.g.newWS(batch)
	}
	if train {
		w.yb, w.dyb, w.ddyb = make([]T, batch), make([]T, k*batch), make([]T, np*batch)
		w.xb, w.dxb = make([]T, batch*e), make([]T, k*batch*e)
		w.gb, w.qb = make([]T, batch*n*mm), make([]T, batch*n)
		w.y = make([]T, n)
	}
	return w
}

type lnnWS[T nn.Float] struct {
	m     *LNN[T]
	batch int
	ws    *nn.JetWorkspace[T]
	wg    *posNetWS[T]
	// q, s, u are the columns of the last batch; x and dx the network's
	// input and its 2n tangents.
	q, s, u, x, dx []T
	// lv, dl, ddl are the network's outputs: L, its derivatives along the
	// tangents and pairs; gm the input matrices.
	lv, dl, ddl, gm []T
	// Per row (velocity rows): the Hessian in the velocities (with the
	// guard's ridge), its LU factors and pivots, the acceleration.
	hess, lu []T
	piv      []int
	acc      []T
	r        []T
	f        []T
	// Adjoints (training only).
	yb, dyb, ddyb, xb, dxb, gb, qb, y []T
}

func (w *lnnWS[T]) Batch() int { return w.batch }

// eval runs the networks on x.
func (w *lnnWS[T]) eval(x []T) {
	m := w.m
	n, mm, d, e, B := m.n, m.m, m.cfg.Dim, m.net.In(), w.batch
	checkLen("batch", len(x), B*d)
	for b := range B {
		row := x[b*d : (b+1)*d]
		copy(w.q[b*n:(b+1)*n], row[:n])
		copy(w.s[b*n:(b+1)*n], row[n:2*n])
		copy(w.u[b*mm:(b+1)*mm], row[2*n:])
		xb := w.x[b*e : (b+1)*e]
		for j, v := range row[:n] {
			k := m.slot[j]
			if !m.angle[j] {
				xb[k] = v
				continue
			}
			s, c := math.Sincos(float64(v))
			xb[k], xb[k+1] = T(c), T(s)
			t := w.dx[(j*B+b)*e+k:]
			t[0], t[1] = T(-s), T(c)
		}
		copy(xb[e-n:], row[n:2*n])
	}
	w.lv, w.dl, w.ddl = m.net.ForwardJet(w.ws, w.x, w.dx)
	if w.wg != nil {
		w.gm, _ = w.wg.eval(w.q)
	}
}

// Field writes (q-dot, q-ddot, 0) (velocity rows) or (dH/dp, -dH/dq + g u,
// 0) (momentum rows) at each row of x into dst. It panics on length
// mismatch.
func (w *lnnWS[T]) Field(dst, x []T) {
	checkLen("field destination", len(dst), len(x))
	w.eval(x)
	w.fieldRows(dst)
}

// fieldRows writes the field of the batch whose network outputs eval left
// in the workspace into dst.
func (w *lnnWS[T]) fieldRows(dst []T) {
	m := w.m
	n, mm, d, B := m.n, m.m, m.cfg.Dim, w.batch
	for b := range B {
		row := dst[b*d : (b+1)*d]
		clear(row)
		gu := w.r
		clear(gu)
		for i := range n {
			for k := range mm {
				gu[i] += w.gm[(b*n+i)*mm+k] * w.u[b*mm+k]
			}
		}
		if !m.l.Velocities {
			for i := range n {
				row[i] = w.dl[(n+i)*B+b]
				row[n+i] = -w.dl[i*B+b] + gu[i]
			}
			continue
		}
		copy(row[:n], w.s[b*n:(b+1)*n])
		// r = dL/dq - (d2L/dv dq) v + g u, then solve H a = r.
		v := w.s[b*n : (b+1)*n]
		np := n * (n + 1) / 2
		for i := range n {
			gu[i] += w.dl[i*B+b]
			for j := range n {
				gu[i] -= w.ddl[(np+i*n+j)*B+b] * v[j]
			}
		}
		// H = I + the network's Hessian: the Lagrangian is |v|^2 / 2 +
		// the network's.
		h := w.hess[b*n*n : (b+1)*n*n]
		p := 0
		for i := range n {
			for k := i; k < n; k++ {
				h[i*n+k] = w.ddl[p*B+b]
				h[k*n+i] = h[i*n+k]
				p++
			}
			h[i*n+i] += lnnPrior
		}
		lu, piv := w.lu[b*n*n:(b+1)*n*n], w.piv[b*n:(b+1)*n]
		guardedLU(lu, piv, h, n)
		a := w.acc[b*n : (b+1)*n]
		luSolve(a, lu, piv, gu, n)
		copy(row[n:2*n], a)
	}
}

// FieldVJP propagates u = dL/df back through the field of the last Field
// call: L's parameter gradient, then g's, and, unless dx is nil, dL/dx.
func (w *lnnWS[T]) FieldVJP(grad, dx, u []T) {
	checkTrain(w.yb)
	m := w.m
	checkLen("gradient", len(grad), len(m.params))
	checkLen("field adjoint", len(u), len(w.f))
	n, mm, d, e, B := m.n, m.m, m.cfg.Dim, m.net.In(), w.batch
	np := n * (n + 1) / 2
	if dx != nil {
		checkLen("input gradient", len(dx), len(w.f))
	}
	for b := range B {
		ub := u[b*d : (b+1)*d]
		y := w.y
		var sx []T
		if dx != nil {
			sx = dx[b*d : (b+1)*d]
			clear(sx)
		}
		if !m.l.Velocities {
			for i := range n {
				w.dyb[(n+i)*B+b] = ub[i]
				w.dyb[i*B+b] = -ub[n+i]
			}
			copy(y, ub[n:2*n])
		} else {
			v := w.s[b*n : (b+1)*n]
			a := w.acc[b*n : (b+1)*n]
			luSolve(y, w.lu[b*n*n:(b+1)*n*n], w.piv[b*n:(b+1)*n], ub[n:2*n], n)
			// Hbar = -y a^T onto the pairs (v_i, v_k).
			p := 0
			for i := range n {
				for k := i; k < n; k++ {
					hb := -y[i] * a[k]
					if k != i {
						hb -= y[k] * a[i]
					}
					w.ddyb[p*B+b] = hb
					p++
				}
			}
			for i := range n {
				w.dyb[i*B+b] = y[i]
				w.dyb[(n+i)*B+b] = 0
				for j := range n {
					w.ddyb[(np+i*n+j)*B+b] = -y[i] * v[j]
					if sx != nil {
						sx[n+j] -= w.ddl[(np+i*n+j)*B+b] * y[i]
					}
				}
				if sx != nil {
					sx[n+i] += ub[i]
				}
			}
		}
		// g u: gbar = y u^T, ubar = g^T y.
		for i := range n {
			for k := range mm {
				w.gb[(b*n+i)*mm+k] = y[i] * w.u[b*mm+k]
				if sx != nil {
					sx[2*n+k] += y[i] * w.gm[(b*n+i)*mm+k]
				}
			}
		}
	}
	nl := len(m.net.Params)
	var xb, dxb, qb []T
	if dx != nil {
		xb, dxb, qb = w.xb, w.dxb, w.qb
		clear(qb)
	}
	m.net.BackwardJet(w.ws, grad[:nl], xb, dxb, w.yb, w.dyb, w.ddyb)
	if w.wg != nil {
		w.wg.backward(grad[nl:], qb, w.gb, nil)
	}
	if dx == nil {
		return
	}
	for b := range B {
		row, xr, q := dx[b*d:(b+1)*d], xb[b*e:(b+1)*e], w.q[b*n:(b+1)*n]
		for j := range n {
			k := m.slot[j]
			g := qb[b*n+j]
			if !m.angle[j] {
				g += xr[k]
			} else {
				s, c := math.Sincos(float64(q[j]))
				t := dxb[(j*B+b)*e+k:]
				g += -T(s)*xr[k] + T(c)*xr[k+1] - T(c)*t[0] - T(s)*t[1]
			}
			row[j] = g
			row[n+j] += xr[e-n+j]
		}
	}
}

// Energy writes the learned energy at each row of x into dst: q-dot .
// dL/dq-dot - L on velocity rows, H on momentum rows. It panics on length
// mismatch.
func (w *lnnWS[T]) Energy(dst, x []T) {
	checkLen("energy destination", len(dst), w.batch)
	w.eval(x)
	w.energyRows(dst)
}

// energyRows writes the energy of the batch whose network outputs eval
// left in the workspace into dst.
func (w *lnnWS[T]) energyRows(dst []T) {
	m := w.m
	n, B := m.n, w.batch
	for b := range B {
		if !m.l.Velocities {
			dst[b] = w.lv[b]
			continue
		}
		// With the prior c |v|^2 / 2 in L, E = c |v|^2 / 2 + v . dN/dv - N
		// for the network's N.
		var e T
		for i := range n {
			v := w.s[b*n+i]
			e += v * (w.dl[(n+i)*B+b] + lnnPrior*v/2)
		}
		dst[b] = e - w.lv[b]
	}
}

func (w *lnnWS[T]) Loss(x, y []T) float64 { return fieldLoss(w, w.f, x, y) }

func (w *lnnWS[T]) LossGrad(x, y, grad []T) float64 {
	return fieldLossGrad(w, w.f, x, y, grad)
}

// guardedLU writes the LU factors of the symmetric h, with partial
// pivoting, into lu and piv. If a pivot falls below 1e-10 of h's largest
// entry (or is not finite) it factors h + delta I instead, delta = 1e-6 of
// that entry (1e-6 if h is zero), tenfold larger on every retry, and leaves
// h holding the matrix it factored. It reports whether it added a ridge.
func guardedLU[T nn.Float](lu []T, piv []int, h []T, n int) bool {
	var scale float64
	for _, v := range h[:n*n] {
		scale = math.Max(scale, math.Abs(float64(v)))
	}
	if scale == 0 {
		scale = 1
	}
	delta := 0.0
	for try := 0; ; try++ {
		copy(lu, h[:n*n])
		for i := range n {
			lu[i*n+i] += T(delta)
		}
		if luFactor(lu, piv, n, 1e-10*scale) || try == 20 {
			if delta > 0 {
				for i := range n {
					h[i*n+i] += T(delta)
				}
			}
			return delta > 0
		}
		if delta == 0 {
			delta = 1e-6 * scale
		} else {
			delta *= 10
		}
	}
}

// luFactor factors a (n x n) in place into L U with partial pivoting, the
// row swaps in piv; it reports false if a pivot's magnitude is at most
// tol or not finite.
func luFactor[T nn.Float](a []T, piv []int, n int, tol float64) bool {
	for j := range n {
		p := j
		for i := j + 1; i < n; i++ {
			if math.Abs(float64(a[i*n+j])) > math.Abs(float64(a[p*n+j])) {
				p = i
			}
		}
		piv[j] = p
		if p != j {
			for k := range n {
				a[j*n+k], a[p*n+k] = a[p*n+k], a[j*n+k]
			}
		}
		d := float64(a[j*n+j])
		if !(math.Abs(d) > tol) || math.IsInf(d, 0) {
			return false
		}
		for i := j + 1; i < n; i++ {
			f := a[i*n+j] / a[j*n+j]
			a[i*n+j] = f
			for k := j + 1; k < n; k++ {
				a[i*n+k] -= f * a[j*n+k]
			}
		}
	}
	return true
}

// luSolve sets x = a^-1 b from luFactor's factors; x may be b.
func luSolve[T nn.Float](x, lu []T, piv []int, b []T, n int) {
	copy(x, b[:n])
	for j := range n {
		if p := piv[j]; p != j {
			x[j], x[p] = x[p], x[j]
		}
	}
	for i := range n {
		for k := range i {
			x[i] -= lu[i*n+k] * x[k]
		}
	}
	for i := n - 1; i >= 0; i-- {
		for k := i + 1; k < n; k++ {
			x[i] -= lu[i*n+k] * x[k]
		}
		x[i] /= lu[i*n+i]
	}
}
