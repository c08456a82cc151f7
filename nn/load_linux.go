package nn

import (
	"os"
	"sync"
	"syscall"
)

// loadavg is /proc/loadavg, opened once and read with pread (which makes
// the kernel write it afresh) so that a probe allocates nothing; -1 where
// it cannot be opened, or where the process may run on fewer cores than
// the system has online (a container pinned to some of them): the
// system's runnable threads then say little about the process's cores.
var loadavg = sync.OnceValue(func() int {
	online, err := os.ReadFile("/sys/devices/system/cpu/online")
	if err != nil {
		return -1
	}
	if n, ok := parseCPUList(online); !ok || n != numCPU {
		return -1
	}
	fd, err := syscall.Open("/proc/loadavg", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return -1
	}
	return fd
})

// runnable returns the number of threads of the whole system that run or
// wait for a core now, the caller's included, as /proc/loadavg's fourth
// field ("2/117") gives it, and whether it could be read.
func runnable() (int, bool) {
	fd := loadavg()
	if fd < 0 {
		return 0, false
	}
	var buf [128]byte
	n, err := syscall.Pread(fd, buf[:], 0)
	if err != nil || n <= 0 {
		return 0, false
	}
	return parseRunnable(buf[:n])
}
