package nn

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"time"
)

// withProcs runs f with GOMAXPROCS set to n, and restores it.
func withProcs(n int, f func()) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(n))
	f()
}

// favourHelpers makes the pacer keep the helpers on (as it does where they
// pay), so that the tests run the chunks on several goroutines, and
// returns a function that restores it.
func favourHelpers() (restore func()) {
	pace.mu.Lock()
	defer pace.mu.Unlock()
	old := pacer{mode: pace.mode, work: pace.work, wall: pace.wall, rate: pace.rate, windows: pace.windows}
	pace.mode, pace.work, pace.wall, pace.rate, pace.windows = 0, 0, 0, [2]float64{1e300, 1}, 1
	pace.serialNow.Store(false)
	return func() {
		pace.mu.Lock()
		defer pace.mu.Unlock()
		pace.mode, pace.work, pace.wall, pace.rate, pace.windows = old.mode, old.work, old.wall, old.rate, old.windows
		pace.serialNow.Store(old.mode == 1)
	}
}

// TestPacer feeds the pacer products with and without helpers and checks
// that it keeps the faster mode, tries the slower every probeEvery
// windows, and ignores products that started under the other mode.
func TestPacer(t *testing.T) {
	var p pacer
	window := time.Duration(paceWindow * float64(time.Second))
	feed := func(serial bool, rate float64) {
		p.record(serial, window, rate*paceWindow)
	}
	modes := func(par, ser float64, n int) (serialWindows int) {
		for range n {
			s := p.serial()
			if s {
				serialWindows++
				feed(true, ser)
			} else {
				feed(false, par)
			}
		}
		return serialWindows
	}
	// Helpers twice as fast: after one probe of the callers alone, one
	// window in probeEvery without helpers.
	if got := modes(2e10, 1e10, 4*probeEvery); got < 2 || got > 6 {
		t.Errorf("helpers twice as fast: %d of %d windows without them, want about 4", got, 4*probeEvery)
	}
	// Helpers slower (busy cores): most windows without them.
	if got := modes(0.8e10, 1e10, 4*probeEvery); got < 4*probeEvery-6 {
		t.Errorf("helpers slower: %d of %d windows without them, want all but the probes", got, 4*probeEvery)
	}
	// A product recorded under the other mode changes nothing.
	m, w := p.mode, p.wall
	p.record(p.mode == 0, window/2, 1)
	if p.mode != m || p.wall != w {
		t.Error("a product of the other mode was recorded")
	}
	// Other operations (no flops) are not recorded.
	p.record(p.mode == 1, window, 0)
	if p.wall != w {
		t.Error("an operation without flops was recorded")
	}
}

// sameBits reports the first index where got and want differ in their
// bits (NaN payloads included), or -1.
func sameBits(got, want []float32) int {
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			return i
		}
	}
	return -1
}

// TestParallelSgemmBits checks that products large enough to be cut into
// chunks give the same bits with GOMAXPROCS 1, 2, 3 and 8: every tile is
// computed as on one goroutine whichever goroutine runs it. The shapes
// cross the tile edges (m not a multiple of mr, a half-width last panel),
// the depth blocks (k above kc) and the packed groups (k above
// packFloats/npad), and cover both transposes, alpha and beta; C's
// padding is NaN and must stay so. Not parallel: it changes GOMAXPROCS.
func TestParallelSgemmBits(t *testing.T) {
	cases := []gemmCase{
		{m: 750, n: 200, k: 200, lda: 200, ldb: 200, ldc: 200, alpha: 1},
		{tB: true, m: 751, n: 203, k: 199, lda: 199, ldb: 199, ldc: 205, alpha: 1, beta: 1},
		{tA: true, m: 200, n: 200, k: 750, lda: 200, ldb: 200, ldc: 200, alpha: 1},
		{tA: true, tB: true, m: 131, n: 77, k: 1500, lda: 131, ldb: 1500, ldc: 77, alpha: 0.5, beta: 1},
		{m: 100, n: 200, k: 1568, lda: 1568, ldb: 200, ldc: 200, alpha: 1},
		{m: 100, n: 1568, k: 200, lda: 200, ldb: 1568, ldc: 1568, alpha: -2},
		{m: 30, n: 520, k: 3000, lda: 3000, ldb: 520, ldc: 520, alpha: 1},
	}
	defer favourHelpers()()
	forLevels(t, func(t *testing.T, l kernelLevel) {
		for i, g := range cases {
			if l == levelGeneric && i > 1 {
				break // gonum's products: two suffice (and qemu runs this level)
			}
			rng := rand.New(rand.NewPCG(3, uint64(g.m)))
			a, b, c := gemmData(g, rng)
			var want []float32
			for _, p := range []int{1, 2, 3, 8} {
				got := slices.Clone(c)
				withProcs(p, func() { gemm(g.tA, g.tB, g.m, g.n, g.k, g.alpha, a, g.lda, b, g.ldb, g.beta, got, g.ldc) })
				if want == nil {
					want = got
					continue
				}
				if i := sameBits(got, want); i >= 0 {
					t.Errorf("%v: GOMAXPROCS %d: C[%d] = %v, with 1 %v", g, p, i, got[i], want[i])
				}
			}
		}
	})
}

// TestParallelElementwiseBits checks that the activations, the second-order
// terms, the element-wise products, the Adam update and the moving average
// give the same bits with GOMAXPROCS 1
// and 4 on arrays large enough to be cut into chunks (with a ragged end).
func TestParallelElementwiseBits(t *testing.T) {
	const n = 3*parMinVec + 13
	rng := rand.New(rand.NewPCG(4, 4))
	x := make([][]float32, 6)
	for i := range x {
		x[i] = make([]float32, n)
		for j := range x[i] {
			x[i][j] = float32(2 * rng.NormFloat64())
		}
	}
	type op struct {
		name string
		f    func(out [][]float32)
	}
	ops := []op{
		{"tanh", func(o [][]float32) { activate(Tanh, o[0], o[1], o[2]) }},
		{"relu", func(o [][]float32) { activate(ReLU, o[0], o[1], nil) }},
		{"sigmoid", func(o [][]float32) { activate(Sigmoid, o[0], o[1], o[2]) }},
		{"softplus", func(o [][]float32) { activate(Softplus, o[0], o[1], o[2]) }},
		{"secondOrder", func(o [][]float32) { secondOrderTerms(o[0], o[1], o[2], o[3], o[4], o[5]) }},
		{"mulTo", func(o [][]float32) { mulTo(o[0], o[1], o[2]) }},
		{"mulAdd", func(o [][]float32) { mulAddInto(o[0], o[1], o[2]) }},
		{"adam", func(o [][]float32) {
			a := NewAdam[float32](n, 1e-3, 1e-4)
			copy(a.v, o[3])
			for i := range a.v {
				a.v[i] *= a.v[i]
			}
			copy(a.m, o[2])
			a.Step(o[0], o[1])
			copy(o[2], a.m)
			copy(o[3], a.v)
		}},
		{"average", func(o [][]float32) { Average(o[0], o[1], 0.99) }},
		{"colSum", func(o [][]float32) { colSum(o[0][:777], o[1], len(o[1])/777, 777) }},
		{"colSumAdd", func(o [][]float32) { colSumAdd(o[0][:777], o[1], len(o[1])/777, 777, 0.5) }},
	}
	defer favourHelpers()()
	forLevels(t, func(t *testing.T, l kernelLevel) {
		for _, o := range ops {
			var want [][]float32
			for _, p := range []int{1, 4} {
				got := make([][]float32, len(x))
				for i := range x {
					got[i] = slices.Clone(x[i])
				}
				withProcs(p, func() { o.f(got) })
				if want == nil {
					want = got
					continue
				}
				for i := range got {
					if k := sameBits(got[i], want[i]); k >= 0 {
						t.Errorf("%s: GOMAXPROCS %d: slice %d [%d] = %v, with 1 %v", o.name, p, i, k, got[i][k], want[i][k])
					}
				}
			}
		}
	})
}

// BenchmarkParallelDispatch times the hand-over of an operation of two
// empty chunks to a helper and back: the overhead that parMinFlops and
// parMinVec weigh against the time saved. Run it with -cpu 1,2.
func BenchmarkParallelDispatch(b *testing.B) {
	noop := func(*job, int) {}
	for b.Loop() {
		j := getJob()
		j.n, j.run = 2, noop
		parallel(j)
	}
}
