//go:build !unix

package sse

import "time"

// cpuTime reports that this system's CPU time is not measured.
func cpuTime() (time.Duration, bool) { return 0, false }
