package nn

import "sync/atomic"

// freeList is a small free list of values that products and parallel
// operations reuse (gemmBufs, jobs). Unlike a sync.Pool it never drops
// them (a garbage collection or the race detector would, and a training
// step would then allocate). get and put read a slot before they swap
// it, so that operations on several cores (two trainings of a
// reproduction, helpers) do not take each other's cache lines for slots
// they pass over; the slots share two lines, which a scan reads (slots
// padded to lines of their own made every scan read up to 16 lines, and
// put took twice as long in a profile of reproduce -tasks
// spring,pendulum).
type freeList[T any] [16]atomic.Pointer[T]

// get takes a value from the list, or returns nil if it has none.
func (l *freeList[T]) get() *T {
	for i := range l {
		s := &l[i]
		if s.Load() == nil {
			continue
		}
		if v := s.Swap(nil); v != nil {
			return v
		}
	}
	return nil
}

// put returns v to the list, or leaves it to the garbage collector if the
// list is full.
func (l *freeList[T]) put(v *T) {
	for i := range l {
		s := &l[i]
		if s.Load() == nil && s.CompareAndSwap(nil, v) {
			return
		}
	}
}
