package systems

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/hnn-go/hnn/ode"
)

func TestNBodySystem(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	for _, sys := range []NBody{
		{Bodies: 2},
		{Bodies: 3},
		{Bodies: 3, G: 0.7, Masses: []float64{1, 2, 0.5}, Softening: 0.1},
		{Bodies: 4, Masses: []float64{1, 1.5, 0.8, 1.2}},
	} {
		var xs [][]float64
		for range 4 {
			x := make([]float64, sys.Dim())
			for i := range sys.Bodies {
				// Bodies on a ring of radius about 1, a body's angle
				// spread so no pair is closer than about 0.5.
				th := 2*math.Pi*float64(i)/float64(sys.Bodies) + 0.3*rng.Float64()
				rad := 0.8 + 0.4*rng.Float64()
				sys.SetBody(x, i, rad*math.Cos(th), rad*math.Sin(th), rng.NormFloat64(), rng.NormFloat64())
			}
			xs = append(xs, x)
		}
		checkSystem(t, sys, xs)
	}
	mustPanic(t, "zero bodies", func() { NBody{}.Dim() })
	mustPanic(t, "mass count", func() { NBody{Bodies: 2, Masses: []float64{1}}.Dim() })
	mustPanic(t, "body index", func() { NBody{Bodies: 2}.Body(make([]float64, 8), 2) })
}

func TestNBodyNames(t *testing.T) {
	t.Parallel()
	for n, want := range map[int]string{2: "two-body", 3: "three-body", 5: "5-body"} {
		if got := (NBody{Bodies: n}).Name(); got != want {
			t.Errorf("NBody{Bodies: %d}.Name() = %q, want %q", n, got, want)
		}
	}
}

// TestNBodyLayout checks the documented state order, which is the
// reference's [x1, x2, y1, y2, px1, px2, py1, py2] for two bodies, and that
// SetBody and Body round-trip.
func TestNBodyLayout(t *testing.T) {
	t.Parallel()
	sys := NBody{Bodies: 2}
	x := make([]float64, sys.Dim())
	sys.SetBody(x, 0, 1, 2, 3, 4)
	sys.SetBody(x, 1, 5, 6, 7, 8)
	want := []float64{1, 5, 2, 6, 3, 7, 4, 8}
	for i := range want {
		if x[i] != want[i] {
			t.Fatalf("state %v, want the reference's order %v", x, want)
		}
	}
	s3 := NBody{Bodies: 3}
	rng := rand.New(rand.NewPCG(1, 1))
	y := make([]float64, s3.Dim())
	for i := range y {
		y[i] = rng.NormFloat64()
	}
	z := make([]float64, s3.Dim())
	for i := range 3 {
		qx, qy, px, py := s3.Body(y, i)
		s3.SetBody(z, i, qx, qy, px, py)
	}
	for i := range y {
		if y[i] != z[i] {
			t.Fatalf("Body then SetBody gave %v from %v", z, y)
		}
	}
	px, py := sys.Momentum(x)
	if px != 10 || py != 12 {
		t.Errorf("Momentum = (%v, %v), want (10, 12)", px, py)
	}
	// L = x1 py1 - y1 px1 + x2 py2 - y2 px2 = 4 - 6 + 40 - 42.
	if l := sys.AngularMomentum(x); l != -4 {
		t.Errorf("AngularMomentum = %v, want -4", l)
	}
	if d := sys.MinDistance(x); math.Abs(d-math.Sqrt(32)) > 1e-15 {
		t.Errorf("MinDistance = %v, want sqrt(32)", d)
	}
}

// TestNBodyCircularOrbit checks a circular two-body orbit against its
// closed form: unit masses at +-(r, 0) with velocities -+(0, v),
// v = 1/(2 sqrt r), rotate rigidly with angular velocity v/r.
func TestNBodyCircularOrbit(t *testing.T) {
	t.Parallel()
	sys := NBody{Bodies: 2}
	const r = 0.8
	v := 1 / (2 * math.Sqrt(r))
	w := v / r
	x0 := make([]float64, sys.Dim())
	sys.SetBody(x0, 0, r, 0, 0, v)
	sys.SetBody(x0, 1, -r, 0, 0, -v)
	period := 2 * math.Pi / w
	ts := []float64{0, period / 4, period / 2, period, 3 * period}
	out := make([]float64, len(ts)*sys.Dim())
	if err := (ode.DormandPrince{RTol: 1e-12, ATol: 1e-12}).Solve(out, Field(sys), x0, ts); err != nil {
		t.Fatal(err)
	}
	for k, tk := range ts {
		x := out[k*8 : (k+1)*8]
		c, s := math.Cos(w*tk), math.Sin(w*tk)
		want := make([]float64, 8)
		sys.SetBody(want, 0, r*c, r*s, -v*s, v*c)
		sys.SetBody(want, 1, -r*c, -r*s, v*s, -v*c)
		for i := range want {
			// Tolerance 1e-9: rtol 1e-12 per step over three periods
			// (a few thousand steps) of a neutrally stable orbit.
			if math.Abs(x[i]-want[i]) > 1e-9 {
				t.Errorf("t = %v: state %v, closed form %v", tk, x, want)
				break
			}
		}
	}
}

// TestNBodyConservation integrates a three-body orbit with unequal masses
// and checks energy, momentum and angular momentum along it.
func TestNBodyConservation(t *testing.T) {
	t.Parallel()
	sys := NBody{Bodies: 3, Masses: []float64{1, 1.3, 0.7}}
	x0 := ThreeBodyStart(rand.New(rand.NewPCG(5, 6)))
	ts := make([]float64, 51)
	for i := range ts {
		ts[i] = 0.1 * float64(i)
	}
	out := make([]float64, len(ts)*sys.Dim())
	if err := (ode.DormandPrince{RTol: 1e-12, ATol: 1e-12}).Solve(out, Field(sys), x0, ts); err != nil {
		t.Fatal(err)
	}
	e0, l0 := sys.Energy(x0), sys.AngularMomentum(x0)
	px0, py0 := sys.Momentum(x0)
	for k := range ts {
		x := out[k*12 : (k+1)*12]
		px, py := sys.Momentum(x)
		// Runge-Kutta methods conserve linear invariants exactly, so the
		// momentum changes only by rounding: 1e-13 allows ~1000 steps of
		// rounding at eps ~ 1e-16. Energy and angular momentum are
		// conserved to the local tolerance 1e-12 accumulated over the
		// steps: 1e-9 relative.
		if math.Abs(px-px0) > 1e-13 || math.Abs(py-py0) > 1e-13 {
			t.Errorf("t = %v: momentum (%v, %v), at 0 (%v, %v)", ts[k], px, py, px0, py0)
		}
		if e := sys.Energy(x); math.Abs(e-e0) > 1e-9*math.Abs(e0) {
			t.Errorf("t = %v: energy %v, at 0 %v", ts[k], e, e0)
		}
		if l := sys.AngularMomentum(x); math.Abs(l-l0) > 1e-9*math.Abs(l0) {
			t.Errorf("t = %v: angular momentum %v, at 0 %v", ts[k], l, l0)
		}
	}
}
