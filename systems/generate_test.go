package systems

import (
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"github.com/hnn-go/hnn/data"
)

var protocols = []struct {
	sys         System
	tr          Trajectories
	train, test int
}{
	{Spring{}, SpringProtocol(), 750, 750},
	{Pendulum{}, PendulumProtocol(), 1125, 1125},
}

func TestGenerateShapes(t *testing.T) {
	t.Parallel()
	for _, pc := range protocols {
		t.Run(pc.sys.Name(), func(t *testing.T) {
			t.Parallel()
			ds, err := Generate(pc.sys, pc.tr, rand.New(rand.NewPCG(0, 0)))
			if err != nil {
				t.Fatal(err)
			}
			ts := pc.tr.Times()
			for _, c := range []struct {
				name     string
				set      *data.Set
				rows, k0 int
			}{{"train", &ds.Train, pc.train, 0}, {"test", &ds.Test, pc.test, pc.tr.Count / 2}} {
				s := c.set
				if s.Dim != 2 || s.Len() != c.rows || len(s.DX) != 2*c.rows || len(s.Traj) != c.rows || len(s.T) != c.rows {
					t.Fatalf("%s: Dim %d, Len %d, len(DX) %d, len(Traj) %d, len(T) %d; want 2 and %d rows",
						c.name, s.Dim, s.Len(), len(s.DX), len(s.Traj), len(s.T), c.rows)
				}
				for i := range s.Len() {
					k, j := c.k0+i/pc.tr.Points, i%pc.tr.Points
					if s.Traj[i] != k || s.T[i] != ts[j] {
						t.Fatalf("%s row %d: trajectory %d at t %v, want %d at %v", c.name, i, s.Traj[i], s.T[i], k, ts[j])
					}
				}
			}
		})
	}
}

func TestTimes(t *testing.T) {
	t.Parallel()
	ts := SpringProtocol().Times()
	if len(ts) != 30 || ts[0] != 0 || ts[29] != 3 {
		t.Fatalf("Times() = %v, want 30 points from 0 to 3", ts)
	}
	for i, v := range ts {
		if want := 3 * float64(i) / 29; math.Abs(v-want) > 1e-15 {
			t.Errorf("Times()[%d] = %v, want %v", i, v, want)
		}
	}
}

// TestInitialState checks the radius range and that a start consumes
// exactly dim+1 uniform draws, the order Generate documents.
func TestInitialState(t *testing.T) {
	t.Parallel()
	tr := PendulumProtocol()
	for _, dim := range []int{2, 4, 8} {
		rng := rand.New(rand.NewPCG(7, uint64(dim)))
		twin := rand.New(rand.NewPCG(7, uint64(dim)))
		for range 1000 {
			y := tr.InitialState(rng, dim)
			var ss float64
			for _, v := range y {
				ss += v * v
			}
			if r := math.Sqrt(ss); !(r >= tr.RMin*(1-1e-15) && r < tr.RMax) {
				t.Fatalf("dim %d: |y0| = %v, want in [%v, %v)", dim, r, tr.RMin, tr.RMax)
			}
			for range dim + 1 {
				twin.Float64()
			}
			if a, b := rng.Uint64(), twin.Uint64(); a != b {
				t.Fatalf("dim %d: InitialState did not consume exactly %d draws", dim, dim+1)
			}
		}
	}
	mustPanic(t, "InitialState(dim 0)", func() { tr.InitialState(rand.New(rand.NewPCG(0, 0)), 0) })
}

// TestGenerateEnergyConserved checks that the energy of every clean
// trajectory stays at its start's: the solve's tolerance of 1e-10 bounds the
// drift far below 1e-8 (relative to an energy of order one).
func TestGenerateEnergyConserved(t *testing.T) {
	t.Parallel()
	for _, pc := range protocols {
		t.Run(pc.sys.Name(), func(t *testing.T) {
			t.Parallel()
			tr := pc.tr
			tr.Noise = 0
			ds, err := Generate(pc.sys, tr, rand.New(rand.NewPCG(3, 4)))
			if err != nil {
				t.Fatal(err)
			}
			var worst float64
			for _, s := range []*data.Set{&ds.Train, &ds.Test} {
				var h0 float64
				for i := range s.Len() {
					x, _ := s.Row(i)
					h := pc.sys.Energy(x)
					if s.T[i] == 0 {
						h0 = h
						continue
					}
					e := math.Abs(h-h0) / math.Max(1, h0)
					worst = math.Max(worst, e)
					if e > 1e-8 {
						t.Errorf("trajectory %d at t %v: energy %v, started at %v", s.Traj[i], s.T[i], h, h0)
					}
				}
			}
			t.Logf("worst relative energy drift: %.3g", worst)
		})
	}
}

// TestGenerateNoise compares noisy data with clean data from the same seed:
// the derivatives must be identical (clean targets) and the residual X -
// clean must look like N(0, 0.1^2). With n = 3000 residuals, the sample mean
// has standard error 0.1/sqrt(n) = 1.8e-3 and the sample standard deviation
// a relative standard error of 1/sqrt(2(n-1)) = 1.3%; five standard errors
// make a false failure for a random seed about a one-in-a-million event.
func TestGenerateNoise(t *testing.T) {
	t.Parallel()
	tr := SpringProtocol()
	sigma := tr.Noise
	noisy, err := Generate(Spring{}, tr, rand.New(rand.NewPCG(5, 6)))
	if err != nil {
		t.Fatal(err)
	}
	tr.Noise = 0
	clean, err := Generate(Spring{}, tr, rand.New(rand.NewPCG(5, 6)))
	if err != nil {
		t.Fatal(err)
	}
	var res []float64
	for _, p := range [][2]*data.Set{{&noisy.Train, &clean.Train}, {&noisy.Test, &clean.Test}} {
		if !slices.Equal(p[0].DX, p[1].DX) {
			t.Errorf("noise changed the derivatives: they must come from the clean states")
		}
		for i := range p[0].X {
			res = append(res, p[0].X[i]-p[1].X[i])
		}
	}
	n := float64(len(res))
	var mean, ss float64
	for _, r := range res {
		mean += r
	}
	mean /= n
	for _, r := range res {
		ss += (r - mean) * (r - mean)
	}
	std := math.Sqrt(ss / (n - 1))
	if tol := 5 * sigma / math.Sqrt(n); math.Abs(mean) > tol {
		t.Errorf("residual mean %v, want |mean| <= %v", mean, tol)
	}
	if tol := 5 * sigma / math.Sqrt(2*(n-1)); math.Abs(std-sigma) > tol {
		t.Errorf("residual std %v, want %v +- %v", std, sigma, tol)
	}
	t.Logf("%d residuals: mean %.3g, std %.4g", len(res), mean, std)
}

func equalDatasets(a, b *data.Dataset) bool {
	eq := func(s, u *data.Set) bool {
		return s.Dim == u.Dim && slices.Equal(s.X, u.X) && slices.Equal(s.DX, u.DX) &&
			slices.Equal(s.Traj, u.Traj) && slices.Equal(s.T, u.T)
	}
	return eq(&a.Train, &b.Train) && eq(&a.Test, &b.Test)
}

func TestGenerateDeterministic(t *testing.T) {
	t.Parallel()
	for _, pc := range protocols {
		t.Run(pc.sys.Name(), func(t *testing.T) {
			t.Parallel()
			gen := func(seed uint64) *data.Dataset {
				ds, err := Generate(pc.sys, pc.tr, rand.New(rand.NewPCG(seed, 0)))
				if err != nil {
					t.Fatal(err)
				}
				return ds
			}
			a, b, c := gen(9), gen(9), gen(10)
			if !equalDatasets(a, b) {
				t.Error("same seed gave different datasets")
			}
			if equalDatasets(a, c) {
				t.Error("different seeds gave the same dataset")
			}
		})
	}
}

// TestGenerateOneWorker checks that the result does not depend on the
// number of workers. It changes GOMAXPROCS, so it must not run in parallel.
func TestGenerateOneWorker(t *testing.T) {
	want, err := Generate(Pendulum{}, PendulumProtocol(), rand.New(rand.NewPCG(11, 0)))
	if err != nil {
		t.Fatal(err)
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	got, err := Generate(Pendulum{}, PendulumProtocol(), rand.New(rand.NewPCG(11, 0)))
	if err != nil {
		t.Fatal(err)
	}
	if !equalDatasets(got, want) {
		t.Error("GOMAXPROCS=1 gave a different dataset")
	}
}

// oddSystem is a System with an odd dimension, which Generate must refuse.
type oddSystem struct{}

func (oddSystem) Name() string               { return "odd" }
func (oddSystem) Dim() int                   { return 3 }
func (oddSystem) Energy(x []float64) float64 { return 0 }
func (oddSystem) Field(dst, x []float64)     { clear(dst) }

func TestGenerateBadSettings(t *testing.T) {
	t.Parallel()
	nan := math.NaN()
	for _, c := range []struct {
		name string
		sys  System
		edit func(*Trajectories)
	}{
		{"zero count", Spring{}, func(tr *Trajectories) { tr.Count = 0 }},
		{"negative count", Spring{}, func(tr *Trajectories) { tr.Count = -3 }},
		{"one point", Spring{}, func(tr *Trajectories) { tr.Points = 1 }},
		{"zero end", Spring{}, func(tr *Trajectories) { tr.TEnd = 0 }},
		{"negative end", Spring{}, func(tr *Trajectories) { tr.TEnd = -1 }},
		{"NaN end", Spring{}, func(tr *Trajectories) { tr.TEnd = nan }},
		{"infinite end", Spring{}, func(tr *Trajectories) { tr.TEnd = math.Inf(1) }},
		{"min above max", Spring{}, func(tr *Trajectories) { tr.RMin, tr.RMax = 1, 0.5 }},
		{"negative min", Spring{}, func(tr *Trajectories) { tr.RMin = -0.1 }},
		{"NaN radius", Spring{}, func(tr *Trajectories) { tr.RMax = nan }},
		{"negative noise", Spring{}, func(tr *Trajectories) { tr.Noise = -0.1 }},
		{"NaN noise", Spring{}, func(tr *Trajectories) { tr.Noise = nan }},
		{"negative rtol", Spring{}, func(tr *Trajectories) { tr.RTol = -1e-10 }},
		{"zero test fraction", Spring{}, func(tr *Trajectories) { tr.TestFraction = 0 }},
		{"unit test fraction", Spring{}, func(tr *Trajectories) { tr.TestFraction = 1 }},
		{"test fraction above one", Spring{}, func(tr *Trajectories) { tr.TestFraction = 1.5 }},
		{"NaN test fraction", Spring{}, func(tr *Trajectories) { tr.TestFraction = nan }},
		{"empty train split", Spring{}, func(tr *Trajectories) { tr.TestFraction = 0.995 }},
		{"empty test split", Spring{}, func(tr *Trajectories) { tr.TestFraction = 0.001 }},
		{"one trajectory", Spring{}, func(tr *Trajectories) { tr.Count = 1 }},
		{"odd dimension", oddSystem{}, func(*Trajectories) {}},
	} {
		tr := SpringProtocol()
		c.edit(&tr)
		ds, err := Generate(c.sys, tr, rand.New(rand.NewPCG(0, 0)))
		if !errors.Is(err, errSettings) || ds != nil {
			t.Errorf("%s: Generate returned (%v, %v), want a settings error", c.name, ds, err)
		}
	}

	// The edges that are allowed.
	tr := SpringProtocol()
	tr.Count, tr.RMin, tr.RMax, tr.Noise, tr.RTol = 2, 0.5, 0.5, 0, 0
	if _, err := Generate(Spring{}, tr, rand.New(rand.NewPCG(0, 0))); err != nil {
		t.Errorf("two trajectories, fixed radius, no noise, default rtol: %v", err)
	}
}
