package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/diff/fd"

	"github.com/hnn-go/hnn/nn"
)

// newConfigModel returns a float64 model for c with weights from seed.
func newConfigModel(t *testing.T, c Config, seed uint64) Model[float64] {
	t.Helper()
	c.Precision = "float64"
	m, err := New[float64](c, rand.New(rand.NewPCG(seed, 1)))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// randBatch returns a B x d batch of standard normal values from seed.
func randBatch(B, d int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 7))
	x := make([]float64, B*d)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	return x
}

// fdGradient returns the central finite-difference gradient of the scalar
// that e writes for the single state x. In float64 with step 1e-5 its
// error is about 1e-10 for these O(1) networks.
func fdGradient(e func(dst, x []float64), x []float64) []float64 {
	out := make([]float64, 1)
	return fd.Gradient(nil, func(s []float64) float64 {
		e(out, s)
		return out[0]
	}, x, &fd.Settings{Formula: fd.Central, Step: 1e-5})
}

// gradientCases are the activations and widths the hand-derived
// gradients of the two-network models are checked with.
var gradientCases = []struct {
	act    nn.Activation
	hidden []int
}{
	{nn.Tanh, []int{12, 10}},
	{nn.Tanh, []int{7}},
	{nn.Softplus, []int{9, 8, 6}},
	{nn.Sin, []int{10, 10}},
	{nn.Sigmoid, []int{5}},
}

func TestDHNNLossGradFD(t *testing.T) {
	t.Parallel()
	for i, tc := range gradientCases {
		for _, dim := range []int{2, 6} {
			t.Run(fmt.Sprintf("%v/%v/dim%d", tc.act, tc.hidden, dim), func(t *testing.T) {
				t.Parallel()
				m := newConfigModel(t, Config{Kind: "dhnn", Dim: dim, Hidden: tc.hidden, Activation: tc.act}, uint64(10+i))
				checkLossGradFD(t, m, 4, uint64(20+i))
			})
		}
	}
}

// TestDHNNZeroDissipationIsHNN checks that a DHNN whose D network has all
// parameters zero (so grad D = 0) has the field, loss and H gradient of an
// HNN with the same H parameters. The computations are the same
// operations in the same order plus exact zeros, so they agree exactly.
func TestDHNNZeroDissipationIsHNN(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		dim    int
		hidden []int
	}{{2, []int{16, 16}}, {4, []int{9}}} {
		c := Config{Kind: "dhnn", Dim: tc.dim, Hidden: tc.hidden, Precision: "float64"}
		d := newConfigModel(t, c, 3).(*DHNN[float64])
		clear(d.d.Params)
		c.Kind = "hnn"
		h, err := FromParams(c, append([]float64(nil), d.h.Params...))
		if err != nil {
			t.Fatal(err)
		}

		const B = 6
		x, y := randBatch(B, tc.dim, 1), randBatch(B, tc.dim, 2)
		dw, hw := d.NewWorkspace(B, true), h.NewWorkspace(B, true)
		fdh, fh := make([]float64, B*tc.dim), make([]float64, B*tc.dim)
		dw.Field(fdh, x)
		hw.Field(fh, x)
		for i := range fdh {
			if fdh[i] != fh[i] {
				t.Fatalf("dim %d: DHNN field with D = 0 is %v, HNN's %v", tc.dim, fdh, fh)
			}
		}
		gd, gh := make([]float64, len(d.Params())), make([]float64, len(h.Params()))
		ld, lh := dw.LossGrad(x, y, gd), hw.LossGrad(x, y, gh)
		if ld != lh {
			t.Errorf("dim %d: DHNN loss with D = 0 is %v, HNN's %v", tc.dim, ld, lh)
		}
		for i := range gh {
			if gd[i] != gh[i] {
				t.Fatalf("dim %d: H gradient entry %d is %v in the DHNN, %v in the HNN", tc.dim, i, gd[i], gh[i])
			}
		}
	}
}

// TestDHNNParts checks that the conservative and dissipative parts sum to
// the field, that the dissipative part is the gradient of the learned
// dissipation and the conservative part the symplectic gradient of the
// learned energy (both by finite differences, tolerance 1e-8 against an
// error of about 1e-10).
func TestDHNNParts(t *testing.T) {
	t.Parallel()
	const dim, B = 4, 3
	m := newConfigModel(t, Config{Kind: "dhnn", Dim: dim, Hidden: []int{20, 20}}, 8)
	ws := m.NewWorkspace(B, false).(*DHNNWorkspace[float64])
	one := m.NewWorkspace(1, false).(*DHNNWorkspace[float64])
	x := randBatch(B, dim, 9)
	f, cons, diss := make([]float64, B*dim), make([]float64, B*dim), make([]float64, B*dim)
	ws.Field(f, x)
	ws.Parts(cons, diss, x)
	for i := range f {
		if math.Abs(cons[i]+diss[i]-f[i]) > 1e-15 {
			t.Fatalf("parts %v + %v do not sum to the field %v", cons, diss, f)
		}
	}
	for b := range B {
		row := x[b*dim : (b+1)*dim]
		gd := fdGradient(one.Dissipation, row)
		gh := make([]float64, dim)
		Symplectic(gh, fdGradient(one.Energy, row), dim)
		for i := range dim {
			if math.Abs(diss[b*dim+i]-gd[i]) > 1e-8 {
				t.Errorf("row %d: dissipative part %v, finite-difference grad D %v", b, diss[b*dim:(b+1)*dim], gd)
				break
			}
			if math.Abs(cons[b*dim+i]-gh[i]) > 1e-8 {
				t.Errorf("row %d: conservative part %v, finite-difference J grad H %v", b, cons[b*dim:(b+1)*dim], gh)
				break
			}
		}
	}
}

// TestFieldAllocs checks that, once a workspace is made, the model layer
// allocates nothing per Field or LossGrad call: Field allocates nothing at
// all, and LossGrad exactly what the engine's own passes allocate when run
// directly on the model's networks. (The engine is measured rather than
// assumed to be allocation free.) The sizes are small so that the matrix
// products run serially. It is not parallel: AllocsPerRun counts every
// goroutine's allocations.
func TestFieldAllocs(t *testing.T) {
	for _, kind := range Kinds() {
		m := newConfigModel(t, Config{Kind: kind, Dim: 4, Hidden: []int{12, 10}}, 1)
		const B = 5
		x, y := randBatch(B, 4, 1), randBatch(B, 4, 2)
		ws := m.NewWorkspace(B, true)
		f, grad := make([]float64, B*4), make([]float64, len(m.Params()))
		if a := testing.AllocsPerRun(20, func() { ws.Field(f, x) }); a != 0 {
			t.Errorf("%s: %v allocations per Field call, want 0", kind, a)
		}
		got := testing.AllocsPerRun(20, func() { ws.LossGrad(x, y, grad) })
		var engine float64
		for _, n := range Networks(m) {
			nw := n.MLP.NewWorkspace(B, true)
			in := randBatch(B, n.MLP.In(), 3)
			g := make([]float64, len(n.MLP.Params))
			dout := make([]float64, B*n.MLP.Out())
			engine += testing.AllocsPerRun(20, func() {
				// A network with several outputs (a mass matrix's factor)
				// is never differentiated through InputGradient.
				if !MustLookup(kind).SecondOrder || n.MLP.Out() != 1 {
					n.MLP.Forward(nw, in)
					n.MLP.Backward(nw, g, dout)
					return
				}
				n.MLP.BackwardInputGradient(nw, g, n.MLP.InputGradient(nw, in))
			})
		}
		if got != engine {
			t.Errorf("%s: %v allocations per LossGrad call, the engine's passes alone %v", kind, got, engine)
		}
	}
}
