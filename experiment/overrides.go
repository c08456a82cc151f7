package experiment

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/hnn-go/hnn/fit"
	"github.com/hnn-go/hnn/internal/check"
	"github.com/hnn-go/hnn/latent"
	"github.com/hnn-go/hnn/nn"
	"github.com/hnn-go/hnn/train"
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
	// LRSchedule names the schedule of the learning rate over the steps
	// (train.ScheduleNames: constant, cosine, onecycle).
	LRSchedule Setting[string] `json:"lr_schedule,omitzero"`
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
	// Fit is the fit mode (fit.Modes: derivative, midpoint, rollout) of
	// tasks on state-space models; pixel tasks ignore it.
	Fit Setting[string] `json:"fit,omitzero"`
	// Horizon is the rollout fit's segment length in steps.
	Horizon Setting[int] `json:"horizon,omitzero"`
	// Integrator is the rollout fit's integrator (fit.Integrators).
	Integrator Setting[string] `json:"integrator,omitzero"`
	// FitStarts makes the rollout fit's segment starts free parameters.
	FitStarts Setting[bool] `json:"fit_starts,omitzero"`
	// Latent sets fields of a pixel task's latent settings (Spec.Latent,
	// a latent.Config) by their JSON names: frames, step, dyn_weight,
	// horizon, integrator, backward, ...; other tasks ignore it.
	Latent LatentPatch `json:"latent,omitempty"`
}

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
	if v, ok := o.LRSchedule.Get(); ok {
		if _, err := train.LookupSchedule(v); err != nil {
			return err
		}
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
	return o.Latent.Validate()
}

// Apply sets the set fields of o in s. Setting the steps also resets the
// log interval to its default (a twentieth of the steps); the latent
// settings apply to pixel tasks only (s.Latent not nil), the fit settings
// to the others. Setting a fit mode other than s's resets the fit's other
// settings to the new mode's defaults before o's horizon, integrator and
// fit_starts apply. It panics if o has an activation or latent field that
// Validate rejects.
func (o Overrides) Apply(s *Spec) {
	if s.Latent != nil && len(o.Latent) > 0 {
		c := *s.Latent
		o.Latent.Apply(&c)
		s.Latent = &c
	}
	if v, ok := o.Steps.Get(); ok {
		s.Train.Steps = v
		s.Train.LogEvery = 0
	}
	o.LR.To(&s.Train.LR)
	o.LRSchedule.To(&s.Train.LRSchedule)
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
	if s.Latent == nil {
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

// LatentPatch holds fields of a latent.Config by their JSON names (see
// latent.Config), each a JSON value: the latent settings that overrides
// change in a pixel task's spec. A new field of latent.Config, validated
// by latent.Config.Validate, can be overridden without a change here.
// The latent dynamics' kind, hidden widths and activation are the run's
// model's and cannot be set here.
type LatentPatch map[string]json.RawMessage

// latentModelFields are the latent.Config fields a LatentPatch may not
// set: the model's settings (Spec.Model) decide them.
var latentModelFields = []string{"kind", "hidden", "activation"}

// Validate returns a *check.FieldError naming ("latent.FIELD") the first
// field of p that latent.Config does not have, whose value has the wrong
// type, or whose value is out of range on the reference's settings
// (latent.Config.ValidateSettings); what depends on the model kind is
// checked with the spec p applies to (Spec.Validate).
func (p LatentPatch) Validate() error {
	if err := p.validateFields(); err != nil {
		return err
	}
	var c latent.Config
	p.apply(&c)
	if err := c.WithDefaults().ValidateSettings(); err != nil {
		var fe *check.FieldError
		if errors.As(err, &fe) {
			f := *fe
			f.Field = "latent." + f.Field
			return &f
		}
		return err
	}
	return nil
}

// validateFields checks that every field of p is one of latent.Config's
// that p may set, with a value of its type.
func (p LatentPatch) validateFields() error {
	for _, k := range slices.Sorted(maps.Keys(p)) {
		field := "latent." + k
		if slices.Contains(latentModelFields, k) {
			return &check.FieldError{Field: field, Value: check.Quote(string(p[k])), Want: "no value: the latent dynamics are the model's (set -model, -hidden or -activation)"}
		}
		if _, ok := latentFieldType(k); !ok {
			return &check.FieldError{Field: field, Value: check.Quote(string(p[k])), Want: "a field of the latent settings: " + strings.Join(latentFieldNames(), ", ")}
		}
		var c latent.Config
		if err := json.Unmarshal(p.object(k), &c); err != nil {
			ft, _ := latentFieldType(k)
			return &check.FieldError{Field: field, Value: check.Quote(string(p[k])), Want: "a JSON " + ft.Kind().String()}
		}
	}
	return nil
}

// object returns the JSON object holding p's field k alone.
func (p LatentPatch) object(k string) []byte {
	b, err := json.Marshal(map[string]json.RawMessage{k: p[k]})
	if err != nil {
		panic("experiment: LatentPatch: " + err.Error())
	}
	return b
}

// Apply sets the fields of p in c. It panics if p has a field that
// latent.Config does not have, or a value of the wrong type (see
// Validate).
func (p LatentPatch) Apply(c *latent.Config) {
	if err := p.validateFields(); err != nil {
		panic("experiment: Apply of an unvalidated latent patch: " + err.Error())
	}
	p.apply(c)
}

// apply sets the fields of p, which validateFields accepted, in c.
func (p LatentPatch) apply(c *latent.Config) {
	for _, k := range slices.Sorted(maps.Keys(p)) {
		if err := json.Unmarshal(p.object(k), c); err != nil {
			panic("experiment: LatentPatch: " + err.Error())
		}
	}
}

// Flag returns a flag.Value that sets field k of *p from a flag's text:
// a string as it is, a number or a boolean parsed. It panics if
// latent.Config has no field k.
func (p *LatentPatch) Flag(k string) flag.Value {
	t, ok := latentFieldType(k)
	if !ok {
		panic("experiment: latent.Config has no field " + k)
	}
	return &latentFlag{p: p, key: k, kind: t.Kind()}
}

// latentFlag is the flag.Value of one field of a LatentPatch.
type latentFlag struct {
	p    *LatentPatch
	key  string
	kind reflect.Kind
}

func (f *latentFlag) String() string {
	if f == nil || f.p == nil || (*f.p)[f.key] == nil {
		return ""
	}
	return string((*f.p)[f.key])
}

func (f *latentFlag) Set(text string) error {
	var v any
	var err error
	switch f.kind {
	case reflect.String:
		v = text
	case reflect.Bool:
		v, err = strconv.ParseBool(text)
	case reflect.Float32, reflect.Float64:
		v, err = strconv.ParseFloat(text, 64)
	default:
		v, err = strconv.Atoi(text)
	}
	if err != nil {
		return fmt.Errorf("want a %s", f.kind)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if *f.p == nil {
		*f.p = LatentPatch{}
	}
	(*f.p)[f.key] = b
	return nil
}

// IsBoolFlag makes a boolean field's flag work without a value.
func (f *latentFlag) IsBoolFlag() bool { return f.kind == reflect.Bool }

// latentFieldType returns the type of latent.Config's field of JSON name
// k.
func latentFieldType(k string) (reflect.Type, bool) {
	t := reflect.TypeFor[latent.Config]()
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); name == k {
			return t.Field(i).Type, true
		}
	}
	return nil, false
}

// latentFieldNames returns the JSON names of the latent.Config fields a
// LatentPatch may set.
func latentFieldNames() []string {
	var out []string
	t := reflect.TypeFor[latent.Config]()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" && !slices.Contains(latentModelFields, name) {
			out = append(out, name)
		}
	}
	return out
}
