package train

import (
	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/nn"
)

// shard is one worker's part of a minibatch: rows [lo, hi) of the batch,
// with the workspace and gradient buffer of that many rows, and the loss of
// its last evaluation.
type shard[T nn.Float] struct {
	ws     model.Workspace[T]
	grad   []T
	lo, hi int
	loss   float64
}

// pool computes the loss gradient of a minibatch as the row-weighted mean
// of the gradients of contiguous shards of its rows, each evaluated by its
// own goroutine. Shard 0 runs on the calling goroutine and shards 1, ...,
// on goroutines started once by newPool, which wait on their start
// channels between steps; a step sends and receives one empty value per
// worker goroutine and allocates nothing.
type pool[T nn.Float] struct {
	shards []shard[T]
	// start[k-1] wakes the goroutine of shard k; closing it ends it.
	start []chan struct{}
	// done receives one value per worker goroutine after its shard.
	done chan struct{}
	// x and y are the batch of the current evaluation, set before the
	// workers are woken.
	x, y   []T
	d      int
	closed bool
}

// newPool returns a pool of n shards of the batch rows of m's state
// dimension d, and starts its n-1 worker goroutines. It panics unless
// 1 < n <= batch.
func newPool[T nn.Float](m model.Model[T], batch, n, nparams int) *pool[T] {
	if n < 2 || n > batch {
		panic("train: invalid number of workers")
	}
	p := &pool[T]{
		shards: make([]shard[T], n),
		start:  make([]chan struct{}, n-1),
		done:   make(chan struct{}, n-1),
		d:      m.Config().Dim,
	}
	lo := 0
	for k := range p.shards {
		rows := batch / n
		if k < batch%n {
			rows++
		}
		p.shards[k] = shard[T]{ws: m.NewWorkspace(rows, true), grad: make([]T, nparams), lo: lo, hi: lo + rows}
		lo += rows
	}
	for k := range p.start {
		p.start[k] = make(chan struct{})
		go p.work(k + 1)
	}
	return p
}

// work evaluates shard k each time it is woken, until its start channel is
// closed.
func (p *pool[T]) work(k int) {
	for range p.start[k-1] {
		p.shards[k].lossGrad(p.x, p.y, p.d)
		p.done <- struct{}{}
	}
}

// lossGrad evaluates the shard's rows of the batch x, y.
func (s *shard[T]) lossGrad(x, y []T, d int) {
	s.loss = s.ws.LossGrad(x[s.lo*d:s.hi*d], y[s.lo*d:s.hi*d], s.grad)
}

// lossGrad returns the loss of the batch x, y and writes its gradient into
// grad. Every Workspace's loss is the mean over its rows (and the state
// components), so the batch's loss and gradient are the means of the
// shards' weighted by their rows, n_k / B; they are summed in shard order,
// so the result does not depend on which goroutine finishes first.
func (p *pool[T]) lossGrad(x, y, grad []T) float64 {
	p.x, p.y = x, y
	for _, c := range p.start {
		c <- struct{}{}
	}
	p.shards[0].lossGrad(x, y, p.d)
	for range p.start {
		<-p.done
	}
	p.x, p.y = nil, nil
	batch := p.shards[len(p.shards)-1].hi
	var loss float64
	for k := range p.shards {
		s := &p.shards[k]
		rows := s.hi - s.lo
		loss += float64(rows) * s.loss
		w := T(rows) / T(batch)
		if k == 0 {
			for i, g := range s.grad {
				grad[i] = w * g
			}
			continue
		}
		for i, g := range s.grad {
			grad[i] += w * g
		}
	}
	return loss / float64(batch)
}

// close ends the worker goroutines. It may be called more than once.
func (p *pool[T]) close() {
	if p.closed {
		return
	}
	p.closed = true
	for _, c := range p.start {
		close(c)
	}
}
