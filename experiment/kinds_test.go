package experiment_test

import (
	"testing"

	"github.com/hnn-go/hnn/experiment"
	_ "github.com/hnn-go/hnn/experiment/pixel" // the pixel kind registers itself
	"github.com/hnn-go/hnn/task"
)

// kindOf returns the kind registered for t's task kind, false if there is
// none (experiment.KindOf panics then).
func kindOf(t *task.Task) (k experiment.Kind, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return experiment.KindOf(experiment.Spec{}, t), true
}

// TestEveryTaskHasAKind checks that every registered task's kind has its
// behaviour registered (the pixel kind by its package), with the kind's own truth and error bars.
func TestEveryTaskHasAKind(t *testing.T) {
	t.Parallel()
	for _, n := range task.Names() {
		tk, err := task.Get(n)
		if err != nil {
			t.Fatal(err)
		}
		k, ok := kindOf(tk)
		if !ok {
			t.Errorf("%s: kind %q has no behaviour registered", n, tk.Kind)
			continue
		}
		if got, want := k.KeepOwnErrorBars(), tk.Kind == task.KindMeasured; got != want {
			t.Errorf("%s: keeps its own error bars %v, want %v", n, got, want)
		}
	}
	for _, c := range []struct {
		kind      task.Kind
		withTruth bool
	}{{task.KindSystem, true}, {task.KindMeasured, false}, {task.KindPixels, false}} {
		tk, err := task.Get(map[task.Kind]string{task.KindSystem: "spring", task.KindMeasured: "real-pendulum", task.KindPixels: "pixel-pendulum"}[c.kind])
		if err != nil {
			t.Fatal(err)
		}
		p := tk.Energy
		p.Starts, p.Points = 2, 5
		k, _ := kindOf(tk)
		e, err := k.Truth(tk, p)
		if err != nil || (e != nil) != c.withTruth {
			t.Errorf("%s: truth %v, %v; want one: %v", c.kind, e, err, c.withTruth)
		}
	}
}
