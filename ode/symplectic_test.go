package ode

import (
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/stat"
)

// symplecticMethods are the symplectic integrators at a given step, with
// their order and whether they need a separable field.
func symplecticMethods(step float64) []struct {
	ig        Integrator
	order     float64
	separable bool
} {
	return []struct {
		ig        Integrator
		order     float64
		separable bool
	}{
		{Leapfrog{Step: step}, 2, true},
		{Yoshida4{Step: step}, 4, true},
		{ImplicitMidpoint{Step: step}, 2, false},
	}
}

// kepler is a body around a fixed centre, H = |p|^2/2 - 1/|q|, state
// (qx, qy, px, py): separable.
func kepler(dst []float64, _ float64, x []float64) {
	r := math.Hypot(x[0], x[1])
	r3 := r * r * r
	dst[0], dst[1] = x[2], x[3]
	dst[2], dst[3] = -x[0]/r3, -x[1]/r3
}

func keplerEnergy(x []float64) float64 {
	return (x[2]*x[2]+x[3]*x[3])/2 - 1/math.Hypot(x[0], x[1])
}

// keplerStart is the pericentre of an orbit of eccentricity 0.5 and
// semi-major axis 1 (period 2 pi).
var keplerStart = []float64{0.5, 0, 0, math.Sqrt(3)}

// TestSymplecticOrder fits the slope of log(final error) against log(step)
// on the harmonic oscillator over t in [0, 10]: within 0.3 of each method's
// order.
func TestSymplecticOrder(t *testing.T) {
	t.Parallel()
	x0 := []float64{1, 0.5}
	ts := []float64{0, 10}
	want := exactTrajectory(x0, ts)
	for _, m := range symplecticMethods(0) {
		var logH, logE []float64
		for _, h := range []float64{0.2, 0.1, 0.05, 0.025} {
			ig, _ := New(m.ig.Name(), Options{Step: h, Tol: 1e-14})
			dst := make([]float64, 4)
			if err := ig.Solve(dst, oscillator, x0, ts); err != nil {
				t.Fatal(err)
			}
			logH = append(logH, math.Log(h))
			logE = append(logE, math.Log(maxAbsDiff(dst[2:], want[2:])))
		}
		_, slope := stat.LinearRegression(logH, logE, nil, false)
		if math.Abs(slope-m.order) > 0.3 {
			t.Errorf("%s: convergence slope %.2f, want %v ± 0.3", m.ig.Name(), slope, m.order)
		}
	}
}

// TestBoundedEnergy runs 100,000 steps on the harmonic oscillator and on a
// Kepler orbit of eccentricity 0.5: the symplectic methods keep the energy
// error bounded (its maximum over the whole run is within twice its maximum
// over the first tenth) while RK4 at the same step drifts, ending at least
// 10x further off.
func TestBoundedEnergy(t *testing.T) {
	t.Parallel()
	const steps = 100_000
	for _, c := range []struct {
		name   string
		f      Func
		energy func([]float64) float64
		x0     []float64
		h      float64
	}{
		{"oscillator", oscillator, func(x []float64) float64 { return (x[0]*x[0] + x[1]*x[1]) / 2 }, []float64{1, 0}, 0.3},
		{"kepler", kepler, keplerEnergy, keplerStart, 0.15},
	} {
		e0 := c.energy(c.x0)
		ts := linspace(0, steps*c.h, 1001)
		run := func(ig Integrator) (early, all, last float64) {
			dst := make([]float64, len(ts)*len(c.x0))
			if err := ig.Solve(dst, c.f, c.x0, ts); err != nil {
				t.Fatalf("%s %s: %v", c.name, ig.Name(), err)
			}
			d := len(c.x0)
			for i := range ts {
				e := math.Abs(c.energy(dst[i*d:(i+1)*d]) - e0)
				all = max(all, e)
				if i <= len(ts)/10 {
					early = all
				}
				last = e
			}
			return early, all, last
		}
		_, _, rk := run(RK4{Step: c.h})
		for _, ig := range []Integrator{Leapfrog{Step: c.h}, ImplicitMidpoint{Step: c.h}} {
			early, all, _ := run(ig)
			t.Logf("%s: energy error %s: first tenth %.3g, all %.3g; rk4 at the end %.3g", c.name, ig.Name(), early, all, rk)
			// Round-off accumulates like a random walk below 1e-8 (implicit
			// midpoint conserves the oscillator's quadratic energy exactly).
			if !(all <= 2*early+1e-8*math.Abs(e0)) || !(rk > 10*all) {
				t.Errorf("%s: energy error %s: first tenth %.3g, all %.3g; rk4 at the end %.3g; want bounded and rk4 10x larger", c.name, ig.Name(), early, all, rk)
			}
		}
	}
}

// nonSeparable is the field of H = (q^2 + p^2)/2 + q^2 p^2 / 2.
func nonSeparable(dst []float64, _ float64, x []float64) {
	q, p := x[0], x[1]
	dst[0] = p + q*q*p
	dst[1] = -(q + q*p*p)
}

// stepper returns the single-step function of a symplectic method.
func stepper(name string, f Func, d int) stepFunc {
	switch name {
	case "leapfrog":
		return newVerlet(f, d).step
	case "yoshida4":
		s := newVerlet(f, d)
		return func(x []float64, t, h float64) error { return yoshidaStep(s, x, t, h) }
	}
	return newMidpoint(f, d, 1e-14, 100).step
}

// jacobian returns the Jacobian of the one-step map of method name at x by
// central differences, row-major d x d.
func jacobian(name string, f Func, x []float64, h float64) []float64 {
	d := len(x)
	m := make([]float64, d*d)
	const eps = 1e-6
	for j := range d {
		a, b := append([]float64(nil), x...), append([]float64(nil), x...)
		a[j] += eps
		b[j] -= eps
		stepper(name, f, d)(a, 0, h)
		stepper(name, f, d)(b, 0, h)
		for i := range d {
			m[i*d+j] = (a[i] - b[i]) / (2 * eps)
		}
	}
	return m
}

// TestSymplecticForm checks M^T J M = J for the Jacobian M of one step:
// implicit midpoint on a non-separable H, leapfrog and Yoshida on the
// pendulum; and that RK4's one-step map is not symplectic to the same
// accuracy (the test can fail).
func TestSymplecticForm(t *testing.T) {
	t.Parallel()
	formErr := func(m []float64) float64 {
		// For d = 2, M^T J M = det(M) J.
		return math.Abs(m[0]*m[3] - m[1]*m[2] - 1)
	}
	for _, c := range []struct {
		name string
		f    Func
	}{{"implicit-midpoint", nonSeparable}, {"leapfrog", pendulum}, {"yoshida4", pendulum}} {
		if e := formErr(jacobian(c.name, c.f, []float64{0.8, -0.6}, 0.3)); e > 1e-8 {
			t.Errorf("%s: |det M - 1| = %.3g, want below 1e-8", c.name, e)
		}
	}
	// RK4's map at the same step changes the area by far more.
	x := []float64{0.8, -0.6}
	d := 2
	m := make([]float64, 4)
	const eps = 1e-6
	for j := range d {
		a, b := append([]float64(nil), x...), append([]float64(nil), x...)
		a[j] += eps
		b[j] -= eps
		da, db := make([]float64, 4), make([]float64, 4)
		RK4{}.Solve(da, nonSeparable, a, []float64{0, 0.3})
		RK4{}.Solve(db, nonSeparable, b, []float64{0, 0.3})
		for i := range d {
			m[i*d+j] = (da[2+i] - db[2+i]) / (2 * eps)
		}
	}
	if e := formErr(m); !(e > 1e-6) {
		t.Errorf("rk4: |det M - 1| = %.3g; the check cannot tell a non-symplectic map", e)
	}
}

// TestReversible steps forward n times with h and back n times with -h.
func TestReversible(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		f    Func
	}{{"leapfrog", kepler}, {"yoshida4", kepler}, {"implicit-midpoint", kepler}} {
		x := append([]float64(nil), keplerStart...)
		st := stepper(c.name, c.f, 4)
		for range 200 {
			st(x, 0, 0.01)
		}
		back := stepper(c.name, c.f, 4)
		for range 200 {
			back(x, 0, -0.01)
		}
		if e := maxAbsDiff(x, keplerStart); e > 1e-10 {
			t.Errorf("%s: forward and back is %.3g off the start", c.name, e)
		}
	}
}

// TestSymplecticAgreesWithDopri5 integrates the pendulum at a small step
// and compares with Dormand-Prince at tight tolerance.
func TestSymplecticAgreesWithDopri5(t *testing.T) {
	t.Parallel()
	x0 := []float64{1.2, 0}
	ts := linspace(0, 5, 11)
	ref := make([]float64, len(ts)*2)
	if err := (DormandPrince{RTol: 1e-12, ATol: 1e-12}).Solve(ref, pendulum, x0, ts); err != nil {
		t.Fatal(err)
	}
	for _, m := range symplecticMethods(1e-3) {
		dst := make([]float64, len(ts)*2)
		if err := m.ig.Solve(dst, pendulum, x0, ts); err != nil {
			t.Fatal(err)
		}
		if e := maxAbsDiff(dst, ref); e > 1e-5 {
			t.Errorf("%s: %.3g off Dormand-Prince", m.ig.Name(), e)
		}
	}
}

func TestSymplecticErrors(t *testing.T) {
	t.Parallel()
	for _, ig := range []Integrator{Leapfrog{}, Yoshida4{}} {
		err := ig.Solve(make([]float64, 6), oscillator, []float64{1, 2, 3}, []float64{0, 1})
		if err == nil || !strings.Contains(err.Error(), "odd") {
			t.Errorf("%s with odd dimension: err = %v", ig.Name(), err)
		}
	}
	// A stiff field with a huge step: the fixed point diverges.
	stiff := func(dst []float64, _ float64, x []float64) { dst[0], dst[1] = -1000*x[0], -1000*x[1] }
	err := ImplicitMidpoint{Step: 1}.Solve(make([]float64, 4), stiff, []float64{1, 1}, []float64{0, 1})
	if err == nil || !strings.Contains(err.Error(), "did not converge") {
		t.Errorf("stiff field: err = %v, want a convergence error", err)
	}
	for _, o := range []Options{{Tol: -1}, {Tol: math.NaN()}, {MaxIter: -2}} {
		if _, err := New("implicit-midpoint", o); err == nil {
			t.Errorf("New with %+v: no error", o)
		}
	}
}

// TestSymplecticAllocs checks that Solve allocates a fixed number of times,
// whatever the number of steps.
func TestSymplecticAllocs(t *testing.T) {
	for _, m := range symplecticMethods(0.01) {
		allocs := func(n int) float64 {
			ts := []float64{0, float64(n) * 0.01}
			dst := make([]float64, 4)
			return testing.AllocsPerRun(5, func() { m.ig.Solve(dst, oscillator, []float64{1, 0}, ts) })
		}
		if a, b := allocs(10), allocs(1000); a != b {
			t.Errorf("%s: %v allocations for 10 steps, %v for 1000", m.ig.Name(), a, b)
		}
	}
}

func BenchmarkSymplectic(b *testing.B) {
	for _, m := range symplecticMethods(0.01) {
		for _, n := range []int{100, 10000} {
			b.Run(m.ig.Name()+"/"+map[int]string{100: "small", 10000: "large"}[n], func(b *testing.B) {
				ts := []float64{0, float64(n) * 0.01}
				dst := make([]float64, 8)
				for b.Loop() {
					m.ig.Solve(dst, kepler, keplerStart, ts)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/step")
			})
		}
	}
}
