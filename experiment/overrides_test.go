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
)

func TestOverridesValidate(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name  string
		o     Overrides
		field string // "" for valid overrides
	}{
		{"none", Overrides{}, ""},
		{"all valid", Overrides{Steps: Set(10), LR: Set(1e-2), WeightDecay: Set(0.0), Batch: Set(0), Average: Set(0.0),
			Hidden: Set([]int{8, 8}), Activation: Set("softplus"), Precision: Set("float64"), LatentStep: Set("rk4"), DynWeight: Set(0.5)}, ""},
		{"zero steps", Overrides{Steps: Set(0)}, "steps"},
		{"absurd steps", Overrides{Steps: Set(1 << 40)}, "steps"},
		{"zero lr", Overrides{LR: Set(0.0)}, "lr"},
		{"NaN lr", Overrides{LR: Set(math.NaN())}, "lr"},
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
		{"leapfrog", Overrides{LatentStep: Set("leapfrog")}, "latent_step"},
		{"zero dyn weight", Overrides{DynWeight: Set(0.0)}, "dyn_weight"},
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
	Overrides{Steps: Set(7), WeightDecay: Set(0.0), Batch: Set(0), Hidden: Set([]int{3}), Activation: Set("sin"),
		LatentStep: Set("rk4"), DynWeight: Set(2.0)}.Apply(&s)
	want := ref
	want.Train.Steps, want.Train.LogEvery, want.Train.WeightDecay, want.Train.Batch = 7, 0, 0, 0
	want.Model.Hidden, want.Model.Activation = []int{3}, nn.Sin
	if !reflect.DeepEqual(s, want) {
		t.Errorf("applied:\n%+v\nwant\n%+v", s, want)
	}
	px, err := NewSpec("pixel-pendulum", "hnn", 0, true)
	if err != nil {
		t.Fatal(err)
	}
	Overrides{LatentStep: Set("midpoint"), DynWeight: Set(0.5)}.Apply(&px)
	if px.LatentStep != "midpoint" || px.DynWeight != 0.5 {
		t.Errorf("pixel task: latent step %q, dyn weight %v; want midpoint, 0.5", px.LatentStep, px.DynWeight)
	}
	// The multi-frame task's settings come from its registration, and the
	// overrides replace them (forward-backward included).
	pf, err := NewSpec("pixel-pendulum-frames", "hnn", 0, false)
	if err != nil {
		t.Fatal(err)
	}
	if pf.Frames != 3 || pf.LatentHorizon != 5 || !pf.LatentBackward || pf.Train.Batch != 100 {
		t.Errorf("pixel-pendulum-frames: frames %d, horizon %d, backward %v, batch %d; want 3, 5, true, 100", pf.Frames, pf.LatentHorizon, pf.LatentBackward, pf.Train.Batch)
	}
	Overrides{LatentHorizon: Set(2), LatentBackward: Set(false)}.Apply(&pf)
	if pf.LatentHorizon != 2 || pf.LatentBackward {
		t.Errorf("pixel-pendulum-frames with overrides: horizon %d, backward %v; want 2, false", pf.LatentHorizon, pf.LatentBackward)
	}
	s = ref
	Overrides{LatentBackward: Set(true)}.Apply(&s)
	if s.LatentBackward {
		t.Error("latent_backward set on a non-pixel task")
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
