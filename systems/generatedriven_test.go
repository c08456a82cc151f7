package systems

import (
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/ode"
)

var drivenProtocols = []struct {
	name        string
	sys         Driven
	pr          DrivenProtocol
	train, test int
}{
	{"task1", TorquePendulum{}, PendulumTorqueProtocol(), 25 * 5 * 45, 25 * 5 * 45},
	{"task2", TorquePendulum{}, PendulumEmbedProtocol(), 64 * 5 * 20, 64 * 5 * 20},
	{"task3", CartPole{}, CartPoleProtocol(), 64 * 5 * 20, 64 * 5 * 20},
	{"task4", Acrobot{}, AcrobotProtocol(), 64 * 5 * 20, 64 * 5 * 20},
	{"acrobot-full", Acrobot{FullyActuated: true}, func() DrivenProtocol {
		pr := AcrobotProtocol()
		pr.Starts, pr.Inputs, pr.Momenta, pr.TestFraction = 6, []float64{0, 1.5}, true, 1.0/3
		return pr
	}(), 4 * 2 * 20, 2 * 2 * 20},
	{"cartpole-full", CartPole{FullyActuated: true}, FullyActuatedCartPoleProtocol(), 64 * 9 * 20, 64 * 9 * 20},
	{"acrobot-full nine vectors", Acrobot{FullyActuated: true}, func() DrivenProtocol {
		pr := FullyActuatedAcrobotProtocol()
		pr.Starts = 6
		return pr
	}(), 3 * 9 * 20, 3 * 9 * 20},
}

func generateDriven(t *testing.T, sys Driven, pr DrivenProtocol, seed uint64) *data.Dataset {
	t.Helper()
	ds, err := GenerateDriven(sys, pr, rand.New(rand.NewPCG(seed, 1)))
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// TestGenerateDrivenShapes checks the sizes, the order of the rows
// (input value, start, time), the input columns, the zero derivative of
// the inputs, the layout, that every input value starts from the same
// starts, and that the starts lie in the protocol's box.
func TestGenerateDrivenShapes(t *testing.T) {
	t.Parallel()
	for _, c := range drivenProtocols {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			sys, pr := c.sys, c.pr
			n, m := sys.Coords(), sys.Inputs()
			d := 2*n + m
			ds := generateDriven(t, sys, pr, 0)
			if got := pr.TrainRows(); got != c.train {
				t.Errorf("TrainRows() = %d, want %d", got, c.train)
			}
			ts := pr.Times()
			if len(ts) != pr.Points || ts[0] != 0 || math.Abs(ts[len(ts)-1]-pr.Step*float64(pr.Points-1)) > 1e-15 {
				t.Fatalf("Times() = %v, want %d points %v apart", ts, pr.Points, pr.Step)
			}
			nTrain := c.train / (pr.NumInputs() * pr.Points)
			starts := map[int][]float64{} // start index -> (q, v) at t = 0
			for _, sc := range []struct {
				name   string
				set    *data.Set
				rows   int
				s0, ns int
			}{{"train", &ds.Train, c.train, 0, nTrain}, {"test", &ds.Test, c.test, nTrain, pr.Starts - nTrain}} {
				s := sc.set
				if s.Dim != d || s.Len() != sc.rows || len(s.DX) != len(s.X) || len(s.Traj) != sc.rows || len(s.T) != sc.rows {
					t.Fatalf("%s: Dim %d, Len %d, len(DX) %d, len(Traj) %d, len(T) %d; want %d and %d rows",
						sc.name, s.Dim, s.Len(), len(s.DX), len(s.Traj), len(s.T), d, sc.rows)
				}
				want := pr.Layout(sys)
				if l, err := s.Layout.Resolve(d); err != nil || !slices.Equal(l.Angles, want.Angles) || l.Velocities == pr.Momenta || l.Inputs != m || l.Positions != n {
					t.Fatalf("%s: layout %+v (%v), want %+v", sc.name, s.Layout, err, want)
				}
				for i := range s.Len() {
					a, st, j := i/(sc.ns*pr.Points), sc.s0+i/pr.Points%sc.ns, i%pr.Points
					k := a*pr.Starts + st
					if s.Traj[i] != k || s.T[i] != ts[j] {
						t.Fatalf("%s row %d: trajectory %d at t %v, want %d at %v", sc.name, i, s.Traj[i], s.T[i], k, ts[j])
					}
					x, dx := s.Row(i)
					for jj := range m {
						if x[2*n+jj] != pr.input(a, jj) || dx[2*n+jj] != 0 {
							t.Fatalf("%s row %d: input %v, du/dt %v, want input %d: %v and 0", sc.name, i, x[2*n:], dx[2*n:], jj, pr.input(a, jj))
						}
					}
					if j != 0 {
						continue
					}
					if first, ok := starts[st]; !ok {
						starts[st] = slices.Clone(x[:2*n])
						for ii, v := range x[:2*n] {
							if !(v >= pr.Lo[ii]-1e-12 && v < pr.Hi[ii]+1e-12) {
								t.Errorf("start %d: coordinate %d is %v, outside [%v, %v)", st, ii, v, pr.Lo[ii], pr.Hi[ii])
							}
						}
					} else if !slices.Equal(first, x[:2*n]) {
						t.Fatalf("start %d under input %d begins at %v, under input 0 at %v: the starts must repeat", st, a, x[:2*n], first)
					}
				}
			}
			if len(starts) != pr.Starts {
				t.Errorf("%d distinct starts, want %d", len(starts), pr.Starts)
			}
		})
	}
}

// TestGenerateDrivenDynamics checks that consecutive samples of every
// trajectory follow the true dynamics: RK4 at a step of Step/100 from
// sample j, on the canonical field (q, p) or on the field of (q, q-dot,
// u), reaches sample j+1 to 1e-7; that the stored derivatives are that
// field at the samples under the trajectory's input (for momenta the
// canonical view, which recovers q-dot from p, not the generator's path);
// that the energy of the trajectories without input stays at its
// start's to 1e-7 relative (the ground truth's tolerance is 1e-10 per
// step, and SymODEN's starts reach angular velocities near 20); and that
// an input changes it.
func TestGenerateDrivenDynamics(t *testing.T) {
	t.Parallel()
	for _, c := range drivenProtocols {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			sys, pr := c.sys, c.pr
			n, m := sys.Coords(), sys.Inputs()
			d := 2*n + m
			pr.Starts = 8 // a few of each split are enough
			pr.TestFraction = 0.5
			ds := generateDriven(t, sys, pr, 5)
			rk := ode.RK4{Step: pr.Step / 100}
			ts := []float64{0, pr.Step}
			var worstStep, worstDX, worstE float64
			var driven bool
			for _, s := range []*data.Set{&ds.Train, &ds.Test} {
				for i0 := 0; i0 < s.Len(); i0 += pr.Points {
					u := s.X[i0*d+2*n : i0*d+d]
					var f ode.Func
					dim := d
					if pr.Momenta {
						c := NewCanonical(sys, u)
						f = Field(c)
						dim = 2 * n
					} else {
						f = DrivenField(sys)
					}
					energy := func(x []float64) float64 {
						if pr.Momenta {
							return NewCanonical(sys, u).Energy(x[:2*n])
						}
						return sys.Energy(x[:n], x[n:2*n])
					}
					x0, _ := s.Row(i0)
					e0 := energy(x0)
					dst := make([]float64, 2*dim)
					for j := range pr.Points {
						x, dx := s.Row(i0 + j)
						e := energy(x)
						de := math.Abs(e-e0) / math.Max(1, math.Abs(e0))
						if !slices.ContainsFunc(u, func(v float64) bool { return v != 0 }) {
							worstE = math.Max(worstE, de)
							if de > 1e-7 {
								t.Errorf("trajectory %d without input: energy %v at t %v, %v at the start", s.Traj[i0], e, s.T[i0+j], e0)
							}
						} else if de > 1e-3 {
							driven = true
						}
						if j+1 < pr.Points {
							if err := rk.Solve(dst, f, x[:dim], ts); err != nil {
								t.Fatal(err)
							}
							next, _ := s.Row(i0 + j + 1)
							for ii := range dim {
								worstStep = math.Max(worstStep, math.Abs(dst[dim+ii]-next[ii])/(1+math.Abs(next[ii])))
							}
						}
						// The stored derivative is the field at the sample,
						// under the trajectory's input.
						f(dst[:dim], 0, x[:dim])
						for ii := range dim {
							worstDX = math.Max(worstDX, math.Abs(dst[ii]-dx[ii])/(1+math.Abs(dx[ii])))
						}
					}
				}
			}
			t.Logf("worst step residual %.3g, derivative against the field %.3g, energy drift without input %.3g", worstStep, worstDX, worstE)
			if worstStep > 1e-7 {
				t.Errorf("samples leave the true dynamics by %.3g relative between consecutive samples", worstStep)
			}
			if worstDX > 1e-12 {
				t.Errorf("stored derivatives differ from the field at the samples by %.3g relative", worstDX)
			}
			if !driven {
				t.Errorf("no trajectory under an input changed its energy by 1e-3")
			}
		})
	}
}

func TestGenerateDrivenDeterministic(t *testing.T) {
	t.Parallel()
	sys, pr := CartPole{}, CartPoleProtocol()
	pr.Starts = 10
	a, b, c := generateDriven(t, sys, pr, 9), generateDriven(t, sys, pr, 9), generateDriven(t, sys, pr, 10)
	if !equalDatasets(a, b) {
		t.Error("same seed gave different datasets")
	}
	if equalDatasets(a, c) {
		t.Error("different seeds gave the same dataset")
	}
}

// TestGenerateDrivenOneWorker checks that the result does not depend on
// the number of workers. It changes GOMAXPROCS, so it must not run in
// parallel.
func TestGenerateDrivenOneWorker(t *testing.T) {
	pr := PendulumTorqueProtocol()
	pr.Starts = 8
	want := generateDriven(t, TorquePendulum{}, pr, 11)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	if got := generateDriven(t, TorquePendulum{}, pr, 11); !equalDatasets(got, want) {
		t.Error("GOMAXPROCS=1 gave a different dataset")
	}
}

func TestGenerateDrivenBadSettings(t *testing.T) {
	t.Parallel()
	nan, inf := math.NaN(), math.Inf(1)
	for _, c := range []struct {
		name string
		sys  Driven
		edit func(*DrivenProtocol)
	}{
		{"no inputs", DoublePendulum{}, func(pr *DrivenProtocol) {}},
		{"one start", CartPole{}, func(pr *DrivenProtocol) { pr.Starts = 1 }},
		{"no input values", CartPole{}, func(pr *DrivenProtocol) { pr.Inputs = nil }},
		{"NaN input value", CartPole{}, func(pr *DrivenProtocol) { pr.Inputs = []float64{0, nan} }},
		{"values and vectors", CartPole{FullyActuated: true}, func(pr *DrivenProtocol) { pr.InputVectors = [][]float64{{0, 1}} }},
		{"short input vector", CartPole{FullyActuated: true}, func(pr *DrivenProtocol) { *pr = FullyActuatedCartPoleProtocol(); pr.InputVectors[3] = []float64{1} }},
		{"NaN in an input vector", CartPole{FullyActuated: true}, func(pr *DrivenProtocol) { *pr = FullyActuatedCartPoleProtocol(); pr.InputVectors[8][1] = nan }},
		{"no input vectors", CartPole{FullyActuated: true}, func(pr *DrivenProtocol) { pr.Inputs, pr.InputVectors = nil, [][]float64{} }},
		{"one point", CartPole{}, func(pr *DrivenProtocol) { pr.Points = 1 }},
		{"zero step", CartPole{}, func(pr *DrivenProtocol) { pr.Step = 0 }},
		{"infinite step", CartPole{}, func(pr *DrivenProtocol) { pr.Step = inf }},
		{"short box", CartPole{}, func(pr *DrivenProtocol) { pr.Lo = pr.Lo[:3] }},
		{"box for another system", TorquePendulum{}, func(pr *DrivenProtocol) {}},
		{"reversed bound", CartPole{}, func(pr *DrivenProtocol) { pr.Lo = []float64{1, 0, 0, 0} }},
		{"NaN bound", CartPole{}, func(pr *DrivenProtocol) { pr.Hi = []float64{nan, 1, 1, 1} }},
		{"negative rtol", CartPole{}, func(pr *DrivenProtocol) { pr.RTol = -1 }},
		{"zero test fraction", CartPole{}, func(pr *DrivenProtocol) { pr.TestFraction = 0 }},
		{"empty train split", CartPole{}, func(pr *DrivenProtocol) { pr.TestFraction = 0.999 }},
		{"too large", CartPole{}, func(pr *DrivenProtocol) { pr.Points = 1 << 40 }},
	} {
		pr := CartPoleProtocol()
		c.edit(&pr)
		ds, err := GenerateDriven(c.sys, pr, rand.New(rand.NewPCG(0, 0)))
		if !errors.Is(err, errSettings) || ds != nil {
			t.Errorf("%s: GenerateDriven returned (%v, %v), want a settings error", c.name, ds != nil, err)
		}
	}
}

// TestStateBox checks LNN's protocol: shapes, the box, the exact
// derivatives, determinism, and that a second draw into the same set
// does not allocate. It counts allocations, so it must not run in
// parallel.
func TestStateBox(t *testing.T) {
	sys, box := DoublePendulum{}, DoublePendulumBox()
	var s data.Set
	if err := box.Sample(&s, sys, 512, rand.New(rand.NewPCG(1, 2))); err != nil {
		t.Fatal(err)
	}
	if s.Dim != 4 || s.Len() != 512 || len(s.DX) != len(s.X) || !s.Layout.Velocities || !slices.Equal(s.Layout.Angles, []int{0, 1}) {
		t.Fatalf("Dim %d, Len %d, len(DX) %d, layout %+v", s.Dim, s.Len(), len(s.DX), s.Layout)
	}
	acc := make([]float64, 2)
	for i := range s.Len() {
		x, dx := s.Row(i)
		for j, v := range x {
			if !(v >= box.Lo[j] && v < box.Hi[j]) {
				t.Fatalf("row %d: %v outside the box", i, x)
			}
		}
		sys.Accel(acc, x[:2], x[2:], nil)
		if dx[0] != x[2] || dx[1] != x[3] || dx[2] != acc[0] || dx[3] != acc[1] {
			t.Fatalf("row %d: derivative %v, want (q-dot, q-ddot) = %v %v", i, dx, x[2:], acc)
		}
	}
	var again data.Set
	if err := box.Sample(&again, sys, 512, rand.New(rand.NewPCG(1, 2))); err != nil || !slices.Equal(again.X, s.X) {
		t.Errorf("same seed gave different states (%v)", err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	if allocs := testing.AllocsPerRun(10, func() { _ = box.Sample(&s, sys, 256, rng) }); allocs != 0 {
		t.Errorf("Sample into a large enough set allocated %v times", allocs)
	}
	torque := DoublePendulum{Torques: true}
	if err := box.Sample(&s, torque, 3, rng); err != nil || s.Dim != 6 || s.X[4] != 0 || s.X[5] != 0 || s.Layout.Inputs != 2 {
		t.Errorf("with inputs: Dim %d, row %v, layout %+v, err %v; want zero input columns", s.Dim, s.X[:6], s.Layout, err)
	}
	for _, c := range []struct {
		name string
		b    StateBox
		rows int
	}{
		{"zero rows", box, 0},
		{"too many rows", box, 1 << 40},
		{"short box", StateBox{Lo: box.Lo[:2], Hi: box.Hi}, 4},
		{"reversed", StateBox{Lo: box.Hi, Hi: box.Lo}, 4},
		{"NaN", StateBox{Lo: []float64{math.NaN(), 0, 0, 0}, Hi: box.Hi}, 4},
	} {
		if err := c.b.Sample(&s, sys, c.rows, rng); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
}

// TestGenerateDrivenSameStarts checks that the starts depend on the seed
// and the box only: SymODEN's 40-sample evaluation from the test starts
// with u = 0 is the same protocol with other Points and Inputs, and its
// trajectories must continue the data's u = 0 trajectories: the starts
// exactly, the later samples to the solver's tolerance (its steps near
// the end depend on the last output time), 1e-8 relative.
func TestGenerateDrivenSameStarts(t *testing.T) {
	t.Parallel()
	pr := PendulumEmbedProtocol()
	pr.Starts = 10
	ds := generateDriven(t, TorquePendulum{}, pr, 3)
	ev := pr
	ev.Points, ev.Inputs = 40, []float64{0}
	truth := generateDriven(t, TorquePendulum{}, ev, 3)
	// u = 0 is the first input value: the first test trajectories.
	for s := range 5 {
		for j := range pr.Points {
			a := ds.Test.X[(s*pr.Points+j)*3 : (s*pr.Points+j+1)*3]
			b := truth.Test.X[(s*ev.Points+j)*3 : (s*ev.Points+j+1)*3]
			if d := math.Abs(a[0]-b[0]) + math.Abs(a[1]-b[1]); d > 1e-8*(1+math.Abs(a[0])+math.Abs(a[1])) || (j == 0 && !slices.Equal(a, b)) || a[2] != b[2] {
				t.Fatalf("test start %d, sample %d: data %v, 40-sample truth %v", s, j, a, b)
			}
		}
	}
	if truth.Test.Len() != 5*40 {
		t.Errorf("truth has %d test rows, want 200", truth.Test.Len())
	}
}
