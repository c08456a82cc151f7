package fit

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/nn"
	"github.com/hnn-go/hnn/train"
)

// The rollout fit: every trajectory is cut into segments of Horizon steps
// (multiple shooting), the model is integrated over each from its start
// with Config.Integrator, and the loss is the mean squared error of the
// states, over the segment's Horizon+1 states (the start included, which
// adds nothing unless the starts are fitted) and their components. With
// Config.FitStarts the start of every training segment is a parameter,
// initialised at the observed state and, after the first half of the
// steps (tc.Steps/2, a warm-up of the weights alone), optimised with the
// weights by an Adam of its own (same learning rate, no weight decay)
// that steps only when its segment is in the minibatch, so a start moves
// only on its own gradient. The test loss is the same loss on the test
// trajectories' segments from their observed starts. A minibatch holds
// tc.Batch/Horizon segments (at least one), so about as many observed
// states as the derivative fit's minibatch of tc.Batch rows; zero means
// all. The horizon trained grows during the first quarter of the steps,
// from one step at the first to Horizon (1 + s Horizon / (tc.Steps/4)
// steps at step s): unrolled over all K steps from the start, a model that
// does not yet follow the data is pulled towards predictions that stay
// near the segment's mean, and on the spring chain the fit then stalls
// (K = 10: rollout MSE 60 against 1.4 with the growing horizon). A loss
// whose implicit solves did not converge (see Engine.Unconverged) is
// reported as infinite, which stops training as a diverged run.
func init() {
	Register(Mode{
		Name:    "rollout",
		Title:   "rollout fit",
		Rollout: true,
		Train32: trainRollout[float32],
		Train64: trainRollout[float64],
	})
}

func trainRollout[T nn.Float](m model.Model[T], trainSet, testSet *data.Set, c Config, tc train.Config, rng *rand.Rand, progress train.Progress) (train.History, error) {
	tc = tc.WithDefaults()
	if err := tc.Validate(); err != nil {
		return train.History{}, err
	}
	st, err := NewRollout(m, trainSet, c, tc, rng)
	if err != nil {
		return train.History{}, err
	}
	var test func() float64
	if testSet != nil && testSet.Len() > 0 {
		seg := cutSegments(testSet, c.Horizon)
		if seg.s > 0 {
			te := newRollout(m, seg, c, seg.s, false)
			all := make([]int, seg.s)
			for i := range all {
				all[i] = i
			}
			test = func() float64 { return te.loss(all, false) }
		}
	}
	return train.Loop[T](st, tc, test, progress)
}

// segments are S segments of K steps of D-dimensional states: states y
// (S x (K+1) x D) and step sizes h (S x K).
type segments struct {
	s, k, d int
	y, h    []float64
}

// cutSegments cuts every trajectory of set (consecutive rows of equal Traj
// and increasing T) into segments of k steps starting every k rows; a
// trajectory whose steps k does not divide adds one last segment ending
// at its last row, and one shorter than k steps adds none.
func cutSegments(set *data.Set, k int) segments {
	d := set.Dim
	seg := segments{k: k, d: d}
	n := set.Len()
	add := func(first int) {
		seg.y = append(seg.y, set.X[first*d:(first+k+1)*d]...)
		for i := first; i < first+k; i++ {
			seg.h = append(seg.h, set.T[i+1]-set.T[i])
		}
		seg.s++
	}
	for lo := 0; lo < n; {
		hi := lo + 1
		for hi < n && set.Traj[hi] == set.Traj[lo] && set.T[hi] > set.T[hi-1] {
			hi++
		}
		steps := hi - lo - 1
		first := lo
		for ; first+k <= hi-1; first += k {
			add(first)
		}
		if steps >= k && first < hi-1 {
			add(hi - 1 - k)
		}
		lo = hi
	}
	return seg
}

// Rollout makes optimiser steps of the rollout fit; it implements
// train.Steps. A Rollout allocates nothing per step.
type Rollout[T nn.Float] struct {
	e          *Engine[T]
	st         Stepper[T]
	y, h       []T // all segments, as segments holds them
	s, k, d, b int
	x, yb, hb  []T                  // the batch's states, observations ((K+1) x B x D) and steps (K x B)
	kept       []model.Workspace[T] // a training workspace per stage of every step (K x stages), for Engine.Keep
	save       []T                  // stage inputs (K x stages x B x D)
	a, dx      []T
	perm       []int
	rng        *rand.Rand
	params     []T
	opt        *nn.Adam[T]
	avg        []T
	beta       T
	starts     []T           // fitted starts (S x D), or nil
	startOpt   []*nn.Adam[T] // one optimiser per segment's start
	frozen     bool          // only the starts are optimised (FitStart)
	steps      int           // steps made
	tc         train.Config  // the optimiser settings, for each update's rate
	warmup     int           // steps before the starts move
	grow       int           // steps over which the trained horizon grows to k (0: none)
}

// NewRollout prepares rollout-fit steps of m on the trajectories of
// trainSet with the fit settings c (defaults filled in) and the optimiser
// settings tc (Batch in rows: minibatches of Batch/Horizon segments; LR,
// WeightDecay, Average; Workers is not used). It returns an error if no trajectory has Horizon steps.
func NewRollout[T nn.Float](m model.Model[T], trainSet *data.Set, c Config, tc train.Config, rng *rand.Rand) (*Rollout[T], error) {
	c = c.WithDefaults()
	if trainSet.Dim != m.Config().Dim {
		return nil, fmt.Errorf("fit: data have state dimension %d, the model %d", trainSet.Dim, m.Config().Dim)
	}
	seg := cutSegments(trainSet, c.Horizon)
	if seg.s == 0 {
		return nil, fmt.Errorf("fit: horizon %d: no training trajectory has %d steps; want a shorter horizon", c.Horizon, c.Horizon)
	}
	b := max(1, tc.Batch/c.Horizon)
	if tc.Batch == 0 || b > seg.s {
		b = seg.s
	}
	r := newRollout(m, seg, c, b, true)
	r.rng = rng
	r.perm = make([]int, seg.s)
	for i := range r.perm {
		r.perm[i] = i
	}
	r.grow = tc.Steps / 4
	r.params = m.Params()
	r.tc = tc.WithDefaults()
	r.opt = nn.NewAdam[T](len(r.params), tc.LR, tc.WeightDecay)
	if tc.Average > 0 {
		r.avg, r.beta = append([]T(nil), r.params...), T(tc.Average)
	}
	if c.FitStarts {
		r.starts = make([]T, seg.s*seg.d)
		for i := range seg.s {
			copy(r.starts[i*seg.d:(i+1)*seg.d], r.y[i*(seg.k+1)*seg.d:])
		}
		r.warmup = tc.Steps / 2
		r.startOpt = make([]*nn.Adam[T], seg.s)
		for i := range r.startOpt {
			r.startOpt[i] = nn.NewAdam[T](seg.d, tc.LR, 0)
		}
	}
	return r, nil
}

// newRollout returns a Rollout of m on seg for batches of b segments,
// with a training workspace if train is set; the optimiser is not made.
func newRollout[T nn.Float](m model.Model[T], seg segments, c Config, b int, train bool) *Rollout[T] {
	c = c.WithDefaults()
	st := newStepper[T](c.Integrator)
	k, d := seg.k, seg.d
	conv := func(v []float64) []T {
		out := make([]T, len(v))
		for i, x := range v {
			out[i] = T(x)
		}
		return out
	}
	// With gradients, every stage of every step is evaluated on a
	// workspace of its own and kept for the backward pass (Engine.Keep),
	// which then does not evaluate the field again: K x stages
	// workspaces of B rows, about stages x the minibatch's rows in all.
	var kept []model.Workspace[T]
	if train {
		kept = make([]model.Workspace[T], k*st.Stages())
		for i := range kept {
			kept[i] = m.NewWorkspace(b, true)
		}
	}
	return &Rollout[T]{
		kept: kept,
		e:    NewEngine(m.NewWorkspace(b, train), d, len(m.Params())),
		st:   st, y: conv(seg.y), h: conv(seg.h), s: seg.s, k: k, d: d, b: b,
		x: make([]T, (k+1)*b*d), yb: make([]T, (k+1)*b*d), hb: make([]T, k*b),
		save: make([]T, k*st.Stages()*b*d),
		a:    make([]T, b*d), dx: make([]T, b*d),
	}
}

// Segments returns the number of training segments.
func (r *Rollout[T]) Segments() int { return r.s }

// Params returns the model's parameters (aliased).
func (r *Rollout[T]) Params() []T { return r.params }

// Average returns the moving average of the parameters, or nil.
func (r *Rollout[T]) Average() []T { return r.avg }

// Starts returns the fitted segment starts (S x D, aliased), or nil.
func (r *Rollout[T]) Starts() []T { return r.starts }

// Step makes one optimiser step on a minibatch of segments and returns
// the loss before it; a loss that is not finite leaves the parameters
// unchanged.
func (r *Rollout[T]) Step() float64 {
	train.Draw(r.perm, r.b, r.rng)
	rows := r.perm[:r.b]
	loss := r.loss(rows, true)
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return loss
	}
	if !r.frozen {
		r.opt.LR = r.tc.Rate(r.steps + 1)
		r.opt.Step(r.params, r.e.Grad)
	}
	if r.avg != nil && !r.frozen {
		train.UpdateAverage(r.avg, r.params, r.beta)
	}
	r.steps++
	if r.starts != nil && r.steps > r.warmup {
		rate := r.tc.Rate(r.steps)
		for i, sg := range rows {
			r.startOpt[sg].LR = rate
			r.startOpt[sg].Step(r.starts[sg*r.d:(sg+1)*r.d], r.dx[i*r.d:(i+1)*r.d])
		}
	}
	return loss
}

// loss returns the rollout loss of the segments rows (len(rows) = the
// batch). With grad set it leaves the parameter gradient in r.e.Grad and
// the gradient with respect to the starts in r.dx (B x D).
func (r *Rollout[T]) loss(rows []int, grad bool) float64 {
	k, d, b := r.k, r.d, r.b
	bd := b * d
	for i, sg := range rows {
		for t := 0; t <= k; t++ {
			copy(r.yb[t*bd+i*d:t*bd+(i+1)*d], r.y[(sg*(k+1)+t)*d:(sg*(k+1)+t+1)*d])
		}
		for t := range k {
			r.hb[t*b+i] = r.h[sg*k+t]
		}
		if r.starts != nil {
			copy(r.x[i*d:(i+1)*d], r.starts[sg*d:(sg+1)*d])
		} else {
			copy(r.x[i*d:(i+1)*d], r.yb[i*d:(i+1)*d])
		}
	}
	ns := r.st.Stages() * bd
	if grad && r.grow > 0 {
		k = min(k, 1+r.steps*k/r.grow)
	}
	r.e.Unconverged = 0
	ks := r.st.Stages()
	keep := func(t int) {
		if grad && r.kept != nil {
			r.e.Keep(r.kept[t*ks : (t+1)*ks])
		}
	}
	defer r.e.Keep(nil)
	for t := range k {
		keep(t)
		r.st.Forward(r.e, r.x[(t+1)*bd:(t+2)*bd], r.x[t*bd:(t+1)*bd], r.hb[t*b:(t+1)*b], r.save[t*ns:(t+1)*ns])
	}
	n := T((k + 1) * bd)
	var sum float64
	for i, v := range r.x[:(k+1)*bd] {
		e := float64(v - r.yb[i])
		sum += e * e
	}
	if r.e.Unconverged > 0 {
		return math.Inf(1)
	}
	if !grad {
		return sum / float64(n)
	}
	clear(r.e.Grad)
	c := 2 / n
	for j := range bd {
		r.a[j] = c * (r.x[k*bd+j] - r.yb[k*bd+j])
	}
	for t := k - 1; t >= 0; t-- {
		clear(r.dx)
		keep(t)
		r.st.Backward(r.e, r.dx, r.a, r.hb[t*b:(t+1)*b], r.save[t*ns:(t+1)*ns])
		for j := range bd {
			r.a[j] = r.dx[j] + c*(r.x[t*bd+j]-r.yb[t*bd+j])
		}
	}
	copy(r.dx, r.a)
	if r.e.Unconverged > 0 {
		return math.Inf(1)
	}
	return sum / float64(n)
}

// FitStart returns the state x0 from which m's rollout with the
// integrator of c best matches the observed states x (n x D) at the
// increasing times t (n values): the start x[0:D] moved by iters Adam
// steps of rate lr on the rollout loss over the n states (one segment of
// n-1 steps), the model fixed. It is the test-time half of fitted starts:
// a noisy first observation is replaced by the start the next ones
// support. It panics if len(x) != len(t)*D or n < 2.
func FitStart[T nn.Float](m model.Model[T], c Config, t, x []float64, iters int, lr float64) []float64 {
	d, n := m.Config().Dim, len(t)
	if len(x) != n*d || n < 2 {
		panic("fit: FitStart needs at least two observed states of the model's dimension")
	}
	c = c.WithDefaults()
	c.Horizon, c.FitStarts = n-1, true
	set := &data.Set{Dim: d, X: x, T: t, Traj: make([]int, n), Layout: m.Config().Layout}
	r, err := NewRollout(m, set, c, train.Config{LR: lr}, rand.New(rand.NewPCG(0, 0)))
	if err != nil {
		panic("fit: FitStart: " + err.Error())
	}
	r.frozen = true
	for range iters {
		r.Step()
	}
	out := make([]float64, d)
	for i, v := range r.starts {
		out[i] = float64(v)
	}
	return out
}
