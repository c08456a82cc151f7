package task_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/hnn-go/hnn/task"
)

// reference holds what the paper's protocol says about each built-in task:
// 50 trajectories split in half, 30 points (spring) or 45 (pendulum) each,
// starts at radius r ~ U[rMin, rMax).
var reference = []struct {
	name                string
	dim                 int
	trainRows, testRows int
	rMin, rMax          float64
}{
	{"spring", 2, 750, 750, 0.1, 1.0},
	{"pendulum", 2, 1125, 1125, 1.3, 2.3},
}

func TestRegistry(t *testing.T) {
	t.Parallel()
	names := task.Names()
	if len(names) < len(reference) {
		t.Fatalf("Names() = %v, want at least %d tasks", names, len(reference))
	}
	// Table 1 order first.
	for i, r := range reference {
		if names[i] != r.name {
			t.Errorf("Names()[%d] = %q, want %q (Table 1 order)", i, names[i], r.name)
		}
	}
	for _, n := range names {
		tk, err := task.Get(n)
		if err != nil {
			t.Errorf("Get(%q): %v", n, err)
			continue
		}
		if tk.Name != n {
			t.Errorf("Get(%q).Name = %q", n, tk.Name)
		}
		if tk.Pixels != nil {
			if tk.Title == "" || tk.QuickPixels == nil {
				t.Errorf("pixel task %s lacks a title or quick settings", n)
			}
			continue
		}
		if tk.Title == "" || tk.Generate == nil || (tk.Initial == nil && tk.Segments == nil) {
			t.Errorf("task %s lacks a title, generator, or initial-state sampler or test segments", n)
		}
		if tk.System != nil && tk.System.Dim() != tk.Dim {
			t.Errorf("task %s: Dim %d, its system's %d", n, tk.Dim, tk.System.Dim())
		}
	}
	_, err := task.Get("nosuch")
	if err == nil {
		t.Fatal("Get(nosuch) = nil error")
	}
	for _, w := range append([]string{"nosuch"}, names...) {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("Get(nosuch) error %q does not name %q", err, w)
		}
	}
}

func TestRegisterDuplicatePanics(t *testing.T) {
	t.Parallel()
	defer func() {
		if r := recover(); r == nil {
			t.Error("registering spring twice did not panic")
		}
	}()
	task.Register(&task.Task{Name: "spring", Kind: task.KindSystem})
}

// TestRegisterWithoutKindPanics checks that a task must say its kind.
func TestRegisterWithoutKindPanics(t *testing.T) {
	t.Parallel()
	defer func() {
		if r := recover(); r == nil {
			t.Error("registering a task without a kind did not panic")
		}
	}()
	task.Register(&task.Task{Name: "no-kind-task"})
}

// TestGenerate checks the datasets against the reference protocol. The
// tolerances on radii are exact bounds: for the spring (H = q^2 + p^2) the
// exact field is DX = (2p, -2q), so |DX|/2 is the clean state's radius,
// which is conserved along the trajectory.
func TestGenerate(t *testing.T) {
	t.Parallel()
	for _, r := range reference {
		t.Run(r.name, func(t *testing.T) {
			t.Parallel()
			tk, err := task.Get(r.name)
			if err != nil {
				t.Fatal(err)
			}
			if tk.Dim != r.dim {
				t.Errorf("Dim = %d, want %d", tk.Dim, r.dim)
			}
			ds, err := tk.Generate(rand.New(rand.NewPCG(7, 1)))
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range []struct {
				split string
				dim   int
				x, dx []float64
				rows  int
			}{
				{"train", ds.Train.Dim, ds.Train.X, ds.Train.DX, r.trainRows},
				{"test", ds.Test.Dim, ds.Test.X, ds.Test.DX, r.testRows},
			} {
				if s.dim != r.dim || len(s.x) != s.rows*r.dim || len(s.dx) != s.rows*r.dim {
					t.Errorf("%s: dim %d, %d X and %d DX values; want dim %d and %d rows", s.split, s.dim, len(s.x), len(s.dx), r.dim, s.rows)
				}
				for i, v := range append(slices.Clone(s.x), s.dx...) {
					if math.IsNaN(v) || math.IsInf(v, 0) {
						t.Fatalf("%s: value %d is %v", s.split, i, v)
					}
				}
			}
			if ds.Train.Len() != tk.TrainRows {
				t.Errorf("TrainRows = %d, the generator made %d", tk.TrainRows, ds.Train.Len())
			}
			// Train and test come from different trajectories.
			if ds.Train.Traj != nil && ds.Test.Traj != nil {
				if slices.Max(ds.Train.Traj) >= slices.Min(ds.Test.Traj) {
					t.Errorf("train trajectories up to %d overlap test trajectories from %d", slices.Max(ds.Train.Traj), slices.Min(ds.Test.Traj))
				}
			}
			// Same seed, same data.
			again, err := tk.Generate(rand.New(rand.NewPCG(7, 1)))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(again.Train.X, ds.Train.X) || !slices.Equal(again.Test.DX, ds.Test.DX) {
				t.Error("Generate with the same seed gave different data")
			}
			if r.name == "spring" {
				// 1e-9 relative covers the ground truth's rtol = 1e-10
				// accumulated over a trajectory.
				for _, set := range []struct{ dx []float64 }{{ds.Train.DX}, {ds.Test.DX}} {
					for i := 0; i < len(set.dx); i += 2 {
						rad := math.Hypot(set.dx[i], set.dx[i+1]) / 2
						if rad < r.rMin*(1-1e-9) || rad >= r.rMax*(1+1e-9) {
							t.Fatalf("spring row %d has radius %v, outside [%v, %v)", i/2, rad, r.rMin, r.rMax)
						}
					}
				}
			}
		})
	}
}

func TestInitial(t *testing.T) {
	t.Parallel()
	for _, r := range reference {
		tk, err := task.Get(r.name)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(1, 2))
		lo, hi := math.Inf(1), math.Inf(-1)
		const n = 2000
		for range n {
			x := tk.Initial(rng)
			if len(x) != tk.Dim {
				t.Fatalf("%s: Initial gave %d values, want %d", r.name, len(x), tk.Dim)
			}
			rad := math.Hypot(x[0], x[1])
			lo, hi = min(lo, rad), max(hi, rad)
			// The radius is r*|y|/|y| for r in [rMin, rMax); 1e-12 allows
			// the rounding of the normalisation.
			if rad < r.rMin-1e-12 || rad >= r.rMax+1e-12 {
				t.Fatalf("%s: Initial %v has radius %v, outside [%v, %v)", r.name, x, rad, r.rMin, r.rMax)
			}
			b := tk.Bounds
			if x[0] < b[0] || x[0] > b[1] || x[1] < b[2] || x[1] > b[3] {
				t.Errorf("%s: Initial %v lies outside the plot bounds %v", r.name, x, b)
			}
		}
		// The draws fill the range: with 2000 uniform radii, the gap at
		// either end exceeds 1% of the width with probability about
		// (0.99)^2000 ~ 2e-9.
		if w := r.rMax - r.rMin; lo > r.rMin+0.01*w || hi < r.rMax-0.01*w {
			t.Errorf("%s: radii span [%v, %v], want nearly [%v, %v)", r.name, lo, hi, r.rMin, r.rMax)
		}
	}
}

func TestSettings(t *testing.T) {
	t.Parallel()
	for _, n := range task.Names() {
		tk, err := task.Get(n)
		if err != nil {
			t.Fatal(err)
		}
		full, fullE := tk.Settings(false)
		quick, quickE := tk.Settings(true)
		if !(quick.Steps < full.Steps) {
			t.Errorf("%s: quick trains %d steps, full %d; want fewer", n, quick.Steps, full.Steps)
		}
		if tk.Segments != nil || tk.Pixels != nil || tk.Kind == task.KindDriven {
			// Measured data: energy and rollouts along the test segments;
			// images: energy along latent rollouts; driven systems:
			// predictions along their own trajectories.
			if err := full.Validate(); err != nil {
				t.Errorf("%s: train: %v", n, err)
			}
			continue
		}
		if !(quickE.TEnd*float64(quickE.Points) < fullE.TEnd*float64(fullE.Points)) {
			t.Errorf("%s: quick energy protocol (t_end %v, %d points) is not smaller than the full one (%v, %d)",
				n, quickE.TEnd, quickE.Points, fullE.TEnd, fullE.Points)
		}
		if full != tk.Train || fullE != tk.Energy || quick != tk.QuickTrain || quickE != tk.QuickEnergy {
			t.Errorf("%s: Settings does not return the task's fields", n)
		}
		for _, c := range []struct {
			what string
			err  error
		}{
			{"train", full.Validate()},
			{"quick train", quick.Validate()},
			{"energy protocol", fullE.Validate()},
			{"quick energy protocol", quickE.Validate()},
		} {
			if c.err != nil {
				t.Errorf("%s: %s: %v", n, c.what, c.err)
			}
		}
		// The protocols integrate exactly to their horizon and cut the
		// starts into the paper's 5 chunks.
		for _, e := range []struct {
			what   string
			tEnd   float64
			ts     []float64
			chunks int
			starts int
		}{
			{"full", fullE.TEnd, fullE.Times(), fullE.Chunks, fullE.Starts},
			{"quick", quickE.TEnd, quickE.Times(), quickE.Chunks, quickE.Starts},
		} {
			if last := e.ts[len(e.ts)-1]; last != e.tEnd {
				t.Errorf("%s: %s energy protocol ends at %v, want %v", n, e.what, last, e.tEnd)
			}
			if e.chunks != 5 || e.starts%e.chunks != 0 {
				t.Errorf("%s: %s energy protocol: %d starts in %d chunks, want 5 equal chunks", n, e.what, e.starts, e.chunks)
			}
		}
	}
}

func TestPublished(t *testing.T) {
	t.Parallel()
	for _, r := range reference {
		tk, err := task.Get(r.name)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"baseline", "hnn"} { // the paper's models
			p, ok := tk.Published[k]
			if !ok {
				t.Errorf("%s: no published numbers for %s", r.name, k)
				continue
			}
			for _, v := range []float64{p.Train, p.Test, p.Energy, p.EnergySEM} {
				if !(v > 0 && v < 1) {
					t.Errorf("%s %s: published %+v has a value outside (0, 1)", r.name, k, p)
					break
				}
			}
		}
		// The paper's point: the HNN conserves energy better.
		if b, h := tk.Published["baseline"], tk.Published["hnn"]; !(h.Energy < b.Energy) {
			t.Errorf("%s: published HNN energy MSE %v is not below the baseline's %v", r.name, h.Energy, b.Energy)
		}
	}
}
