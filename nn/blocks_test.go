package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
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
	forBlockCases(t, []int{1, 2, 4}, func(t *testing.T, c blockCase) {
		checkBlocked[float32](t, c)
		checkBlocked[float64](t, c)
	})
}

// forBlockCases runs check on every blockCase at every kernel level under
// each GOMAXPROCS of procs (the generic level's one-block cases only, see
// genericOnly), in subtests, other processes' load ignored, and restores
// GOMAXPROCS.
func forBlockCases(t *testing.T, procs []int, check func(t *testing.T, c blockCase)) {
	ignoringLoad(t)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	forLevels(t, func(t *testing.T, l kernelLevel) {
		for _, p := range procs {
			runtime.GOMAXPROCS(p)
			for _, c := range blockCases {
				if genericOnly(l, p, c) {
					continue
				}
				t.Run(fmt.Sprintf("P%d/%v/%d/%s", p, c.sizes, c.batch, c.act), func(t *testing.T) { check(t, c) })
			}
		}
	})
}

// genericOnly reports the cases the generic level skips: it runs every
// batch as one block, so one processor and the batches below 500 rows
// check it (under an emulator, as CI runs arm64, the others take minutes).
func genericOnly(l kernelLevel, procs int, c blockCase) bool {
	return kernelSets[l] == nil && (procs > 1 || c.batch > 500)
}

func checkBlocked[T Float](t *testing.T, c blockCase) {
	t.Helper()
	rng := rand.New(rand.NewPCG(uint64(c.batch), 7))
	m := New[T](c.sizes, c.act, rng)
	in := m.In()
	x, y := randRows[T](rng, c.batch*in), randRows[T](rng, c.batch*in)
	ws := m.NewWorkspace(c.batch, true)
	g := slices.Clone(m.InputGradient(ws, x))
	p := make([]T, len(g))
	adjoint(p, g, y)
	want := make([]T, len(m.Params))
	m.BackwardInputGradient(ws, want, p)
	nb := blocks(c.batch, c.act, x)
	if _, f32 := any(x).([]float32); f32 && kernelSets[level] != nil && c.act != Sin && c.batch > 2*BlockRows && nb < 2 {
		t.Fatalf("%d rows in one block", c.batch)
	}
	// The hidden layers' weight gradients: the blocks' own, summed in
	// block order.
	sumBlocks(m, want, len(m.Sizes)-2, nb, c.batch, func(lo, hi int, gb []T) {
		wb := m.NewWorkspace(hi-lo, true)
		m.InputGradient(wb, x[lo*in:hi*in])
		m.BackwardInputGradient(wb, gb, p[lo*in:hi*in])
	})
	got := nanParams(m)
	rows := blockRows{batch: c.batch}
	m.InputGradientGrad(m.NewWorkspace(c.batch, true), x, got, func(p, gr []T, lo, hi int) {
		rows.see(t, lo, hi, in, gr, g, "input gradient")
		if len(p) != len(gr) {
			t.Fatalf("rows %d..%d: p has %d values, g %d", lo, hi, len(p), len(gr))
		}
		adjoint(p, gr, y[lo*in:hi*in])
	})
	rows.done(t)
	gradBits(t, nb, got, want)
}

// TestForwardGradBits checks ForwardGrad as TestInputGradientGradBits
// checks InputGradientGrad, for networks with several outputs: the outputs
// each block sees, Backward's gradient with one block, and with more the
// biases' bits and every weight gradient (the output layer's included) as
// the blocks' own summed in block order.
func TestForwardGradBits(t *testing.T) {
	forBlockCases(t, []int{1, 2}, func(t *testing.T, c blockCase) {
		// As many outputs as inputs.
		c.sizes = append(slices.Clone(c.sizes[:len(c.sizes)-1]), c.sizes[0])
		checkForwardGrad[float32](t, c)
		checkForwardGrad[float64](t, c)
	})
}

func checkForwardGrad[T Float](t *testing.T, c blockCase) {
	t.Helper()
	rng := rand.New(rand.NewPCG(uint64(c.batch), 8))
	m := New[T](c.sizes, c.act, rng)
	in, o := m.In(), m.Out()
	x, y := randRows[T](rng, c.batch*in), randRows[T](rng, c.batch*o)
	ws := m.NewWorkspace(c.batch, false)
	out := slices.Clone(m.Forward(ws, x))
	dout := make([]T, len(out))
	adjoint(dout, out, y)
	want := make([]T, len(m.Params))
	m.Backward(ws, want, dout)
	nb := blocks(c.batch, c.act, x)
	// Every layer's weight gradient, the output layer's included.
	sumBlocks(m, want, len(m.Sizes)-1, nb, c.batch, func(lo, hi int, gb []T) {
		wb := m.NewWorkspace(hi-lo, false)
		m.Forward(wb, x[lo*in:hi*in])
		m.Backward(wb, gb, dout[lo*o:hi*o])
	})
	got := nanParams(m)
	rows := blockRows{batch: c.batch}
	m.ForwardGrad(m.NewWorkspace(c.batch, false), x, got, func(d []T, lo, hi int) {
		rows.see(t, lo, hi, o, d, out, "output")
		adjoint(d, d, y[lo*o:hi*o])
	})
	rows.done(t)
	gradBits(t, nb, got, want)
}

// randRows returns n normal values.
func randRows[T Float](rng *rand.Rand, n int) []T {
	x := make([]T, n)
	for i := range x {
		x[i] = T(rng.NormFloat64())
	}
	return x
}

// adjoint writes a squared error's adjoint of v against y into p: (v - y)
// times 0.37.
func adjoint[T Float](p, v, y []T) {
	for i := range p {
		p[i] = (v[i] - y[i]) * 0.37
	}
}

// nanParams returns a gradient buffer of NaNs: every value must be written.
func nanParams[T Float](m *MLP[T]) []T {
	g := make([]T, len(m.Params))
	for i := range g {
		g[i] = T(math.NaN())
	}
	return g
}

// sumBlocks replaces the weight gradients of the first layers layers in
// want, with nb > 1 blocks, by the blocks' own (grad fills a block's whole
// gradient) added in block order.
func sumBlocks[T Float](m *MLP[T], want []T, layers, nb, batch int, grad func(lo, hi int, g []T)) {
	if nb < 2 {
		return
	}
	ww, _ := m.Views(want)
	for k := range layers {
		clear(ww[k])
	}
	g := make([]T, len(want))
	for b := range nb {
		grad(b*batch/nb, (b+1)*batch/nb, g)
		bw, _ := m.Views(g)
		for k := range layers {
			for i, v := range bw[k] {
				ww[k][i] += v
			}
		}
	}
}

// blockRows checks the blocks a blocked pass hands its adjoint: each row
// once, in order, with the values of one pass.
type blockRows struct{ batch, next int }

// see checks the rows lo..hi-1 of width w, whose values got holds, against
// their rows of want.
func (r *blockRows) see(t *testing.T, lo, hi, w int, got, want any, what string) {
	t.Helper()
	if lo != r.next || hi <= lo || hi > r.batch {
		t.Fatalf("adjoint called for rows %d..%d after %d", lo, hi, r.next)
	}
	r.next = hi
	g, wv := reflect.ValueOf(got), reflect.ValueOf(want)
	if g.Len() != (hi-lo)*w {
		t.Fatalf("rows %d..%d: %d values, want %d", lo, hi, g.Len(), (hi-lo)*w)
	}
	for i := range g.Len() {
		if a, b := g.Index(i).Float(), wv.Index(lo*w+i).Float(); math.Float64bits(a) != math.Float64bits(b) {
			t.Fatalf("%s row %d differs: %v, want %v", what, lo+i/w, a, b)
		}
	}
}

// done checks that every row was seen.
func (r *blockRows) done(t *testing.T) {
	t.Helper()
	if r.next != r.batch {
		t.Fatalf("adjoint saw rows up to %d of %d", r.next, r.batch)
	}
}

// gradBits fails at the first gradient value whose bits differ.
func gradBits[T Float](t *testing.T, nb int, got, want []T) {
	t.Helper()
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
// nothing (with the assembly kernels; the generic level's gonum products
// allocate).
func TestInputGradientGradNoAllocs(t *testing.T) {
	if Kernel() == "generic" {
		t.Skip("gonum's BLAS allocates inside products of this size")
	}
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

// TestFreezeWeights checks, at every kernel level, that a workspace with
// frozen weights gives the bits of one without, for batches that take
// every path of the products (dot products up to 4 rows, B read in place
// up to 32, packed above, several blocks in a blocked pass): Forward,
// InputGradient, BackwardInputGradient and InputGradientGrad; that it
// evaluates another network of the same shape with that network's
// weights; that it packs nothing per call (no allocation, and new hidden
// weights are not seen until FreezeWeights again); and that ThawWeights
// sees them.
func TestFreezeWeights(t *testing.T) {
	forLevels(t, func(t *testing.T, l kernelLevel) {
		for _, batch := range []int{1, 3, 5, 15, 33, 64, 300} {
			t.Run(fmt.Sprint(batch), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(batch), 11))
				sizes := []int{3, 40, 37, 1}
				m, other := New[float32](sizes, Tanh, rng), New[float32](sizes, Tanh, rng)
				x, p := randRows[float32](rng, batch*3), randRows[float32](rng, batch*3)
				eval := func(m *MLP[float32], ws *Workspace[float32]) [][]float32 {
					out := slices.Clone(m.Forward(ws, x))
					g := slices.Clone(m.InputGradient(ws, x))
					grad := make([]float32, len(m.Params))
					m.BackwardInputGradient(ws, grad, p)
					blocked := make([]float32, len(m.Params))
					m.InputGradientGrad(ws, x, blocked, func(pb, _ []float32, lo, hi int) { copy(pb, p[lo*3:hi*3]) })
					return [][]float32{out, g, grad, blocked}
				}
				want, wantOther := eval(m, m.NewWorkspace(batch, true)), eval(other, other.NewWorkspace(batch, true))
				ws := m.NewWorkspace(batch, true)
				packed := m.FreezeWeights(ws)
				if packed != (kernelSets[l] != nil) {
					t.Fatalf("FreezeWeights packed %v at level %s", packed, levelNames[l])
				}
				for i, pass := range []string{"Forward", "InputGradient", "BackwardInputGradient", "InputGradientGrad"} {
					got := eval(m, ws)
					if !slices.Equal(got[i], want[i]) {
						t.Fatalf("%s with frozen weights differs", pass)
					}
					if !slices.Equal(eval(other, ws)[i], wantOther[i]) {
						t.Fatalf("%s of another network on a frozen workspace differs from its own", pass)
					}
				}
				if allocs := testing.AllocsPerRun(5, func() { m.InputGradient(ws, x) }); packed && allocs != 0 {
					t.Errorf("InputGradient on frozen weights: %v allocations", allocs)
				}
				// Frozen means frozen: changed hidden weights (the output
				// layer's and the biases are read where they are) are seen
				// after ThawWeights (or FreezeWeights) only.
				before := slices.Clone(m.Forward(ws, x))
				for _, w := range m.w[:len(m.w)-1] {
					for i := range w {
						w[i] *= 1.5
					}
				}
				if changed := !slices.Equal(m.Forward(ws, x), before); packed && batch > dotCols && changed {
					t.Errorf("frozen weights followed a change of the parameters")
				}
				ws.ThawWeights()
				if slices.Equal(m.Forward(ws, x), before) {
					t.Errorf("thawed workspace does not see the new parameters")
				}
			})
		}
	})
}
