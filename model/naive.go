package model

import (
	"math"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/nn"
)

func init() {
	parts := func(c Config) []Part { return unstructuredParts(c, false) }
	Register(Kind{
		Name:    "naive",
		Title:   "Naive NN",
		Layouts: mechLayouts,
		Parts:   parts,
		Build32: newNaive[float32],
		Build64: newNaive[float64],
		FLOPs:   partsFLOPs(parts, false),
		Cost:    1,
	})
}

// Unstructured is an unstructured model of states (q, v, u) (SymODEN's
// naive and geometric baselines): one network (network "F") of the state,
// angles seen as (cos q, sin q), inputs as further columns, outputs the
// time derivatives of the positions and velocities or momenta; the
// inputs' are zero. The geometric kind knows the kinematics dq/dt = q-dot
// on velocity rows, and its network outputs only q-ddot there.
type Unstructured[T nn.Float] struct {
	base[T]
	l     data.Layout
	n     int
	kin   bool // the field's first block is the velocity columns
	net   *nn.MLP[T]
	slot  []int // first input column of each state column
	angle []bool
}

// unstructuredParts returns the network of an unstructured model of c:
// the state's columns, an angle counting twice, in; the derivatives of the
// positions and velocities, or of the velocities alone (geo on velocity
// rows), out.
func unstructuredParts(c Config, geo bool) []Part {
	l := c.StateLayout()
	out := 2 * l.Positions
	if geo && l.Velocities {
		out = l.Positions
	}
	return []Part{Net(c, "F", c.Dim+len(l.Angles), out)}
}

func newNaive[T nn.Float](c Config, p Pieces[T]) Model[T] { return newUnstructured(c, p, false) }

func newUnstructured[T nn.Float](c Config, p Pieces[T], geo bool) *Unstructured[T] {
	l := c.StateLayout()
	m := &Unstructured[T]{base: base[T]{c, p.Params}, l: l, n: l.Positions, kin: geo && l.Velocities, net: p.Nets[0]}
	k := 0
	for j := range c.Dim {
		m.slot = append(m.slot, k)
		m.angle = append(m.angle, l.Angle(j))
		k++
		if l.Angle(j) {
			k++
		}
	}
	return m
}

// NewWorkspace returns a workspace for batches of batch rows.
func (m *Unstructured[T]) NewWorkspace(batch int, train bool) Workspace[T] {
	w := &unstructuredWS[T]{m: m, ws: m.net.NewWorkspace(batch, false), x: make([]T, batch*m.cfg.Dim),
		in: make([]T, batch*m.net.In()), f: make([]T, batch*m.cfg.Dim)}
	if train {
		w.dout, w.din = make([]T, batch*m.net.Out()), make([]T, batch*m.net.In())
	}
	return w
}

type unstructuredWS[T nn.Float] struct {
	m *Unstructured[T]
	// x is the last batch, in its embedding (the network's input), f the
	// field, then dL/df; dout and din are the adjoints of the network's
	// output and input.
	ws                  *nn.Workspace[T]
	x, in, f, dout, din []T
}

func (w *unstructuredWS[T]) Batch() int { return w.ws.Batch() }

// Freeze keeps the network's weights packed for the workspace's products
// (Freezer).
func (w *unstructuredWS[T]) Freeze() { w.m.net.FreezeWeights(w.ws) }

func (w *unstructuredWS[T]) Field(dst, x []T) {
	checkLen("field destination", len(dst), len(x))
	m := w.m
	d, e, n := m.cfg.Dim, m.net.In(), m.n
	checkLen("batch", len(x), len(w.x))
	copy(w.x, x)
	for b := range w.ws.Batch() {
		r, in := x[b*d:(b+1)*d], w.in[b*e:(b+1)*e]
		for j, v := range r {
			if k := m.slot[j]; m.angle[j] {
				s, c := math.Sincos(float64(v))
				in[k], in[k+1] = T(c), T(s)
			} else {
				in[k] = v
			}
		}
	}
	y := m.net.Forward(w.ws, w.in)
	o := m.net.Out()
	for b := range w.ws.Batch() {
		r := dst[b*d : (b+1)*d]
		clear(r)
		if m.kin {
			copy(r[:n], x[b*d+n:b*d+2*n])
			copy(r[n:2*n], y[b*o:(b+1)*o])
		} else {
			copy(r[:2*n], y[b*o:(b+1)*o])
		}
	}
}

func (w *unstructuredWS[T]) FieldVJP(grad, dx, u []T) {
	checkTrain(w.dout)
	m := w.m
	checkLen("gradient", len(grad), len(m.params))
	checkLen("field adjoint", len(u), len(w.f))
	d, e, n, o := m.cfg.Dim, m.net.In(), m.n, m.net.Out()
	off := 0
	if m.kin {
		off = n
	}
	for b := range w.ws.Batch() {
		copy(w.dout[b*o:(b+1)*o], u[b*d+off:b*d+off+o])
	}
	if dx == nil {
		m.net.BackwardInput(w.ws, grad, nil, w.dout)
		return
	}
	checkLen("input gradient", len(dx), len(w.f))
	m.net.BackwardInput(w.ws, grad, w.din, w.dout)
	for b := range w.ws.Batch() {
		r, g, xr := dx[b*d:(b+1)*d], w.din[b*e:(b+1)*e], w.x[b*d:(b+1)*d]
		for j, v := range xr {
			if k := m.slot[j]; m.angle[j] {
				s, c := math.Sincos(float64(v))
				r[j] = -T(s)*g[k] + T(c)*g[k+1]
			} else {
				r[j] = g[k]
			}
		}
		if m.kin {
			for i := range n {
				r[n+i] += u[b*d+i]
			}
		}
	}
}

func (w *unstructuredWS[T]) Loss(x, y []T) float64 { return fieldLoss(w, w.f, x, y) }

func (w *unstructuredWS[T]) LossGrad(x, y, grad []T) float64 {
	return fieldLossGrad(w, w.f, x, y, grad)
}
