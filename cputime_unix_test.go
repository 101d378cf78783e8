//go:build unix

package sse

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time the process has used so far, user and
// system, over all its threads (the garbage collector's included), and
// whether it could tell.
func cpuTime() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
