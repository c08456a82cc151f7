package ode

import (
	"math"
	"strings"
	"testing"
)

// oscillator is the harmonic oscillator d²x/dt² = -x as the first-order system
// (x, v)' = (v, -x).
func oscillator(dst []float64, _ float64, x []float64) {
	dst[0] = x[1]
	dst[1] = -x[0]
}

// oscillatorExact writes the closed-form solution of oscillator from x0 at
// time 0 into dst at time t.
func oscillatorExact(dst []float64, t float64, x0 []float64) {
	s, c := math.Sincos(t)
	dst[0] = x0[0]*c + x0[1]*s
	dst[1] = -x0[0]*s + x0[1]*c
}

// pendulum is the nonlinear pendulum (q, p)' = (p, -sin q).
func pendulum(dst []float64, _ float64, x []float64) {
	dst[0] = x[1]
	dst[1] = -math.Sin(x[0])
}

// linspace returns n evenly spaced times from a to b inclusive.
func linspace(a, b float64, n int) []float64 {
	ts := make([]float64, n)
	for i := range ts {
		ts[i] = a + (b-a)*float64(i)/float64(n-1)
	}
	ts[n-1] = b
	return ts
}

// maxAbsDiff returns max_i |a[i] - b[i]|. It panics if the lengths differ.
func maxAbsDiff(a, b []float64) float64 {
	if len(a) != len(b) {
		panic("length mismatch")
	}
	var m float64
	for i := range a {
		m = max(m, math.Abs(a[i]-b[i]))
	}
	return m
}

// exactTrajectory returns the closed-form oscillator trajectory from x0 at
// the times ts, laid out as Solve's dst.
func exactTrajectory(x0, ts []float64) []float64 {
	d := len(x0)
	want := make([]float64, len(ts)*d)
	for i, t := range ts {
		oscillatorExact(want[i*d:(i+1)*d], t-ts[0], x0)
	}
	return want
}

// mustPanic fails t unless fn panics with a message that starts with "ode: ".
func mustPanic(t *testing.T, name string, fn func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if r == nil {
			t.Errorf("%s: no panic", name)
			return
		}
		if s, ok := r.(string); !ok || !strings.HasPrefix(s, "ode: ") {
			t.Errorf("%s: panic %v, want a string starting with %q", name, r, "ode: ")
		}
	}()
	fn()
}

// agreesWithDopri5 integrates f from x0 over [0, end] at 11 output times
// with ig and with Dormand-Prince at rtol = atol = 1e-12 (error ~1e-11), and
// fails the test unless they agree to tol.
func agreesWithDopri5(t *testing.T, name string, ig Integrator, f Func, x0 []float64, end, tol float64) {
	t.Helper()
	ts := linspace(0, end, 11)
	d := len(x0)
	ref := make([]float64, len(ts)*d)
	if err := (DormandPrince{RTol: 1e-12, ATol: 1e-12}).Solve(ref, f, x0, ts); err != nil {
		t.Fatal(err)
	}
	got := make([]float64, len(ts)*d)
	if err := ig.Solve(got, f, x0, ts); err != nil {
		t.Fatal(err)
	}
	e := maxAbsDiff(got, ref)
	t.Logf("%s: %s %.3g off Dormand-Prince", name, ig.Name(), e)
	if e > tol {
		t.Errorf("%s: %s %.3g off Dormand-Prince, want at most %g", name, ig.Name(), e, tol)
	}
}
