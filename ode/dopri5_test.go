package ode

import (
	"math"
	"testing"
)

func TestDormandPrinceTolerance(t *testing.T) {
	t.Parallel()
	// The tolerance bounds the local error of each step, not the global
	// error: over [0, 20] (about three periods) the local errors of a few
	// hundred steps add up along the orbit, and the error norm is relative
	// to ATol + RTol*|x| ~ 2*tol for a unit-amplitude state, so the global
	// error is a modest multiple of tol. 50 leaves room for that
	// accumulation while still catching a wrong error estimate, which would
	// miss by orders of magnitude.
	const factor = 50
	x0 := []float64{1, 0.5}
	ts := linspace(0, 20, 100)
	want := exactTrajectory(x0, ts)
	prev := math.Inf(1)
	for _, tol := range []float64{1e-4, 1e-6, 1e-8, 1e-10} {
		got := make([]float64, len(want))
		err := DormandPrince{RTol: tol, ATol: tol}.Solve(got, oscillator, x0, ts)
		if err != nil {
			t.Fatalf("tol=%g: unexpected error: %v", tol, err)
		}
		e := maxAbsDiff(got, want)
		t.Logf("tol=%g: max error %.3g (%.2g*tol)", tol, e, e/tol)
		if e > factor*tol {
			t.Errorf("tol=%g: max error %g > %g*tol", tol, e, float64(factor))
		}
		if !(e < prev) {
			t.Errorf("tol=%g: max error %g not below %g at the previous tolerance", tol, e, prev)
		}
		prev = e
	}
}

func TestDormandPrinceDenseOutput(t *testing.T) {
	t.Parallel()
	// With a loose tolerance the steps are long (about 0.3-0.5 here), so
	// the 5000 output times fall mostly inside steps and are produced by
	// the continuous extension. A wrong interpolant (a linear or a
	// 3rd-order Hermite one, or a mistyped coefficient) errs by h^2/8 or
	// h^4/384 ~ 1e-2 to 1e-4, far above the bound.
	const tol = 1e-7
	x0 := []float64{0.3, -1}
	dense := linspace(0, 20, 5000)
	got := make([]float64, len(dense)*2)
	if err := (DormandPrince{RTol: tol, ATol: tol}).Solve(got, oscillator, x0, dense); err != nil {
		t.Fatal(err)
	}
	e := maxAbsDiff(got, exactTrajectory(x0, dense))
	t.Logf("dense output max error %.3g (%.2g*tol)", e, e/tol)
	if e > 50*tol {
		t.Errorf("dense output max error %g > 50*tol", e)
	}

	// The output times do not change the steps: the final state is the
	// same, bitwise, with two output times as with 5000.
	ends := []float64{0, 20}
	end := make([]float64, 4)
	if err := (DormandPrince{RTol: tol, ATol: tol}).Solve(end, oscillator, x0, ends); err != nil {
		t.Fatal(err)
	}
	if end[2] != got[len(got)-2] || end[3] != got[len(got)-1] {
		t.Errorf("final state depends on the output times: %v with 2 outputs, %v with 5000", end[2:], got[len(got)-2:])
	}
}

func TestDormandPrinceInterpolantOrder(t *testing.T) {
	t.Parallel()
	// One step of size h from x0 on x' = x, interpolated at theta = 0.4:
	// the continuous extension is 4th order, so its error is O(h^5) and
	// halving h divides it by about 32. A 3rd-order interpolant would
	// give 16.
	f := func(dst []float64, _ float64, x []float64) { dst[0] = x[0] }
	var errs []float64
	for _, h := range []float64{0.1, 0.05, 0.025} {
		ts := []float64{0, 0.4 * h, h}
		dst := make([]float64, 3)
		if err := (DormandPrince{InitialStep: h, RTol: 1, ATol: 1}).Solve(dst, f, []float64{1}, ts); err != nil {
			t.Fatal(err)
		}
		errs = append(errs, math.Abs(dst[1]-math.Exp(0.4*h)))
	}
	for i := 1; i < len(errs); i++ {
		order := math.Log2(errs[i-1]/errs[i]) - 1
		t.Logf("local interpolation error %.3g, observed order %.2f", errs[i], order)
		if math.Abs(order-4) > 0.3 {
			t.Errorf("interpolant order %.2f, want 4", order)
		}
	}
}

func TestDormandPrinceDefaults(t *testing.T) {
	t.Parallel()
	// Zero settings mean RTol = ATol = 1e-6, so they give the same result
	// as setting those explicitly.
	x0 := []float64{1, 0}
	ts := linspace(0, 5, 11)
	a := make([]float64, 22)
	b := make([]float64, 22)
	if err := (DormandPrince{}).Solve(a, oscillator, x0, ts); err != nil {
		t.Fatal(err)
	}
	if err := (DormandPrince{RTol: 1e-6, ATol: 1e-6, MaxSteps: 1e6}).Solve(b, oscillator, x0, ts); err != nil {
		t.Fatal(err)
	}
	if maxAbsDiff(a, b) != 0 {
		t.Errorf("zero settings differ from the documented defaults")
	}
}

func TestDormandPrinceStepCount(t *testing.T) {
	t.Parallel()
	// The local error of a 5th-order step is O(h^5) relative to the
	// 4th-order estimate, so the controller's steps scale as tol^(1/5) and
	// the number of evaluations grows 10x when tol shrinks 1e5x. A wrong
	// error estimate (of the wrong order) scales otherwise; the band allows
	// for the transient of the first steps and the final shortened step.
	count := func(tol float64) int {
		n := 0
		f := func(dst []float64, t float64, x []float64) {
			n++
			oscillator(dst, t, x)
		}
		dst := make([]float64, 4)
		if err := (DormandPrince{RTol: tol, ATol: tol}).Solve(dst, f, []float64{1, 0}, []float64{0, 50}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	loose, tight := count(1e-4), count(1e-9)
	ratio := float64(tight) / float64(loose)
	t.Logf("evaluations: %d at tol 1e-4, %d at tol 1e-9, ratio %.2f", loose, tight, ratio)
	if ratio < 7 || ratio > 14 {
		t.Errorf("evaluation ratio %.2f for 1e5x tighter tolerance, want about 10", ratio)
	}
}
