package reproduce

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hnn-go/hnn/experiment"
)

func TestPlanJobsAndShards(t *testing.T) {
	t.Parallel()
	o := Options{Tasks: []string{"spring", "pendulum"}, Models: []string{"baseline", "hnn"}, Seeds: experiment.Set(3), Quick: true,
		Variants: []Variant{{Name: "lr1e-2", Overrides: experiment.Overrides{LR: experiment.Set(1e-2)}},
			{Name: "small", Overrides: experiment.Overrides{Hidden: experiment.Set([]int{16}), WeightDecay: experiment.Set(0.0), Steps: experiment.Set(7)}}}}
	p, err := NewPlan(o)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(p.Jobs), 2*2*2*3; got != want {
		t.Fatalf("%d jobs, want %d", got, want)
	}
	if want := []string{"baseline-lr1e-2", "baseline-small", "hnn-lr1e-2", "hnn-small"}; !slices.Equal(p.Models, want) {
		t.Errorf("labels %v, want %v", p.Models, want)
	}
	names := map[string]bool{}
	for _, j := range p.Jobs {
		if names[j.Name] {
			t.Errorf("job name %s twice", j.Name)
		}
		names[j.Name] = true
		switch j.Spec.Variant {
		case "lr1e-2":
			if j.Spec.Train.LR != 1e-2 {
				t.Errorf("%s: lr %v", j.Name, j.Spec.Train.LR)
			}
		case "small":
			if !slices.Equal(j.Spec.Model.Hidden, []int{16}) || j.Spec.Train.Steps != 7 || j.Spec.Train.WeightDecay != 0 {
				t.Errorf("%s: variant not applied: %+v %+v", j.Name, j.Spec.Model, j.Spec.Train)
			}
		default:
			t.Errorf("%s: variant %q", j.Name, j.Spec.Variant)
		}
	}
	// The same options give the same plan (collectors rebuild it).
	q, err := NewPlan(o)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(p.Jobs, q.Jobs) {
		t.Error("NewPlan is not deterministic")
	}
	for _, n := range []int{1, 2, 5, 24, 30} {
		seen := map[string]int{}
		for i := range n {
			for _, j := range p.Shard(i, n) {
				seen[j.Name]++
			}
		}
		if len(seen) != len(p.Jobs) {
			t.Errorf("%d shards cover %d of %d jobs", n, len(seen), len(p.Jobs))
		}
		for name, c := range seen {
			if c != 1 {
				t.Errorf("%d shards: %s in %d shards", n, name, c)
			}
		}
	}
}

func TestPlanErrors(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		o    Options
		want string
	}{
		{Options{Tasks: []string{"nope"}}, "nope"},
		{Options{Tasks: []string{"spring"}, Variants: []Variant{{Name: "a b"}}}, "variant 0"},
		{Options{Tasks: []string{"spring"}, Variants: []Variant{{Name: "a"}, {Name: "a"}}}, "used twice"},
		{Options{Tasks: []string{"spring"}, Variants: []Variant{{Name: "a", Overrides: experiment.Overrides{Batch: experiment.Set(-1)}}}}, "variant 0 (a): batch -1: want an integer in [0, "},
		{Options{Tasks: []string{"spring"}, Models: []string{"nope"}}, "nope"},
		{Options{Tasks: []string{"spring"}, Seeds: experiment.Set(0)}, "seeds 0: want an integer in [1, "},
		{Options{Tasks: []string{"spring"}, Seeds: experiment.Set(1 << 40)}, "seeds 1099511627776: want an integer in [1, "},
		{Options{Tasks: []string{"spring"}, Workers: -1}, "workers -1"},
		{Options{Tasks: []string{"spring"}, Overrides: experiment.Overrides{Steps: experiment.Set(0)}}, "steps 0: want an integer in [1, "},
		{Options{Tasks: []string{"spring"}, Overrides: experiment.Overrides{Activation: experiment.Set("relu")}}, "second derivative"},
	} {
		_, err := NewPlan(c.o)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want one containing %q", c.o, err, c.want)
		}
	}
}

// TestCollectFromRunDirs trains a small plan with Reproduce, then loads its
// run directories and collects them again: the numbers must be identical,
// as when a sweep's runs come from other machines.
func TestCollectFromRunDirs(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("short")
	}
	dir := t.TempDir()
	o := Options{Tasks: []string{"spring", "real-pendulum"}, Seeds: experiment.Set(2), Quick: true, Out: dir, Overrides: experiment.Overrides{Steps: experiment.Set(20), Hidden: experiment.Set([]int{8, 8})}, NoFigures: true}
	a, err := Reproduce(o)
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPlan(o)
	if err != nil {
		t.Fatal(err)
	}
	runs := make([]*experiment.Run, len(p.Jobs))
	for i, j := range p.Jobs {
		if runs[i], err = experiment.Load(RunDir(dir, j)); err != nil {
			t.Fatal(err)
		}
	}
	p.Options.Out = ""
	b, err := Collect(p, runs, nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a.Numbers(), b.Numbers()) {
		t.Errorf("collected results differ from the reproduction's:\n%+v\n%+v", a.Numbers(), b.Numbers())
	}
	if !reflect.DeepEqual(a.Skipped, b.Skipped) || !slices.Equal(a.Models, b.Models) || !slices.Equal(a.Order, b.Order) {
		t.Errorf("collected plan differs: %v %v %v vs %v %v %v", a.Skipped, a.Models, a.Order, b.Skipped, b.Models, b.Order)
	}
}
