package ode

import (
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/stat"
)

func TestRK4Order(t *testing.T) {
	t.Parallel()
	// Global error at t = 10 on the harmonic oscillator for halving steps;
	// the slope of log(error) against log(step) is the order. The steps
	// are small enough to be in the asymptotic regime and large enough
	// that the errors (1e-3 to 1e-7) stay far above rounding.
	x0 := []float64{1, 0}
	ts := []float64{0, 10}
	want := exactTrajectory(x0, ts)
	steps := []float64{0.4, 0.2, 0.1, 0.05, 0.025}
	var logH, logE []float64
	for _, h := range steps {
		got := make([]float64, 4)
		if err := (RK4{Step: h}).Solve(got, oscillator, x0, ts); err != nil {
			t.Fatal(err)
		}
		e := maxAbsDiff(got, want)
		logH = append(logH, math.Log(h))
		logE = append(logE, math.Log(e))
	}
	_, slope := stat.LinearRegression(logH, logE, nil, false)
	t.Logf("observed order %.3f", slope)
	if math.Abs(slope-4) > 0.3 {
		t.Errorf("observed order %.3f, want 4 +- 0.3", slope)
	}
}

func TestRK4Substeps(t *testing.T) {
	t.Parallel()
	// Output times that are not multiples of Step are hit exactly: each
	// interval is split into ceil(len/Step) equal substeps, so solving
	// interval by interval gives the same result as one Solve call.
	x0 := []float64{1, 0}
	ts := []float64{0, 0.13, 0.5, 0.51, 1.7}
	const step = 0.1
	got := make([]float64, len(ts)*2)
	if err := (RK4{Step: step}).Solve(got, oscillator, x0, ts); err != nil {
		t.Fatal(err)
	}
	x := append([]float64(nil), x0...)
	for i := 1; i < len(ts); i++ {
		n := int(math.Ceil((ts[i] - ts[i-1]) / step))
		sub := linspace(ts[i-1], ts[i], n+1)
		for j := 1; j < len(sub); j++ {
			// Step zero means exactly one step per interval.
			pair := make([]float64, 4)
			if err := (RK4{}).Solve(pair, oscillator, x, []float64{sub[j-1], sub[j]}); err != nil {
				t.Fatal(err)
			}
			copy(x, pair[2:])
		}
		if d := maxAbsDiff(x, got[i*2:(i+1)*2]); d > 1e-14 {
			t.Errorf("ts[%d] = %v: differs by %g from %d single steps", i, ts[i], d, n)
		}
	}
	if e := maxAbsDiff(got, exactTrajectory(x0, ts)); e > 1e-5 {
		t.Errorf("max error %g > 1e-5", e)
	}
}

func TestRK4NonAutonomous(t *testing.T) {
	t.Parallel()
	// x' = -2 t x has x = exp(-t^2), which checks that the stage times
	// are passed to f.
	f := func(dst []float64, t float64, x []float64) { dst[0] = -2 * t * x[0] }
	ts := linspace(0.5, 3, 6)
	x0 := []float64{math.Exp(-0.25)}
	for _, ig := range []Integrator{RK4{Step: 1e-3}, DormandPrince{RTol: 1e-10, ATol: 1e-10}} {
		got := make([]float64, len(ts))
		if err := ig.Solve(got, f, x0, ts); err != nil {
			t.Fatal(err)
		}
		for i, tt := range ts {
			if e := math.Abs(got[i] - math.Exp(-tt*tt)); e > 1e-9 {
				t.Errorf("%s: t=%v: error %g > 1e-9", ig.Name(), tt, e)
			}
		}
	}
}

func TestRK4SubstepCount(t *testing.T) {
	t.Parallel()
	for _, test := range []struct {
		t0, t1, step float64
		want         int
	}{
		{0, 1, 0, 1},
		{0, 1, 2, 1},
		{0, 1, 0.5, 2},
		{0, 1, 0.49, 3},
		{0, 0.1, 0.03, 4},
		// Ratios that round to just above or below an integer.
		{0, 0.1, 0.01, 10},
		{0, 0.3, 0.1, 3},
		{0.7, 0.8, 0.01, 10},
	} {
		n := 0
		f := func(dst []float64, _ float64, x []float64) {
			n++
			dst[0] = x[0]
		}
		dst := make([]float64, 2)
		if err := (RK4{Step: test.step}).Solve(dst, f, []float64{1}, []float64{test.t0, test.t1}); err != nil {
			t.Fatal(err)
		}
		if got := n / 4; got != test.want {
			t.Errorf("[%v, %v] with Step %v: %d substeps, want %d", test.t0, test.t1, test.step, got, test.want)
		}
	}
}

func TestRK4TinyStep(t *testing.T) {
	t.Parallel()
	// A step so small that the substep count is not representable is an
	// error, not an endless loop.
	dst := make([]float64, 4)
	err := RK4{Step: 1e-300}.Solve(dst, oscillator, []float64{1, 0}, []float64{0, 1})
	if err == nil || !strings.Contains(err.Error(), "underflows") {
		t.Errorf("Step 1e-300: error %v, want an underflow error", err)
	}
}
