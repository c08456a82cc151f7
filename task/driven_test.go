package task_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/task"
)

// drivenReference holds what SymODEN's and LNN's protocols say about the
// driven tasks: the state layout, the training and test rows (starts x 5
// inputs x samples; LNN's pools) and the prediction trajectories (test
// starts x 40 samples).
var drivenReference = []struct {
	name                string
	layout              data.Layout
	trainRows, testRows int
	predTrajs           int
}{
	{"pendulum-torque", data.Layout{Positions: 1, Inputs: 1, Angles: []int{0}}, 25 * 5 * 45, 25 * 5 * 45, 25},
	{"pendulum-embed", data.Layout{Positions: 1, Velocities: true, Inputs: 1, Angles: []int{0}}, 64 * 5 * 20, 64 * 5 * 20, 64},
	{"cartpole", data.Layout{Positions: 2, Velocities: true, Inputs: 1, Angles: []int{1}}, 64 * 5 * 20, 64 * 5 * 20, 64},
	{"acrobot", data.Layout{Positions: 2, Velocities: true, Inputs: 1, Angles: []int{0, 1}}, 64 * 5 * 20, 64 * 5 * 20, 64},
	{"cartpole-full", data.Layout{Positions: 2, Velocities: true, Inputs: 2, Angles: []int{1}}, 64 * 9 * 20, 64 * 9 * 20, 64},
	{"acrobot-full", data.Layout{Positions: 2, Velocities: true, Inputs: 2, Angles: []int{0, 1}}, 64 * 9 * 20, 64 * 9 * 20, 64},
	{"double-pendulum", data.Layout{Positions: 2, Velocities: true, Angles: []int{0, 1}}, 1_000_000, 5000, 0},
	{"double-pendulum-as-canonical", data.Layout{Positions: 2}, 1_000_000, 5000, 0},
}

// TestDoublePendulumAsCanonical checks the relabelled double pendulum: for
// the same seed its rows are double-pendulum's, bit for bit, declared as
// canonical (q, p) without angles, so that hnn takes them (and refuses
// double-pendulum's), while Observed keeps their true layout for the
// energy; both tasks share the energy protocols and training settings.
func TestDoublePendulumAsCanonical(t *testing.T) {
	t.Parallel()
	dp, err := task.Get("double-pendulum")
	if err != nil {
		t.Fatal(err)
	}
	qp, err := task.Get("double-pendulum-as-canonical")
	if err != nil {
		t.Fatal(err)
	}
	a, err := dp.Generate(rand.New(rand.NewPCG(7, 1)))
	if err != nil {
		t.Fatal(err)
	}
	b, err := qp.Generate(rand.New(rand.NewPCG(7, 1)))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []struct {
		split string
		x, y  *data.Set
	}{{"train", &a.Train, &b.Train}, {"test", &a.Test, &b.Test}} {
		if !slices.Equal(s.x.X, s.y.X) || !slices.Equal(s.x.DX, s.y.DX) || s.x.Dim != s.y.Dim {
			t.Errorf("%s: the relabelled rows differ from double-pendulum's", s.split)
		}
		if !s.y.Layout.Canonical() || s.y.Layout.Positions != 2 {
			t.Errorf("%s: relabelled layout %+v, want canonical with 2 positions", s.split, s.y.Layout)
		}
	}
	if !equalLayout(qp.Observed, dp.Layout) || dp.Observed.Positions != 0 {
		t.Errorf("Observed %+v and %+v, want double-pendulum's layout %+v and none", qp.Observed, dp.Observed, dp.Layout)
	}
	if x, y := dp.Initial(rand.New(rand.NewPCG(1, 1))), qp.Initial(rand.New(rand.NewPCG(1, 1))); !slices.Equal(x, y) {
		t.Errorf("energy starts %v and %v, want the same", x, y)
	}
	if dp.Energy != qp.Energy || dp.QuickEnergy != qp.QuickEnergy || dp.Train != qp.Train || dp.QuickTrain != qp.QuickTrain || dp.EnergyScale != qp.EnergyScale {
		t.Error("the relabelled task's protocols or settings differ from double-pendulum's")
	}
	if err := (model.Config{Kind: "hnn", Dim: 4, Layout: qp.Layout}).WithDefaults().Validate(); err != nil {
		t.Errorf("hnn refuses the relabelled rows: %v", err)
	}
	if err := (model.Config{Kind: "hnn", Dim: 4, Layout: dp.Layout}).WithDefaults().Validate(); err == nil {
		t.Error("hnn takes double-pendulum's (q, q-dot) rows without the opt-in")
	}
}

// TestDrivenTasks checks every driven task's data: shape, layout (the
// task's, the sets', and one its default models take), finite values,
// the same data for the same seed, and that the prediction trajectories
// start at the test starts of the data under u = 0 (the data's first
// input value of tasks 2-4; task 1 lists u = 0 third) and are 40 samples
// long at the data's spacing.
func TestDrivenTasks(t *testing.T) {
	t.Parallel()
	for _, r := range drivenReference {
		t.Run(r.name, func(t *testing.T) {
			t.Parallel()
			tk, err := task.Get(r.name)
			if err != nil {
				t.Fatal(err)
			}
			if tk.Kind != task.KindDriven || tk.Driven == nil {
				t.Fatalf("kind %q, driven system %v; want a driven task", tk.Kind, tk.Driven)
			}
			d := r.layout.Dim()
			if tk.Dim != d || !equalLayout(tk.Layout, r.layout) {
				t.Errorf("Dim %d, layout %+v; want %d, %+v", tk.Dim, tk.Layout, d, r.layout)
			}
			if tk.TrainRows != r.trainRows {
				t.Errorf("TrainRows %d, want %d", tk.TrainRows, r.trainRows)
			}
			for _, mk := range tk.Models {
				c := model.Config{Kind: mk, Dim: tk.Dim, Layout: tk.Layout}.WithDefaults()
				if err := c.Validate(); err != nil {
					t.Errorf("default model %s does not take the layout: %v", mk, err)
				}
			}
			ds, err := tk.Generate(rand.New(rand.NewPCG(3, 1)))
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range []struct {
				split string
				set   *data.Set
				rows  int
			}{{"train", &ds.Train, r.trainRows}, {"test", &ds.Test, r.testRows}} {
				if s.set.Dim != d || s.set.Len() != s.rows || len(s.set.DX) != s.rows*d || !equalLayout(s.set.Layout, r.layout) {
					t.Errorf("%s: dim %d, %d rows, %d DX values, layout %+v; want %d, %d, %d, %+v",
						s.split, s.set.Dim, s.set.Len(), len(s.set.DX), s.set.Layout, d, s.rows, s.rows*d, r.layout)
				}
				for i, v := range append(slices.Clone(s.set.X), s.set.DX...) {
					if math.IsNaN(v) || math.IsInf(v, 0) {
						t.Fatalf("%s: value %d is %v", s.split, i, v)
					}
				}
			}
			again, err := tk.Generate(rand.New(rand.NewPCG(3, 1)))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(again.Train.X, ds.Train.X) || !slices.Equal(again.Test.DX, ds.Test.DX) {
				t.Error("Generate with the same seed gave different data")
			}
			if x := tk.Initial(rand.New(rand.NewPCG(1, 1))); len(x) != d {
				t.Errorf("Initial gave %d values, want %d", len(x), d)
			}
			if r.predTrajs == 0 {
				if tk.Prediction != nil {
					t.Error("Prediction set, want none")
				}
				return
			}
			pred, err := tk.Prediction(rand.New(rand.NewPCG(3, 1)))
			if err != nil {
				t.Fatal(err)
			}
			if pred.Dim != d || pred.Len() != r.predTrajs*task.PredictionSteps || !equalLayout(pred.Layout, r.layout) {
				t.Fatalf("prediction set: dim %d, %d rows, layout %+v; want %d, %d, %+v", pred.Dim, pred.Len(), pred.Layout, d, r.predTrajs*task.PredictionSteps, r.layout)
			}
			// The test trajectories of the data under u = 0: the rows of
			// the data's test split whose inputs are all 0, every
			// samples-th (the first nonzero time's index) a start.
			samples := 1
			for ds.Test.T[samples] != 0 {
				samples++
			}
			var starts [][]float64
			for i := 0; i < ds.Test.Len(); i += samples {
				x, _ := ds.Test.Row(i)
				if !slices.ContainsFunc(x[d-r.layout.Inputs:], func(u float64) bool { return u != 0 }) {
					starts = append(starts, x)
				}
			}
			if len(starts) != r.predTrajs {
				t.Fatalf("%d test starts under u = 0, want %d", len(starts), r.predTrajs)
			}
			h := ds.Test.T[1] - ds.Test.T[0]
			for k, s := range starts {
				x, _ := pred.Row(k * task.PredictionSteps)
				if !slices.Equal(x, s) {
					t.Fatalf("prediction trajectory %d starts at %v, the data's test start %v", k, x, s)
				}
				last := pred.T[(k+1)*task.PredictionSteps-1]
				// The times are i h computed as products: exact to rounding.
				if want := float64(task.PredictionSteps-1) * h; math.Abs(last-want) > 1e-12 {
					t.Fatalf("prediction trajectory %d ends at t = %v, want %v", k, last, want)
				}
			}
		})
	}
}

// equalLayout reports whether two layouts are the same.
func equalLayout(a, b data.Layout) bool {
	return a.Positions == b.Positions && a.Velocities == b.Velocities && a.Inputs == b.Inputs && slices.Equal(a.Angles, b.Angles)
}
