package model

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/internal/check"
	"github.com/hnn-go/hnn/nn"
)

// Kind describes a model kind: everything the rest of hnn needs to know
// about it, in one value registered from the kind's own file with Register.
type Kind struct {
	// Name is the kind's registry name, as Config.Kind and the command line
	// spell it ("hnn").
	Name string
	// Title names the kind in figures and reports ("Hamiltonian NN").
	Title string
	// Canonical is set for a kind whose field acts on canonical states
	// (q, p), which needs an even state dimension.
	Canonical bool
	// SecondOrder is set for a kind trained through its networks' input
	// gradients (a second-order parameter gradient), which needs an
	// activation with a second derivative.
	SecondOrder bool
	// Layouts, if set, says which state layouts the kind takes besides the
	// canonical one: given c's layout resolved for its dimension, it returns
	// nil or an error saying, in a few words, why the kind cannot take it.
	// A kind without it takes only canonical states (q, p), Config.Layout
	// zero or canonical.
	Layouts func(l data.Layout) error
	// Parts returns the pieces of the parameter vector of a model of c, in
	// order: networks, drawn at initialisation from the random source in
	// this order, and plain arrays, which start at zero. Checkpoints store
	// every part under its name. c has its defaults filled in and is valid.
	Parts func(c Config) []Part
	// Build32 and Build64 return the model of c whose parameters are the
	// pieces p (views of one parameter vector cut as Parts says).
	Build32 func(c Config, p Pieces[float32]) Model[float32]
	Build64 func(c Config, p Pieces[float64]) Model[float64]
	// FLOPs returns the floating-point operations of the matrix products of
	// one training step per batch row of a model of c (the benchmarks'
	// FLOP model); NetFLOPs counts one network's.
	FLOPs func(c Config) float64
	// Integrators lists integrators that suit the kind's field beyond the
	// general-purpose ones, for long-horizon rollouts (leapfrog for a
	// separable energy).
	Integrators []string
	// Cost is the training work per row relative to a baseline's, for
	// scheduling runs (a network trained through its input gradient costs
	// about twice a plain one).
	Cost float64
}

// Part is one piece of a model's parameter vector: the layers of a network
// (Sizes set) or a plain array (Shape set).
type Part struct {
	// Name names the piece in checkpoints ("H"). A network's arrays are
	// NAME.W0, NAME.b0, ..., NAME.Wout; a plain array is NAME.
	Name string
	// Sizes are a network's layer sizes: input, hidden widths, output.
	Sizes []int
	// Shape is a plain array's shape.
	Shape []int
}

// Net returns the part of a network named name with in inputs, c's hidden
// layers and out outputs.
func Net(c Config, name string, in, out int) Part {
	return Part{Name: name, Sizes: append(append([]int{in}, c.Hidden...), out)}
}

// Len returns the number of parameters of the part.
func (p Part) Len() int {
	if p.Sizes != nil {
		return nn.NumParams(p.Sizes)
	}
	n := 1
	for _, s := range p.Shape {
		n *= s
	}
	return n
}

// Pieces are a model's parameters cut into its parts: the whole vector, the
// networks and the plain arrays, each in the order of Kind.Parts, all
// aliasing Params.
type Pieces[T nn.Float] struct {
	Params []T
	Nets   []*nn.MLP[T]
	Arrays [][]T
}

var kinds = map[string]*Kind{}

// Register adds k to the registry. It is called from an init function of
// the kind's file. It panics if the name is empty or taken, or if a
// required field is missing.
func Register(k Kind) {
	if k.Name == "" || k.Parts == nil || k.Build32 == nil || k.Build64 == nil || k.FLOPs == nil {
		panic("model: Register needs a name, Parts, Build32, Build64 and FLOPs")
	}
	if _, ok := kinds[k.Name]; ok {
		panic("model: kind " + k.Name + " registered twice")
	}
	if k.Title == "" {
		k.Title = k.Name
	}
	if k.Cost <= 0 {
		k.Cost = 1
	}
	kinds[k.Name] = &k
}

// Kinds returns the names of the registered model kinds, sorted.
func Kinds() []string {
	names := make([]string, 0, len(kinds))
	for n := range kinds {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Lookup returns the registered kind of the given name, or an error that
// lists the valid names.
func Lookup(name string) (*Kind, error) {
	k, ok := kinds[name]
	if !ok {
		return nil, fmt.Errorf("model: unknown model %s (valid: %s)", check.Quote(name), strings.Join(Kinds(), ", "))
	}
	return k, nil
}

// MustLookup returns the registered kind of the given name. It panics if
// there is none: for names a Config already validated.
func MustLookup(name string) *Kind {
	k, err := Lookup(name)
	if err != nil {
		panic(err.Error())
	}
	return k
}

// KindOf returns the kind of m.
func KindOf[T nn.Float](m Model[T]) *Kind { return MustLookup(m.Config().Kind) }

// numParams returns the length of the parameter vector of c's model.
func (k *Kind) numParams(c Config) int {
	n := 0
	for _, p := range k.Parts(c) {
		n += p.Len()
	}
	return n
}

// pieces cuts params into the parts of c's model.
func pieces[T nn.Float](k *Kind, c Config, params []T) Pieces[T] {
	p := Pieces[T]{Params: params}
	rest := params
	for _, part := range k.Parts(c) {
		n := part.Len()
		if part.Sizes != nil {
			p.Nets = append(p.Nets, nn.FromParams(part.Sizes, c.Activation, rest[:n:n]))
		} else {
			p.Arrays = append(p.Arrays, rest[:n:n])
		}
		rest = rest[n:]
	}
	return p
}

// build returns the model of c whose parameters alias params: the element
// type's one switch.
func build[T nn.Float](k *Kind, c Config, params []T) Model[T] {
	switch p := any(params).(type) {
	case []float32:
		return any(k.Build32(c, pieces(k, c, p))).(Model[T])
	case []float64:
		return any(k.Build64(c, pieces(k, c, p))).(Model[T])
	}
	panic("model: unknown element type")
}

// FromParams returns the model described by c (defaults filled in) whose
// parameters alias params, as a model made by New would hold them. It
// returns an error if c is invalid; it panics if len(params) is not the
// model's parameter count.
func FromParams[T nn.Float](c Config, params []T) (Model[T], error) {
	c = c.WithDefaults()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	k := MustLookup(c.Kind)
	checkLen("parameter vector", len(params), k.numParams(c))
	return build(k, c, params), nil
}

// NumParams returns the number of parameters of the model c describes. It
// panics if c is invalid.
func NumParams(c Config) int {
	c = c.WithDefaults()
	if err := c.Validate(); err != nil {
		panic(err.Error())
	}
	return MustLookup(c.Kind).numParams(c)
}

// Networks returns m's networks by name, in the order of its kind's parts;
// their parameters alias m's.
func Networks[T nn.Float](m Model[T]) []Network[T] {
	c := m.Config()
	k := MustLookup(c.Kind)
	var out []Network[T]
	rest := m.Params()
	for _, part := range k.Parts(c) {
		n := part.Len()
		if part.Sizes != nil {
			out = append(out, Network[T]{Name: part.Name, MLP: nn.FromParams(part.Sizes, c.Activation, rest[:n:n])})
		}
		rest = rest[n:]
	}
	return out
}

// NetFLOPs returns the floating-point operations of the matrix products of
// one training step per batch row for one network with layer sizes d, n_1,
// ..., n_L, out, trained through its input gradient (secondOrder) or by
// plain backpropagation, at 2 per multiply-add; the elementwise work
// (activations, loss, column sums) and Adam, which are O(b n) or O(n^2)
// rather than O(b n^2), are left out.
//
// Trained through its input gradient (forward, input gradient,
// second-order parameter gradient; docs/GRADIENTS.md) a network makes for
// every pair of consecutive hidden layers five n_k x n_{k+1} products over
// the b rows (forward, input gradient, the adjoint Pi, the backward
// product, and the weight gradient's partner) and one, the weight gradient
// [Z; M]^T [Abar; Delta], over 2b rows: 12 n_k n_{k+1} per row. With the
// input it makes x W_1, grad_x H, P W_1 and the first weight gradient over
// 2b rows, 10 d n_1, and 2 n_L for the scalar output. For the spring's
// 750 x (2-200-200-1): 12*750*200^2 + 10*750*2*200 + 2*750*200 = 363.3
// MFLOP; for two-body's minibatch of 200 x (8-200-200-1): 96 + 3.2 + 0.08
// = 99.3 MFLOP.
//
// Trained by backpropagation (forward, backward) a network makes three
// products per hidden pair, 6 n_k n_{k+1} per row, two with the input
// (forward, weight gradient), 4 d n_1, and three with the output (forward,
// weight gradient, back into the last hidden layer), 6 out n_L. Spring: 180
// + 3 = 183 MFLOP; two-body (200 x 8-200-200-8): 48 + 1.28 + 1.92 = 51.2
// MFLOP.
func NetFLOPs(sizes []int, secondOrder bool) float64 {
	D, out := float64(sizes[0]), float64(sizes[len(sizes)-1])
	hid := sizes[1 : len(sizes)-1]
	inner := 0.0
	for k := 0; k+1 < len(hid); k++ {
		inner += float64(hid[k]) * float64(hid[k+1])
	}
	n1, nL := float64(hid[0]), float64(hid[len(hid)-1])
	if secondOrder {
		return 12*inner + 10*D*n1 + 2*nL
	}
	return 6*inner + 4*D*n1 + 6*out*nL
}

// partsFLOPs returns the sum of NetFLOPs over the networks of k's model of
// c: the FLOP model of a kind made of networks alone.
func partsFLOPs(k func(Config) []Part, secondOrder bool) func(Config) float64 {
	return func(c Config) float64 {
		f := 0.0
		for _, p := range k(c) {
			if p.Sizes != nil {
				f += NetFLOPs(p.Sizes, secondOrder)
			}
		}
		return f
	}
}
