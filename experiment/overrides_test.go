package experiment

import (
	"encoding/json"
	"errors"
	"flag"
	"io"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/hnn-go/hnn/internal/check"
	"github.com/hnn-go/hnn/nn"
	"github.com/hnn-go/hnn/task"
)

// raw returns s as a JSON value of a LatentPatch.
func raw(s string) json.RawMessage { return json.RawMessage(s) }

func TestOverridesValidate(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name  string
		o     Overrides
		field string // "" for valid overrides
	}{
		{"none", Overrides{}, ""},
		{"all valid", Overrides{Steps: Set(10), LR: Set(1e-2), LRSchedule: Set("onecycle"), WeightDecay: Set(0.0), Batch: Set(0), Average: Set(0.0),
			Hidden: Set([]int{8, 8}), Activation: Set("softplus"), Precision: Set("float64"), Latent: LatentPatch{"step": raw(`"rk4"`), "dyn_weight": raw(`0.5`)}}, ""},
		{"zero steps", Overrides{Steps: Set(0)}, "steps"},
		{"absurd steps", Overrides{Steps: Set(1 << 40)}, "steps"},
		{"zero lr", Overrides{LR: Set(0.0)}, "lr"},
		{"NaN lr", Overrides{LR: Set(math.NaN())}, "lr"},
		{"unknown schedule", Overrides{LRSchedule: Set("linear-ish")}, "lr_schedule"},
		{"negative weight decay", Overrides{WeightDecay: Set(-1.0)}, "weight_decay"},
		{"infinite weight decay", Overrides{WeightDecay: Set(math.Inf(1))}, "weight_decay"},
		{"negative batch", Overrides{Batch: Set(-1)}, "batch"},
		{"absurd batch", Overrides{Batch: Set(1 << 40)}, "batch"},
		{"average of one", Overrides{Average: Set(1.0)}, "average"},
		{"empty hidden", Overrides{Hidden: Set([]int{})}, "hidden"},
		{"zero width", Overrides{Hidden: Set([]int{8, 0})}, "hidden"},
		{"absurd width", Overrides{Hidden: Set([]int{1 << 20})}, "hidden"},
		{"unknown activation", Overrides{Activation: Set("bogus")}, "activation"},
		{"float16", Overrides{Precision: Set("float16")}, "precision"},
		{"unknown latent field", Overrides{Latent: LatentPatch{"steps": raw(`"rk4"`)}}, "latent.steps"},
		{"latent step of the wrong type", Overrides{Latent: LatentPatch{"step": raw(`4`)}}, "latent.step"},
		{"latent kind", Overrides{Latent: LatentPatch{"kind": raw(`"hnn"`)}}, "latent.kind"},
	} {
		err := c.o.Validate()
		if c.field == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		var fe *check.FieldError
		if !errors.As(err, &fe) || fe.Field != c.field {
			t.Errorf("%s: error %v, want a field error naming %s", c.name, err, c.field)
		}
	}
}

// TestOverridesApply checks that only set fields apply, zero values
// included, and that the latent settings leave non-pixel tasks alone.
func TestOverridesApply(t *testing.T) {
	t.Parallel()
	ref, err := NewSpec("spring", "hnn", 0, true)
	if err != nil {
		t.Fatal(err)
	}
	s := ref
	Overrides{}.Apply(&s)
	if !reflect.DeepEqual(s, ref) {
		t.Errorf("empty overrides changed the spec:\n%+v\n%+v", s, ref)
	}
	s = ref
	Overrides{Steps: Set(7), LRSchedule: Set("cosine"), WeightDecay: Set(0.0), Batch: Set(0), Hidden: Set([]int{3}), Activation: Set("sin"),
		Latent: LatentPatch{"step": raw(`"rk4"`), "dyn_weight": raw(`2`)}}.Apply(&s)
	want := ref
	want.Train.Steps, want.Train.LogEvery, want.Train.WeightDecay, want.Train.Batch = 7, 0, 0, 0
	want.Train.LRSchedule = "cosine"
	want.Model.Hidden, want.Model.Activation = []int{3}, nn.Sin
	if !reflect.DeepEqual(s, want) {
		t.Errorf("applied:\n%+v\nwant\n%+v", s, want)
	}
	px, err := NewSpec("pixel-pendulum", "hnn", 0, true)
	if err != nil {
		t.Fatal(err)
	}
	Overrides{Latent: LatentPatch{"step": raw(`"midpoint"`), "dyn_weight": raw(`0.5`)}}.Apply(&px)
	if px.Latent.Step != "midpoint" || px.Latent.DynWeight != 0.5 {
		t.Errorf("pixel task: latent step %q, dyn weight %v; want midpoint, 0.5", px.Latent.Step, px.Latent.DynWeight)
	}
	// The multi-frame task's settings come from its registration, and the
	// overrides replace them (forward-backward included).
	pf, err := NewSpec("pixel-pendulum-frames", "hnn", 0, false)
	if err != nil {
		t.Fatal(err)
	}
	if pf.Latent.Frames != 3 || pf.Latent.Horizon != 5 || !pf.Latent.Backward || pf.Train.Batch != 100 {
		t.Errorf("pixel-pendulum-frames: frames %d, horizon %d, backward %v, batch %d; want 3, 5, true, 100", pf.Latent.Frames, pf.Latent.Horizon, pf.Latent.Backward, pf.Train.Batch)
	}
	before := *pf.Latent
	Overrides{Latent: LatentPatch{"horizon": raw(`2`), "backward": raw(`false`)}}.Apply(&pf)
	if pf.Latent.Horizon != 2 || pf.Latent.Backward || pf.Latent.Frames != 3 {
		t.Errorf("pixel-pendulum-frames with overrides: horizon %d, backward %v, frames %d; want 2, false, 3", pf.Latent.Horizon, pf.Latent.Backward, pf.Latent.Frames)
	}
	if before.Horizon != 5 {
		t.Error("Apply changed the task's latent settings in place")
	}
	if tk, _ := task.Get("pixel-pendulum-frames"); tk.Latent.Horizon != 5 {
		t.Error("Apply changed the registered task's latent settings")
	}
	s = ref
	Overrides{Latent: LatentPatch{"backward": raw(`true`)}}.Apply(&s)
	if s.Latent != nil {
		t.Error("latent settings set on a non-pixel task")
	}
}

// TestSettingForms checks the JSON and flag forms of a Setting: unset is
// left out, set (zero included) is its value, and flags parse into it.
func TestSettingForms(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(Overrides{WeightDecay: Set(0.0), Hidden: Set([]int{4, 4})})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"weight_decay":0,"hidden":[4,4]}`; got != want {
		t.Errorf("JSON %s, want %s", got, want)
	}
	var o Overrides
	if err := json.Unmarshal([]byte(`{"steps": 0, "lr": 0.01, "hidden": [8]}`), &o); err != nil {
		t.Fatal(err)
	}
	if v, ok := o.Steps.Get(); !ok || v != 0 {
		t.Errorf("steps: %v %v, want set to 0", v, ok)
	}
	if o.Batch.IsSet() || o.LR.Value() != 0.01 || !slices.Equal(o.Hidden.Value(), []int{8}) {
		t.Errorf("decoded %+v", o)
	}

	var f Overrides
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Var(&f.Steps, "steps", "")
	fs.Var(&f.Average, "average", "")
	fs.Var(&f.Hidden, "hidden", "")
	fs.Var(&f.Activation, "activation", "")
	if err := fs.Parse([]string{"-steps", "0", "-average", "0", "-hidden", "16, 32"}); err != nil {
		t.Fatal(err)
	}
	if !f.Steps.IsSet() || !f.Average.IsSet() || f.Activation.IsSet() || !slices.Equal(f.Hidden.Value(), []int{16, 32}) {
		t.Errorf("flags gave %+v", f)
	}
	if f.Hidden.String() != "16,32" {
		t.Errorf("hidden prints as %q", f.Hidden.String())
	}
	for _, bad := range [][]string{{"-steps", "many"}, {"-hidden", "8,x"}, {"-average", "-"}} {
		if err := fs.Parse(bad); err == nil || !strings.Contains(err.Error(), bad[1]) {
			t.Errorf("%v: error %v, want one quoting %s", bad, err, bad[1])
		}
	}
}

// TestLatentPatchFlags checks that the flags of latent fields parse by the
// field's type into the patch, and that the patch's JSON is the sweep
// file's "latent" object.
func TestLatentPatchFlags(t *testing.T) {
	t.Parallel()
	var o Overrides
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Var(o.Latent.Flag("step"), "latent-step", "")
	fs.Var(o.Latent.Flag("horizon"), "latent-horizon", "")
	fs.Var(o.Latent.Flag("backward"), "latent-backward", "")
	fs.Var(o.Latent.Flag("dyn_weight"), "dyn-weight", "")
	if err := fs.Parse([]string{"-latent-step", "rk4", "-latent-horizon", "5", "-latent-backward", "-dyn-weight", "0.25"}); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"latent":{"backward":true,"dyn_weight":0.25,"horizon":5,"step":"rk4"}}`; got != want {
		t.Errorf("JSON %s, want %s", got, want)
	}
	if err := fs.Parse([]string{"-latent-horizon", "five"}); err == nil || !strings.Contains(err.Error(), "five") {
		t.Errorf("bad horizon: error %v, want one quoting the value", err)
	}
	// A value that is not valid for the latent model fails when the spec
	// validates, naming the setting.
	s, err := NewSpec("pixel-pendulum", "hnn", 0, true)
	if err != nil {
		t.Fatal(err)
	}
	Overrides{Latent: LatentPatch{"horizon": raw(`-1`)}}.Apply(&s)
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), "horizon") {
		t.Errorf("horizon -1: error %v, want one naming the horizon", err)
	}
}

// TestLegacySpec checks that config.json of an earlier version, with the
// data source and latent settings as top-level fields, loads into Source
// and Latent.
func TestLegacySpec(t *testing.T) {
	t.Parallel()
	var s Spec
	old := `{"task":"pixel-pendulum","latent_step":"rk4","frames":3,"latent_horizon":5,"latent_backward":true,"seed":1}`
	if err := json.Unmarshal([]byte(old), &s); err != nil {
		t.Fatal(err)
	}
	if s.Latent == nil || s.Latent.Step != "rk4" || s.Latent.Frames != 3 || s.Latent.Horizon != 5 || !s.Latent.Backward || s.Seed != 1 {
		t.Errorf("legacy pixel spec read as %+v, latent %+v", s, s.Latent)
	}
	s = Spec{}
	if err := json.Unmarshal([]byte(`{"task":"file","data":{"path":"x.csv"},"seed":0}`), &s); err != nil {
		t.Fatal(err)
	}
	if s.Source.Kind != FromFile || s.Source.File.Path != "x.csv" {
		t.Errorf("legacy file spec read with source %+v", s.Source)
	}
	s = Spec{}
	if err := json.Unmarshal([]byte(`{"task":"spring","stream":"/d"}`), &s); err != nil {
		t.Fatal(err)
	}
	if s.Source != StreamSource("/d") {
		t.Errorf("legacy stream spec read with source %+v", s.Source)
	}
}
