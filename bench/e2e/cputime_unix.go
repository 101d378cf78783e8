//go:build unix

package e2e

import (
	"syscall"
	"time"
)

// CPUTime returns the CPU time the process has used so far, user and
// system, over all its threads, so that the work of a library's own
// goroutines and of the garbage collector counts too.
func CPUTime() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}

// openFileLimit returns the most files the process may have open.
func openFileLimit() (uint64, bool) {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return 0, false
	}
	return rl.Cur, true
}
