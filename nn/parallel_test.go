package nn

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"time"
)

// withProcs runs f with GOMAXPROCS set to n and other processes' load
// ignored (ignoringLoad), and restores both.
func withProcs(n int, f func()) {
	defer ignoreLoad.Store(ignoreLoad.Swap(true))
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(n))
	f()
}

// ignoringLoad makes the operations of the rest of t use every goroutine
// that GOMAXPROCS allows whatever other processes (the other test
// binaries of go test ./...) do, so that the parallel paths run.
func ignoringLoad(t *testing.T) {
	old := ignoreLoad.Swap(true)
	t.Cleanup(func() { ignoreLoad.Store(old) })
}

// TestHelperTakesChunk runs an operation of two chunks under GOMAXPROCS
// 2 whose first chunk (the caller's) waits until the second has started:
// only a helper can start it, so the operation finishes only if a helper
// takes the offer (or the job sent to it while it is blocked). It runs
// twice: once with the helpers blocked or new, once right after a job,
// while they poll. It first clears any back-off that earlier tests' stalls
// started (their operations would run on their callers alone, and so
// would this one) and waits until helpers polling after earlier tests'
// jobs have blocked: a helper whose polling ends between the caller's
// count of the polling helpers and its offer misses both the offer and
// the queue, and the caller, as designed, would then compute the second
// chunk itself, which this test's first chunk forbids.
func TestHelperTakesChunk(t *testing.T) {
	crowdedUntil.Store(0)
	stalls.skip.Store(0)
	stalls.backoff.Store(0)
	time.Sleep(10 * spinFor)
	withProcs(2, func() {
		for round := range 2 {
			var started atomic.Bool
			finished := make(chan struct{})
			go func() {
				j := getJob()
				j.n = 2
				j.run = func(_ *job, c int) {
					if c == 1 {
						started.Store(true)
						return
					}
					for !started.Load() {
						runtime.Gosched()
					}
				}
				parallel(j)
				close(finished)
			}()
			select {
			case <-finished:
			case <-time.After(20 * time.Second):
				t.Fatalf("round %d: no helper took the second chunk in 20 s", round)
			}
		}
	})
}

// TestBusyRunsAlone checks that an operation that starts while
// GOMAXPROCS-1 others run computes every chunk on its caller, one after
// another, and the chunks in order, and that the next operations do so
// for crowdHold even when they run alone.
func TestBusyRunsAlone(t *testing.T) {
	defer crowdedUntil.Store(0)
	withProcs(2, func() {
		busy.Add(1)
		defer busy.Add(-1)
		var running, most atomic.Int32
		var order []int
		j := getJob()
		j.n = 8
		j.run = func(_ *job, c int) {
			most.Store(max(most.Load(), running.Add(1)))
			order = append(order, c)
			time.Sleep(100 * time.Microsecond)
			running.Add(-1)
		}
		t0 := sinceStart()
		parallel(j)
		if most.Load() != 1 || !slices.Equal(order, []int{0, 1, 2, 3, 4, 5, 6, 7}) {
			t.Errorf("chunks ran %d at once in the order %v, want one at a time in order", most.Load(), order)
		}
		if crowdedUntil.Load() < t0+int64(crowdHold) {
			t.Errorf("a crowded operation held the next ones back until %d ns, want at least %d", crowdedUntil.Load(), t0+int64(crowdHold))
		}
	})
}

// TestClaimBothEnds checks that the chunks claimed from the front and the
// back are each claimed once, the front ones in increasing order and the
// back ones in decreasing order.
func TestClaimBothEnds(t *testing.T) {
	j := &job{n: 7}
	j.next.Store(uint64(j.n) << 32)
	var got []int
	for i := 0; ; i++ {
		c := j.claim(i%3 == 2)
		if c < 0 {
			break
		}
		got = append(got, c)
	}
	if want := []int{0, 1, 6, 2, 3, 5, 4}; !slices.Equal(got, want) {
		t.Errorf("claims %v, want %v", got, want)
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
// packFloats/npad), products cut by panels (fewer row tiles than
// colsBelow) and dot products cut by rows, and cover both transposes,
// alpha and beta; C's
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
		// Few row tiles, cut by panels: a first layer's weight gradients.
		{tA: true, m: 2, n: 200, k: 1500, lda: 2, ldb: 200, ldc: 200, alpha: 1},
		{tA: true, m: 8, n: 203, k: 400, lda: 8, ldb: 203, ldc: 203, alpha: 1, beta: 1},
		{m: 13, n: 600, k: 300, lda: 300, ldb: 600, ldc: 600, alpha: 1},
		// Dot products cut by rows: an output layer, an input gradient.
		{m: 750, n: 1, k: 200, lda: 200, ldb: 1, ldc: 1, alpha: 1},
		{tB: true, m: 751, n: 2, k: 203, lda: 203, ldb: 203, ldc: 2, alpha: 0.5, beta: 1},
		{tB: true, m: 3, n: 700, k: 300, lda: 300, ldb: 300, ldc: 700, alpha: 1},
	}
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

// TestStallBackoff feeds the stall counter windows of operations and
// checks that many stalls start a back-off that doubles while they go on
// and ends after a window without stalls.
func TestStallBackoff(t *testing.T) {
	var s stallCounter
	window := func(stalled int) {
		for i := range stallWindow {
			s.record(i < stalled)
		}
	}
	window(stallLimit - 1)
	if s.skip.Load() != 0 {
		t.Fatalf("%d stalls in a window: skip %d, want 0", stallLimit-1, s.skip.Load())
	}
	want := int32(minBackoff)
	for range 8 {
		window(stallLimit)
		if s.skip.Load() != want {
			t.Fatalf("skip %d after a window of stalls, want %d", s.skip.Load(), want)
		}
		want = min(maxBackoff, 2*want)
	}
	window(0)
	window(stallLimit)
	if s.skip.Load() != minBackoff {
		t.Errorf("skip %d after a quiet window and stalls again, want %d", s.skip.Load(), minBackoff)
	}
}

// TestFor checks that For covers every item exactly once, in ranges that
// together make 0..n-1, for counts around the chunking threshold and
// under GOMAXPROCS 1, 2 and 4, and that it refuses negative counts.
func TestFor(t *testing.T) {
	for _, procs := range []int{1, 2, 4} {
		withProcs(procs, func() {
			for _, c := range []struct{ n, cost int }{
				{0, 10}, {1, 1 << 20}, {7, 1}, {200, 1568}, {1000, 100}, {5, 1 << 16}, {3, 0},
			} {
				seen := make([]atomic.Int32, c.n)
				var calls atomic.Int32
				f := func(lo, hi int) {
					if lo >= hi || lo < 0 || hi > c.n {
						t.Errorf("procs %d %+v: range %d..%d", procs, c, lo, hi)
						return
					}
					calls.Add(1)
					for i := lo; i < hi; i++ {
						seen[i].Add(1)
					}
				}
				For(c.n, c.cost, f)
				for i := range seen {
					if k := seen[i].Load(); k != 1 {
						t.Errorf("procs %d %+v: item %d done %d times", procs, c, i, k)
					}
				}
				if c.n > 0 && calls.Load() < 1 {
					t.Errorf("procs %d %+v: f never called", procs, c)
				}
			}
		})
	}
	for _, c := range [][2]int{{-1, 1}, {1, -1}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("For(%d, %d) did not panic", c[0], c[1])
				}
			}()
			For(c[0], c[1], func(int, int) {})
		}()
	}
}

// TestMoves compares setRows, copyVals and addVals with plain loops, bit
// for bit, at sizes below and above the chunking threshold and under
// GOMAXPROCS 1 and 4, for float32 (chunked) and float64 (not).
func TestMoves(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 1))
	for _, procs := range []int{1, 4} {
		withProcs(procs, func() {
			for _, c := range []struct{ rows, n int }{{1, 1}, {3, 17}, {750, 200}, {200, 1568}, {1000, 33}} {
				row := make([]float32, c.n)
				for i := range row {
					row[i] = float32(rng.NormFloat64())
				}
				x := make([]float32, c.rows*c.n+5)
				for i := range x {
					x[i] = float32(rng.NormFloat64())
				}
				got := make([]float32, c.rows*c.n+3)
				want := slices.Clone(got)
				setRows(got, row)
				for r := range len(want) / c.n {
					copy(want[r*c.n:], row)
				}
				if k := sameBits(got, want); k >= 0 {
					t.Fatalf("procs %d %+v: setRows: [%d] = %v, want %v", procs, c, k, got[k], want[k])
				}
				copyVals(got, x)
				copy(want, x)
				if k := sameBits(got, want); k >= 0 {
					t.Fatalf("procs %d %+v: copyVals: [%d] = %v, want %v", procs, c, k, got[k], want[k])
				}
				addVals(got, x)
				for i := range want {
					want[i] += x[i]
				}
				if k := sameBits(got, want); k >= 0 {
					t.Fatalf("procs %d %+v: addVals: [%d] = %v, want %v", procs, c, k, got[k], want[k])
				}
				g64, w64 := make([]float64, 2*c.n), make([]float64, 2*c.n)
				r64 := make([]float64, c.n)
				for i := range r64 {
					r64[i] = rng.NormFloat64()
				}
				setRows(g64, r64)
				addVals(g64, g64)
				copy(w64, r64)
				copy(w64[c.n:], r64)
				for i := range w64 {
					w64[i] += w64[i]
				}
				if !slices.Equal(g64, w64) {
					t.Fatalf("procs %d %+v: float64 moves differ", procs, c)
				}
			}
		})
	}
}
