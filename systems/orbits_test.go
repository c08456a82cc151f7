package systems

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// checkOrbits checks the invariants of generated orbits: finite values,
// rows equal to the clean states with their exact field, no pair closer
// than the threshold at the output times, and energy and momentum conserved
// along each orbit. Energy tolerance 1e-7 relative: the ground truth's
// rtol = atol = 1e-9 per step accumulates over a few hundred to a few
// thousand steps; momentum 1e-12 absolute, since Runge-Kutta methods keep
// linear invariants up to rounding.
func checkOrbits(t *testing.T, o Orbits, od *OrbitData) {
	t.Helper()
	sys, d, m := o.System, o.System.Dim(), o.Points
	if len(od.States) != o.Count*m*d || len(od.X0) != o.Count*d {
		t.Fatalf("%d states and %d starts, want %d and %d", len(od.States), len(od.X0), o.Count*m*d, o.Count*d)
	}
	for i, v := range od.States {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("state value %d is %v", i, v)
		}
	}
	dmin := o.MinDistance
	if dmin == 0 {
		dmin = DefaultMinDistance
	}
	for k := range o.Count {
		orbit := od.States[k*m*d : (k+1)*m*d]
		if !slices.Equal(orbit[:d], od.X0[k*d:(k+1)*d]) {
			t.Fatalf("orbit %d does not start at its start", k)
		}
		e0 := sys.Energy(orbit[:d])
		px0, py0 := sys.Momentum(orbit[:d])
		for j := range m {
			x := orbit[j*d : (j+1)*d]
			if e := sys.Energy(x); math.Abs(e-e0) > 1e-7*math.Abs(e0) {
				t.Fatalf("orbit %d point %d: energy %v, at start %v", k, j, e, e0)
			}
			if px, py := sys.Momentum(x); math.Abs(px-px0) > 1e-12 || math.Abs(py-py0) > 1e-12 {
				t.Fatalf("orbit %d point %d: momentum (%v, %v), at start (%v, %v)", k, j, px, py, px0, py0)
			}
			if dist := sys.MinDistance(x); dist < dmin {
				t.Fatalf("orbit %d point %d: bodies %v apart, below the threshold %v", k, j, dist, dmin)
			}
		}
	}
	nTest := int(math.Round(o.TestFraction * float64(o.Count)))
	for _, c := range []struct {
		name   string
		rows   int
		lo, hi int
		traj   []int
		x, dx  []float64
		setDim int
	}{
		{"test", nTest * m, 0, nTest, od.Dataset.Test.Traj, od.Dataset.Test.X, od.Dataset.Test.DX, od.Dataset.Test.Dim},
		{"train", (o.Count - nTest) * m, nTest, o.Count, od.Dataset.Train.Traj, od.Dataset.Train.X, od.Dataset.Train.DX, od.Dataset.Train.Dim},
	} {
		if c.setDim != d || len(c.x) != c.rows*d || len(c.dx) != c.rows*d || len(c.traj) != c.rows {
			t.Fatalf("%s: dim %d with %d values, want dim %d and %d rows", c.name, c.setDim, len(c.x), d, c.rows)
		}
		if c.traj[0] != c.lo || c.traj[len(c.traj)-1] != c.hi-1 {
			t.Errorf("%s: orbits %d..%d, want %d..%d", c.name, c.traj[0], c.traj[len(c.traj)-1], c.lo, c.hi-1)
		}
		if !slices.Equal(c.x, od.States[c.lo*m*d:c.hi*m*d]) {
			t.Errorf("%s: X is not the clean states", c.name)
		}
		f := make([]float64, d)
		for r := 0; r < c.rows; r += 7 {
			sys.Field(f, c.x[r*d:(r+1)*d])
			if !slices.Equal(f, c.dx[r*d:(r+1)*d]) {
				t.Fatalf("%s row %d: DX is not the exact field", c.name, r)
			}
		}
	}
}

func TestGenerateTwoBody(t *testing.T) {
	t.Parallel()
	o := TwoBodyProtocol()
	od, err := GenerateOrbits(o, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	checkOrbits(t, o, od)
	if got := od.Dataset.Train.Len(); got != 40000 || got != o.TrainRows() || od.Dataset.Test.Len() != 10000 {
		t.Errorf("train %d, test %d rows; want 40000 (TrainRows %d) and 10000", got, od.Dataset.Test.Len(), o.TrainRows())
	}
	// Near-circular orbits never come close: the bodies stay at least
	// about 1.2 apart.
	if od.Rejected != 0 {
		t.Errorf("%d two-body orbits rejected, want 0", od.Rejected)
	}
	for k := range o.Count {
		x := od.X0[k*8 : (k+1)*8]
		qx, qy, _, _ := o.System.Body(x, 0)
		if qx < 0.5 || qx >= 1.5 || qy < 0.5 || qy >= 1.5 {
			t.Fatalf("orbit %d: body 1 starts at (%v, %v), outside [0.5, 1.5)^2", k, qx, qy)
		}
		if px, py := o.System.Momentum(x); px != 0 || py != 0 {
			t.Fatalf("orbit %d: total momentum (%v, %v), want 0", k, px, py)
		}
	}
	again, err := GenerateOrbits(o, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(again.States, od.States) {
		t.Error("the same seed gave different orbits")
	}
}

func TestGenerateThreeBody(t *testing.T) {
	t.Parallel()
	o := ThreeBodyProtocol()
	o.Count = 400
	od, err := GenerateOrbits(o, rand.New(rand.NewPCG(3, 4)))
	if err != nil {
		t.Fatal(err)
	}
	checkOrbits(t, o, od)
	t.Logf("%d of %d three-body starts rejected", od.Rejected, o.Count+od.Rejected)
	for k := range o.Count {
		x := od.X0[k*12 : (k+1)*12]
		for i := range 3 {
			qx, qy, _, _ := o.System.Body(x, i)
			if r := math.Hypot(qx, qy); r < 0.9-1e-12 || r >= 1.2+1e-12 {
				t.Fatalf("orbit %d body %d starts at radius %v, outside [0.9, 1.2)", k, i, r)
			}
		}
	}
	// A stricter threshold rejects more, and a rerun gives the same data.
	o.MinDistance = 0.5
	strict, err := GenerateOrbits(o, rand.New(rand.NewPCG(3, 4)))
	if err != nil {
		t.Fatal(err)
	}
	checkOrbits(t, o, strict)
	if strict.Rejected <= od.Rejected {
		t.Errorf("threshold 0.5 rejected %d, threshold %v %d; want more", strict.Rejected, DefaultMinDistance, od.Rejected)
	}
	again, _ := GenerateOrbits(o, rand.New(rand.NewPCG(3, 4)))
	if again == nil || again.Rejected != strict.Rejected || !slices.Equal(again.States, strict.States) {
		t.Error("the same seed gave different orbits")
	}
}

// collision returns a two-body start on a collision course: the bodies at
// rest 1 apart fall into each other within t ~ 0.8.
func collision(*rand.Rand) []float64 {
	x := make([]float64, 8)
	NBody{Bodies: 2}.SetBody(x, 0, 0.5, 0, 0, 0)
	NBody{Bodies: 2}.SetBody(x, 1, -0.5, 0, 0, 0)
	return x
}

func TestGenerateOrbitsCollision(t *testing.T) {
	t.Parallel()
	o := TwoBodyProtocol()
	o.Count = 20
	if err := o.Accept(collision(nil)); err == nil {
		t.Error("Accept(collision course) = nil")
	}
	// Every third draw is a collision course: those are rejected and
	// replaced, and no NaN reaches the data.
	calls := 0
	o.Start = func(rng *rand.Rand) []float64 {
		calls++
		if calls%3 == 1 {
			return collision(rng)
		}
		return TwoBodyStart(rng)
	}
	od, err := GenerateOrbits(o, rand.New(rand.NewPCG(9, 9)))
	if err != nil {
		t.Fatal(err)
	}
	checkOrbits(t, o, od)
	if od.Rejected < 7 {
		t.Errorf("%d starts rejected, want at least the 7 collision courses among the first 20 draws", od.Rejected)
	}
	// Only collision courses: a clear error, no panic.
	o.Start = collision
	_, err = GenerateOrbits(o, rand.New(rand.NewPCG(9, 9)))
	if err == nil || !strings.Contains(err.Error(), "rejected") {
		t.Errorf("all starts colliding: error %v, want one saying starts were rejected", err)
	}
}

func TestGenerateOrbitsSettings(t *testing.T) {
	t.Parallel()
	for name, mod := range map[string]func(*Orbits){
		"one body":  func(o *Orbits) { o.System = NBody{Bodies: 1} },
		"no start":  func(o *Orbits) { o.Start = nil },
		"count":     func(o *Orbits) { o.Count = 1 },
		"points":    func(o *Orbits) { o.Points = 1 },
		"tend":      func(o *Orbits) { o.TEnd = math.Inf(1) },
		"rtol":      func(o *Orbits) { o.RTol = -1 },
		"fraction":  func(o *Orbits) { o.TestFraction = 0 },
		"min dist":  func(o *Orbits) { o.MinDistance = math.NaN() },
		"max steps": func(o *Orbits) { o.MaxSteps = -1 },
	} {
		o := TwoBodyProtocol()
		o.Count = 10
		mod(&o)
		if _, err := GenerateOrbits(o, rand.New(rand.NewPCG(1, 1))); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestOrbitsInitialState(t *testing.T) {
	t.Parallel()
	o := ThreeBodyProtocol()
	rng := rand.New(rand.NewPCG(2, 2))
	for range 20 {
		x := o.InitialState(rng)
		if err := o.Accept(x); err != nil {
			t.Fatalf("InitialState gave a rejected start: %v", err)
		}
	}
}

func BenchmarkGenerateTwoBody(b *testing.B) {
	o := TwoBodyProtocol()
	for b.Loop() {
		if _, err := GenerateOrbits(o, rand.New(rand.NewPCG(1, 2))); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGenerateThreeBody(b *testing.B) {
	o := ThreeBodyProtocol()
	for b.Loop() {
		if _, err := GenerateOrbits(o, rand.New(rand.NewPCG(1, 2))); err != nil {
			b.Fatal(err)
		}
	}
}

// TestOrbitsEnergyTolerance checks that a ground truth whose energy error
// exceeds the tolerance is rejected with a message saying so: a loose
// integrator tolerance against a tight energy tolerance rejects every orbit.
func TestOrbitsEnergyTolerance(t *testing.T) {
	t.Parallel()
	o := TwoBodyProtocol()
	o.Count, o.Points = 4, 10
	o.RTol, o.EnergyTol = 1e-3, 1e-12
	_, err := GenerateOrbits(o, rand.New(rand.NewPCG(1, 2)))
	if err == nil || !strings.Contains(err.Error(), "lost accuracy") {
		t.Fatalf("err = %v, want an energy-accuracy rejection", err)
	}
	if err := o.Accept(TwoBodyStart(rand.New(rand.NewPCG(1, 2)))); err == nil {
		t.Error("Accept took an orbit whose energy error exceeds the tolerance")
	}
	o.EnergyTol = 0
	o.RTol = 1e-9
	if _, err := GenerateOrbits(o, rand.New(rand.NewPCG(1, 2))); err != nil {
		t.Fatalf("default tolerances: %v", err)
	}
}
