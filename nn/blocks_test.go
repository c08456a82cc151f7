package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
)

// blockCase is one shape of TestInputGradientGradBits.
type blockCase struct {
	sizes []int
	batch int
	act   Activation
}

var blockCases = []blockCase{
	{[]int{2, 200, 200, 1}, 1, Tanh},
	{[]int{2, 200, 200, 1}, 149, Tanh},
	{[]int{2, 200, 200, 1}, 301, Tanh},
	{[]int{2, 200, 200, 1}, 750, Tanh},
	{[]int{2, 200, 200, 1}, 1125, Tanh},
	{[]int{4, 37, 1}, 457, Softplus},
	{[]int{6, 50, 41, 30, 1}, 333, Sin},
	{[]int{2, 23, 17, 1}, 311, Sigmoid},
	{[]int{2, 40, 40, 1}, 300, ReLU},
}

// TestInputGradientGradBits checks the blocked step's bits at every kernel
// level for float32 and float64, with 1, 2 and 4 processors, across block
// counts, depths 1 to 3, odd widths and every activation: the adjoint sees
// each row's input gradient once, in order, with the bits of
// InputGradient's; with one block the gradient is BackwardInputGradient's;
// with more, the biases' and output weights' are, and every hidden weight
// gradient is the sum, block after block, of BackwardInputGradient's on
// each block alone. It fails on any differing bit, a block passed twice
// or a wrong row range.
func TestInputGradientGradBits(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	forLevels(t, func(t *testing.T, l kernelLevel) {
		for _, procs := range []int{1, 2, 4} {
			runtime.GOMAXPROCS(procs)
			for _, c := range blockCases {
				t.Run(fmt.Sprintf("P%d/%v/%d/%s", procs, c.sizes, c.batch, c.act), func(t *testing.T) {
					checkBlocked[float32](t, c)
					checkBlocked[float64](t, c)
				})
			}
		}
	})
}

func checkBlocked[T Float](t *testing.T, c blockCase) {
	t.Helper()
	rng := rand.New(rand.NewPCG(uint64(c.batch), 7))
	m := New[T](c.sizes, c.act, rng)
	in := m.In()
	x := make([]T, c.batch*in)
	y := make([]T, len(x))
	for i := range x {
		x[i] = T(rng.NormFloat64())
		y[i] = T(rng.NormFloat64())
	}
	// The loss's adjoint: p = (g - y) * 0.37, as a squared error gives.
	adj := func(p, g, y []T) {
		for i := range p {
			p[i] = (g[i] - y[i]) * 0.37
		}
	}
	ws := m.NewWorkspace(c.batch, true)
	g := m.InputGradient(ws, x)
	p := make([]T, len(g))
	adj(p, g, y)
	want := make([]T, len(m.Params))
	m.BackwardInputGradient(ws, want, p)
	wantG := slices.Clone(g)

	nb := blocks(c.batch, c.act, x)
	if _, f32 := any(x).([]float32); f32 && kernelSets[level] != nil && c.act != Sin && c.batch > 2*BlockRows && nb < 2 {
		t.Fatalf("%d rows in one block", c.batch)
	}
	if nb > 1 {
		// The hidden layers' weight gradients: the blocks' own, summed
		// in block order.
		ww, _ := m.Views(want)
		L := len(m.Sizes) - 2
		for k := range L {
			clear(ww[k])
		}
		for b := range nb {
			lo, hi := b*c.batch/nb, (b+1)*c.batch/nb
			wb := m.NewWorkspace(hi-lo, true)
			m.InputGradient(wb, x[lo*in:hi*in])
			gb := make([]T, len(m.Params))
			m.BackwardInputGradient(wb, gb, p[lo*in:hi*in])
			bw, _ := m.Views(gb)
			for k := range L {
				for i, v := range bw[k] {
					ww[k][i] += v
				}
			}
		}
	}

	ws2 := m.NewWorkspace(c.batch, true)
	got := make([]T, len(m.Params))
	for i := range got {
		got[i] = T(math.NaN()) // every value must be written
	}
	next := 0
	m.InputGradientGrad(ws2, x, got, func(p, g []T, lo, hi int) {
		if lo != next || hi <= lo || hi > c.batch {
			t.Fatalf("adjoint called for rows %d..%d after %d", lo, hi, next)
		}
		next = hi
		if len(p) != (hi-lo)*in || len(g) != len(p) {
			t.Fatalf("rows %d..%d: p has %d values, g %d, want %d", lo, hi, len(p), len(g), (hi-lo)*in)
		}
		for i, v := range g {
			if math.Float64bits(float64(v)) != math.Float64bits(float64(wantG[lo*in+i])) {
				t.Fatalf("input gradient row %d differs: %v, want %v", lo+i/in, v, wantG[lo*in+i])
			}
		}
		adj(p, g, y[lo*in:hi*in])
	})
	if next != c.batch {
		t.Fatalf("adjoint saw rows up to %d of %d", next, c.batch)
	}
	for i := range want {
		if math.Float64bits(float64(got[i])) != math.Float64bits(float64(want[i])) {
			t.Fatalf("%d blocks: gradient %d: %v, want %v", nb, i, got[i], want[i])
		}
	}
}

// TestForwardGradBits checks ForwardGrad as TestInputGradientGradBits
// checks InputGradientGrad, for networks with several outputs: the outputs
// each block sees, Backward's gradient with one block, and with more the
// biases' bits and every weight gradient (the output layer's included) as
// the blocks' own summed in block order.
func TestForwardGradBits(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	forLevels(t, func(t *testing.T, l kernelLevel) {
		for _, procs := range []int{1, 2} {
			runtime.GOMAXPROCS(procs)
			for _, c := range blockCases {
				c.sizes = append(slices.Clone(c.sizes[:len(c.sizes)-1]), c.sizes[0])
				t.Run(fmt.Sprintf("P%d/%v/%d/%s", procs, c.sizes, c.batch, c.act), func(t *testing.T) {
					checkForwardGrad[float32](t, c)
					checkForwardGrad[float64](t, c)
				})
			}
		}
	})
}

func checkForwardGrad[T Float](t *testing.T, c blockCase) {
	t.Helper()
	rng := rand.New(rand.NewPCG(uint64(c.batch), 8))
	m := New[T](c.sizes, c.act, rng)
	in, o := m.In(), m.Out()
	x := make([]T, c.batch*in)
	y := make([]T, c.batch*o)
	for i := range x {
		x[i] = T(rng.NormFloat64())
	}
	for i := range y {
		y[i] = T(rng.NormFloat64())
	}
	adj := func(d, out, y []T) {
		for i := range d {
			d[i] = (out[i] - y[i]) * 0.37
		}
	}
	ws := m.NewWorkspace(c.batch, false)
	out := slices.Clone(m.Forward(ws, x))
	dout := make([]T, len(out))
	adj(dout, out, y)
	want := make([]T, len(m.Params))
	m.Backward(ws, want, dout)
	nb := blocks(c.batch, c.act, x)
	if nb > 1 {
		ww, _ := m.Views(want)
		for k := range ww {
			clear(ww[k])
		}
		for b := range nb {
			lo, hi := b*c.batch/nb, (b+1)*c.batch/nb
			wb := m.NewWorkspace(hi-lo, false)
			m.Forward(wb, x[lo*in:hi*in])
			gb := make([]T, len(m.Params))
			m.Backward(wb, gb, dout[lo*o:hi*o])
			bw, _ := m.Views(gb)
			for k := range ww {
				for i, v := range bw[k] {
					ww[k][i] += v
				}
			}
		}
	}
	got := make([]T, len(m.Params))
	for i := range got {
		got[i] = T(math.NaN())
	}
	next := 0
	m.ForwardGrad(m.NewWorkspace(c.batch, false), x, got, func(d []T, lo, hi int) {
		if lo != next || hi <= lo || hi > c.batch || len(d) != (hi-lo)*o {
			t.Fatalf("adjoint called for rows %d..%d (%d values) after %d", lo, hi, len(d), next)
		}
		next = hi
		for i, v := range d {
			if math.Float64bits(float64(v)) != math.Float64bits(float64(out[lo*o+i])) {
				t.Fatalf("output row %d differs: %v, want %v", lo+i/o, v, out[lo*o+i])
			}
		}
		adj(d, d, y[lo*o:hi*o])
	})
	if next != c.batch {
		t.Fatalf("adjoint saw rows up to %d of %d", next, c.batch)
	}
	for i := range want {
		if math.Float64bits(float64(got[i])) != math.Float64bits(float64(want[i])) {
			t.Fatalf("%d blocks: gradient %d: %v, want %v", nb, i, got[i], want[i])
		}
	}
}

// TestInputGradientGradPanics checks the misuse InputGradientGrad reports:
// a workspace without the second-order buffers, a vector output, a batch of
// the wrong size, and a VJP after it (no forward pass left).
func TestInputGradientGradPanics(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	m := New[float32]([]int{2, 8, 1}, Tanh, rng)
	v := New[float32]([]int{2, 8, 2}, Tanh, rng)
	grad := make([]float32, len(m.Params))
	x := make([]float32, 2*4)
	nop := func(p, g []float32, lo, hi int) {}
	for name, f := range map[string]func(){
		"first-order workspace": func() { m.InputGradientGrad(m.NewWorkspace(4, false), x, grad, nop) },
		"vector output":         func() { v.InputGradientGrad(v.NewWorkspace(4, true), x, make([]float32, len(v.Params)), nop) },
		"batch size":            func() { m.InputGradientGrad(m.NewWorkspace(3, true), x, grad, nop) },
		"VJP after": func() {
			ws := m.NewWorkspace(4, true)
			m.InputGradient(ws, x)
			m.InputGradientGrad(ws, x, grad, nop)
			m.InputGradientVJP(ws, grad, nil, x)
		},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

// TestInputGradientGradNoAllocs checks that a warm blocked step allocates
// nothing.
func TestInputGradientGradNoAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	m := New[float32]([]int{2, 64, 64, 1}, Tanh, rng)
	const batch = 400
	ws := m.NewWorkspace(batch, true)
	x := make([]float32, 2*batch)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	grad := make([]float32, len(m.Params))
	adj := func(p, g []float32, lo, hi int) { copy(p, g) }
	m.InputGradientGrad(ws, x, grad, adj)
	if n := testing.AllocsPerRun(5, func() { m.InputGradientGrad(ws, x, grad, adj) }); n != 0 {
		t.Errorf("%v allocations per step, want 0", n)
	}
}
