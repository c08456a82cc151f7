package task_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/hnn-go/hnn/systems"
	"github.com/hnn-go/hnn/task"
)

// orbitReference holds the reference's settings of the N-body tasks
// (experiment-2body and experiment-3body: data.py and train.py) and the
// notebooks' energy horizons.
var orbitReference = []struct {
	name                string
	bodies              int
	trainRows, testRows int
	batch               int
	weightDecay         float64
	tEnd                float64
}{
	{"two-body", 2, 800 * 50, 200 * 50, 200, 0, 25},
	{"three-body", 3, 4000 * 20, 1000 * 20, 600, 1e-4, 3},
}

func TestOrbitTasks(t *testing.T) {
	t.Parallel()
	for _, r := range orbitReference {
		t.Run(r.name, func(t *testing.T) {
			t.Parallel()
			tk, err := task.Get(r.name)
			if err != nil {
				t.Fatal(err)
			}
			sys, ok := tk.System.(systems.NBody)
			if !ok || sys.Bodies != r.bodies || tk.Dim != 4*r.bodies {
				t.Fatalf("system %#v, dim %d; want %d bodies", tk.System, tk.Dim, r.bodies)
			}
			c := tk.Train
			if c.Steps != 10000 || c.Batch != r.batch || c.WeightDecay != r.weightDecay || c.LR != 1e-3 {
				t.Errorf("train settings %+v, want 10000 steps, batch %d, weight decay %v, lr 1e-3", c, r.batch, r.weightDecay)
			}
			if q := tk.QuickTrain; q.Batch != r.batch || q.Steps > 1000 {
				t.Errorf("quick settings %+v, want batch %d and a few hundred steps", q, r.batch)
			}
			e := tk.Energy
			if e.Starts != 15 || e.TEnd != r.tEnd || e.Points != 500 || e.Integrator != "dopri5" || e.RTol != 1e-9 || e.ATol != 1e-9 {
				t.Errorf("energy protocol %+v, want 15 starts, t in [0, %v], 500 points, dopri5 1e-9", e, r.tEnd)
			}
			ds, err := tk.Generate(rand.New(rand.NewPCG(11, 1)))
			if err != nil {
				t.Fatal(err)
			}
			if ds.Train.Len() != r.trainRows || ds.Test.Len() != r.testRows || tk.TrainRows != r.trainRows {
				t.Errorf("train %d, test %d rows (TrainRows %d), want %d and %d", ds.Train.Len(), ds.Test.Len(), tk.TrainRows, r.trainRows, r.testRows)
			}
			// The reference's split: the first orbits are the test set.
			if slices.Max(ds.Test.Traj) >= slices.Min(ds.Train.Traj) {
				t.Errorf("test orbits up to %d, train orbits from %d; want test first", slices.Max(ds.Test.Traj), slices.Min(ds.Train.Traj))
			}
			for _, v := range append(slices.Clone(ds.Train.X), ds.Test.DX...) {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatal("non-finite value in the dataset")
				}
			}
			rng := rand.New(rand.NewPCG(1, 2))
			b := tk.Bounds
			for range 15 {
				x := tk.Initial(rng)
				for i := range sys.Bodies {
					qx, qy, _, _ := sys.Body(x, i)
					if qx < b[0] || qx > b[1] || qy < b[2] || qy > b[3] {
						t.Errorf("start %v has body %d outside the plot bounds %v", x, i, b)
					}
				}
			}
			for _, k := range []string{"baseline", "hnn"} { // the paper's models
				p, ok := tk.Published[k]
				if !ok || !(p.Train > 0 && p.Test > 0 && p.Energy > 0 && p.EnergySEM > 0) {
					t.Errorf("published numbers for %s: %+v", k, p)
				}
			}
			if bp, hp := tk.Published["baseline"], tk.Published["hnn"]; !(hp.Energy < bp.Energy) {
				t.Errorf("published HNN energy MSE %v is not below the baseline's %v", hp.Energy, bp.Energy)
			}
		})
	}
}
