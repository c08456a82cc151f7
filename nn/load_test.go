package nn

import (
	"runtime"
	"testing"
)

func TestParseRunnable(t *testing.T) {
	for _, c := range []struct {
		line string
		n    int
		ok   bool
	}{
		{"1.25 1.75 1.58 3/117 29835\n", 3, true},
		{"0.00 0.01 0.05 12/1345 7", 12, true},
		{"0.00 0.01 0.05 0/1 7", 0, true},
		{"", 0, false},
		{"1.25 1.75 1.58", 0, false},
		{"1.25 1.75 1.58 x/117 1", 0, false},
		{"1.25 1.75 1.58 /117 1", 0, false},
		{"1.25 1.75 1.58 3", 0, false},
		{"1.25 1.75 1.58 3 117", 0, false},
		{"1.25 1.75 1.58 99999999999999999999/117 1", 0, false},
	} {
		n, ok := parseRunnable([]byte(c.line))
		if n != c.n || ok != c.ok {
			t.Errorf("parseRunnable(%q) = %d, %v; want %d, %v", c.line, n, ok, c.n, c.ok)
		}
	}
}

func TestParseCPUList(t *testing.T) {
	for _, c := range []struct {
		list string
		n    int
		ok   bool
	}{
		{"0-1\n", 2, true},
		{"0", 1, true},
		{"0-3,8,10-11\n", 7, true},
		{"0-63", 64, true},
		{"", 0, false},
		{"\n", 0, false},
		{"0-", 0, false},
		{"3-1", 0, false},
		{"0,,1", 0, false},
		{"0-1,", 0, false},
		{"a", 0, false},
		{"0 1", 0, false},
		{"99999999999999999999", 0, false},
	} {
		n, ok := parseCPUList([]byte(c.list))
		if n != c.n || ok != c.ok {
			t.Errorf("parseCPUList(%q) = %d, %v; want %d, %v", c.list, n, ok, c.n, c.ok)
		}
	}
}

func FuzzParseCPUList(f *testing.F) {
	f.Add([]byte("0-3,8,10-11\n"))
	f.Add([]byte("0"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if n, ok := parseCPUList(b); (ok && n < 1) || (!ok && n != 0) {
			t.Fatalf("parseCPUList(%q) = %d, %v", b, n, ok)
		}
	})
}

func FuzzParseRunnable(f *testing.F) {
	f.Add([]byte("1.25 1.75 1.58 3/117 29835\n"))
	f.Add([]byte("0 0 0 /"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if n, ok := parseRunnable(b); n < 0 || (!ok && n != 0) {
			t.Fatalf("parseRunnable(%q) = %d, %v", b, n, ok)
		}
	})
}

// TestRecordLoad checks the cores left free after a series of probes:
// the least count of other processes' threads over the last loadSamples
// probes (none before the first), so that a single busy probe leaves
// every core and loadSamples of them in a row do not, and never fewer
// than one core.
func TestRecordLoad(t *testing.T) {
	t.Cleanup(resetLoad)
	for _, c := range []struct {
		ncpu   int
		others []int
		free   []int
	}{
		{2, []int{0, 1, 1, 1, 1, 1, 0, 1}, []int{2, 2, 2, 2, 1, 1, 2, 2}},
		{2, []int{1, 1, 1, 1, 2, 5, -3}, []int{2, 2, 2, 1, 1, 1, 2}},
		{16, []int{3, 4, 5, 3, 9, 9, 9, 9}, []int{16, 16, 16, 13, 13, 13, 13, 7}},
		{16, []int{40, 40, 40, 40}, []int{16, 16, 16, 1}},
	} {
		resetLoad()
		// The count of probes wraps around after 2^32 of them (497 days
		// of one every 10 ms) without losing its place.
		load.n.Store(1<<32 - 2)
		for i, o := range c.others {
			if got := recordLoad(o, c.ncpu); got != c.free[i] {
				t.Errorf("ncpu %d, probes %v: %d free after probe %d, want %d", c.ncpu, c.others[:i+1], got, i, c.free[i])
			}
		}
	}
}

// TestCoresAllocatesNothing checks that an operation's probe of the
// system's load allocates nothing (training steps are checked to allocate
// nothing).
func TestCoresAllocatesNothing(t *testing.T) {
	t.Cleanup(resetLoad)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	if a := testing.AllocsPerRun(100, func() {
		load.next.Store(0)
		cores()
	}); a != 0 {
		t.Errorf("cores allocates %v times a probe", a)
	}
}
