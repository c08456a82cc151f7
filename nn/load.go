package nn

import (
	"bytes"
	"runtime"
	"sync/atomic"
	"time"
)

// Other processes' load. Helpers that poll, and callers that wait for
// their helpers, assume that the process has its cores: where other
// processes keep them busy too (two trainings started side by side on a
// 2-core machine, each with GOMAXPROCS 2), every process's threads share
// the cores with the others' pollers, a helper loses its core in the
// middle of a chunk, and the work runs slower than on one goroutine per
// process. Measured there, two `hnn train` processes (spring and pendulum
// HNN) took 27.4 s side by side with the default GOMAXPROCS against
// 15.5 s with GOMAXPROCS=1. So, where the system says how many threads
// are runnable (Linux: /proc/loadavg, where the process may run on every
// online core), the operations read it every probeEvery, subtract the
// process's own running threads (the prober, the helpers that poll or
// work, the other callers with helpers) and run on as many goroutines as
// the cores that the other processes leave free in each of the last
// loadSamples probes: on their callers alone while another process's
// thread waits for a core, on all GOMAXPROCS again within probeEvery of
// the others' end. Which goroutine computes a chunk never changes the
// numbers, so neither does this.

// probeEvery is how often an operation reads the system's runnable
// threads: a read costs about 2 microseconds on a 2-core virtual machine.
const probeEvery = 10 * time.Millisecond

// loadSamples is the number of recent probes whose least count of other
// processes' runnable threads bounds the goroutines of an operation: a
// thread that another process runs for a moment (a kernel thread, a
// shell) leaves the cores to this one.
const loadSamples = 4

// load holds the recent probes. next is the time (sinceStart) of the next
// probe, taken by the operation that moves it on; free is the number of
// cores the others left free in each of the last loadSamples probes, 0
// before the first (or where the system does not say).
var load struct {
	next   atomic.Int64
	others [loadSamples]atomic.Int32
	n      atomic.Uint32 // probes so far, modulo 2^32
	free   atomic.Int32
}

// ignoreLoad makes operations run on GOMAXPROCS goroutines whatever other
// processes do (tests of the parallel paths, which other test binaries
// run beside).
var ignoreLoad atomic.Bool

// working counts the helpers that run chunks now.
var working atomic.Int32

// numCPU is the number of cores the process may run on.
var numCPU = runtime.NumCPU()

// cores returns the number of goroutines an operation may run on:
// GOMAXPROCS, or fewer while other processes keep cores busy (see load).
// It probes the system's load when probeEvery has passed since the last
// probe.
func cores() int {
	p := procs()
	if p == 1 || ignoreLoad.Load() {
		return p
	}
	if t, next := sinceStart(), load.next.Load(); t >= next && load.next.CompareAndSwap(next, t+int64(probeEvery)) {
		if r, ok := runnable(); ok {
			ours := 1 + int(busy.Load()+polling.Load()+working.Load())
			load.free.Store(int32(recordLoad(r-ours, numCPU)))
		}
	}
	if f := int(load.free.Load()); f > 0 && f < p {
		return f
	}
	return p
}

// recordLoad records a probe that found others runnable threads of other
// processes (negative counts as none) and returns the cores they leave
// free to this process of ncpu, at least 1: ncpu less the least count of
// the last loadSamples probes (none before the first ones).
func recordLoad(others, ncpu int) int {
	n := load.n.Add(1)
	load.others[(n-1)%loadSamples].Store(int32(max(0, others)))
	least := int32(ncpu)
	for i := range load.others {
		least = min(least, load.others[i].Load())
	}
	return max(1, ncpu-int(least))
}

// freeCores returns load.free, or 0 (not known) under ignoreLoad.
func freeCores() int32 {
	if ignoreLoad.Load() {
		return 0
	}
	return load.free.Load()
}

// resetLoad forgets the probes, as at start-up.
func resetLoad() {
	load.next.Store(0)
	load.n.Store(0)
	load.free.Store(0)
	for i := range load.others {
		load.others[i].Store(0)
	}
}

// parseRunnable returns the number before the slash of the fourth
// space-separated field of a /proc/loadavg line, and whether there is one.
func parseRunnable(b []byte) (int, bool) {
	for field := 0; field < 3; field++ {
		i := bytes.IndexByte(b, ' ')
		if i < 0 {
			return 0, false
		}
		b = b[i+1:]
	}
	n, rest, ok := leadingCount(b)
	if !ok || len(rest) == 0 || rest[0] != '/' {
		return 0, false
	}
	return n, true
}

// parseCPUList returns the number of CPUs in a Linux CPU list such as
// "0-3,8,10-11\n" (/sys/devices/system/cpu/online), and whether it is one.
func parseCPUList(b []byte) (int, bool) {
	b = bytes.TrimSuffix(b, []byte("\n"))
	total := 0
	for {
		lo, rest, ok := leadingCount(b)
		if !ok {
			return 0, false
		}
		hi := lo
		if len(rest) > 0 && rest[0] == '-' {
			if hi, rest, ok = leadingCount(rest[1:]); !ok || hi < lo {
				return 0, false
			}
		}
		total += hi - lo + 1
		if len(rest) == 0 {
			return total, true
		}
		if rest[0] != ',' {
			return 0, false
		}
		b = rest[1:]
	}
}

// leadingCount returns the decimal number at the start of b (at most
// about 2^20), what follows it, and whether there was one.
func leadingCount(b []byte) (n int, rest []byte, ok bool) {
	i := 0
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		if n > 1<<20 {
			return 0, b, false
		}
		n = n*10 + int(b[i]-'0')
	}
	return n, b[i:], i > 0
}
