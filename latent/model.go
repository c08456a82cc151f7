package latent

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/hnn-go/hnn/fit"
	"github.com/hnn-go/hnn/internal/check"
	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/nn"
)

// Config describes a latent model. The zero value of every field but Kind
// means the reference's setting (experiment-pixels/train.py).
type Config struct {
	// Kind is the model kind of the latent dynamics, any of model.Kinds()
	// that fits a latent state (q, p): "hnn" (the latent field is J grad H
	// of a learned scalar H), "baseline" (an MLP gives the latent
	// derivative directly), "dhnn", "separable", ...
	Kind string `json:"kind,omitempty"`
	// Frames is the number of consecutive 28x28 frames of a pixel input
	// (0: the reference's 2); it sets Input unless Input is set.
	Frames int `json:"frames,omitempty"`
	// Input is the width of a pixel input, Frames 28x28 frames: 1568 for
	// the reference's two.
	Input int `json:"input,omitempty"`
	// Width and Residual shape the autoencoder halves: Input -> Width,
	// Residual residual layers, -> Latent, and mirrored (200, 2).
	Width    int `json:"width,omitempty"`
	Residual int `json:"residual,omitempty"`
	// Latent is the latent dimension, (q, p): 2.
	Latent int `json:"latent,omitempty"`
	// Hidden holds the hidden widths of the latent network (200, 200).
	Hidden []int `json:"hidden,omitempty"`
	// AEActivation is the autoencoder's activation (relu) and Activation
	// the latent network's (tanh).
	AEActivation nn.Activation `json:"ae_activation,omitzero"`
	Activation   nn.Activation `json:"activation,omitzero"`
	// DynWeight weighs the latent-dynamics loss (0.1).
	DynWeight float64 `json:"dyn_weight,omitempty"`
	// Step is the latent step of the dynamics loss, a unit step of one
	// of fit's registered integrators with an increment (fit.Steps), whose
	// defect z(t+1) - z(t) - step on the encoded pair is the loss's
	// residual: "euler" (the reference's, step = f(z(t))), "rk4" (one
	// classical Runge-Kutta step of unit length of dz/dt = f(z), with its
	// exact gradient through the four stages) or "implicit-midpoint", also
	// "midpoint" (step = f((z(t) + z(t+1))/2), explicit here because both
	// ends are known; for an HNN it is symplectic, and the chord of an
	// orbit is parallel to the field at its midpoint, which an Euler
	// step's tangent cannot match). Empty means "euler".
	Step string `json:"step,omitempty"`
	// Horizon, if positive, adds the rollout loss: from z(t) = enc(x(t))
	// the latent state is advanced Horizon frames by Integrator, one step
	// of unit length per frame, and each state is decoded and compared
	// with the true input of its frame, x(t+k) for k = 1..Horizon (the
	// mean squared pixel error, averaged over k, weighted 1 as the
	// reconstruction). Its exact gradient runs back through every
	// integrator step. The rollouts of such a model (Rollout, Advance) use
	// the same integrator. Zero: the reference's one-step loss alone.
	Horizon int `json:"horizon,omitempty"`
	// Integrator is the latent integrator of the rollout loss and of the
	// model's rollouts, one of fit's registered integrators
	// (fit.Integrators) that suits Kind: IntegratorRK4 (empty means rk4),
	// IntegratorLeapfrog for kinds with a separable energy, or
	// "implicit-midpoint" (a loss whose fixed-point solves do not converge
	// is infinite). It needs Horizon > 0.
	Integrator string `json:"integrator,omitempty"`
	// Backward, with Horizon > 0, makes the rollout loss forward-backward
	// (as Hamiltonian Generative Networks train): the second half of each
	// batch (B/2 samples, rounded down) starts from the encoding of its
	// input Horizon frames ahead, x(t+K), is rolled out backwards in time
	// (Integrator steps of -1) and is decoded against the inputs before
	// it, x(t+K-k) for k = 1..K; its reconstruction term is that of
	// x(t+K). The first half rolls forwards as without it. The
	// reference's auxiliary and dynamics terms are unchanged.
	Backward bool `json:"backward,omitempty"`
}

// MaxFrames bounds Config.Frames.
const MaxFrames = 20

// FramePixels is the size of one 28x28 frame of a pixel input.
const FramePixels = 28 * 28

// MaxHorizon bounds Config.Horizon: every frame of the rollout loss keeps
// its integrator's workspaces for the backward pass.
const MaxHorizon = 1000

// integrator returns the rollout integrator's name, IntegratorRK4 if
// unset.
func (c Config) integrator() string {
	if c.Integrator == "" {
		return IntegratorRK4
	}
	return c.Integrator
}

// step returns the dynamics loss's step, "euler" if unset.
func (c Config) step() string {
	if c.Step == "" {
		return "euler"
	}
	return c.Step
}

// WithDefaults returns c with zero fields set to the reference's settings.
func (c Config) WithDefaults() Config {
	if c.Input == 0 {
		c.Input = max(c.Frames, 2) * FramePixels
	}
	if c.Width == 0 {
		c.Width = 200
	}
	if c.Residual == 0 {
		c.Residual = 2
	}
	if c.Latent == 0 {
		c.Latent = 2
	}
	if len(c.Hidden) == 0 {
		c.Hidden = []int{200, 200}
	}
	if c.AEActivation == 0 {
		c.AEActivation = nn.ReLU
	}
	if c.Activation == 0 {
		c.Activation = nn.Tanh
	}
	if c.DynWeight == 0 {
		c.DynWeight = 0.1
	}
	return c
}

// Validate returns an error naming the first invalid field of c, with
// its defaults filled in (WithDefaults): its settings (ValidateSettings),
// then its kind, whether the step and the integrator suit the kind's
// field, and the latent dynamics it makes.
func (c Config) Validate() error {
	c = c.WithDefaults()
	if err := c.ValidateSettings(); err != nil {
		return fmt.Errorf("latent: %w", err)
	}
	k, err := model.Lookup(c.Kind)
	if err != nil {
		return fmt.Errorf("latent: %w", err)
	}
	if ig, _ := fit.LookupIntegrator(c.step()); !ig.Suits(k) {
		return fmt.Errorf("latent: step %s does not suit a %s model's field (only the kinds that list it do)", c.Step, c.Kind)
	}
	if ig, _ := fit.LookupIntegrator(c.integrator()); !ig.Suits(k) {
		return fmt.Errorf("latent: a %s model's field does not suit integrator %s (only the kinds that list it do: leapfrog needs a separable energy); use rk4 (or a kind such as separable)", c.Kind, c.Integrator)
	}
	if err := c.Dynamics().Validate(); err != nil {
		return fmt.Errorf("latent: dynamics: %w", err)
	}
	return nil
}

// ValidateSettings returns a *check.FieldError naming, by its JSON name,
// the first field of c (with its defaults filled in) whose value is out of
// range, the names of the step and the integrator checked against fit's
// registry, leaving out what depends on the kind of the latent dynamics
// (see Validate): every setting in one place, for overrides that do not
// know the kind yet.
func (c Config) ValidateSettings() error {
	c = c.WithDefaults()
	switch {
	case c.Frames != 0 && (c.Frames < 2 || c.Frames > MaxFrames):
		return &check.FieldError{Field: "frames", Value: c.Frames, Want: fmt.Sprintf("an integer in [2, %d] (2 frames make the velocity observable)", MaxFrames)}
	case c.Frames != 0 && c.Input != c.Frames*FramePixels:
		return &check.FieldError{Field: "input", Value: c.Input, Want: fmt.Sprintf("%d values, the %d frames of 28x28", c.Frames*FramePixels, c.Frames)}
	case c.Input < 1:
		return &check.FieldError{Field: "input", Value: c.Input, Want: "a positive size"}
	case c.Width < 1:
		return &check.FieldError{Field: "width", Value: c.Width, Want: "a positive size"}
	case c.Residual < 0:
		return &check.FieldError{Field: "residual", Value: c.Residual, Want: "a number of residual layers >= 0"}
	case c.Latent < 2 || c.Latent%2 != 0:
		return &check.FieldError{Field: "latent", Value: c.Latent, Want: "an even number of at least 2 (q, p)"}
	case !(c.DynWeight > 0) || math.IsInf(c.DynWeight, 0):
		return &check.FieldError{Field: "dyn_weight", Value: c.DynWeight, Want: "a positive, finite weight (the reference's is 0.1)"}
	case c.Horizon < 0 || c.Horizon > MaxHorizon:
		return &check.FieldError{Field: "horizon", Value: c.Horizon, Want: fmt.Sprintf("frames from 0 (no rollout loss) to %d", MaxHorizon)}
	case c.Integrator != "" && c.Horizon == 0:
		return &check.FieldError{Field: "integrator", Value: check.Quote(c.Integrator), Want: "a rollout horizon (horizon > 0): it integrates the rollout loss"}
	case c.Backward && c.Horizon == 0:
		return &check.FieldError{Field: "backward", Value: c.Backward, Want: "a rollout horizon (horizon > 0): it rolls half of the rollout loss backwards"}
	}
	if ig, err := fit.LookupIntegrator(c.step()); err != nil || !ig.Incrementer() {
		return &check.FieldError{Field: "step", Value: check.Quote(c.Step), Want: "one of " + withAliases(fit.Steps())}
	}
	if ig, err := fit.LookupIntegrator(c.integrator()); err != nil || ig.StepOnly {
		return &check.FieldError{Field: "integrator", Value: check.Quote(c.Integrator), Want: "one of " + withAliases(fit.Integrators())}
	}
	return nil
}

// withAliases joins the names of fit's integrators, each followed by its
// aliases in parentheses: "euler, implicit-midpoint (midpoint), rk4".
func withAliases(names []string) string {
	out := make([]string, len(names))
	for i, name := range names {
		out[i] = name
		if ig, err := fit.LookupIntegrator(name); err == nil && len(ig.Aliases) > 0 {
			out[i] += " (" + strings.Join(ig.Aliases, ", ") + ")"
		}
	}
	return strings.Join(out, ", ")
}

// Dynamics returns the configuration of the model of the latent dynamics:
// a model of c's kind on the latent state, with c's hidden widths and
// activation.
func (c Config) Dynamics() model.Config {
	return model.Config{Kind: c.Kind, Dim: c.Latent, Hidden: c.Hidden, Activation: c.Activation}.WithDefaults()
}

// Model is an autoencoder from pixel inputs to a latent state z = (q, p)
// and back, with a learned latent field f(z), the field of a model of any
// registered kind (J grad H(z) for the HNN, a direct MLP output for the
// baseline). Its parameters are one slice of T (float32 for training,
// float64 for gradient checks): the encoder's, the decoder's, then the
// latent dynamics model's.
type Model[T nn.Float] struct {
	cfg    Config
	Params []T
	Enc    *nn.ResMLP[T]
	Dec    *nn.ResMLP[T]
	Dyn    model.Model[T]
}

// sizes returns the parameter counts of the encoder, the decoder and the
// latent dynamics of c.
func sizes(c Config) (enc, dec, dyn int) {
	return nn.ResMLPNumParams(c.Input, c.Width, c.Residual, c.Latent),
		nn.ResMLPNumParams(c.Latent, c.Width, c.Residual, c.Input),
		model.NumParams(c.Dynamics())
}

// New returns a model described by c (defaults filled in) with weights
// drawn from rng, or an error if c is invalid.
func New[T nn.Float](c Config, rng *rand.Rand) (*Model[T], error) {
	c = c.WithDefaults()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	m := FromParams[T](c, nil)
	enc := nn.NewResMLP[T](c.Input, c.Width, c.Residual, c.Latent, c.AEActivation, rng)
	dec := nn.NewResMLP[T](c.Latent, c.Width, c.Residual, c.Input, c.AEActivation, rng)
	dyn, err := model.New[T](c.Dynamics(), rng)
	if err != nil {
		return nil, fmt.Errorf("latent: %w", err)
	}
	copy(m.Enc.Params, enc.Params)
	copy(m.Dec.Params, dec.Params)
	copy(m.Dyn.Params(), dyn.Params())
	return m, nil
}

// FromParams returns the model of c (defaults filled in) whose networks
// alias params, or fresh zero parameters if params is nil. It panics if
// params has the wrong length or c is invalid.
func FromParams[T nn.Float](c Config, params []T) *Model[T] {
	c = c.WithDefaults()
	if err := c.Validate(); err != nil {
		panic(err.Error())
	}
	ne, nd, nf := sizes(c)
	if params == nil {
		params = make([]T, ne+nd+nf)
	}
	if len(params) != ne+nd+nf {
		panic(fmt.Sprintf("latent: %d parameters, want %d", len(params), ne+nd+nf))
	}
	dyn, err := model.FromParams(c.Dynamics(), params[ne+nd:])
	if err != nil {
		panic(err.Error())
	}
	return &Model[T]{
		cfg:    c,
		Params: params,
		Enc:    nn.ResMLPFromParams(c.Input, c.Width, c.Residual, c.Latent, c.AEActivation, params[:ne:ne]),
		Dec:    nn.ResMLPFromParams(c.Latent, c.Width, c.Residual, c.Input, c.AEActivation, params[ne:ne+nd:ne+nd]),
		Dyn:    dyn,
	}
}

// Config returns the model's configuration.
func (m *Model[T]) Config() Config { return m.cfg }

// Losses are the parts of the loss of a batch, each the mean over its
// samples: the reconstruction MSE (mean over the pixels), the auxiliary
// canonical-coordinate loss (p(t) - (q(t+1) - q(t)))^2, and the weighted
// latent-dynamics MSE DynWeight * mean_k (z(t+1) - z(t) - f(z(t)))_k^2,
// and, with Config.Horizon > 0, the rollout loss: the mean over the
// Horizon rolled-out frames of their decoded pixel MSE. Total is their sum,
// without a horizon the reference's training loss.
type Losses struct {
	Total, AE, Aux, Dyn, Roll float64
}

// Workspace evaluates a model on batches of a fixed size. It is used by
// one goroutine at a time.
type Workspace[T nn.Float] struct {
	m     *Model[T]
	batch int
	train bool
	enc   *nn.ResWorkspace[T]
	dec   *nn.ResWorkspace[T]
	dyn   model.Workspace[T]
	// eng is the engine of the latent steps, step the dynamics loss's
	// (its first stage evaluated on dyn).
	eng  *fit.Engine[T]
	step *unroller[T]
	// seq holds the batch's inputs, time-major: the B inputs at t, then
	// the B inputs at t+1, ..., t+max(Horizon, 1); pair is its first 2B
	// inputs, the encoder's.
	seq, pair []T
	// The last forward pass: the encoded pair z, zn (B x Latent each) and
	// the decoded frames xhat (B x Input, or (K+1) x B x Input with a
	// rollout loss); f holds the step's increment from z to zn.
	z, zn, xhat      []T
	dz, dxhat, f, df []T
	dzd              []T
	perSample        []float64
	// rows holds each sample's loss terms (terms), computed by rowsFn
	// over ranges of samples on nn's cores, with gradients if rowsGrad.
	rows     [][4]float64
	rowsFn   func(lo, hi int)
	rowsGrad bool
	k        []T // RK4 stages of Rollout, made on first use
	// The rollout loss (Horizon > 0): an integrator step per frame, the
	// latent states z_0..z_K ((K+1) x B x Latent), the decoder's
	// workspace for all of them, and their adjoints.
	roll    []*unroller[T]
	decRoll *nn.ResWorkspace[T]
	zs, dzs []T
	adj     []T
	// Forward-backward (Config.Backward): the last nb rows of a batch
	// roll backwards from the encoding of their input Horizon frames
	// ahead (encBack's batch); sign holds each row's step (+1 or -1),
	// nil without backward rows.
	nb      int
	encBack *nn.ResWorkspace[T]
	sign    []T
}

// ahead returns the number of inputs after the first that a sample of c
// holds: max(Horizon, 1).
func (c Config) ahead() int { return max(c.Horizon, 1) }

// NewWorkspace returns a workspace for batches of batch samples; with train
// set it can also compute the parameter gradient.
func (m *Model[T]) NewWorkspace(batch int, train bool) *Workspace[T] {
	if batch < 1 {
		panic("latent: batch size below one")
	}
	c := m.cfg
	n := c.Latent
	K := c.Horizon
	ws := &Workspace[T]{
		m: m, batch: batch, train: train,
		enc:       m.Enc.NewWorkspace(2 * batch),
		dec:       m.Dec.NewWorkspace(batch),
		dyn:       m.Dyn.NewWorkspace(batch, train),
		seq:       make([]T, (c.ahead()+1)*batch*c.Input),
		dz:        make([]T, 2*batch*n),
		dxhat:     make([]T, (K+1)*batch*c.Input),
		f:         make([]T, batch*n),
		df:        make([]T, batch*n),
		dzd:       make([]T, batch*n),
		perSample: make([]float64, batch),
		rows:      make([][4]float64, batch),
	}
	ws.rowsFn = ws.termsOf
	ws.pair = ws.seq[:2*batch*c.Input]
	ws.eng = fit.NewEngine(ws.dyn, n, len(m.Dyn.Params()))
	ws.step = newStep(m.Dyn, ws.eng, ws.dyn, c.step(), batch, n, train)
	if K > 0 {
		for range K {
			ws.roll = append(ws.roll, newStep(m.Dyn, ws.eng, nil, c.integrator(), batch, n, train))
		}
		ws.decRoll = m.Dec.NewWorkspace((K + 1) * batch)
		ws.zs = make([]T, (K+1)*batch*n)
		ws.dzs = make([]T, (K+1)*batch*n)
		ws.adj = make([]T, batch*n)
		if c.Backward && batch > 1 {
			ws.nb = batch / 2
			ws.encBack = m.Enc.NewWorkspace(ws.nb)
			ws.sign = make([]T, batch)
			for r := range ws.sign {
				ws.sign[r] = 1
				if r >= batch-ws.nb {
					ws.sign[r] = -1
				}
			}
		}
	}
	return ws
}

// Batch returns the number of samples the workspace holds.
func (w *Workspace[T]) Batch() int { return w.batch }

// Pair returns the first 2B inputs of the workspace's input buffer,
// 2B x Input: fill rows 0..B-1 with the inputs at t and rows B..2B-1 with
// the inputs at t+1 before Loss or LossGrad. With Config.Horizon > 1 the
// inputs further ahead go into Seq.
func (w *Workspace[T]) Pair() []T { return w.pair }

// Seq returns the workspace's whole input buffer, time-major
// ((max(Horizon, 1) + 1) x B x Input): block k holds the B inputs at t+k,
// the targets of the rollout loss for k >= 1.
func (w *Workspace[T]) Seq() []T { return w.seq }

// field writes the latent field f(z) of the batch z (B x Latent) into w.f.
func (w *Workspace[T]) field(z []T) { w.dyn.Field(w.f, z) }

// Field writes the latent field f(z) of the batch z (B x Latent) into dst.
func (w *Workspace[T]) Field(dst, z []T) {
	w.field(z)
	copy(dst, w.f)
}

// HasEnergy reports whether the latent dynamics learn an energy (their
// kind's workspace implements model.Energy).
func (w *Workspace[T]) HasEnergy() bool {
	_, ok := w.dyn.(model.Energy[T])
	return ok
}

// Energy writes the learned H of every row of z into dst; it panics if the
// latent dynamics have no energy (see HasEnergy).
func (w *Workspace[T]) Energy(dst, z []T) {
	e, ok := w.dyn.(model.Energy[T])
	if !ok {
		panic("latent: a " + w.m.cfg.Kind + " model has no energy")
	}
	e.Energy(dst, z)
}

// Encode writes the latent states of the B inputs x (B x Input) into z
// (B x Latent). It uses the first half of the workspace's encoder batch.
func (w *Workspace[T]) Encode(z, x []T) {
	c := w.m.cfg
	copy(w.pair[:w.batch*c.Input], x)
	clear(w.pair[w.batch*c.Input:])
	out := w.m.Enc.Forward(w.enc, w.pair)
	copy(z, out[:w.batch*c.Latent])
}

// Decode writes the reconstructions of the latent states z (B x Latent)
// into x (B x Input).
func (w *Workspace[T]) Decode(x, z []T) {
	copy(x, w.m.Dec.Forward(w.dec, z))
}

// Loss returns the losses of the batch in Pair(). If perSample is not nil
// it receives each sample's total loss (B values).
func (w *Workspace[T]) Loss(perSample []float64) Losses {
	return w.loss(nil, perSample)
}

// LossGrad returns the losses of the batch in Pair() and writes the
// gradient of their mean total with respect to the model's parameters into
// grad. It panics if the workspace was not made for training.
func (w *Workspace[T]) LossGrad(grad []T) Losses {
	if !w.train {
		panic("latent: LossGrad on a workspace not made for training")
	}
	if len(grad) != len(w.m.Params) {
		panic("latent: gradient length mismatch")
	}
	return w.loss(grad, nil)
}

// loss returns the losses of the batch and, if grad is not nil, writes
// their gradient into grad: the forward pass, the per-sample terms and
// the backward pass. A loss whose implicit solves did not converge
// (fit.Engine.Unconverged) is infinite.
func (w *Workspace[T]) loss(grad []T, perSample []float64) Losses {
	w.eng.Unconverged = 0
	w.forward()
	ls := w.terms(grad != nil, perSample)
	if grad != nil {
		w.backward(grad)
	}
	if w.eng.Unconverged > 0 {
		ls.Roll, ls.Total = math.Inf(1), math.Inf(1)
		for b := range perSample {
			perSample[b] = math.Inf(1)
		}
	}
	return ls
}

// forward encodes the pair into w.z and w.zn, rolls the batch out and
// decodes it into w.xhat (with a rollout loss), and writes the step's
// increment from z to zn into w.f.
func (w *Workspace[T]) forward() {
	m, c, B := w.m, w.m.cfg, w.batch
	n, in := c.Latent, c.Input
	z2 := m.Enc.Forward(w.enc, w.pair)
	w.z, w.zn = z2[:B*n], z2[B*n:]
	K := c.Horizon
	if K == 0 {
		w.xhat = m.Dec.Forward(w.dec, w.z)
	} else {
		// Roll z out K frames and decode z_0..z_K at once; the backward
		// rows start from the encoding of their input K frames ahead.
		copy(w.zs[:B*n], w.z)
		if w.nb > 0 {
			zb := m.Enc.Forward(w.encBack, w.seq[(K*B+B-w.nb)*in:(K+1)*B*in])
			copy(w.zs[(B-w.nb)*n:B*n], zb)
		}
		for k := range K {
			w.roll[k].forward(w.zs[(k+1)*B*n:(k+2)*B*n], w.zs[k*B*n:(k+1)*B*n], n, w.sign)
		}
		w.xhat = m.Dec.Forward(w.decRoll, w.zs)
	}
	w.step.increment(w.f, w.z, w.zn)
}

// terms returns the losses of the last forward pass, each the mean over
// the samples, and writes every sample's total into perSample if it is
// not nil. With grad set it leaves the gradients of the mean total with
// respect to the decoded frames in w.dxhat, to z and zn in w.dz and to
// the step's increment in w.df.
func (w *Workspace[T]) terms(grad bool, perSample []float64) Losses {
	var ls Losses
	if grad {
		clear(w.dz)
	}
	B := w.batch
	// Each sample's terms on nn's cores (they read and write only that
	// sample's rows), summed in sample order after.
	w.rowsGrad = grad
	nn.For(B, w.m.cfg.Input*(w.m.cfg.Horizon+1), w.rowsFn)
	for b := range B {
		ae, aux, dyn, roll := w.rows[b][0], w.rows[b][1], w.rows[b][2], w.rows[b][3]
		if perSample != nil {
			perSample[b] = ae + aux + dyn + roll
		}
		ls.AE += ae
		ls.Aux += aux
		ls.Dyn += dyn
		ls.Roll += roll
	}
	ls.AE /= float64(B)
	ls.Aux /= float64(B)
	ls.Dyn /= float64(B)
	ls.Roll /= float64(B)
	ls.Total = ls.AE + ls.Aux + ls.Dyn + ls.Roll
	return ls
}

// termsOf writes the loss terms of the samples lo..hi-1 into w.rows, with
// their gradients if w.rowsGrad is set (rowTerms).
func (w *Workspace[T]) termsOf(lo, hi int) {
	for b := lo; b < hi; b++ {
		ae, aux, dyn, roll := w.rowTerms(b, w.rowsGrad)
		w.rows[b] = [4]float64{ae, aux, dyn, roll}
	}
}

// rowTerms returns the loss terms of sample b: reconstruction, auxiliary,
// dynamics and rollout. With grad set it writes their gradients (scaled
// for the batch mean) with respect to the sample's decoded frames into
// w.dxhat and its step increment into w.df, and adds those with respect
// to its z and zn to w.dz.
func (w *Workspace[T]) rowTerms(b int, grad bool) (ae, aux, dyn, roll float64) {
	c, B := w.m.cfg, w.batch
	n, in := c.Latent, c.Input
	K := c.Horizon
	z, zn, xhat := w.z, w.zn, w.xhat
	dz, dzn := w.dz[:B*n], w.dz[B*n:]
	aeScale := T(2 / float64(B*in))
	auxScale := T(2 / float64(B))
	dynScale := T(2 * c.DynWeight / float64(B*n))
	var rollScale T
	if K > 0 {
		rollScale = T(2 / float64(K*B*in))
	}
	// Frame k of a forward row's rollout is compared with input block
	// k, of a backward row's with block K-k.
	back := b >= B-w.nb
	xs, hs := w.pair[b*in:(b+1)*in], xhat[b*in:(b+1)*in]
	if back {
		xs = w.seq[(K*B+b)*in : (K*B+b+1)*in]
	}
	for j, v := range hs {
		d := v - xs[j]
		ae += float64(d) * float64(d)
		if grad {
			w.dxhat[b*in+j] = aeScale * d
		}
	}
	ae /= float64(in)
	// The auxiliary loss ties each momentum to the change of its
	// position: p_i(t) - (q_i(t+1) - q_i(t)).
	half := n / 2
	for i := range half {
		q, p, qn := z[b*n+i], z[b*n+half+i], zn[b*n+i]
		r := p - (qn - q)
		aux += float64(r) * float64(r)
		if grad {
			g := auxScale * r
			dz[b*n+half+i] += g
			dz[b*n+i] += g
			dzn[b*n+i] -= g
		}
	}
	for k := range n {
		r := zn[b*n+k] - z[b*n+k] - w.f[b*n+k]
		dyn += float64(r) * float64(r)
		if grad {
			g := dynScale * r
			dzn[b*n+k] += g
			dz[b*n+k] -= g
			w.df[b*n+k] = -g
		}
	}
	dyn = c.DynWeight * dyn / float64(n)
	for k := 1; k <= K; k++ {
		o, ot := (k*B+b)*in, (k*B+b)*in
		if back {
			ot = ((K-k)*B + b) * in
		}
		xs, hs := w.seq[ot:ot+in], xhat[o:o+in]
		for j, v := range hs {
			d := v - xs[j]
			roll += float64(d) * float64(d)
			if grad {
				w.dxhat[o+j] = rollScale * d
			}
		}
	}
	if K > 0 {
		roll /= float64(K * in)
	}
	return ae, aux, dyn, roll
}

// backward writes the gradient of the last forward pass's mean total loss
// with respect to the model's parameters into grad, from the gradients
// terms left: through the step's increment, the decoder (at every
// rolled-out frame), the integrator steps of the rollout and the
// encoder.
func (w *Workspace[T]) backward(grad []T) {
	m, c, B := w.m, w.m.cfg, w.batch
	n := c.Latent
	dz, dzn := w.dz[:B*n], w.dz[B*n:]
	ne, nd := len(m.Enc.Params), len(m.Dec.Params)
	gEnc, gDec, gDyn := grad[:ne], grad[ne:ne+nd], grad[ne+nd:]
	// The latent dynamics, through the step's increment.
	clear(gDyn)
	w.eng.Grad = gDyn
	w.step.incrementBackward(dz, dzn, w.df)
	K := c.Horizon
	if K == 0 {
		m.Dec.Backward(w.dec, gDec, w.dzd, w.dxhat)
		for i, v := range w.dzd {
			dz[i] += v
		}
	} else {
		// Back through the decoder at z_0..z_K, then through the
		// integrator steps from z_K to z_0: the adjoint of z_{k-1} is its
		// decoder's part plus the step's vector-Jacobian product of the
		// adjoint of z_k.
		m.Dec.Backward(w.decRoll, gDec, w.dzs, w.dxhat)
		a := w.adj
		copy(a, w.dzs[K*B*n:])
		for k := K; k >= 1; k-- {
			prev := w.dzs[(k-1)*B*n : k*B*n]
			w.roll[k-1].backward(prev, a, w.sign)
			copy(a, prev)
		}
		for i, v := range a[:(B-w.nb)*n] {
			dz[i] += v
		}
	}
	m.Enc.Backward(w.enc, gEnc, nil, w.dz)
	if w.nb > 0 {
		m.Enc.BackwardAdd(w.encBack, gEnc, nil, w.adj[(B-w.nb)*n:])
	}
}
