package ode

// BatchFunc evaluates a vector field on a batch of states at once: x holds
// rows of d values, one state per row, t the time of each row, and the
// field at row r goes into row r of dst. Each row's result must depend only
// on that row's state and time (as a network's batched evaluation does), so
// that a batch's other rows do not change it.
type BatchFunc func(dst, t, x []float64)

// batchSolver is implemented by integrators that solve a batch in lock
// step themselves (DormandPrince), with SolveBatch's results and rounds
// but without a goroutine per state.
type batchSolver interface {
	solveBatch(f BatchFunc, x0 []float64, d int, ts, dst []float64) []error
}

// SolveBatch integrates B = len(x0)/d initial states with ig, each exactly
// as ig.Solve does (as SolveEach does), but gathers their evaluations of
// the field: in each round every state still integrating asks for one
// evaluation, and f evaluates all B rows in one call (the row of a
// finished state repeats its last point). A network evaluates a batch of
// rows much faster than as many single rows, so this is the way to roll
// many states out together. DormandPrince runs its states in lock step
// (each asks for the same sequence of evaluations); other integrators run
// each state's Solve on a goroutine of its own, which costs several
// microseconds a round (15 states of a pendulum at RTol 1e-9: 6-9 us a
// round on goroutines, 0.9-1.0 us in lock step, on a 2-core AMD EPYC).
// The layout of x0 and dst is SolveMany's; SolveBatch returns each
// state's error (nil where it succeeded). Its results do not depend on
// scheduling: a state sees the same field values whatever the others do.
// It panics as SolveMany does.
func SolveBatch(ig Integrator, f BatchFunc, x0 []float64, d int, ts, dst []float64) []error {
	if bs, ok := ig.(batchSolver); ok {
		return bs.solveBatch(f, x0, d, ts, dst)
	}
	nb, stride, _ := checkMany(x0, d, ts, dst, 1)
	errs := make([]error, nb)
	if nb == 0 {
		return errs
	}
	x := make([]float64, nb*d)
	fx := make([]float64, nb*d)
	t := make([]float64, nb)
	copy(x, x0)
	// A state sends its index when it needs the field, -1 when it is done;
	// release[b] lets state b read its row of fx.
	ask := make(chan int, nb)
	release := make([]chan struct{}, nb)
	for b := range nb {
		release[b] = make(chan struct{}, 1)
		row := func(s []float64) []float64 { return s[b*d : (b+1)*d] }
		field := func(dst []float64, tb float64, xb []float64) {
			copy(row(x), xb)
			t[b] = tb
			ask <- b
			<-release[b]
			copy(dst, row(fx))
		}
		go func() {
			errs[b] = ig.Solve(dst[b*stride:(b+1)*stride], field, x0[b*d:(b+1)*d], ts)
			ask <- -1
		}()
	}
	waiting := make([]int, 0, nb)
	for active := nb; active > 0; {
		waiting = waiting[:0]
		for len(waiting) < active {
			if b := <-ask; b < 0 {
				active--
			} else {
				waiting = append(waiting, b)
			}
		}
		if len(waiting) == 0 {
			break
		}
		f(fx, t, x)
		for _, b := range waiting {
			release[b] <- struct{}{}
		}
	}
	return errs
}
