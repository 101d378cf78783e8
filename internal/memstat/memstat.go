// Package memstat measures what a program holds once its garbage has been
// collected: the live heap, the goroutine stacks and the goroutines. The
// memory benchmarks of the root module and of the bench module take their
// figures before and after opening many streams, and divide.
package memstat

import (
	"runtime"
	"time"
)

// Figures are what a program holds at one moment.
type Figures struct {
	Heap       uint64 // bytes of live heap objects (runtime.MemStats.HeapAlloc)
	Stack      uint64 // bytes of goroutine stacks in use (StackInuse)
	Goroutines int
}

// Settle collects garbage three times, pausing between collections so
// that goroutines woken by the previous one (finalizers, closed
// connections) can finish, and returns what is left.
func Settle() Figures {
	for range 3 {
		runtime.GC()
		time.Sleep(20 * time.Millisecond)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return Figures{Heap: ms.HeapAlloc, Stack: ms.StackInuse, Goroutines: runtime.NumGoroutine()}
}
