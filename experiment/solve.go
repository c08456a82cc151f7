package experiment

import (
	"fmt"
	"runtime"
	"sync"

	"github.com/hnn-go/hnn/ode"
)

// rolloutChunk is the number of states one batched field evaluation of a
// rollout takes (the last chunk may have fewer): enough rows for the
// products to run near the kernels' rate, few enough that the chunks of a
// large set of starts spread over the cores.
const rolloutChunk = 64

// rollMany integrates m's field from the B = len(x0)/d states x0 with ig
// and writes the states at ts into dst (ode.SolveMany's layout), rolling
// the states out together: chunks of up to rolloutChunk consecutive states
// go through ode.SolveBatch, one batched field evaluation per round, the
// chunks concurrently. It returns each state's error. The chunks depend
// only on B, so the results do not depend on the number of cores. A
// state's field values are those of the same state alone up to float32
// rounding: products of at most 4 rows sum in another order than larger
// ones (nn's dot-product kernels).
func rollMany(ig ode.Integrator, m Trained, x0 []float64, d int, ts, dst []float64) []error {
	nb := len(x0) / d
	errs := make([]error, nb)
	stride := len(ts) * d
	if len(x0)%d != 0 || len(dst) != nb*stride {
		panic("experiment: rollout length mismatch")
	}
	chunks := (nb + rolloutChunk - 1) / rolloutChunk
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for c := range chunks {
		lo, hi := chunkOf(c*rolloutChunk, nb)
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			copy(errs[lo:hi], rollChunk(ig, m, x0[lo*d:hi*d], d, ts, dst[lo*stride:hi*stride]))
		})
	}
	wg.Wait()
	return errs
}

// chunkOf returns the bounds [lo, hi) of rollMany's chunk that holds state
// i of nb.
func chunkOf(i, nb int) (lo, hi int) {
	lo = i / rolloutChunk * rolloutChunk
	return lo, min(lo+rolloutChunk, nb)
}

// rollChunk rolls one of rollMany's chunks out: its states in one
// ode.SolveBatch.
func rollChunk(ig ode.Integrator, m Trained, x0 []float64, d int, ts, dst []float64) []error {
	return ode.SolveBatch(ig, m.BatchFieldFunc(len(x0)/d), x0, d, ts, dst)
}

// firstError returns the error of the lowest-index failing state, as
// ode.SolveMany reports it, or nil.
func firstError(errs []error) error {
	for b, err := range errs {
		if err != nil {
			return fmt.Errorf("ode: state %d: %w", b, err)
		}
	}
	return nil
}
