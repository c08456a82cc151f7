package latent

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/hnn-go/hnn/nn"
	"github.com/hnn-go/hnn/train"
)

// Samples is a set of pixel samples drawn from a sequence of frames: sample
// i's input is the Window frames from Index[i] on concatenated, its next
// input (one frame later) the Window frames from Index[i]+1 on, and so on
// for the inputs further ahead that a rollout loss needs. Frames holds the
// frames row-major, Frame values each; the model's input has Window*Frame
// values. Keeping frames rather than inputs stores every frame once.
type Samples struct {
	Frame  int
	Frames []float32
	Index  []int
	// Window is the number of consecutive frames of an input; 0 means the
	// reference's 2.
	Window int
}

// Len returns the number of samples.
func (s *Samples) Len() int { return len(s.Index) }

// window returns the frames per input.
func (s *Samples) window() int {
	if s.Window == 0 {
		return 2
	}
	return s.Window
}

// Input returns the width of a sample's input, Window frames.
func (s *Samples) Input() int { return s.window() * s.Frame }

// Check returns an error if a sample refers to a frame that is not there,
// for the input and the next one.
func (s *Samples) Check() error { return s.check(1) }

// check returns an error if a sample's input or one of the ahead inputs
// after it refers to a frame that is not there.
func (s *Samples) check(ahead int) error {
	n := 0
	if s.Frame > 0 {
		n = len(s.Frames) / s.Frame
	}
	if s.Window < 0 {
		return fmt.Errorf("latent: samples of %d frames", s.Window)
	}
	need := s.window() + ahead
	for i, k := range s.Index {
		if k < 0 || k+need > n {
			return fmt.Errorf("latent: sample %d starts at frame %d; frames 0..%d exist and a sample needs %d", i, k, n-1, need)
		}
	}
	return nil
}

// put writes sample i's input and the ahead inputs after it into seq, a
// time-major buffer of batch inputs per block, as the batch's sample at.
func (s *Samples) put(seq []float32, batch, at, i, ahead int) {
	f, k, d := s.Frame, s.Index[i], s.Input()
	for j := 0; j <= ahead; j++ {
		o := (j*batch + at) * d
		copy(seq[o:o+d], s.Frames[(k+j)*f:(k+j)*f+d])
	}
}

// Stepper makes optimiser steps of a model on a training set: it draws a
// minibatch of samples without replacement from its source, computes the
// gradient of the coupled loss and applies Adam (with the coupled weight
// decay of torch's Adam), then updates the moving average of the
// parameters if Config.Average is set. It implements train.Steps and
// allocates nothing per step.
type Stepper struct {
	m         *Model[float32]
	ws        *Workspace[float32]
	set       *Samples
	opt       *nn.Adam[float32]
	c         train.Config // the settings, for each update's rate
	grad, avg []float32
	beta      float32
	perm      []int
	rng       *rand.Rand
	batch     int
}

// NewStepper prepares steps of m on set with the settings of c (Batch, LR,
// WeightDecay, Average), drawing minibatches from rng. It returns an error
// if c is invalid, the set is empty or its inputs do not match the model.
func NewStepper(m *Model[float32], set *Samples, c train.Config, rng *rand.Rand) (*Stepper, error) {
	c = c.WithDefaults()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	n := set.Len()
	switch {
	case n == 0:
		return nil, errors.New("latent: no training samples")
	case set.Input() != m.cfg.Input:
		return nil, fmt.Errorf("latent: samples of %d values, the model takes %d", set.Input(), m.cfg.Input)
	}
	if err := set.check(m.cfg.ahead()); err != nil {
		return nil, err
	}
	batch := c.Batch
	if batch == 0 || batch > n {
		batch = n
	}
	s := &Stepper{
		m: m, ws: m.NewWorkspace(batch, true), set: set,
		opt: nn.NewAdam[float32](len(m.Params), c.LR, c.WeightDecay), c: c,
		grad: make([]float32, len(m.Params)),
		perm: make([]int, n), rng: rng, batch: batch,
	}
	for i := range s.perm {
		s.perm[i] = i
	}
	if c.Average > 0 {
		s.avg, s.beta = append([]float32(nil), m.Params...), float32(c.Average)
	}
	return s, nil
}

// Step makes one optimiser step and returns the batch's mean total loss
// before it. If the loss is not finite the parameters are left as they
// were.
func (s *Stepper) Step() float64 {
	B, ahead := s.batch, s.m.cfg.ahead()
	if B < len(s.perm) {
		train.Draw(s.perm, B, s.rng)
	}
	for i, r := range s.perm[:B] {
		s.set.put(s.ws.Seq(), B, i, r, ahead)
	}
	loss := s.ws.LossGrad(s.grad).Total
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return loss
	}
	s.opt.LR = s.c.Rate(s.opt.Steps() + 1)
	s.opt.Step(s.m.Params, s.grad)
	if s.avg != nil {
		train.UpdateAverage(s.avg, s.m.Params, s.beta)
	}
	return loss
}

// Params returns the model's parameters.
func (s *Stepper) Params() []float32 { return s.m.Params }

// Average returns the moving average of the parameters, or nil.
func (s *Stepper) Average() []float32 { return s.avg }

// Train fits m to trainSet with the settings of c and returns the training
// history; the test loss (the mean total loss over testSet, if it has
// samples) is evaluated at every log interval. It is train.Loop over a
// Stepper: the same divergence handling and averaging as every other
// model.
func Train(m *Model[float32], trainSet, testSet *Samples, c train.Config, rng *rand.Rand, progress train.Progress) (train.History, error) {
	return TrainWatch(m, trainSet, testSet, c, rng, progress, nil)
}

// TrainWatch is Train that also calls watch, if it is not nil, at every
// log interval after the test loss, while the model's parameters are those
// it would end with at that point (the moving average if c.Average is
// set): a hook for checks of the model during training, such as whether
// its latent dynamics still turn. The step of the interval is the last
// one progress received.
func TrainWatch(m *Model[float32], trainSet, testSet *Samples, c train.Config, rng *rand.Rand, progress train.Progress, watch func()) (train.History, error) {
	st, err := NewStepper(m, trainSet, c, rng)
	if err != nil {
		return train.History{}, err
	}
	var test func() float64
	if testSet != nil && testSet.Len() > 0 {
		ev := NewEvaluator(m, st.batch)
		test = func() float64 { return ev.Losses(testSet, nil).Total }
	}
	if watch != nil {
		loss := test
		test = func() float64 {
			var l float64
			if loss != nil {
				l = loss()
			}
			watch()
			return l
		}
	}
	return train.Loop[float32](st, c, test, progress)
}

// Evaluator computes losses over whole sample sets in batches, with a
// workspace for full batches and one for the remainder.
type Evaluator struct {
	m     *Model[float32]
	full  *Workspace[float32]
	parts map[int]*Workspace[float32]
}

// NewEvaluator returns an evaluator of m working in batches of batch
// samples.
func NewEvaluator(m *Model[float32], batch int) *Evaluator {
	return &Evaluator{m: m, full: m.NewWorkspace(batch, false), parts: map[int]*Workspace[float32]{}}
}

// Losses returns the losses of set, each the mean over its samples, and
// writes every sample's total loss into perSample if it is not nil
// (set.Len() values).
func (e *Evaluator) Losses(set *Samples, perSample []float64) Losses {
	n, B, ahead := set.Len(), e.full.Batch(), e.m.cfg.ahead()
	var sum Losses
	buf := make([]float64, B)
	for lo := 0; lo < n; lo += B {
		k := min(B, n-lo)
		ws := e.full
		if k < B {
			if ws = e.parts[k]; ws == nil {
				ws = e.m.NewWorkspace(k, false)
				e.parts[k] = ws
			}
		}
		for i := range k {
			set.put(ws.Seq(), k, i, lo+i, ahead)
		}
		ls := ws.Loss(buf[:k])
		if perSample != nil {
			copy(perSample[lo:lo+k], buf[:k])
		}
		w := float64(k) / float64(n)
		sum.Total += w * ls.Total
		sum.AE += w * ls.AE
		sum.Aux += w * ls.Aux
		sum.Dyn += w * ls.Dyn
		sum.Roll += w * ls.Roll
	}
	return sum
}
