package model

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/internal/check"
	"github.com/hnn-go/hnn/nn"
)

// Config describes a model's architecture. It is saved as model.json beside
// a checkpoint's arrays.
type Config struct {
	// Kind is the model's registry name, one of Kinds() (see the package
	// documentation for the kinds).
	Kind string `json:"kind"`
	// Dim is the state dimension D (even for a canonical kind).
	Dim int `json:"dim"`
	// Hidden holds the hidden-layer widths (the reference: 200, 200).
	Hidden []int `json:"hidden"`
	// Activation is the hidden-layer activation (default tanh).
	Activation nn.Activation `json:"activation"`
	// Precision is the element type used for training and evaluation:
	// "float32" (default) or "float64".
	Precision string `json:"precision"`
	// Layout says what the Dim columns of a state are: positions, then
	// velocities or momenta, then inputs, and which positions are angles.
	// The zero Layout, the default, is the canonical one (q, p) that every
	// kind takes; only kinds with Kind.Layouts take others.
	Layout data.Layout `json:"layout,omitzero"`
}

// Validate reports whether c describes a model that can be built, with an
// error naming the offending field.
func (c Config) Validate() error {
	k, err := Lookup(c.Kind)
	if err != nil {
		return err
	}
	if c.Dim < 1 {
		return fmt.Errorf("model: dim %d, want at least 1", c.Dim)
	}
	if k.Layouts != nil {
		l, err := c.Layout.Resolve(c.Dim)
		if err != nil {
			return fmt.Errorf("model: %s: %w", c.Kind, err)
		}
		if err := k.Layouts(l); err != nil {
			return fmt.Errorf("model: %s: layout: %w", c.Kind, err)
		}
	} else if !c.Layout.Canonical() {
		return fmt.Errorf("model: %s takes canonical states (q, p) without inputs or angles; the layout declares %s", c.Kind, layoutWords(c.Layout))
	} else if c.Layout.Positions != 0 {
		if _, err := c.Layout.Resolve(c.Dim); err != nil {
			return fmt.Errorf("model: %s: %w", c.Kind, err)
		}
	}
	if k.Canonical && c.Dim%2 != 0 {
		return fmt.Errorf("model: %s needs canonical coordinates (q, p) with an even state dimension, got %d", c.Kind, c.Dim)
	}
	if len(c.Hidden) == 0 {
		return fmt.Errorf("model: hidden: need at least one hidden layer")
	}
	for _, h := range c.Hidden {
		if h < 1 {
			return fmt.Errorf("model: hidden: width %d, want at least 1", h)
		}
	}
	if k.SecondOrder && !c.Activation.Smooth() {
		return fmt.Errorf("model: activation %v has no second derivative; %s trains through its networks' input gradients and needs a smooth one (tanh, softplus, sigmoid, sin)", c.Activation, c.Kind)
	}
	if c.Precision != "" && c.Precision != Float32 && c.Precision != Float64 {
		return fmt.Errorf("model: precision %s, want %s or %s", check.Quote(c.Precision), Float32, Float64)
	}
	return nil
}

// layoutWords names what a non-canonical layout declares.
func layoutWords(l data.Layout) string {
	var w []string
	if l.Velocities {
		w = append(w, "velocities")
	}
	if l.Inputs > 0 {
		w = append(w, fmt.Sprintf("%d inputs", l.Inputs))
	}
	if len(l.Angles) > 0 {
		w = append(w, fmt.Sprintf("angles %v", l.Angles))
	}
	return strings.Join(w, ", ")
}

// StateLayout returns c's layout resolved for its dimension (positions
// filled in, angles sorted). It panics if c is invalid: for configurations
// that Validate accepted.
func (c Config) StateLayout() data.Layout {
	l, err := c.Layout.Resolve(c.Dim)
	if err != nil {
		panic(err.Error())
	}
	return l
}

// The valid values of Config.Precision.
const (
	Float32 = "float32"
	Float64 = "float64"
)

// IsFloat64 reports whether c asks for float64 arithmetic; every other
// valid precision, the default included, means float32. Code that picks a
// model's element type asks this, never the Precision string.
func (c Config) IsFloat64() bool { return c.Precision == Float64 }

// WithDefaults returns c with zero fields set to the reference defaults:
// hidden 200, 200; tanh; float32.
func (c Config) WithDefaults() Config {
	if len(c.Hidden) == 0 {
		c.Hidden = []int{200, 200}
	}
	if c.Precision == "" {
		c.Precision = Float32
	}
	return c
}

// Model is a learned vector field dx/dt = f(x) with trainable parameters.
type Model[T nn.Float] interface {
	// Config returns the model's architecture.
	Config() Config
	// Params returns all trainable parameters as one flat slice that
	// aliases the model's networks.
	Params() []T
	// NewWorkspace returns a workspace for batches of exactly batch rows;
	// with train set it can also compute parameter gradients.
	NewWorkspace(batch int, train bool) Workspace[T]
}

// Network is a named MLP inside a model (see Networks).
type Network[T nn.Float] struct {
	Name string
	MLP  *nn.MLP[T]
}

// Workspace evaluates a model on batches of a fixed size. It is used by one
// goroutine at a time; make one per goroutine.
type Workspace[T nn.Float] interface {
	// Batch returns the number of rows the workspace holds.
	Batch() int
	// Field writes the model's dx/dt for the batch x (B x D) into dst.
	Field(dst, x []T)
	// FieldVJP propagates u = dL/df (B x D), for the field f of the last
	// Field call on the workspace, back through the field: it writes the
	// gradient of L with respect to Params into grad and, if dx is not
	// nil, with respect to the batch x into dx (B x D), both overwritten.
	// No other call may come between Field and FieldVJP. It panics if the
	// workspace was not made for training or on length mismatches.
	FieldVJP(grad, dx, u []T)
	// Loss returns the mean over all B*D entries of (f(x) - y)^2.
	Loss(x, y []T) float64
	// LossGrad returns Loss(x, y) and writes its gradient with respect to
	// Params into grad. It panics if the workspace was not made for
	// training.
	LossGrad(x, y, grad []T) float64
}

// Freezer is implemented by the workspaces of kinds whose networks can keep
// their weights packed for the products of every later call (nn's
// FreezeWeights): the workspace then evaluates the parameters as they were
// when Freeze was called, with the same values, without packing them for
// each product. It is for a model that no longer changes, evaluated many
// times on small batches (BatchFieldFunc's rollouts).
type Freezer interface {
	Freeze()
}

// Energy is implemented by the workspaces of kinds with a learned energy.
type Energy[T nn.Float] interface {
	// Energy writes the learned H at each row of x (B x D) into dst (B). It
	// panics on length mismatch.
	Energy(dst, x []T)
}

// Mechanical is implemented by the workspaces of kinds with a learned
// mass matrix M(q), potential V(q) and input matrix g(q) (symoden,
// delan): what an energy-shaping controller needs of a model (package
// control), and what the driven tasks' figures draw. Both
// methods read only the n positions of each row of x (B x D) and may be
// called between any other calls except between Field and FieldVJP.
type Mechanical[T nn.Float] interface {
	// Potential writes V(q) at each row of x into v (B) and dV/dq into
	// dv (B x n). It panics on length mismatch.
	Potential(v, dv, x []T)
	// InputMatrix writes g(q), n x m row-major, at each row of x into g
	// (B x n m). It panics on length mismatch or if the model has no
	// inputs (m = 0).
	InputMatrix(g, x []T)
	// Mass writes the mass matrix M(q), n x n row-major, at each row of x
	// into mass (B x n n). It panics on length mismatch.
	Mass(mass, x []T)
	// Mechanics writes M(q) (B x n x n), V(q) (B values) and g(q)
	// (B x n x m; g may be nil, and is ignored, without inputs) at each
	// row of x into mass, pot and g at once, for figures of the learned
	// quantities against a system's. It panics on length mismatch.
	Mechanics(mass, pot, g, x []T)
}

// Dissipative is implemented by the workspaces of kinds whose field splits
// into a conservative part and a dissipative one.
type Dissipative[T nn.Float] interface {
	// Dissipation writes the learned dissipation function D at each row of
	// x (B x D) into dst (B). It panics on length mismatch.
	Dissipation(dst, x []T)
	// Parts writes the conservative part of the field at each row of x into
	// cons and the dissipative part into diss; their sum is the field. It
	// panics on length mismatch.
	Parts(cons, diss, x []T)
}

// New returns a freshly initialised model described by c, with weights drawn
// from rng. It returns an error if c is invalid.
func New[T nn.Float](c Config, rng *rand.Rand) (Model[T], error) {
	c = c.WithDefaults()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	k := MustLookup(c.Kind)
	params := make([]T, k.numParams(c))
	rest := params
	for _, part := range k.Parts(c) {
		n := part.Len()
		if part.Sizes != nil {
			copy(rest[:n], nn.New[T](part.Sizes, c.Activation, rng).Params)
		}
		rest = rest[n:]
	}
	return build(k, c, params), nil
}

// base holds what every kind's model holds: its configuration and its
// parameter vector. Kinds embed it.
type base[T nn.Float] struct {
	cfg    Config
	params []T
}

// Config returns the model's architecture.
func (m *base[T]) Config() Config { return m.cfg }

// Params returns all trainable parameters as one flat slice.
func (m *base[T]) Params() []T { return m.params }

// fieldLoss returns the mean squared error against y of w's field at x,
// using f (B x D) as scratch: the Loss of every kind's workspace.
func fieldLoss[T nn.Float](w Workspace[T], f, x, y []T) float64 {
	w.Field(f, x)
	return meanSquared(f, y, nil)
}

// fieldLossGrad returns fieldLoss and writes its parameter gradient into
// grad through FieldVJP: the LossGrad of every kind's workspace.
func fieldLossGrad[T nn.Float](w Workspace[T], f, x, y, grad []T) float64 {
	w.Field(f, x)
	loss := meanSquared(f, y, f)
	w.FieldVJP(grad, nil, f)
	return loss
}

// meanSquared returns the mean of (f - y)^2 and, when r is not nil, writes
// dL/df = 2 (f - y) / len(f) into r.
func meanSquared[T nn.Float](f, y, r []T) float64 {
	return sumSquared(0, f, y, r, 2/T(len(f))) / float64(len(f))
}

// sumSquared returns s plus the sum of (f - y)^2, added in order, and,
// when r is not nil, writes scale (f - y) into r: meanSquared over
// consecutive parts of a batch, with the scale of the whole.
func sumSquared[T nn.Float](s float64, f, y, r []T, scale T) float64 {
	y = y[:len(f)]
	for i, v := range f {
		d := v - y[i]
		s += float64(d) * float64(d)
		if r != nil {
			r[i] = scale * d
		}
	}
	return s
}

// splitHalves gathers the first and second halves of the rows of width 2n
// of x into q and p (B x n each), as the kinds whose networks see only the
// positions or only the momenta need. It panics if x does not have the
// rows of q.
func splitHalves[T nn.Float](q, p, x []T, n int) {
	checkLen("batch", len(x), 2*len(q))
	for r, k := 0, 0; k < len(q); r, k = r+2*n, k+n {
		copy(q[k:k+n], x[r:r+n])
		copy(p[k:k+n], x[r+n:r+2*n])
	}
}

// checkTrain panics unless buf, a buffer only training workspaces have, is
// allocated.
func checkTrain[T nn.Float](buf []T) {
	if buf == nil {
		panic("model: gradient on a workspace not made for training")
	}
}

func checkLen(name string, got, want int) {
	if got != want {
		panic(fmt.Sprintf("model: %s has %d values, want %d", name, got, want))
	}
}
