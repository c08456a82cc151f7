package train

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"time"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/internal/check"
	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/nn"
)

// Config holds training settings. Zero fields mean the documented defaults.
type Config struct {
	// Steps is the number of optimiser steps (default 2000).
	Steps int `json:"steps"`
	// LR is Adam's learning rate (default 1e-3).
	LR float64 `json:"lr"`
	// LRSchedule names the registered Schedule that scales LR over the
	// Steps ("constant", "cosine", "onecycle"; RegisterSchedule adds
	// others). Empty is constant.
	LRSchedule string `json:"lr_schedule,omitempty"`
	// WeightDecay is the coupled L2 coefficient (zero means none).
	WeightDecay float64 `json:"weight_decay"`
	// Batch is the minibatch size; zero, or at least the number of
	// training rows, means full batch.
	Batch int `json:"batch"`
	// LogEvery is the interval, in steps, at which the test loss is
	// evaluated and the last good parameters are kept (default Steps/20,
	// at least 1).
	LogEvery int `json:"log_every"`
	// Average is the decay beta of an exponential moving average of the
	// parameters, a <- beta a + (1 - beta) theta after every step, which
	// the trained model takes at the end (and the logged test loss
	// measures). Zero means none: the model keeps the last iterate, as
	// the reference does. With minibatches and a constant learning rate
	// the last iterate carries the optimiser's step noise; an average over
	// the last ~1/(1 - beta) steps removes most of it.
	Average float64 `json:"average,omitempty"`
	// Workers is the number of data-parallel shards each step's minibatch
	// is split over. It is not needed to use the cores: every step's
	// products already run on GOMAXPROCS goroutines, with the numbers of
	// one. The rows are cut into Workers contiguous shards (sizes
	// differing by at most one), each evaluated on its own workspace, and
	// the losses and gradients are combined as the row-weighted mean in
	// shard order. Zero or one means one shard, the plain path. The
	// result is the same for every run with the same Workers; it equals
	// that of one worker up to rounding (relative differences of about
	// 1e-12 per step in float64, 1e-5 in float32). It must not exceed the
	// minibatch rows.
	Workers int `json:"workers,omitempty"`
	// Checkpoint, if not nil, makes the run save its state and stop on
	// request, and resume from a saved state (see Checkpoint). It changes
	// no number and is never saved.
	Checkpoint *Checkpoint `json:"-"`
}

// WithDefaults returns c with zero fields replaced by their defaults.
func (c Config) WithDefaults() Config {
	if c.Steps == 0 {
		c.Steps = 2000
	}
	if c.LR == 0 {
		c.LR = 1e-3
	}
	if c.LogEvery == 0 {
		c.LogEvery = max(1, c.Steps/20)
	}
	return c
}

// Validate returns a *check.FieldError naming the first invalid field of
// c by its JSON name, and what it wants.
func (c Config) Validate() error {
	bad := func(field string, v any, want string) error {
		return &check.FieldError{Field: field, Value: v, Want: want}
	}
	switch {
	case c.Steps < 0 || c.Steps > check.MaxSteps:
		return bad("steps", c.Steps, fmt.Sprintf("an integer in [0, %d]", check.MaxSteps))
	case c.LR < 0 || math.IsNaN(c.LR) || math.IsInf(c.LR, 0):
		return bad("lr", c.LR, "a positive, finite learning rate")
	case c.WeightDecay < 0 || math.IsNaN(c.WeightDecay) || math.IsInf(c.WeightDecay, 0):
		return bad("weight_decay", c.WeightDecay, "a finite number >= 0")
	case c.Batch < 0 || c.Batch > check.MaxElements:
		return bad("batch", c.Batch, fmt.Sprintf("an integer in [0, %d], 0 for full batch", check.MaxElements))
	case c.LogEvery < 0 || c.LogEvery > check.MaxSteps:
		return bad("log_every", c.LogEvery, fmt.Sprintf("an integer in [0, %d]", check.MaxSteps))
	case !(c.Average >= 0 && c.Average < 1):
		return bad("average", c.Average, "a decay in [0, 1), 0 for the last iterate")
	case c.Workers < 0 || c.Workers > check.MaxWorkers:
		return bad("workers", c.Workers, fmt.Sprintf("an integer in [0, %d]", check.MaxWorkers))
	}
	_, err := LookupSchedule(c.LRSchedule)
	return err
}

// Point is one entry of the training log.
type Point struct {
	Step int `json:"step"`
	// Train is the loss of the step's batch before its update.
	Train float64 `json:"train"`
	// Test is the loss on the whole test set after the step (zero when
	// there is no test set).
	Test float64 `json:"test"`
}

// History records a training run.
type History struct {
	Log     []Point `json:"log"`
	Steps   int     `json:"steps"`
	Seconds float64 `json:"seconds"`
}

// ErrDiverged is returned (wrapped) when the training loss becomes NaN or
// infinite.
var ErrDiverged = errors.New("training diverged")

// Progress is called after every step with the step count and the batch
// loss. It must be cheap and safe for the caller's use.
type Progress func(step int, loss float64)

// Train fits m to trainSet with Adam and returns the training history. It
// evaluates the loss on testSet (if it has rows) at every log interval.
// With c.Workers above one each step's minibatch is split over that many
// goroutines (see Config.Workers).
// With c.Average set the model ends with the averaged parameters, and the
// logged test losses are those of the average.
// Minibatches are drawn without replacement from rng, which is the only
// source of randomness. If the loss becomes NaN or infinite, Train restores
// the parameters of the last log interval and returns an error wrapping
// ErrDiverged; the history up to there is returned with it.
func Train[T nn.Float](m model.Model[T], trainSet, testSet *data.Set, c Config, rng *rand.Rand, progress Progress) (History, error) {
	c = c.WithDefaults()
	st, err := NewStepper(m, trainSet, c, rng)
	if err != nil {
		return History{}, err
	}
	defer st.Close()
	if testSet != nil && testSet.Len() > 0 && testSet.Dim != trainSet.Dim {
		return History{}, fmt.Errorf("train: test data have state dimension %d, the model %d", testSet.Dim, trainSet.Dim)
	}
	var test func() float64
	if testSet != nil && testSet.Len() > 0 {
		testWS := m.NewWorkspace(testSet.Len(), false)
		tx, ty := convert[T](testSet.X), convert[T](testSet.DX)
		test = func() float64 { return testWS.Loss(tx, ty) }
	}
	return Loop[T](st, c, test, progress)
}

// Steps is what Loop drives: one optimiser step at a time on parameters
// that it can save and restore, with an optional moving average.
// *Stepper implements it; so do the steppers of models trained on other
// data (package latent). A Steps whose steps can fail for reasons other
// than the numbers (reading data) also has a method Err() error, which
// Loop consults when a step returns NaN.
type Steps[T nn.Float] interface {
	// Step makes one optimiser step and returns the loss before it; if
	// the loss is not finite the parameters must be left unchanged.
	Step() float64
	// Params returns the parameters the steps change (aliased).
	Params() []T
	// Average returns the moving average of the parameters, or nil.
	Average() []T
}

// Loop makes c.Steps steps of st (c with defaults), calls progress after
// each, and at every log interval evaluates test (if not nil) on the
// parameters the model would end with (the average if there is one) and
// keeps them as the last good ones. The parameters end as the average if
// there is one. If a loss or the parameters become NaN or infinite, Loop
// restores the last good parameters and returns an error wrapping
// ErrDiverged with the history up to there; if the failed step's NaN came
// from an error that st reports with an Err() error method (the Stepper's
// I/O errors), Loop returns that error, wrapped, instead. Loop does not
// close st.
func Loop[T nn.Float](st Steps[T], c Config, test func() float64, progress Progress) (History, error) {
	var t func() (float64, error)
	if test != nil {
		t = func() (float64, error) { return test(), nil }
	}
	return loop(st, c, t, progress)
}

// loop is Loop with a test evaluation that can fail: its error ends the
// run, wrapped, with the parameters of the last log interval.
func loop[T nn.Float](st Steps[T], c Config, test func() (float64, error), progress Progress) (History, error) {
	c = c.WithDefaults()
	start := time.Now()
	params := st.Params()
	// kept returns the parameters the model would end with now: the
	// average if there is one, else the iterate.
	kept := func() []T {
		if a := st.Average(); a != nil {
			return a
		}
		return params
	}
	good := append([]T(nil), params...)
	var iterate []T
	if st.Average() != nil {
		iterate = make([]T, len(params))
	}
	h := History{}
	ck := newCheckpointer(st, c)
	first := 1
	if ck != nil {
		done, err := ck.restore(&h, good)
		if err != nil {
			return h, err
		}
		first = done + 1
		if done > 0 {
			start = start.Add(-time.Duration(h.Seconds * 1e9))
		}
	}
	for step := first; step <= c.Steps; step++ {
		loss := st.Step()
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			copy(params, good)
			h.Seconds = time.Since(start).Seconds()
			last := 0
			if len(h.Log) > 0 {
				last = h.Log[len(h.Log)-1].Step
			}
			if e, ok := st.(interface{ Err() error }); ok {
				if err := e.Err(); err != nil {
					return h, fmt.Errorf("train: step %d: %w; kept the parameters of step %d", step, err, last)
				}
			}
			return h, fmt.Errorf("train: step %d: loss is %v: %w; kept the parameters of step %d", step, loss, ErrDiverged, last)
		}
		h.Steps = step
		if progress != nil {
			progress(step, loss)
		}
		if step%c.LogEvery == 0 || step == c.Steps {
			p := Point{Step: step, Train: loss}
			if !finite(params) || !finite(kept()) {
				copy(params, good)
				h.Seconds = time.Since(start).Seconds()
				return h, fmt.Errorf("train: step %d: parameters are not finite: %w", step, ErrDiverged)
			}
			if test != nil {
				var err error
				if iterate != nil {
					// The average is evaluated in place of the
					// iterate, which is put back for the next steps.
					copy(iterate, params)
					copy(params, kept())
					p.Test, err = test()
					copy(params, iterate)
				} else {
					p.Test, err = test()
				}
				if err != nil {
					copy(params, good)
					h.Seconds = time.Since(start).Seconds()
					last := 0
					if len(h.Log) > 0 {
						last = h.Log[len(h.Log)-1].Step
					}
					return h, fmt.Errorf("train: step %d: test loss: %w; kept the parameters of step %d", step, err, last)
				}
			}
			h.Log = append(h.Log, p)
			copy(good, kept())
		}
		if ck != nil {
			if err := ck.boundary(step, &h, good, start); err != nil {
				return h, err
			}
		}
	}
	copy(params, kept())
	h.Seconds = time.Since(start).Seconds()
	return h, nil
}

// Stepper makes single optimiser steps on a model: it draws the minibatch
// (or takes the full batch), computes the loss gradient and applies Adam.
// Train is a loop over Step with logging and divergence checks; benchmarks
// time Step alone. A Stepper allocates nothing per step.
//
// A Stepper with Config.Workers above one, or drawing minibatches from a
// source other than a *SetSource, runs goroutines of its own; Close ends
// them. Close is a no-op for the others, and calling it (deferred) is
// always right.
type Stepper[T nn.Float] struct {
	ws           model.Workspace[T] // nil with a pool
	pool         *pool[T]
	pre          *prefetcher[T]
	opt          *nn.Adam[T]
	c            Config // the settings, for the learning rate of each update
	params, grad []T
	src          Source[T]
	bx, by       []T
	avg          []T
	beta         T
	perm         []int
	rows         []int            // the minibatch's rows of a set larger than permLimit
	seen         map[int]struct{} // and the rows drawn so far in its draw
	n            int
	rng          *rand.Rand
	d, batch     int
	err          error
	closed       bool
	cleanup      runtime.Cleanup
}

// NewStepper prepares steps of m on trainSet with the settings of c (Batch,
// LR, WeightDecay, Average, Workers), drawing minibatches from rng. It
// returns an error if c is invalid, the set is empty or its dimension
// differs from the model's. It is NewSourceStepper on NewSetSource(trainSet).
func NewStepper[T nn.Float](m model.Model[T], trainSet *data.Set, c Config, rng *rand.Rand) (*Stepper[T], error) {
	if err := c.WithDefaults().Validate(); err != nil {
		return nil, err
	}
	if d := m.Config().Dim; trainSet.Dim != d {
		return nil, fmt.Errorf("train: data have state dimension %d, the model %d", trainSet.Dim, d)
	}
	return NewSourceStepper[T](m, NewSetSource[T](trainSet), c, rng)
}

// NewSourceStepper prepares steps of m on the rows of src with the settings
// of c (Batch, LR, WeightDecay, Average, Workers), drawing minibatches from
// rng with Draw on a permutation of the rows (8 bytes a row) for sets of
// at most 2^20 rows, and with Floyd's algorithm (DrawFloyd), which holds
// only the minibatch's rows, for larger ones, so that the memory of a
// Stepper on a disk source does not grow with the set.
//
// A *SetSource is gathered from on the calling goroutine, as NewStepper
// does. Any other source (a *DiskSource) is read one step ahead: each Step
// draws the next minibatch and a background goroutine gathers it while the
// current one trains, into the other of two batch buffers. The draws from
// rng are the same, in the same order, as for a *SetSource, so with equal
// rows and seeds both train to the same parameters bit for bit; rng is
// advanced one draw beyond the steps made, and must not be used by others
// while the Stepper lives. With the full batch (c.Batch zero or at least
// the rows) the rows are gathered once, here, and held in memory.
//
// It returns an error if c is invalid, the source is empty, its dimension
// differs from the model's, c.Workers exceeds the minibatch rows, or the
// full batch cannot be read.
func NewSourceStepper[T nn.Float](m model.Model[T], src Source[T], c Config, rng *rand.Rand) (*Stepper[T], error) {
	c = c.WithDefaults()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	d := m.Config().Dim
	if src.Dim() != d {
		return nil, fmt.Errorf("train: data have state dimension %d, the model %d", src.Dim(), d)
	}
	n := src.Len()
	if n == 0 {
		return nil, errors.New("train: no training rows")
	}
	batch := c.Batch
	if batch == 0 || batch >= n {
		batch = n
	}
	if c.Workers > batch {
		return nil, fmt.Errorf("train: %d workers for minibatches of %d rows, want at most one a row", c.Workers, batch)
	}
	params := m.Params()
	s := &Stepper[T]{
		opt: nn.NewAdam[T](len(params), c.LR, c.WeightDecay), c: c,
		params: params, grad: make([]T, len(params)),
		src: src, rng: rng, d: d, batch: batch,
	}
	if c.Average > 0 {
		s.avg, s.beta = append([]T(nil), params...), T(c.Average)
	}
	mem, inMemory := src.(*SetSource[T])
	switch {
	case batch == n && inMemory:
		s.bx, s.by = mem.x, mem.y
	case batch == n:
		s.bx, s.by = make([]T, n*d), make([]T, n*d)
		rows := make([]int, n)
		for i := range rows {
			rows[i] = i
		}
		if err := src.Gather(s.bx, s.by, rows); err != nil {
			return nil, fmt.Errorf("train: reading the training rows: %w", err)
		}
	default:
		s.bx, s.by = make([]T, batch*d), make([]T, batch*d)
		if n <= permLimit {
			s.perm = make([]int, n)
			for i := range s.perm {
				s.perm[i] = i
			}
		} else {
			s.rows, s.seen, s.n = make([]int, batch), make(map[int]struct{}, batch), n
		}
	}
	if c.Workers > 1 {
		s.pool = newPool(m, batch, c.Workers, len(params))
	} else {
		s.ws = m.NewWorkspace(batch, true)
	}
	if (s.perm != nil || s.rows != nil) && !inMemory {
		s.pre = newPrefetcher(src, s.bx, s.by)
	}
	if s.pool != nil || s.pre != nil {
		// A Stepper dropped without Close still ends its goroutines,
		// which refer to the pool and the prefetcher but not to s.
		s.cleanup = runtime.AddCleanup(s, func(r resources[T]) { r.close() }, resources[T]{s.pool, s.pre})
	}
	return s, nil
}

// resources are the goroutines of a Stepper.
type resources[T nn.Float] struct {
	pool *pool[T]
	pre  *prefetcher[T]
}

func (r resources[T]) close() {
	if r.pool != nil {
		r.pool.close()
	}
	if r.pre != nil {
		r.pre.close()
	}
}

// Close ends the Stepper's goroutines, waiting for a minibatch being read
// in the background; it does not close the source. The Stepper must not be
// stepped after Close. Close may be called more than once and always
// returns nil.
func (s *Stepper[T]) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	s.cleanup.Stop()
	resources[T]{s.pool, s.pre}.close()
	return nil
}

// Batch returns the number of rows of each step.
func (s *Stepper[T]) Batch() int { return s.batch }

// Params returns the parameters the steps change (the model's, aliased).
func (s *Stepper[T]) Params() []T { return s.params }

// Average returns the moving average of the parameters (starting at the
// initial parameters), or nil if the Stepper was made without one. It
// aliases the Stepper's memory and changes with every Step.
func (s *Stepper[T]) Average() []T { return s.avg }

// Err returns the error that stopped the Stepper, an error of its source's
// Gather, or nil.
func (s *Stepper[T]) Err() error { return s.err }

// Step makes one optimiser step and returns the batch loss before it. If
// the loss is not finite the parameters are left as they were. If the
// minibatch cannot be read, Step returns NaN, leaves the parameters as they
// were and Err reports the cause; every later Step returns NaN at once. It
// panics if the Stepper is closed.
func (s *Stepper[T]) Step() float64 {
	if s.closed {
		panic("train: Step on a closed Stepper")
	}
	if s.err != nil {
		return math.NaN()
	}
	bx, by := s.bx, s.by
	switch {
	case s.pre != nil:
		if !s.pre.pending {
			s.pre.start(s.draw())
		}
		var err error
		bx, by, err = s.pre.wait()
		if err != nil {
			s.err = fmt.Errorf("train: reading a minibatch: %w", err)
			return math.NaN()
		}
		// The gatherer reads the drawn rows only between start and
		// wait, so the next draw may now overwrite them.
		s.pre.start(s.draw())
	case s.perm != nil || s.rows != nil:
		if err := s.src.Gather(bx, by, s.draw()); err != nil {
			s.err = fmt.Errorf("train: reading a minibatch: %w", err)
			return math.NaN()
		}
	}
	var loss float64
	if s.pool != nil {
		loss = s.pool.lossGrad(bx, by, s.grad)
	} else {
		loss = s.ws.LossGrad(bx, by, s.grad)
	}
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return loss
	}
	s.opt.LR = s.c.Rate(s.opt.Steps() + 1)
	s.opt.Step(s.params, s.grad)
	if s.avg != nil {
		UpdateAverage(s.avg, s.params, s.beta)
	}
	return loss
}

// permLimit is the largest set whose minibatches are drawn from a
// permutation of its rows (8 MiB of indices).
const permLimit = 1 << 20

// draw returns the rows of the next minibatch.
func (s *Stepper[T]) draw() []int {
	if s.perm != nil {
		Draw(s.perm, s.batch, s.rng)
		return s.perm[:s.batch]
	}
	DrawFloyd(s.rows, s.n, s.seen, s.rng)
	return s.rows
}

// DrawFloyd writes len(dst) distinct row indices in [0, n), drawn
// uniformly from rng, into dst by Floyd's algorithm: memory for the
// minibatch only, whatever n. seen is scratch space (cleared first). Every
// set of rows is equally likely; their order within dst is not uniformly
// random, which a minibatch does not need. It panics if len(dst) > n.
func DrawFloyd(dst []int, n int, seen map[int]struct{}, rng *rand.Rand) {
	k := len(dst)
	if k > n {
		panic("train: minibatch larger than the set")
	}
	clear(seen)
	for i, j := 0, n-k; j < n; i, j = i+1, j+1 {
		t := rng.IntN(j + 1)
		if _, dup := seen[t]; dup {
			t = j
		}
		seen[t] = struct{}{}
		dst[i] = t
	}
}

// Draw moves k distinct entries of perm, drawn uniformly from rng, to
// perm[:k] by a partial Fisher-Yates shuffle: the minibatch of a step. The
// rest of perm keeps the other entries, so perm stays a permutation. It
// panics if k > len(perm).
func Draw(perm []int, k int, rng *rand.Rand) {
	n := len(perm)
	if k > n {
		panic("train: minibatch larger than the set")
	}
	for i := range k {
		j := i + rng.IntN(n-i)
		perm[i], perm[j] = perm[j], perm[i]
	}
}

// UpdateAverage sets avg <- beta avg + (1 - beta) params, the moving
// average of Config.Average, in one pass. It panics if the lengths differ.
func UpdateAverage[T nn.Float](avg, params []T, beta T) {
	if len(avg) != len(params) {
		panic("train: average length mismatch")
	}
	nn.Average(avg, params, beta)
}

func finite[T nn.Float](v []T) bool {
	for _, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return false
		}
	}
	return true
}

func convert[T nn.Float](v []float64) []T {
	out := make([]T, len(v))
	for i, x := range v {
		out[i] = T(x)
	}
	return out
}
