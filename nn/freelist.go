package nn

import "sync/atomic"

// freeList is a small free list of values that products and parallel
// operations reuse (gemmBufs, jobs). Unlike a sync.Pool it never drops
// them (a garbage collection or the race detector would, and a training
// step would then allocate). Each slot has a cache line of its own and
// get and put read a slot before they swap it, so that operations on
// several cores (two trainings of a reproduction, helpers) do not take
// each other's lines for slots they pass over. (A profile of reproduce
// -tasks spring,pendulum charged 0.7% of its processor time to putting
// buffers back into slots that shared lines; two trainings side by side
// in one process ran no measurably faster with the padded slots.)
type freeList[T any] [16]freeSlot[T]

// freeSlot is one slot of a freeList, padded to 128 bytes (a cache line,
// and adjacent-line prefetchers kept apart).
type freeSlot[T any] struct {
	p atomic.Pointer[T]
	_ [120]byte
}

// get takes a value from the list, or returns nil if it has none.
func (l *freeList[T]) get() *T {
	for i := range l {
		s := &l[i].p
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
		s := &l[i].p
		if s.Load() == nil && s.CompareAndSwap(nil, v) {
			return
		}
	}
}
