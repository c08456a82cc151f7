package model

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/hnn-go/hnn/nn"
)

// Config describes a model's architecture. It is saved as model.json beside
// a checkpoint's arrays.
type Config struct {
	// Kind is the model's registry name, one of Kinds(): "baseline" (an MLP
	// outputs dx/dt), "hnn" (the symplectic gradient of a learned H), "dhnn"
	// (an HNN plus the gradient of a learned dissipation D) or "separable"
	// (an HNN whose H = T(p) + V(q)).
	Kind string `json:"kind"`
	// Dim is the state dimension D (even for every kind but baseline).
	Dim int `json:"dim"`
	// Hidden holds the hidden-layer widths (the reference: 200, 200).
	Hidden []int `json:"hidden"`
	// Activation is the hidden-layer activation (default tanh).
	Activation nn.Activation `json:"activation"`
	// Precision is the element type used for training and evaluation:
	// "float32" (default) or "float64".
	Precision string `json:"precision"`
}

// Kinds returns the names of the known model kinds, sorted.
func Kinds() []string { return []string{"baseline", "dhnn", "hnn", "separable"} }

// Validate reports whether c describes a model that can be built, with an
// error naming the offending field.
func (c Config) Validate() error {
	if !slices.Contains(Kinds(), c.Kind) {
		return fmt.Errorf("model: unknown model %q (valid: %s)", c.Kind, strings.Join(Kinds(), ", "))
	}
	if c.Dim < 1 {
		return fmt.Errorf("model: dim %d, want at least 1", c.Dim)
	}
	if c.Kind != "baseline" && c.Dim%2 != 0 {
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
	if c.Kind != "baseline" && !c.Activation.Smooth() {
		return fmt.Errorf("model: activation %v has no second derivative; %s trains through its networks' input gradients and needs a smooth one (tanh, softplus, sigmoid, sin)", c.Activation, c.Kind)
	}
	switch c.Precision {
	case "", "float32", "float64":
	default:
		return fmt.Errorf("model: precision %q, want float32 or float64", c.Precision)
	}
	return nil
}

// WithDefaults returns c with zero fields set to the reference defaults:
// hidden 200, 200; tanh; float32.
func (c Config) WithDefaults() Config {
	if len(c.Hidden) == 0 {
		c.Hidden = []int{200, 200}
	}
	if c.Precision == "" {
		c.Precision = "float32"
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
	// Networks returns the model's networks by name, in a fixed order; their
	// parameters alias Params. Checkpoints store them.
	Networks() []Network[T]
	// NewWorkspace returns a workspace for batches of exactly batch rows;
	// with train set it can also compute parameter gradients.
	NewWorkspace(batch int, train bool) Workspace[T]
}

// Network is a named MLP inside a model.
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
	// Loss returns the mean over all B*D entries of (f(x) - y)^2.
	Loss(x, y []T) float64
	// LossGrad returns Loss(x, y) and writes its gradient with respect to
	// Params into grad. It panics if the workspace was not made for
	// training.
	LossGrad(x, y, grad []T) float64
}

// New returns a freshly initialised model described by c, with weights drawn
// from rng. It returns an error if c is invalid.
func New[T nn.Float](c Config, rng *rand.Rand) (Model[T], error) {
	c = c.WithDefaults()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	params := make([]T, numParams(c))
	m := build(c, params)
	for _, n := range m.Networks() {
		fresh := nn.New[T](n.MLP.Sizes, n.MLP.Act, rng)
		copy(n.MLP.Params, fresh.Params)
	}
	return m, nil
}

func numParams(c Config) int {
	n := 0
	for _, s := range sizes(c) {
		n += nn.NumParams(s)
	}
	return n
}

// sizes returns the layer sizes of each network of the model, in the order
// of its Networks.
func sizes(c Config) [][]int {
	net := func(in, out int) []int { return append(append([]int{in}, c.Hidden...), out) }
	switch c.Kind {
	case "hnn":
		return [][]int{net(c.Dim, 1)}
	case "dhnn":
		return [][]int{net(c.Dim, 1), net(c.Dim, 1)}
	case "separable":
		return [][]int{net(c.Dim/2, 1), net(c.Dim/2, 1)}
	}
	return [][]int{net(c.Dim, c.Dim)}
}

// build returns the model for c whose parameters alias params: the networks
// of sizes(c) take consecutive pieces of params, in order.
func build[T nn.Float](c Config, params []T) Model[T] {
	var nets []*nn.MLP[T]
	rest := params
	for _, s := range sizes(c) {
		n := nn.NumParams(s)
		nets = append(nets, nn.FromParams(s, c.Activation, rest[:n:n]))
		rest = rest[n:]
	}
	switch c.Kind {
	case "hnn":
		return &HNN[T]{cfg: c, params: params, h: nets[0]}
	case "dhnn":
		return &DHNN[T]{cfg: c, params: params, h: nets[0], d: nets[1]}
	case "separable":
		return &Separable[T]{cfg: c, params: params, t: nets[0], v: nets[1]}
	case "baseline":
		return &Baseline[T]{cfg: c, params: params, f: nets[0]}
	}
	panic("model: unknown kind " + c.Kind)
}

// meanSquared returns the mean of (f - y)^2 and, when r is not nil, writes
// dL/df = 2 (f - y) / len(f) into r.
func meanSquared[T nn.Float](f, y, r []T) float64 {
	y = y[:len(f)]
	var s float64
	scale := 2 / T(len(f))
	for i, v := range f {
		d := v - y[i]
		s += float64(d) * float64(d)
		if r != nil {
			r[i] = scale * d
		}
	}
	return s / float64(len(f))
}

func checkLen(name string, got, want int) {
	if got != want {
		panic(fmt.Sprintf("model: %s has %d values, want %d", name, got, want))
	}
}
