package nn

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Intra-operation parallelism. A large float32 product is cut into
// chunks of whole row tiles of C, or of whole panels when it has few rows
// (and a large element-wise kernel into chunks of whole vectors), and the
// chunks run on the calling goroutine and on helper goroutines that the
// process shares. Every element of the
// result is computed by the same kernel from the same inputs, in the same
// order, whichever goroutine runs its chunk and however the rows are cut,
// so the numbers are those of one goroutine bit for bit, whatever
// GOMAXPROCS is. The chunks are claimed one at a time: a caller whose
// helpers are busy computes its chunks itself, so that no goroutine waits
// for one that has no core. However many operations run at once (the
// trainings of a reproduction), at most GOMAXPROCS-1 helpers work beside
// them, and an operation that starts while GOMAXPROCS-1 others run does
// not offer its chunks at all: as many trainings as cores keep them busy
// alone, and when fewer run (the last runs of a reproduction) the helpers
// fill the idle cores.
//
// Hand-overs avoid the Go scheduler, whose wake-ups cost tens of
// microseconds to milliseconds on a virtual machine's idle core (a
// goroutine made ready by another waits in that one's processor until a
// third steals it): a helper polls the offers for spinFor after its last
// job, keeping its processor, and a caller waits for its helpers' last
// chunks by polling the count of finished chunks. Measured on a 2-core
// virtual machine, the earlier hand-over through a channel and
// runtime.Gosched left the helper runnable but not running for up to 3 ms
// at a time, and a training step ran no faster on two cores than on one.
// Where other processes keep the cores busy, a helper may lose its core
// in the middle of a chunk and its caller wait for it: a caller that often
// waits much longer than a chunk runs its operations alone for a while
// (stalls).

// parMinFlops is about the least work of one chunk of a product, in flops
// (2mnk): a product of less than twice it is not cut. At the kernels'
// rate it is 3-5 microseconds on one AVX2 core, against a hand-over to a
// polling helper of about one; the products of a network's first and
// last layers (k or n of 8, 0.6 MFLOP, 9-16 us on one core) are just
// above twice it and now run on two cores. Timed in one process against
// 1 << 20, switched every 10 steps with the order alternated, on 2 cores:
// the two-body HNN step 1.013-1.046 times as fast in six runs, the spring
// HNN's 1.005-1.027 in three, the pixel HNN's 0.990 in one (noise about
// 1.5%); 1 << 19 measured 0.958-1.020. BenchmarkSgemm with -cpu 1,2 times
// the products of a training step both ways.
const parMinFlops = 1 << 18

// parMinVec is the smallest element-wise kernel or packing of B, in
// values, that is cut into chunks, and about the least work of one chunk
// (a few microseconds of tanh on one AVX2 core, about one of the packing
// kernels; a helper polling the queue takes a job in well under one:
// packing 40000 values in chunks beat packing them on the caller alone,
// 1.52x against 1.49x for a two-body step on two cores).
const parMinVec = 1 << 13

// maxChunksPerProc bounds the chunks of one operation per goroutine that
// may run it: enough for a caller to even out a helper that starts late,
// and for the last chunk to be short.
const maxChunksPerProc = 8

// job is one operation cut into chunks.
type job struct {
	n int // chunks
	// next holds the chunks not yet claimed, lo..hi-1: lo in the low 32
	// bits, hi in the high ones.
	next atomic.Uint64
	done atomic.Int64 // chunks finished
	refs atomic.Int32 // goroutines that hold the job (caller and helpers given it)
	// fin receives one value when the last chunk is finished; a caller
	// that blocks takes it, otherwise putJob does.
	fin chan struct{}
	run func(j *job, chunk int)
	f   func(lo, hi int) // For's
	fn  int              // For's items
	g   gemmArgs
	v   vecArgs
	c   colArgs
	d   dotArgs
}

// claim takes the first chunk not yet claimed (the caller's end) or the
// last (the helpers' end), and returns -1 when none is left. Claiming from
// both ends keeps the rows of consecutive operations on the same core more
// often than one counter does (the caller's first rows, the helpers' last),
// so that fewer of the operands travel between the cores' caches.
func (j *job) claim(back bool) int {
	for {
		v := j.next.Load()
		lo, hi := uint32(v), uint32(v>>32)
		if lo >= hi {
			return -1
		}
		nv, c := v+1, int(lo)
		if back {
			nv, c = uint64(hi-1)<<32|uint64(lo), int(hi-1)
		}
		if j.next.CompareAndSwap(v, nv) {
			return c
		}
	}
}

// work runs chunks of j, claimed from the front or the back, until none is
// left to claim, and returns how many it ran.
func (j *job) work(back bool) (ran int) {
	for ; ; ran++ {
		c := j.claim(back)
		if c < 0 {
			return ran
		}
		j.run(j, c)
		if j.done.Add(1) == int64(j.n) {
			j.fin <- struct{}{}
		}
	}
}

// release drops one reference to j and returns it to the free list with
// the last.
func (j *job) release() {
	if j.refs.Add(-1) == 0 {
		putJob(j)
	}
}

// jobs is the free list of jobs.
var jobs freeList[job]

func getJob() *job {
	if j := jobs.get(); j != nil {
		return j
	}
	return &job{fin: make(chan struct{}, 1)}
}

func putJob(j *job) {
	// The goroutine that finished the last chunk sent on fin after it
	// counted the chunk done, which is all that a caller that did not
	// block waited for: the value is in the buffer now that no goroutine
	// holds j.
	select {
	case <-j.fin:
	default:
	}
	j.run, j.f, j.g, j.v, j.c, j.d = nil, nil, gemmArgs{}, vecArgs{}, colArgs{}, dotArgs{}
	jobs.put(j)
}

// helpers are the process's helper goroutines: they take jobs from the
// offers while they poll and from queue while they are blocked, work on
// them and release them. There are at most GOMAXPROCS-1 of them (as
// GOMAXPROCS was when they were started); they never end. n is read
// without the lock on the fast path of startHelpers.
var helpers struct {
	sync.Mutex
	n     atomic.Int32
	queue chan *job
}

// offers are the slots in which callers offer jobs to polling helpers. A
// helper takes a job by swapping its slot to nil, and a caller that finds
// its job still there after its own chunks takes it back; the reference
// that an offer holds belongs to whoever empties the slot.
var offers [offerSlots]atomic.Pointer[job]

// offerSlots is the number of offers: enough for the GOMAXPROCS-1 helpers
// of every operation running at once (a job that finds no free slot runs
// on its caller).
const offerSlots = 64

// polling counts the helpers that poll the offers now; busy counts the
// operations large enough for helpers that run now.
var polling, busy atomic.Int32

// crowdedUntil is the time (sinceStart) until which operations run on
// their callers alone and helpers do not poll: an operation that starts
// while GOMAXPROCS-1 others run sets it crowdHold ahead. As many trainings
// as cores (a reproduction) then keep the cores to themselves, without
// helpers that poll beside them, and when fewer remain the helpers come
// back within crowdHold.
var crowdedUntil atomic.Int64

// crowdHold is how long operations run alone after the last one that found
// as many others running as cores.
const crowdHold = 10 * time.Millisecond

// epoch is the origin of sinceStart.
var epoch = time.Now()

// sinceStart returns the monotonic time since epoch, in nanoseconds.
func sinceStart() int64 { return int64(time.Since(epoch)) }

// startHelpers makes sure that at least n helpers run, and returns the
// queue they take jobs from when they block.
func startHelpers(n int) chan *job {
	if int(helpers.n.Load()) >= n {
		return helpers.queue
	}
	helpers.Lock()
	defer helpers.Unlock()
	if helpers.queue == nil {
		helpers.queue = make(chan *job, 256)
	}
	for int(helpers.n.Load()) < n {
		go helper(helpers.queue)
		helpers.n.Add(1)
	}
	return helpers.queue
}

func helper(queue chan *job) {
	for {
		j := poll()
		if j == nil {
			j = <-queue
		}
		working.Add(1)
		j.work(true)
		working.Add(-1)
		j.release()
	}
}

// spinFor is how long a helper polls the offers after a job before it
// blocks, and how long a caller polls its job's chunks before it blocks:
// the operations of a training step follow each other within
// microseconds.
const spinFor = time.Millisecond

// yieldEvery is how often a polling helper yields its processor to other
// goroutines (the trainings of a reproduction), in polls of the offers: a
// few hundred microseconds.
const yieldEvery = 1 << 12

// poll returns an offered job, or nil after spinFor without one, or at
// once under GOMAXPROCS 1 (where polling would hold the only processor).
func poll() *job {
	polling.Add(1)
	defer polling.Add(-1)
	var start time.Time
	for i := 0; ; i++ {
		for k := range offers {
			if offers[k].Load() == nil {
				continue
			}
			if j := offers[k].Swap(nil); j != nil {
				return j
			}
		}
		if i%256 == 0 {
			// GOMAXPROCS takes a lock: it is read with the clock.
			if procs() == 1 || sinceStart() < crowdedUntil.Load() {
				return nil
			}
			// Other processes leave fewer cores than pollers (load).
			if f := freeCores(); f > 0 && polling.Load() > f-1 {
				return nil
			}
			if i == 0 {
				start = time.Now()
			} else if time.Since(start) > spinFor {
				return nil
			}
		}
		if i%yieldEvery == yieldEvery-1 {
			runtime.Gosched()
		}
	}
}

// procs returns the number of goroutines an operation may run on.
func procs() int { return runtime.GOMAXPROCS(0) }

// parallel runs j's n chunks (j.run, j.n set) on the calling goroutine
// and on up to procs()-1 helpers, and returns when all are done; on the
// calling goroutine alone while procs()-1 other operations run with
// helpers. j must come from getJob; parallel releases it.
func parallel(j *job) {
	want := min(j.n, cores()) - 1
	if want > 0 {
		n := int(busy.Add(1))
		defer busy.Add(-1)
		switch t := sinceStart(); {
		case n >= procs():
			crowdedUntil.Store(t + int64(crowdHold))
			want = 0
		case t < crowdedUntil.Load():
			want = 0
		}
	}
	if want > 0 && stalls.skip.Load() > 0 {
		stalls.skip.Add(-1)
		want = 0
	}
	if want <= 0 {
		for c := range j.n {
			j.run(j, c)
		}
		putJob(j)
		return
	}
	q := startHelpers(want)
	j.next.Store(uint64(j.n) << 32)
	j.done.Store(0)
	// One reference for the caller and one for each offer and each job
	// sent to a blocked helper, all taken before a helper can see j.
	wake := max(0, want-int(polling.Load()))
	j.refs.Store(int32(1 + want + wake))
	var slots [offerSlots]uint8
	offered := 0
	for k := 0; k < offerSlots && offered < want; k++ {
		if offers[k].CompareAndSwap(nil, j) {
			slots[offered] = uint8(k)
			offered++
		}
	}
	sent := 0
	for range wake {
		select {
		case q <- j:
			sent++
		default: // the queue is full: the caller does more
		}
	}
	if drop := want - offered + wake - sent; drop > 0 {
		j.refs.Add(int32(-drop))
	}
	t0 := time.Now()
	mine := j.work(false)
	for _, k := range slots[:offered] {
		if offers[k].CompareAndSwap(j, nil) {
			j.refs.Add(-1) // no helper took this offer
		}
	}
	stalled := false
	if j.done.Load() < int64(j.n) {
		// A helper still runs a chunk: poll for a while, then block.
		t1 := time.Now()
		for i := 1; j.done.Load() < int64(j.n); i++ {
			if i%256 == 0 && time.Since(t1) > spinFor {
				<-j.fin
				break
			}
		}
		// A helper that runs a chunk finishes it within about a chunk's
		// time of the caller's last unless the system took its core.
		chunk := t1.Sub(t0) / time.Duration(max(1, mine))
		stalled = time.Since(t1) > 4*chunk+stallSlack
	}
	j.release()
	stalls.record(stalled)
}

// stalls counts the operations whose caller waited for a helper that had
// lost its core (other processes keep the cores busy): when many do, the
// operations run on their callers alone for a while. Which goroutine
// computes a chunk never changes the numbers, so neither does this.
var stalls stallCounter

// stallCounter is the type of stalls.
type stallCounter struct {
	ops, count atomic.Int32
	skip       atomic.Int32 // operations left to run on their callers alone
	backoff    atomic.Int32 // the skip of the last back-off (0: none yet)
}

// The stall detector's settings: a wait of more than four chunks and
// stallSlack is a stall; stallLimit stalls in stallWindow operations make
// the next backoff operations run alone (from minBackoff, doubling while
// the stalls go on, up to maxBackoff).
const (
	stallSlack  = 20 * time.Microsecond
	stallWindow = 64
	stallLimit  = 8
	minBackoff  = 256
	maxBackoff  = 1 << 14
)

// record counts one operation with helpers, stalled or not, and starts
// a back-off at the end of a window with too many stalls.
func (s *stallCounter) record(stalled bool) {
	if stalled {
		s.count.Add(1)
	}
	if s.ops.Add(1) < stallWindow {
		return
	}
	n := s.count.Swap(0)
	s.ops.Store(0)
	b := s.backoff.Load()
	switch {
	case n >= stallLimit:
		b = min(maxBackoff, max(minBackoff, 2*b))
		s.backoff.Store(b)
		s.skip.Store(b)
	case n == 0:
		s.backoff.Store(0)
	}
}

// chunks returns how many chunks to cut an operation of the given work
// into, at most units: one below twice least, else about one per least of
// work, at most maxChunksPerProc a goroutine.
func chunks(work, least float64, units int) int {
	if work < 2*least || procs() == 1 {
		return 1
	}
	return max(1, min(int(work/least), units, maxChunksPerProc*procs()))
}

// split returns the start of chunk c of n over units units: the units are
// dealt out as evenly as possible, the first ones one larger.
func split(units, n, c int) int {
	q, r := units/n, units%n
	return c*q + min(c, r)
}

// vecOp names an element-wise kernel that parallelVec cuts into chunks.
type vecOp int

const (
	opAct         vecOp = iota // act(x0, x1, x2): an activation that does every value
	opSecondOrder              // secondOrder(x0, x1, x2, x3, x4, x5)
	opMulTo                    // mulTo(x0, x1, x2)
	opAdam                     // adam(x0, x1, x2, x3, c)
	opAverage                  // average(x0, x1, beta, a)
	opRows                     // every unit of x0 set to row
	opCopy                     // x0 = x1
	opAdd                      // x0 += x1
)

// vecArgs are the arguments of a chunked element-wise kernel: the slices
// x (nil where a kernel takes a nil pointer), all of length units x unit.
type vecArgs struct {
	op          vecOp
	ks          *kernelSet
	act         func(z, s1, s2 *float32, n int)
	x           [6][]float32
	unit, units int
	c           *[8]float32 // opAdam's constants
	beta, a     float32     // opAverage's weights
	row         []float32   // opRows' row, unit values
}

// parallelVec runs the element-wise kernel op of ks on the slices x (nil
// for a nil pointer), each of at least n values, n a multiple of unit, cut
// into chunks of whole units when n is large: each value is computed as on
// one goroutine.
func parallelVec(op vecOp, ks *kernelSet, act func(z, s1, s2 *float32, n int), unit, n int, x [6][]float32) {
	parallelVecArgs(vecArgs{op: op, ks: ks, act: act, unit: unit}, n, x)
}

// parallelVecArgs is parallelVec with the kernel and its constants in v.
func parallelVecArgs(v vecArgs, n int, x [6][]float32) {
	if n == 0 {
		return
	}
	for i, v := range x {
		if v != nil {
			x[i] = v[:n]
		}
	}
	v.x, v.units = x, n/v.unit
	nc := chunks(float64(n), parMinVec, v.units)
	if nc == 1 {
		v.run(0, n)
		return
	}
	j := getJob()
	j.n, j.v, j.run = nc, v, runVec
	parallel(j)
}

func runVec(j *job, c int) {
	v := &j.v
	v.run(split(v.units, j.n, c)*v.unit, split(v.units, j.n, c+1)*v.unit)
}

// run applies the kernel to the values lo..hi-1.
func (v *vecArgs) run(lo, hi int) {
	switch v.op {
	case opRows:
		d := v.x[0]
		for i := lo; i < hi; i += v.unit {
			copy(d[i:i+v.unit], v.row)
		}
		return
	case opCopy:
		copy(v.x[0][lo:hi], v.x[1][lo:hi])
		return
	case opAdd:
		d, x := v.x[0][lo:hi], v.x[1][lo:hi]
		for i := range d {
			d[i] += x[i]
		}
		return
	}
	var p [6]*float32
	for i, x := range v.x {
		if x != nil {
			p[i] = &x[lo]
		}
	}
	switch v.op {
	case opAct:
		v.act(p[0], p[1], p[2], hi-lo)
	case opSecondOrder:
		v.ks.secondOrder(p[0], p[1], p[2], p[3], p[4], p[5], hi-lo)
	case opMulTo:
		v.ks.mulTo(p[0], p[1], p[2], hi-lo)
	case opAdam:
		v.ks.adam(p[0], p[1], p[2], p[3], hi-lo, v.c)
	case opAverage:
		v.ks.average(p[0], p[1], hi-lo, v.beta, v.a)
	}
}

// For calls f(lo, hi) on ranges of items that together cover 0..n-1
// once, on the calling goroutine and, when the work is large, on nn's
// helpers at the same time, as nn cuts its own element-wise work: about
// cost values touched per item. f must compute each item the same way
// whatever range it comes in and must not write what another item reads
// or writes (a row's loss terms and gradients, say), so that the results
// do not depend on the number of cores; sums over items belong after For,
// in item order. f should be made once (a method value kept by the
// caller): For allocates nothing itself. It panics if n or cost is
// negative.
func For(n, cost int, f func(lo, hi int)) {
	if n < 0 || cost < 0 {
		panic("nn: For with a negative count")
	}
	if n == 0 {
		return
	}
	nc := chunks(float64(n)*float64(cost), parMinVec, n)
	if nc == 1 {
		f(0, n)
		return
	}
	j := getJob()
	j.n, j.f, j.fn, j.run = nc, f, n, runFor
	parallel(j)
}

func runFor(j *job, c int) { j.f(split(j.fn, j.n, c), split(j.fn, j.n, c+1)) }

// moveUnit is the number of values of the units of copyVals and addVals:
// a cache line.
const moveUnit = 16

// setRows sets each of the len(dst)/len(row) rows of dst to row, the rows
// of a large dst cut into chunks.
func setRows[T Float](dst, row []T) {
	n := len(row)
	if n == 0 {
		return
	}
	rows := len(dst) / n
	if d32, ok := any(dst).([]float32); ok {
		parallelVecArgs(vecArgs{op: opRows, unit: n, row: any(row).([]float32)}, rows*n, [6][]float32{d32})
		return
	}
	for i := range rows {
		copy(dst[i*n:(i+1)*n], row)
	}
}

// copyVals is copy(dst, src), cut into chunks when large.
func copyVals[T Float](dst, src []T) {
	n := min(len(dst), len(src))
	dst, src = dst[:n], src[:n]
	done := 0
	if d32, ok := any(dst).([]float32); ok {
		done = len(dst) / moveUnit * moveUnit
		parallelVecArgs(vecArgs{op: opCopy, unit: moveUnit}, done, [6][]float32{d32, any(src).([]float32)})
	}
	copy(dst[done:], src[done:])
}

// addVals sets dst[i] += x[i] for i < len(dst), cut into chunks when
// large.
func addVals[T Float](dst, x []T) {
	x = x[:len(dst)]
	done := 0
	if d32, ok := any(dst).([]float32); ok {
		done = len(dst) / moveUnit * moveUnit
		parallelVecArgs(vecArgs{op: opAdd, unit: moveUnit}, done, [6][]float32{d32, any(x).([]float32)})
	}
	for i := done; i < len(dst); i++ {
		dst[i] += x[i]
	}
}

// colArgs are the arguments of a column sum cut into chunks of columns.
type colArgs struct {
	dst, a []float32
	r, n   int
	beta   float32
	exact  bool // subnormals kept (colSumAdd)
}

// colUnit is the number of columns of the chunks of a column sum (a
// multiple of every vector width).
const colUnit = 32

// parallelCols is colSums for float32 at a kernel level: dst[j] = beta
// dst[j] + sum_i a[i*n+j], cut into chunks of columns when a is large.
// Each chunk adds its rows, in order, into a buffer of its own and stores
// it at the end, so that chunks do not write the cache lines they share.
func parallelCols(dst, a []float32, r, n int, beta float32, exact bool) {
	units := (n + colUnit - 1) / colUnit
	nc := chunks(float64(r)*float64(n), parMinVec, units)
	if nc == 1 {
		colSumCols(dst, a, r, n, beta, 0, exact)
		return
	}
	j := getJob()
	j.n, j.c, j.run = nc, colArgs{dst: dst, a: a, r: r, n: n, beta: beta, exact: exact}, runCols
	parallel(j)
}

func runCols(j *job, c int) {
	k := &j.c
	units := (k.n + colUnit - 1) / colUnit
	lo, hi := split(units, j.n, c)*colUnit, min(k.n, split(units, j.n, c+1)*colUnit)
	buf := getBuf()
	if len(buf.b) < hi-lo {
		buf.b = make([]float32, hi-lo)
	}
	d := buf.b[:hi-lo]
	copy(d, k.dst[lo:hi])
	colSumCols(d, k.a, k.r, k.n, k.beta, lo, k.exact)
	copy(k.dst[lo:hi], d)
	putBuf(buf)
}
