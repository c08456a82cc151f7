package nn

import (
	"os/exec"
	"runtime"
	"testing"
	"time"
)

// TestCoresYieldToOtherProcesses starts as many busy processes as the
// machine has cores and checks that operations then run on their callers
// alone: every core is taken by another process's runnable thread.
func TestCoresYieldToOtherProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts busy processes")
	}
	if _, ok := runnable(); !ok {
		t.Skip("/proc/loadavg cannot be read")
	}
	t.Cleanup(resetLoad)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(max(2, numCPU)))
	var busy []*exec.Cmd
	t.Cleanup(func() {
		for _, c := range busy {
			c.Process.Kill()
			c.Wait()
		}
	})
	for range numCPU {
		c := exec.Command("sh", "-c", "while :; do :; done")
		if err := c.Start(); err != nil {
			t.Skipf("cannot start a busy process: %v", err)
		}
		busy = append(busy, c)
	}
	resetLoad()
	deadline := time.Now().Add(10 * time.Second)
	for cores() != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("operations still run on %d goroutines (free cores %d) 10 s after %d busy processes started on %d cores", cores(), load.free.Load(), numCPU, numCPU)
		}
		time.Sleep(probeEvery / 2)
	}
}
