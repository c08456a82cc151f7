package ode

import (
	"fmt"
	"math"
)

// DormandPrince is the adaptive Dormand-Prince 5(4) explicit Runge-Kutta
// method (DOPRI5). It advances with the 5th-order solution and uses the
// seven stages' first-same-as-last property, so an accepted step costs six
// evaluations of f.
//
// The local error estimate is the difference between the embedded 4th- and
// 5th-order solutions, measured by the norm
//
//	err = sqrt(1/d * sum_i (e_i / (ATol + RTol*max(|x_i|, |xnew_i|)))^2),
//
// as in scipy's RK45. A step is accepted if err <= 1, and the next step size
// is h*min(10, max(0.2, 0.9*err^(-1/5))) (integral control with safety
// factor 0.9), with no increase right after a rejection.
//
// Output times are not hit by shortening steps: the state at an output time
// inside a step is computed by the method's 4th-order continuous extension
// (the Dormand-Prince dense output), so the step sequence does not depend on
// the output times except that the final step is shortened to end exactly at
// ts[len(ts)-1]; f is never evaluated after that time.
//
// A DormandPrince holds only settings; its Solve allocates its workspace per
// call and is safe for concurrent use if f is.
type DormandPrince struct {
	// RTol and ATol are the relative and absolute tolerances of the local
	// error norm. Zero means 1e-6 for each.
	RTol, ATol float64
	// InitialStep is the size of the first trial step. Zero means an
	// automatic choice by Hairer's algorithm (as scipy's
	// select_initial_step), capped at the integration interval.
	InitialStep float64
	// MaxSteps is the largest number of attempted steps, accepted and
	// rejected, in one Solve call. Zero means 1e6.
	MaxSteps int
}

// Default settings of DormandPrince.
const (
	dopri5RTol     = 1e-6
	dopri5ATol     = 1e-6
	dopri5MaxSteps = 1000000
)

// Step-size controller constants of DormandPrince.
const (
	dopri5Safety    = 0.9
	dopri5MinFactor = 0.2
	dopri5MaxFactor = 10
	dopri5Exponent  = -1.0 / 5 // -1/(q+1) for the embedded order q = 4.
)

// Butcher tableau of the Dormand-Prince 5(4) pair. The 7th stage is
// evaluated at the new 5th-order solution, so its row equals the weights b.
const (
	dpC2 = 1.0 / 5
	dpC3 = 3.0 / 10
	dpC4 = 4.0 / 5
	dpC5 = 8.0 / 9

	dpA21 = 1.0 / 5

	dpA31 = 3.0 / 40
	dpA32 = 9.0 / 40

	dpA41 = 44.0 / 45
	dpA42 = -56.0 / 15
	dpA43 = 32.0 / 9

	dpA51 = 19372.0 / 6561
	dpA52 = -25360.0 / 2187
	dpA53 = 64448.0 / 6561
	dpA54 = -212.0 / 729

	dpA61 = 9017.0 / 3168
	dpA62 = -355.0 / 33
	dpA63 = 46732.0 / 5247
	dpA64 = 49.0 / 176
	dpA65 = -5103.0 / 18656

	// 5th-order weights (b2 = 0).
	dpB1 = 35.0 / 384
	dpB3 = 500.0 / 1113
	dpB4 = 125.0 / 192
	dpB5 = -2187.0 / 6784
	dpB6 = 11.0 / 84

	// Error weights: 5th-order minus embedded 4th-order weights (e2 = 0).
	dpE1 = 71.0 / 57600
	dpE3 = -71.0 / 16695
	dpE4 = 71.0 / 1920
	dpE5 = -17253.0 / 339200
	dpE6 = 22.0 / 525
	dpE7 = -1.0 / 40

	// Dense output coefficients of the 4th-order continuous extension
	// (Hairer, Nørsett and Wanner, Solving ODEs I, Sec. II.6; d2 = 0).
	dpD1 = -12715105075.0 / 11282082432
	dpD3 = 87487479700.0 / 32700410799
	dpD4 = -10690763975.0 / 1880347072
	dpD5 = 701980252875.0 / 199316789632
	dpD6 = -1453857185.0 / 822651844
	dpD7 = 69997945.0 / 29380423
)

// Name returns "dopri5".
func (DormandPrince) Name() string { return "dopri5" }

// settings returns dp's settings with defaults filled in. It panics if a
// setting is negative or NaN.
func (dp DormandPrince) settings() (rtol, atol, h0 float64, maxSteps int) {
	rtol, atol, h0, maxSteps = dp.RTol, dp.ATol, dp.InitialStep, dp.MaxSteps
	if !(rtol >= 0) || !(atol >= 0) || !(h0 >= 0) || maxSteps < 0 {
		panic("ode: negative or NaN DormandPrince setting")
	}
	if rtol == 0 {
		rtol = dopri5RTol
	}
	if atol == 0 {
		atol = dopri5ATol
	}
	if maxSteps == 0 {
		maxSteps = dopri5MaxSteps
	}
	return rtol, atol, h0, maxSteps
}

// Solve integrates dx/dt = f from x0 at ts[0] and writes the state at each
// ts[i] into dst[i*d:(i+1)*d], d = len(x0), with dst[0:d] = x0. It panics if
// len(dst) != len(ts)*len(x0), if len(ts) == 0, or if a setting of dp is
// negative or NaN. It returns an error if ts is not finite and strictly
// increasing, if x0 or the state becomes non-finite, if the step size
// underflows, or if more than MaxSteps steps are attempted.
func (dp DormandPrince) Solve(dst []float64, f Func, x0, ts []float64) error {
	rtol, atol, h, maxSteps := dp.settings()
	if err := checkSolve(dst, x0, ts); err != nil {
		return err
	}
	d := len(x0)
	copy(dst[:d], x0)
	if len(ts) == 1 || d == 0 {
		return nil
	}

	// All work buffers come from one allocation.
	work := make([]float64, 10*d)
	y, yNew, tmp := work[0:d], work[d:2*d], work[2*d:3*d]
	k1, k2, k3 := work[3*d:4*d], work[4*d:5*d], work[5*d:6*d]
	k4, k5, k6 := work[6*d:7*d], work[7*d:8*d], work[8*d:9*d]
	k7 := work[9*d : 10*d]

	t, tEnd := ts[0], ts[len(ts)-1]
	copy(y, x0)
	f(k1, t, y)
	if i := nonFinite(k1); i >= 0 {
		return fmt.Errorf("ode: dopri5: field f[%d] = %v is not finite at t = %v", i, k1[i], t)
	}
	if h == 0 {
		h = dopri5InitialStep(f, t, y, k1, tEnd-t, rtol, atol, tmp, k2)
	}
	h = min(h, tEnd-t)

	next := 1 // Index of the next output time.
	rejected := false
	for steps := 0; ; steps++ {
		if steps >= maxSteps {
			return fmt.Errorf("ode: dopri5: more than MaxSteps = %d steps before t = %v", maxSteps, ts[next])
		}
		minStep := 10 * (math.Nextafter(t, math.Inf(1)) - t)
		if !(h >= minStep) {
			return fmt.Errorf("ode: dopri5: step size %v underflows at t = %v", h, t)
		}
		tNew := t + h
		last := tNew >= tEnd
		if last {
			tNew = tEnd
			h = tEnd - t
		}

		for i := range y {
			tmp[i] = y[i] + h*dpA21*k1[i]
		}
		f(k2, t+dpC2*h, tmp)
		for i := range y {
			tmp[i] = y[i] + h*(dpA31*k1[i]+dpA32*k2[i])
		}
		f(k3, t+dpC3*h, tmp)
		for i := range y {
			tmp[i] = y[i] + h*(dpA41*k1[i]+dpA42*k2[i]+dpA43*k3[i])
		}
		f(k4, t+dpC4*h, tmp)
		for i := range y {
			tmp[i] = y[i] + h*(dpA51*k1[i]+dpA52*k2[i]+dpA53*k3[i]+dpA54*k4[i])
		}
		f(k5, t+dpC5*h, tmp)
		for i := range y {
			tmp[i] = y[i] + h*(dpA61*k1[i]+dpA62*k2[i]+dpA63*k3[i]+dpA64*k4[i]+dpA65*k5[i])
		}
		f(k6, tNew, tmp)
		for i := range y {
			yNew[i] = y[i] + h*(dpB1*k1[i]+dpB3*k3[i]+dpB4*k4[i]+dpB5*k5[i]+dpB6*k6[i])
		}
		f(k7, tNew, yNew)

		var sum float64
		for i := range y {
			e := h * (dpE1*k1[i] + dpE3*k3[i] + dpE4*k4[i] + dpE5*k5[i] + dpE6*k6[i] + dpE7*k7[i])
			sc := atol + rtol*max(math.Abs(y[i]), math.Abs(yNew[i]))
			sum += (e / sc) * (e / sc)
		}
		errNorm := math.Sqrt(sum / float64(d))

		if !(errNorm <= 1) {
			// Rejected, including a NaN or infinite error estimate,
			// which shrinks the step by the largest factor.
			factor := dopri5MinFactor
			if isFinite(errNorm) {
				factor = max(dopri5MinFactor, dopri5Safety*math.Pow(errNorm, dopri5Exponent))
			}
			h *= factor
			rejected = true
			continue
		}
		if nonFinite(yNew) >= 0 {
			return errNonFinite("dopri5", tNew, yNew)
		}

		// Dense output at the output times inside (t, tNew].
		// On the last step tNew == tEnd, so all remaining times are inside.
		for ; next < len(ts) && ts[next] <= tNew; next++ {
			out := dst[next*d : (next+1)*d]
			if ts[next] == tNew {
				copy(out, yNew)
				continue
			}
			theta := (ts[next] - t) / h
			theta1 := 1 - theta
			for i := range out {
				dy := yNew[i] - y[i]
				bspl := h*k1[i] - dy
				r4 := dy - h*k7[i] - bspl
				r5 := h * (dpD1*k1[i] + dpD3*k3[i] + dpD4*k4[i] + dpD5*k5[i] + dpD6*k6[i] + dpD7*k7[i])
				out[i] = y[i] + theta*(dy+theta1*(bspl+theta*(r4+theta1*r5)))
			}
		}
		if last {
			return nil
		}

		factor := float64(dopri5MaxFactor)
		if errNorm > 0 {
			factor = min(dopri5MaxFactor, dopri5Safety*math.Pow(errNorm, dopri5Exponent))
		}
		if rejected {
			factor = min(1, factor)
			rejected = false
		}
		h *= factor
		t = tNew
		y, yNew = yNew, y
		k1, k7 = k7, k1 // First same as last.
	}
}

// dopri5InitialStep returns a first step size for DormandPrince by the
// algorithm of Hairer, Nørsett and Wanner (Solving ODEs I, Sec. II.4), given
// f0 = f(t0, x0) and two scratch slices of length len(x0). The result is at
// most span.
func dopri5InitialStep(f Func, t0 float64, x0, f0 []float64, span, rtol, atol float64, x1, f1 []float64) float64 {
	var d0, d1 float64
	for i := range x0 {
		sc := atol + rtol*math.Abs(x0[i])
		d0 += (x0[i] / sc) * (x0[i] / sc)
		d1 += (f0[i] / sc) * (f0[i] / sc)
	}
	n := float64(len(x0))
	d0, d1 = math.Sqrt(d0/n), math.Sqrt(d1/n)

	h0 := 1e-6
	if d0 >= 1e-5 && d1 >= 1e-5 {
		h0 = 0.01 * d0 / d1
	}
	h0 = min(h0, span)

	// One explicit Euler step estimates the second derivative.
	for i := range x0 {
		x1[i] = x0[i] + h0*f0[i]
	}
	f(f1, t0+h0, x1)
	var d2 float64
	for i := range x0 {
		sc := atol + rtol*math.Abs(x0[i])
		v := (f1[i] - f0[i]) / sc
		d2 += v * v
	}
	d2 = math.Sqrt(d2/n) / h0

	var h1 float64
	if m := max(d1, d2); m <= 1e-15 {
		h1 = max(1e-6, h0*1e-3)
	} else {
		h1 = math.Pow(0.01/m, 1.0/5)
	}
	h := min(100*h0, h1, span)
	if !(h > 0) {
		// A NaN from a non-finite f1 falls back to the Euler trial step;
		// the step loop then shrinks it as needed.
		h = h0
	}
	return h
}
