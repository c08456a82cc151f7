package train

import (
	"fmt"
	"math/rand/v2"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/nn"
)

// Source is a set of training rows, states x and their time derivatives
// dx/dt, that a Stepper gathers minibatches from by row index.
//
// A Stepper calls a Source from one goroutine at a time, though not always
// the same one (see NewSourceStepper).
type Source[T nn.Float] interface {
	// Len returns the number of rows.
	Len() int
	// Dim returns the state dimension D.
	Dim() int
	// Gather writes the state and derivative of row rows[k] into
	// bx[k*D:(k+1)*D] and by[k*D:(k+1)*D], for every k, and returns an
	// error if they cannot be read. It may panic if len(bx) or len(by)
	// differs from len(rows)*D or a row is out of range.
	Gather(bx, by []T, rows []int) error
}

// SetSource is a Source over a data.Set held in memory, converted to T
// once. Its Gather is a copy and never fails.
type SetSource[T nn.Float] struct {
	x, y []T
	d    int
}

// NewSetSource returns a Source over the rows of s, converted to T.
func NewSetSource[T nn.Float](s *data.Set) *SetSource[T] {
	return &SetSource[T]{x: convert[T](s.X), y: convert[T](s.DX), d: s.Dim}
}

// Len returns the number of rows.
func (s *SetSource[T]) Len() int {
	if s.d == 0 {
		return 0
	}
	return len(s.x) / s.d
}

// Dim returns the state dimension.
func (s *SetSource[T]) Dim() int { return s.d }

// Gather copies the rows into bx and by and returns nil. It panics if
// len(bx) or len(by) differs from len(rows)*Dim() or a row is out of range.
func (s *SetSource[T]) Gather(bx, by []T, rows []int) error {
	d := s.d
	if len(bx) != len(rows)*d || len(by) != len(rows)*d {
		panic("train: gather length mismatch")
	}
	for i, r := range rows {
		copy(bx[i*d:(i+1)*d], s.x[r*d:(r+1)*d])
		copy(by[i*d:(i+1)*d], s.y[r*d:(r+1)*d])
	}
	return nil
}

// testChunk is the number of rows TrainSource evaluates the test loss on at
// a time. A workspace of a 200-200 network holds about 14 x 200 values a
// row, 11 MB for 1024 rows in float32; larger chunks gain little speed.
const testChunk = 1024

// TrainSource fits m to the rows of trainSrc with Adam, as Train does, and
// returns the training history. The minibatches come from a Stepper made by
// NewSourceStepper, so a disk source is read one step ahead in the
// background. At every log interval it evaluates the loss on testSrc (if
// not nil and not empty) by streaming it in chunks of 1024 rows, and
// combining their losses weighted by their rows; only one chunk, and the
// model's workspaces for it, are held in memory. A *SetSource, whose rows
// are in memory already, is evaluated in one chunk of all its rows, as
// Train does, so that TrainSource on SetSources is Train, bit for bit. testSrc must not share files with trainSrc, which is read
// concurrently.
//
// It returns the errors of NewSourceStepper and Loop, and an error if the
// test rows have another dimension than the training rows or cannot be
// read (the parameters are then those of the last log interval, as after a
// divergence).
func TrainSource[T nn.Float](m model.Model[T], trainSrc, testSrc Source[T], c Config, rng *rand.Rand, progress Progress) (History, error) {
	c = c.WithDefaults()
	st, err := NewSourceStepper(m, trainSrc, c, rng)
	if err != nil {
		return History{}, err
	}
	defer st.Close()
	var test func() (float64, error)
	if testSrc != nil && testSrc.Len() > 0 {
		if testSrc.Dim() != trainSrc.Dim() {
			return History{}, fmt.Errorf("train: test data have state dimension %d, the model %d", testSrc.Dim(), trainSrc.Dim())
		}
		chunk := testChunk
		if _, ok := testSrc.(*SetSource[T]); ok {
			// Its rows are in memory already: one workspace of them
			// all gives the test losses of Train.
			chunk = testSrc.Len()
		}
		test = newStreamLoss(m, testSrc, chunk).loss
	}
	return loop[T](st, c, test, progress)
}

// streamLoss evaluates a model's loss on a Source chunk by chunk, with
// buffers and workspaces made once.
type streamLoss[T nn.Float] struct {
	src        Source[T]
	full, last model.Workspace[T] // last is nil if the chunks divide the rows
	x, y       []T
	rows       []int
	chunk      int
}

// newStreamLoss returns a streamLoss of m on src in chunks of at most chunk
// rows. It panics if chunk < 1.
func newStreamLoss[T nn.Float](m model.Model[T], src Source[T], chunk int) *streamLoss[T] {
	if chunk < 1 {
		panic("train: chunk below one row")
	}
	n, d := src.Len(), src.Dim()
	chunk = min(chunk, n)
	e := &streamLoss[T]{
		src: src, full: m.NewWorkspace(chunk, false),
		x: make([]T, chunk*d), y: make([]T, chunk*d), rows: make([]int, chunk),
		chunk: chunk,
	}
	for i := range e.rows {
		e.rows[i] = i
	}
	if r := n % chunk; r != 0 {
		e.last = m.NewWorkspace(r, false)
	}
	return e
}

// loss returns the mean loss over all rows of the source: the chunks'
// losses, each a mean over its rows, weighted by their rows. A source of
// one chunk gives exactly the loss of a workspace of all its rows.
func (e *streamLoss[T]) loss() (float64, error) {
	n, d := e.src.Len(), e.src.Dim()
	if n == e.chunk {
		if err := e.src.Gather(e.x, e.y, e.rows); err != nil {
			return 0, fmt.Errorf("train: reading the test rows: %w", err)
		}
		return e.full.Loss(e.x, e.y), nil
	}
	var sum float64
	for lo := 0; lo < n; lo += e.chunk {
		k := min(e.chunk, n-lo)
		rows, x, y := e.rows[:k], e.x[:k*d], e.y[:k*d]
		for i := range rows {
			rows[i] = lo + i
		}
		if err := e.src.Gather(x, y, rows); err != nil {
			return 0, fmt.Errorf("train: reading test rows %d to %d: %w", lo, lo+k, err)
		}
		ws := e.full
		if k != e.chunk {
			ws = e.last
		}
		sum += float64(k) * ws.Loss(x, y)
	}
	return sum / float64(n), nil
}

// prefetcher gathers minibatches from a Source on a goroutine of its own,
// alternating between two pairs of batch buffers: while the caller trains
// on the pair that wait returned, the next start fills the other.
type prefetcher[T nn.Float] struct {
	src    Source[T]
	bx, by [2][]T
	next   int // the pair the pending or next gather fills
	req    chan []int
	done   chan error
	// pending is set between start and wait.
	pending bool
	closed  bool
}

// newPrefetcher returns a prefetcher of src into bx, by and a second pair
// of buffers of their sizes, and starts its goroutine.
func newPrefetcher[T nn.Float](src Source[T], bx, by []T) *prefetcher[T] {
	p := &prefetcher[T]{
		src:  src,
		bx:   [2][]T{bx, make([]T, len(bx))},
		by:   [2][]T{by, make([]T, len(by))},
		req:  make(chan []int),
		done: make(chan error, 1),
	}
	go p.run()
	return p
}

func (p *prefetcher[T]) run() {
	for rows := range p.req {
		p.done <- p.src.Gather(p.bx[p.next], p.by[p.next], rows)
	}
}

// start begins gathering rows into the next pair of buffers. The caller
// must leave rows unchanged until wait returns. It panics if a gather is
// pending.
func (p *prefetcher[T]) start(rows []int) {
	if p.pending {
		panic("train: minibatch already being read")
	}
	p.pending = true
	p.req <- rows
}

// wait returns the pair of buffers the pending gather filled and its error.
// It panics if none is pending.
func (p *prefetcher[T]) wait() (bx, by []T, err error) {
	if !p.pending {
		panic("train: no minibatch being read")
	}
	err = <-p.done
	p.pending = false
	k := p.next
	p.next ^= 1
	return p.bx[k], p.by[k], err
}

// close waits for a pending gather and ends the goroutine. It may be called
// more than once.
func (p *prefetcher[T]) close() {
	if p.closed {
		return
	}
	p.closed = true
	if p.pending {
		p.wait()
	}
	close(p.req)
}
