package nn

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Intra-operation parallelism. A large float32 product is cut into
// chunks of whole row tiles of C (and a large element-wise kernel into
// chunks of whole vectors), and the chunks run on the calling goroutine
// and on helper goroutines that the process shares. Every element of the
// result is computed by the same kernel from the same inputs, in the same
// order, whichever goroutine runs its chunk and however the rows are cut,
// so the numbers are those of one goroutine bit for bit, whatever
// GOMAXPROCS is. The chunks are claimed one at a time from a counter: a
// caller whose helpers are busy (with the products of another training
// in the same process) computes its chunks itself, so that concurrent
// trainings share the cores without waiting on each other, and however
// many trainings run, at most GOMAXPROCS-1 helpers work beside them: when
// as many trainings run as there are cores the helpers find little to do,
// and when fewer do (the last runs of a reproduction) they fill the idle
// cores.

// parMinFlops is the smallest product, in flops (2mnk), that is cut into
// chunks, and about the least work of one chunk: 12-20 microseconds on one
// AVX2 core, against a hand-over to a helper of about one (a polling
// helper) to several (a blocked one); the goroutine that finishes last
// waits for the others by about half a chunk. BenchmarkSgemm with -cpu 1,2 times
// the products of a training step both ways.
const parMinFlops = 1 << 20

// parMinVec is the smallest element-wise kernel or packing of B, in
// values, that is cut into chunks, and about the least work of one chunk
// (a few microseconds of tanh, or of a transposed packing, on one AVX2
// core; a helper polling the queue takes a job in well under one).
const parMinVec = 1 << 13

// maxChunksPerProc bounds the chunks of one operation per goroutine that
// may run it: enough for a caller to even out a helper that starts late,
// and for the last chunk to be short.
const maxChunksPerProc = 8

// job is one operation cut into chunks.
type job struct {
	n    int          // chunks
	next atomic.Int64 // the next chunk to claim
	done atomic.Int64 // chunks finished
	refs atomic.Int32 // goroutines that hold the job (caller and helpers sent it)
	// fin receives one value when the last chunk is finished.
	fin chan struct{}
	run func(j *job, chunk int)
	// flops is the work of a product (0 for other operations), which
	// the pacer measures.
	flops float64
	g     gemmArgs
	v     vecArgs
	c     colArgs
}

// work runs chunks of j until none is left to claim.
func (j *job) work() {
	for {
		c := int(j.next.Add(1) - 1)
		if c >= j.n {
			return
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

// jobs is a free list of jobs, as gemmBufs is of buffers.
var jobs [16]atomic.Pointer[job]

func getJob() *job {
	for i := range jobs {
		if j := jobs[i].Swap(nil); j != nil {
			return j
		}
	}
	return &job{fin: make(chan struct{}, 1)}
}

func putJob(j *job) {
	j.run, j.flops, j.g, j.v, j.c = nil, 0, gemmArgs{}, vecArgs{}, colArgs{}
	for i := range jobs {
		if jobs[i].CompareAndSwap(nil, j) {
			return
		}
	}
}

// helpers are the process's helper goroutines: they take jobs from queue,
// work on them and release them. There are at most GOMAXPROCS-1 of them
// (as GOMAXPROCS was when they were started); they never end. n is read
// without the lock on the fast path of startHelpers.
var helpers struct {
	sync.Mutex
	n     atomic.Int32
	queue chan *job
}

// startHelpers makes sure that at least n helpers run, and returns the
// queue they take jobs from.
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
		j := receive(queue)
		j.work()
		j.release()
	}
}

// spinFor is how long a helper polls the queue after a job before it
// blocks, and how long a caller polls its job's chunks before it blocks:
// the operations of a training step follow each other within
// microseconds, and waking a blocked goroutine takes several.
const spinFor = 50 * time.Microsecond

// receive returns the next job of queue, polling it for spinFor (yielding
// the processor between polls) before blocking.
func receive(queue chan *job) *job {
	var start time.Time
	for i := 0; ; i++ {
		select {
		case j := <-queue:
			return j
		default:
		}
		if i%16 == 0 {
			if i == 0 {
				start = time.Now()
			} else if time.Since(start) > spinFor {
				return <-queue
			}
		}
		runtime.Gosched()
	}
}

// procs returns the number of goroutines an operation may run on.
func procs() int { return runtime.GOMAXPROCS(0) }

// parallel runs j's n chunks (j.run, j.n set) on the calling goroutine
// and on up to procs()-1 helpers, and returns when all are done; while
// the helpers do not pay (see pacer), on the calling goroutine alone. j
// must come from getJob; parallel releases it.
func parallel(j *job) {
	want := min(j.n, procs()) - 1
	if want <= 0 {
		for c := range j.n {
			j.run(j, c)
		}
		putJob(j)
		return
	}
	start := time.Now()
	if pace.serial() {
		for c := range j.n {
			j.run(j, c)
		}
		pace.record(true, time.Since(start), j.flops)
		putJob(j)
		return
	}
	q := startHelpers(want)
	j.next.Store(0)
	j.done.Store(0)
	j.refs.Store(int32(1 + want))
	for range want {
		select {
		case q <- j:
		default:
			j.refs.Add(-1) // the queue is full: the caller does more
		}
	}
	j.work()
	if j.done.Load() < int64(j.n) {
		// A helper still runs a chunk: poll for a while, then block.
		start := time.Now()
		for i := 1; j.done.Load() < int64(j.n); i++ {
			if i%16 == 0 && time.Since(start) > spinFor {
				break
			}
			runtime.Gosched()
		}
	}
	<-j.fin
	pace.record(false, time.Since(start), j.flops)
	j.release()
}

// pace is the process's pacer of helpers.
var pace pacer

// pacer turns the helpers off while they do not pay, which happens when
// the cores are busy with other work: other trainings of the process (as
// many as there are cores: a reproduction) or other processes. Then a
// helper that has claimed a chunk may wait for a core, and its caller for
// it, longer than the caller would have taken to compute the chunk. The
// pacer measures the rate (flops per second of wall time) of the products
// cut into chunks in windows of paceWindow, with the helpers and without
// them (the callers computing every chunk), runs with the faster, and
// tries the other every probeEvery windows. In a quiet process on idle
// cores the helpers win; beside as many busy trainings as cores, or on
// cores that other processes keep busy, the callers alone often do. Which goroutine computes a
// chunk never changes its numbers, so neither does the pacer.
type pacer struct {
	mu         sync.Mutex
	mode       int        // 0: with helpers, 1: without
	work, wall float64    // the current window's flops and seconds
	rate       [2]float64 // the last window's rate of each mode (0: none yet)
	windows    int
	serialNow  atomic.Bool
}

// The pacer's settings: the wall time of the products in a window, how
// often the slower mode is tried again (a probe of the slower mode costs
// about 1/probeEvery of its shortfall), and the margin by which the
// products must be faster with helpers for them to be used: the
// element-wise operations gain less from them, and without them no
// goroutine polls.
const (
	paceWindow = 0.02
	probeEvery = 16
	paceMargin = 1.2
)

// serial reports whether operations run on their callers alone now.
func (p *pacer) serial() bool { return p.serialNow.Load() }

// record adds a product of flops that took wall, without helpers if
// serial is set. Other operations (flops 0) are not recorded.
func (p *pacer) record(serial bool, wall time.Duration, flops float64) {
	if flops == 0 {
		return
	}
	m := 0
	if serial {
		m = 1
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if m != p.mode {
		return // started before the mode changed
	}
	p.work += flops
	p.wall += wall.Seconds()
	if p.wall < paceWindow {
		return
	}
	p.rate[m] = p.work / p.wall
	p.work, p.wall = 0, 0
	p.windows++
	next := 0
	switch {
	case p.rate[1-m] == 0 || p.windows%probeEvery == 0:
		next = 1 - m
	case p.rate[0] < paceMargin*p.rate[1]:
		next = 1
	}
	p.mode = next
	p.serialNow.Store(next == 1)
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

// colArgs are the arguments of a column sum cut into chunks of columns.
type colArgs struct {
	dst, a []float32
	r, n   int
	beta   float32
	vec    bool
}

// colUnit is the number of columns of the chunks of a column sum (a
// multiple of every vector width).
const colUnit = 32

// parallelCols is colSums for float32 at a kernel level: dst[j] = beta
// dst[j] + sum_i a[i*n+j], cut into chunks of columns when a is large.
// Each chunk adds its rows, in order, into a buffer of its own and stores
// it at the end, so that chunks do not write the cache lines they share.
func parallelCols(dst, a []float32, r, n int, beta float32, vec bool) {
	units := (n + colUnit - 1) / colUnit
	nc := chunks(float64(r)*float64(n), parMinVec, units)
	if nc == 1 {
		colSumCols(dst, a, r, n, beta, 0, vec)
		return
	}
	j := getJob()
	j.n, j.c, j.run = nc, colArgs{dst: dst, a: a, r: r, n: n, beta: beta, vec: vec}, runCols
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
	colSumCols(d, k.a, k.r, k.n, k.beta, lo, k.vec)
	copy(k.dst[lo:hi], d)
	putBuf(buf)
}
