//go:build !unix

package e2e

import "time"

// CPUTime is not available on this system; wall time is used instead.
func CPUTime() (time.Duration, bool) { return 0, false }

// openFileLimit is not known on this system.
func openFileLimit() (uint64, bool) { return 0, false }
