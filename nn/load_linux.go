package nn

import (
	"sync"
	"syscall"
)

// loadavg is /proc/loadavg, opened once and read with pread (which makes
// the kernel write it afresh) so that a probe allocates nothing; -1 where
// it cannot be opened.
var loadavg = sync.OnceValue(func() int {
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
