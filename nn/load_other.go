//go:build !linux

package nn

// runnable reports that the system's runnable threads are not known here:
// operations run on GOMAXPROCS goroutines whatever other processes do.
func runnable() (int, bool) { return 0, false }
