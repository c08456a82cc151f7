package fit

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/internal/check"
	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/nn"
	"github.com/hnn-go/hnn/train"
)

// Config chooses a fit mode and its settings. The zero Config is the
// derivative fit.
type Config struct {
	// Mode is the fit mode's name, one of Modes(); empty means
	// "derivative".
	Mode string `json:"mode,omitempty"`
	// Horizon is the number of steps of a rollout segment (rollout fit;
	// zero means DefaultHorizon).
	Horizon int `json:"horizon,omitempty"`
	// Integrator is the differentiable integrator of the rollout fit, one
	// of Integrators(); empty means "rk4".
	Integrator string `json:"integrator,omitempty"`
	// FitStarts makes the start of every training segment a free
	// parameter optimised with the weights (rollout fit), after a
	// warm-up: the first half of the steps trains the weights alone from
	// the observed starts, as SRNN optimises the initial states only
	// once the model has learnt something (a start fitted to an untrained
	// model moves towards whatever that model predicts).
	FitStarts bool `json:"fit_starts,omitempty"`
}

// DefaultHorizon is the rollout fit's segment length when Config.Horizon
// is zero.
const DefaultHorizon = 5

// MaxHorizon bounds Config.Horizon.
const MaxHorizon = 10_000

// WithDefaults returns c with its empty fields set: mode derivative;
// for the rollout fit horizon 5 and integrator rk4.
func (c Config) WithDefaults() Config {
	if c.Mode == "" {
		c.Mode = "derivative"
	}
	if m, ok := modes[c.Mode]; ok && m.Rollout {
		if c.Horizon == 0 {
			c.Horizon = DefaultHorizon
		}
		if c.Integrator == "" {
			c.Integrator = "rk4"
		}
	}
	return c
}

// IsDerivative reports whether c is the derivative fit (the default).
func (c Config) IsDerivative() bool { return c.WithDefaults().Mode == "derivative" }

// Validate returns a *check.FieldError naming the first field of c that
// is out of range, an unknown name, or an integrator that the model kind
// (if not empty) does not support.
func (c Config) Validate(kind string) error {
	c = c.WithDefaults()
	m, ok := modes[c.Mode]
	if !ok {
		return &check.FieldError{Field: "fit", Value: check.Quote(c.Mode), Want: "one of " + strings.Join(Modes(), ", ")}
	}
	if !m.Rollout {
		switch {
		case c.Horizon != 0:
			return &check.FieldError{Field: "horizon", Value: c.Horizon, Want: "no horizon: the " + c.Mode + " fit has none (it is the rollout fit's)"}
		case c.Integrator != "":
			return &check.FieldError{Field: "integrator", Value: check.Quote(c.Integrator), Want: "no integrator: the " + c.Mode + " fit has none (it is the rollout fit's)"}
		case c.FitStarts:
			return &check.FieldError{Field: "fit_starts", Value: true, Want: "false: the " + c.Mode + " fit has no segment starts (the rollout fit has)"}
		}
		return nil
	}
	if err := check.Count("horizon", c.Horizon, 1, MaxHorizon); err != nil {
		return err
	}
	ig, err := LookupIntegrator(c.Integrator)
	if err != nil || ig.StepOnly {
		return &check.FieldError{Field: "integrator", Value: check.Quote(c.Integrator), Want: "one of " + strings.Join(Integrators(), ", ")}
	}
	if ig.KindMustList && kind != "" {
		k, err := model.Lookup(kind)
		if err != nil {
			return err
		}
		if !ig.Suits(k) {
			return &check.FieldError{Field: "integrator", Value: check.Quote(c.Integrator), Want: "an integrator that suits model " + kind + " (" + ig.Name + " needs a separable energy)"}
		}
	}
	return nil
}

// Mode describes a fit mode, registered from its own file with Register.
type Mode struct {
	// Name is the mode's registry name ("rollout").
	Name string
	// Title names the mode in figures and reports.
	Title string
	// Derivatives is set for a mode that trains on the rows' time
	// derivatives (data.Set.DX); the others train on consecutive rows of
	// one trajectory (data.Set.Traj and T).
	Derivatives bool
	// Rollout is set for a mode that reads Horizon, Integrator and
	// FitStarts.
	Rollout bool
	// Train32 and Train64 fit m to trainSet and return its history, with
	// the loss on testSet (if it has rows) at every log interval.
	Train32 func(m model.Model[float32], trainSet, testSet *data.Set, c Config, tc train.Config, rng *rand.Rand, progress train.Progress) (train.History, error)
	Train64 func(m model.Model[float64], trainSet, testSet *data.Set, c Config, tc train.Config, rng *rand.Rand, progress train.Progress) (train.History, error)
}

var modes = map[string]*Mode{}

// Register adds m to the registry. It panics if the name is empty or
// taken or a training function is missing; call it from init.
func Register(m Mode) {
	if m.Name == "" || m.Train32 == nil || m.Train64 == nil {
		panic("fit: Register needs a name, Train32 and Train64")
	}
	if _, ok := modes[m.Name]; ok {
		panic("fit: mode " + m.Name + " registered twice")
	}
	if m.Title == "" {
		m.Title = m.Name
	}
	modes[m.Name] = &m
}

// Modes returns the names of the registered fit modes, sorted.
func Modes() []string { return sortedKeys(modes) }

// Lookup returns the registered mode of the given name ("" is
// "derivative"), or an error listing the valid names.
func Lookup(name string) (*Mode, error) {
	if name == "" {
		name = "derivative"
	}
	m, ok := modes[name]
	if !ok {
		return nil, fmt.Errorf("fit: unknown fit mode %s (valid: %s)", check.Quote(name), strings.Join(Modes(), ", "))
	}
	return m, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Train fits m to trainSet with the fit mode of c and the optimiser
// settings of tc, drawing minibatches from rng, and returns the training
// history; the test loss at each log interval is the mode's loss on
// testSet. It returns an error if c is invalid for m's kind, or the data
// lack what the mode needs; a diverged run returns an error wrapping
// train.ErrDiverged, as train.Train does.
func Train[T nn.Float](m model.Model[T], trainSet, testSet *data.Set, c Config, tc train.Config, rng *rand.Rand, progress train.Progress) (train.History, error) {
	c = c.WithDefaults()
	if err := c.Validate(m.Config().Kind); err != nil {
		return train.History{}, err
	}
	mode := modes[c.Mode]
	if !mode.Derivatives && (trainSet.T == nil || trainSet.Traj == nil) {
		return train.History{}, fmt.Errorf("fit: the %s fit needs trajectories (rows with their times), and the data have none", mode.Name)
	}
	switch mm := any(m).(type) {
	case model.Model[float32]:
		return mode.Train32(mm, trainSet, testSet, c, tc, rng, progress)
	case model.Model[float64]:
		return mode.Train64(mm, trainSet, testSet, c, tc, rng, progress)
	}
	panic("fit: unknown element type")
}
