package experiment

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/hnn-go/hnn/fit"
	"github.com/hnn-go/hnn/internal/check"
	"github.com/hnn-go/hnn/latent"
	"github.com/hnn-go/hnn/nn"
)

// Setting is an optional value: unset (the zero Setting), or set to any
// value, zero included, so that "not given" needs no sentinel such as -1.
// In JSON a set Setting is its value and an unset one is left out (with
// the omitzero option); as a flag.Value it is set by the flag's text.
type Setting[T any] struct {
	v   T
	set bool
}

// Set returns a Setting set to v.
func Set[T any](v T) Setting[T] { return Setting[T]{v: v, set: true} }

// Get returns the value and whether it is set.
func (s Setting[T]) Get() (T, bool) { return s.v, s.set }

// Value returns the value, the zero T if s is unset.
func (s Setting[T]) Value() T { return s.v }

// To writes the value into *dst if it is set, and leaves *dst alone if not.
func (s Setting[T]) To(dst *T) {
	if s.set {
		*dst = s.v
	}
}

// IsSet reports whether s is set.
func (s Setting[T]) IsSet() bool { return s.set }

// IsZero reports whether s is unset, for JSON's omitzero.
func (s Setting[T]) IsZero() bool { return !s.set }

// MarshalJSON writes the value of s.
func (s Setting[T]) MarshalJSON() ([]byte, error) {
	if !s.set {
		return []byte("null"), nil
	}
	return json.Marshal(s.v)
}

// UnmarshalJSON sets s to the JSON value b; null leaves it unset.
func (s *Setting[T]) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*s = Setting[T]{}
		return nil
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*s = Set(v)
	return nil
}

// String formats the value, "" if s is unset (flag.Value).
func (s Setting[T]) String() string {
	if !s.set {
		return ""
	}
	switch v := any(s.v).(type) {
	case []int:
		parts := make([]string, len(v))
		for i, n := range v {
			parts[i] = strconv.Itoa(n)
		}
		return strings.Join(parts, ",")
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return fmt.Sprint(s.v)
}

// Set parses text as the value of s and sets it (flag.Value): an integer,
// a number, a string, true or false, or comma-separated integers for
// []int. Range checks are Validate's.
func (s *Setting[T]) Set(text string) error {
	var err error
	switch p := any(&s.v).(type) {
	case *int:
		*p, err = strconv.Atoi(strings.TrimSpace(text))
	case *float64:
		*p, err = strconv.ParseFloat(strings.TrimSpace(text), 64)
	case *string:
		*p = text
	case *bool:
		*p, err = strconv.ParseBool(strings.TrimSpace(text))
		if err != nil {
			return fmt.Errorf("%s is not true or false", check.Quote(text))
		}
	case *[]int:
		*p = nil
		for _, f := range strings.Split(text, ",") {
			n, e := strconv.Atoi(strings.TrimSpace(f))
			if e != nil {
				return fmt.Errorf("%s is not a comma-separated list of integers", check.Quote(text))
			}
			*p = append(*p, n)
		}
	default:
		panic(fmt.Sprintf("experiment: Setting[%T] has no text form", s.v))
	}
	if err != nil {
		return fmt.Errorf("%s is not a number", check.Quote(text))
	}
	s.set = true
	return nil
}

// IsBoolFlag reports whether s holds a bool, so that a flag of it may be
// given without a value (-fit-starts).
func (s *Setting[T]) IsBoolFlag() bool {
	_, ok := any(s.v).(bool)
	return ok
}

// Overrides replace a task's reference settings in the specs of runs:
// each field applies only when set. The same type holds the flags of hnn
// train and hnn reproduce, the top level of a sweep file and each of its
// variants; Validate checks them all, Apply sets them in a Spec.
type Overrides struct {
	// Steps is the number of training steps.
	Steps Setting[int] `json:"steps,omitzero"`
	// LR is Adam's learning rate.
	LR Setting[float64] `json:"lr,omitzero"`
	// WeightDecay is the L2 weight decay (0 is none).
	WeightDecay Setting[float64] `json:"weight_decay,omitzero"`
	// Batch is the minibatch size, 0 for full batch.
	Batch Setting[int] `json:"batch,omitzero"`
	// Average is the decay of the moving average of the weights the model
	// ends with, 0 for the last iterate.
	Average Setting[float64] `json:"average,omitzero"`
	// Hidden are the hidden layer widths.
	Hidden Setting[[]int] `json:"hidden,omitzero"`
	// Activation is the hidden activation (nn.ActivationNames).
	Activation Setting[string] `json:"activation,omitzero"`
	// Precision is the element type of training, float32 or float64.
	Precision Setting[string] `json:"precision,omitzero"`
	// LatentStep is the latent step of pixel tasks ("euler", "rk4" or
	// "midpoint"; see latent.Config.Step); other tasks ignore it.
	LatentStep Setting[string] `json:"latent_step,omitzero"`
	// DynWeight is the weight of the latent-dynamics loss of pixel tasks
	// (the reference's 0.1); other tasks ignore it.
	DynWeight Setting[float64] `json:"dyn_weight,omitzero"`
	// Fit is the fit mode (fit.Modes: derivative, midpoint, rollout) of
	// tasks on state-space models; pixel tasks ignore it.
	Fit Setting[string] `json:"fit,omitzero"`
	// Horizon is the rollout fit's segment length in steps.
	Horizon Setting[int] `json:"horizon,omitzero"`
	// Integrator is the rollout fit's integrator (fit.Integrators).
	Integrator Setting[string] `json:"integrator,omitzero"`
	// FitStarts makes the rollout fit's segment starts free parameters.
	FitStarts Setting[bool] `json:"fit_starts,omitzero"`
	// Frames is the number of consecutive frames of a pixel model's input
	// (the reference's 2), LatentHorizon the number of decoded future frames of
	// its rollout loss (0: none), LatentIntegrator the latent integrator
	// of that loss ("rk4" or "leapfrog") and LatentBackward makes that
	// loss forward-backward (half of each minibatch rolled out backwards
	// in time; see latent.Config.Backward); other tasks ignore them.
	Frames           Setting[int]    `json:"frames,omitzero"`
	LatentHorizon    Setting[int]    `json:"latent_horizon,omitzero"`
	LatentIntegrator Setting[string] `json:"latent_integrator,omitzero"`
	LatentBackward   Setting[bool]   `json:"latent_backward,omitzero"`
}

// maxFrames bounds Overrides.Frames.
const maxFrames = 20

// latentSteps are the latent steps latent.Config.Step takes.
var latentSteps = []string{"euler", "rk4", "midpoint"}

// Validate returns a *check.FieldError naming the first set field of o
// whose value is out of range, and what it wants.
func (o Overrides) Validate() error {
	positive := func(x float64) bool { return x > 0 && !math.IsInf(x, 1) }
	if v, ok := o.Steps.Get(); ok {
		if err := check.Count("steps", v, 1, check.MaxSteps); err != nil {
			return err
		}
	}
	if v, ok := o.LR.Get(); ok && !positive(v) {
		return &check.FieldError{Field: "lr", Value: v, Want: "a positive, finite learning rate"}
	}
	if v, ok := o.WeightDecay.Get(); ok && !(v == 0 || positive(v)) {
		return &check.FieldError{Field: "weight_decay", Value: v, Want: "a finite number >= 0"}
	}
	if v, ok := o.Batch.Get(); ok && (v < 0 || v > check.MaxElements) {
		return &check.FieldError{Field: "batch", Value: v, Want: fmt.Sprintf("an integer in [0, %d], 0 for full batch", check.MaxElements)}
	}
	if v, ok := o.Average.Get(); ok && !(v >= 0 && v < 1) {
		return &check.FieldError{Field: "average", Value: v, Want: "a decay in [0, 1), 0 for the last iterate"}
	}
	if v, ok := o.Hidden.Get(); ok {
		if err := check.Widths("hidden", v); err != nil {
			return err
		}
	}
	if v, ok := o.Activation.Get(); ok {
		if _, err := nn.ParseActivation(v); err != nil {
			return &check.FieldError{Field: "activation", Value: check.Quote(v), Want: "one of " + strings.Join(nn.ActivationNames(), ", ")}
		}
	}
	if v, ok := o.Precision.Get(); ok && v != "float32" && v != "float64" {
		return &check.FieldError{Field: "precision", Value: check.Quote(v), Want: "float32 or float64"}
	}
	if v, ok := o.LatentStep.Get(); ok && !slices.Contains(latentSteps, v) {
		return &check.FieldError{Field: "latent_step", Value: check.Quote(v), Want: "euler, rk4 or midpoint"}
	}
	if v, ok := o.DynWeight.Get(); ok && !positive(v) {
		return &check.FieldError{Field: "dyn_weight", Value: v, Want: "a positive, finite weight (the reference's is 0.1)"}
	}
	if v, ok := o.Fit.Get(); ok {
		if _, err := fit.Lookup(v); err != nil {
			return &check.FieldError{Field: "fit", Value: check.Quote(v), Want: "one of " + strings.Join(fit.Modes(), ", ")}
		}
	}
	if v, ok := o.Horizon.Get(); ok {
		if err := check.Count("horizon", v, 1, fit.MaxHorizon); err != nil {
			return err
		}
	}
	if v, ok := o.Integrator.Get(); ok && !slices.Contains(fit.Integrators(), v) {
		return &check.FieldError{Field: "integrator", Value: check.Quote(v), Want: "one of " + strings.Join(fit.Integrators(), ", ")}
	}
	if v, ok := o.Frames.Get(); ok && (v < 2 || v > maxFrames) {
		return &check.FieldError{Field: "frames", Value: v, Want: fmt.Sprintf("an integer in [2, %d] (2 frames make the velocity observable)", maxFrames)}
	}
	if v, ok := o.LatentHorizon.Get(); ok && (v < 0 || v > latent.MaxHorizon) {
		return &check.FieldError{Field: "latent_horizon", Value: v, Want: fmt.Sprintf("an integer in [0, %d], 0 for no rollout loss", latent.MaxHorizon)}
	}
	if v, ok := o.LatentIntegrator.Get(); ok && v != latent.IntegratorRK4 && v != latent.IntegratorLeapfrog {
		return &check.FieldError{Field: "latent_integrator", Value: check.Quote(v), Want: "rk4 or leapfrog"}
	}
	return nil
}

// Apply sets the set fields of o in s. Setting the steps also resets the
// log interval to its default (a twentieth of the steps); the latent step
// and dynamics weight apply to pixel tasks only (s.LatentStep not empty),
// the fit settings to the others. Setting a fit mode other than s's
// resets the fit's other settings to the new mode's defaults before o's
// horizon, integrator and fit_starts apply. The frames, latent horizon
// and latent integrator also apply to pixel tasks only. It panics if o
// has an activation that Validate rejects.
func (o Overrides) Apply(s *Spec) {
	if v, ok := o.LatentStep.Get(); ok && s.LatentStep != "" {
		s.LatentStep = v
	}
	if v, ok := o.DynWeight.Get(); ok && s.LatentStep != "" {
		s.DynWeight = v
	}
	if v, ok := o.Frames.Get(); ok && s.LatentStep != "" {
		s.Frames = v
	}
	if v, ok := o.LatentHorizon.Get(); ok && s.LatentStep != "" {
		s.LatentHorizon = v
	}
	if v, ok := o.LatentIntegrator.Get(); ok && s.LatentStep != "" {
		s.LatentIntegrator = v
	}
	if v, ok := o.LatentBackward.Get(); ok && s.LatentStep != "" {
		s.LatentBackward = v
	}
	if v, ok := o.Steps.Get(); ok {
		s.Train.Steps = v
		s.Train.LogEvery = 0
	}
	o.LR.To(&s.Train.LR)
	o.WeightDecay.To(&s.Train.WeightDecay)
	o.Batch.To(&s.Train.Batch)
	o.Average.To(&s.Train.Average)
	if v, ok := o.Hidden.Get(); ok {
		s.Model.Hidden = slices.Clone(v)
	}
	if v, ok := o.Activation.Get(); ok {
		a, err := nn.ParseActivation(v)
		if err != nil {
			panic("experiment: Apply of unvalidated overrides: " + err.Error())
		}
		s.Model.Activation = a
	}
	o.Precision.To(&s.Model.Precision)
	if s.LatentStep == "" {
		if v, ok := o.Fit.Get(); ok {
			if v != s.Fit.Mode {
				// A new mode starts from its own defaults.
				s.Fit = fit.Config{}
			}
			s.Fit.Mode = v
		}
		o.Horizon.To(&s.Fit.Horizon)
		o.Integrator.To(&s.Fit.Integrator)
		o.FitStarts.To(&s.Fit.FitStarts)
	}
}
