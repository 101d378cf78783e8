//go:build !unix

package main

import "time"

// cpuTime is not available on this system; the harness falls back to wall
// time.
func cpuTime() (time.Duration, bool) { return 0, false }
