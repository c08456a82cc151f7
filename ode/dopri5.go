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
	var r dopri5Run
	r.start(dp, dst, x0, ts, nil)
	for r.pending {
		f(r.out, r.at, r.in)
		r.advance()
	}
	return r.err
}

// solveBatch is SolveBatch for DormandPrince, in lock step instead of on a
// goroutine per state: every state asks for the same sequence of
// evaluations (the field at the start, the initial step's trial unless
// InitialStep is set, then six per attempted step, accepted or not), so
// each round holds one evaluation of every state still integrating, and
// each state computes exactly what Solve computes for it.
func (dp DormandPrince) solveBatch(f BatchFunc, x0 []float64, d int, ts, dst []float64) []error {
	nb, stride, _ := checkMany(x0, d, ts, dst, 1)
	errs := make([]error, nb)
	runs := make([]dopri5Run, nb)
	work := make([]float64, nb*dopri5Work*d)
	x, fx, t := make([]float64, nb*d), make([]float64, nb*d), make([]float64, nb)
	copy(x, x0)
	active := 0
	for b := range runs {
		runs[b].start(dp, dst[b*stride:(b+1)*stride], x0[b*d:(b+1)*d], ts, work[b*dopri5Work*d:(b+1)*dopri5Work*d])
		if runs[b].pending {
			active++
		}
	}
	// The row of a state that is done repeats its last point.
	for active > 0 {
		for b := range runs {
			if r := &runs[b]; r.pending {
				copy(x[b*d:(b+1)*d], r.in)
				t[b] = r.at
			}
		}
		f(fx, t, x)
		active = 0
		for b := range runs {
			if r := &runs[b]; r.pending {
				copy(r.out, fx[b*d:(b+1)*d])
				r.advance()
				if r.pending {
					active++
				}
			}
		}
	}
	for b := range runs {
		errs[b] = runs[b].err
	}
	return errs
}

// dopri5Work is the number of work slices of length d a dopri5Run needs.
const dopri5Work = 10

// dopri5Run is one state's integration by DormandPrince, asking for one
// evaluation of the field at a time: while pending, the caller writes
// f(at, in) into out and calls advance. Solve answers each ask at once,
// solveBatch the asks of many runs with one batched evaluation.
type dopri5Run struct {
	dst, ts      []float64
	rtol, atol   float64
	maxSteps     int
	y, yNew, tmp []float64
	k            [8][]float64 // k[1]..k[7], the stages
	t, tEnd, h   float64
	tNew, h0, d1 float64
	next, steps  int
	rejected     bool
	last         bool
	stage        int // what the pending evaluation is: 1..7, or 0 for the initial step's trial
	pending      bool
	at           float64
	in, out      []float64
	err          error
}

// start begins the run of dp from x0 over ts into dst (Solve's arguments),
// with work (dopri5Work*len(x0) values) as its buffers, or new ones if
// work is nil; it asks for f at the start unless the run ends at once.
func (r *dopri5Run) start(dp DormandPrince, dst, x0, ts, work []float64) {
	var h float64
	r.rtol, r.atol, h, r.maxSteps = dp.settings()
	if r.err = checkSolve(dst, x0, ts); r.err != nil {
		return
	}
	d := len(x0)
	copy(dst[:d], x0)
	if len(ts) == 1 || d == 0 {
		return
	}
	// All work buffers come from one allocation.
	if work == nil {
		work = make([]float64, dopri5Work*d)
	}
	r.y, r.yNew, r.tmp = work[0:d], work[d:2*d], work[2*d:3*d]
	for i := 1; i <= 7; i++ {
		r.k[i] = work[(i+2)*d : (i+3)*d]
	}
	r.dst, r.ts, r.h = dst, ts, h
	r.t, r.tEnd = ts[0], ts[len(ts)-1]
	copy(r.y, x0)
	r.next = 1 // Index of the next output time.
	r.ask(1, r.t, r.y, r.k[1])
}

// ask makes the run ask for f(at, in) into out, for stage.
func (r *dopri5Run) ask(stage int, at float64, in, out []float64) {
	r.stage, r.at, r.in, r.out, r.pending = stage, at, in, out, true
}

// fail ends the run with err.
func (r *dopri5Run) fail(err error) { r.err, r.pending = err, false }

// advance takes the evaluation the run asked for (now in out) and goes on
// to its next ask, or ends.
func (r *dopri5Run) advance() {
	r.pending = false
	y, tmp, k, h := r.y, r.tmp, &r.k, r.h
	switch r.stage {
	case 1: // Only at the start: a later step's k1 is the last one's k7.
		if i := nonFinite(k[1]); i >= 0 {
			r.fail(fmt.Errorf("ode: dopri5: field f[%d] = %v is not finite at t = %v", i, k[1][i], r.t))
			return
		}
		if r.h == 0 {
			r.h0, r.d1 = dopri5Trial(y, k[1], r.tEnd-r.t, r.rtol, r.atol, tmp)
			r.ask(0, r.t+r.h0, tmp, k[2])
			return
		}
		r.h = min(r.h, r.tEnd-r.t)
		r.attempt()
	case 0:
		r.h = dopri5Step(y, k[1], k[2], r.h0, r.d1, r.tEnd-r.t, r.rtol, r.atol)
		r.h = min(r.h, r.tEnd-r.t)
		r.attempt()
	case 2:
		for i := range y {
			tmp[i] = y[i] + h*(dpA31*k[1][i]+dpA32*k[2][i])
		}
		r.ask(3, r.t+dpC3*h, tmp, k[3])
	case 3:
		for i := range y {
			tmp[i] = y[i] + h*(dpA41*k[1][i]+dpA42*k[2][i]+dpA43*k[3][i])
		}
		r.ask(4, r.t+dpC4*h, tmp, k[4])
	case 4:
		for i := range y {
			tmp[i] = y[i] + h*(dpA51*k[1][i]+dpA52*k[2][i]+dpA53*k[3][i]+dpA54*k[4][i])
		}
		r.ask(5, r.t+dpC5*h, tmp, k[5])
	case 5:
		for i := range y {
			tmp[i] = y[i] + h*(dpA61*k[1][i]+dpA62*k[2][i]+dpA63*k[3][i]+dpA64*k[4][i]+dpA65*k[5][i])
		}
		r.ask(6, r.tNew, tmp, k[6])
	case 6:
		yNew := r.yNew
		for i := range y {
			yNew[i] = y[i] + h*(dpB1*k[1][i]+dpB3*k[3][i]+dpB4*k[4][i]+dpB5*k[5][i]+dpB6*k[6][i])
		}
		r.ask(7, r.tNew, yNew, k[7])
	case 7:
		r.finishStep()
	}
}

// attempt starts a step from t with size h: it checks the step count and
// size, and asks for the second stage.
func (r *dopri5Run) attempt() {
	if r.steps >= r.maxSteps {
		r.fail(fmt.Errorf("ode: dopri5: more than MaxSteps = %d steps before t = %v", r.maxSteps, r.ts[r.next]))
		return
	}
	t := r.t
	minStep := 10 * (math.Nextafter(t, math.Inf(1)) - t)
	if !(r.h >= minStep) {
		r.fail(fmt.Errorf("ode: dopri5: step size %v underflows at t = %v", r.h, t))
		return
	}
	r.tNew = t + r.h
	r.last = r.tNew >= r.tEnd
	if r.last {
		r.tNew = r.tEnd
		r.h = r.tEnd - t
	}
	y, tmp, k1, h := r.y, r.tmp, r.k[1], r.h
	for i := range y {
		tmp[i] = y[i] + h*dpA21*k1[i]
	}
	r.ask(2, t+dpC2*h, tmp, r.k[2])
}

// finishStep accepts or rejects the step whose seven stages are in k, and
// starts the next one unless the run is done.
func (r *dopri5Run) finishStep() {
	y, yNew, k, h, t, tNew := r.y, r.yNew, &r.k, r.h, r.t, r.tNew
	d := len(y)
	r.steps++
	var sum float64
	for i := range y {
		e := h * (dpE1*k[1][i] + dpE3*k[3][i] + dpE4*k[4][i] + dpE5*k[5][i] + dpE6*k[6][i] + dpE7*k[7][i])
		sc := r.atol + r.rtol*max(math.Abs(y[i]), math.Abs(yNew[i]))
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
		r.h *= factor
		r.rejected = true
		r.attempt()
		return
	}
	if nonFinite(yNew) >= 0 {
		r.fail(errNonFinite("dopri5", tNew, yNew))
		return
	}

	// Dense output at the output times inside (t, tNew].
	// On the last step tNew == tEnd, so all remaining times are inside.
	ts, dst := r.ts, r.dst
	for ; r.next < len(ts) && ts[r.next] <= tNew; r.next++ {
		out := dst[r.next*d : (r.next+1)*d]
		if ts[r.next] == tNew {
			copy(out, yNew)
			continue
		}
		theta := (ts[r.next] - t) / h
		theta1 := 1 - theta
		for i := range out {
			dy := yNew[i] - y[i]
			bspl := h*k[1][i] - dy
			r4 := dy - h*k[7][i] - bspl
			r5 := h * (dpD1*k[1][i] + dpD3*k[3][i] + dpD4*k[4][i] + dpD5*k[5][i] + dpD6*k[6][i] + dpD7*k[7][i])
			out[i] = y[i] + theta*(dy+theta1*(bspl+theta*(r4+theta1*r5)))
		}
	}
	if r.last {
		return
	}

	factor := float64(dopri5MaxFactor)
	if errNorm > 0 {
		factor = min(dopri5MaxFactor, dopri5Safety*math.Pow(errNorm, dopri5Exponent))
	}
	if r.rejected {
		factor = min(1, factor)
		r.rejected = false
	}
	r.h *= factor
	r.t = tNew
	r.y, r.yNew = yNew, y
	k[1], k[7] = k[7], k[1] // First same as last.
	r.attempt()
}

// dopri5Trial and dopri5Step choose a first step size for DormandPrince by
// the algorithm of Hairer, Nørsett and Wanner (Solving ODEs I, Sec. II.4),
// given f0 = f(t0, x0): dopri5Trial returns the explicit Euler trial step
// h0 (at most span), with the scaled norm d1 of f0, and writes its end
// x0 + h0 f0 into x1; given f1 = f(t0 + h0, x1), dopri5Step returns the
// step size, at most span.
func dopri5Trial(x0, f0 []float64, span, rtol, atol float64, x1 []float64) (h0, d1 float64) {
	var d0 float64
	for i := range x0 {
		sc := atol + rtol*math.Abs(x0[i])
		d0 += (x0[i] / sc) * (x0[i] / sc)
		d1 += (f0[i] / sc) * (f0[i] / sc)
	}
	n := float64(len(x0))
	d0, d1 = math.Sqrt(d0/n), math.Sqrt(d1/n)

	h0 = 1e-6
	if d0 >= 1e-5 && d1 >= 1e-5 {
		h0 = 0.01 * d0 / d1
	}
	h0 = min(h0, span)

	// One explicit Euler step estimates the second derivative.
	for i := range x0 {
		x1[i] = x0[i] + h0*f0[i]
	}
	return h0, d1
}

// dopri5Step is the second half of dopri5Trial's algorithm.
func dopri5Step(x0, f0, f1 []float64, h0, d1, span, rtol, atol float64) float64 {
	n := float64(len(x0))
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
