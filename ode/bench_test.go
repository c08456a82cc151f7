package ode

import (
	"fmt"
	"math"
	"testing"
)

// benchSolve benchmarks ig on the harmonic oscillator over spans of
// increasing length with 101 output times, and reports the number of field
// evaluations per Solve.
func benchSolve(b *testing.B, ig Integrator) {
	for _, span := range []float64{10, 100, 1000} {
		b.Run(fmt.Sprintf("span=%g", span), func(b *testing.B) {
			var evals int
			f := func(dst []float64, t float64, x []float64) {
				evals++
				oscillator(dst, t, x)
			}
			x0 := []float64{1, 0}
			ts := linspace(0, span, 101)
			dst := make([]float64, len(ts)*len(x0))
			b.ReportAllocs()
			runs := 0
			for b.Loop() {
				if err := ig.Solve(dst, f, x0, ts); err != nil {
					b.Fatal(err)
				}
				runs++
			}
			b.ReportMetric(float64(evals)/float64(runs), "evals/op")
		})
	}
}

func BenchmarkDormandPrince(b *testing.B) {
	benchSolve(b, DormandPrince{RTol: 1e-9, ATol: 1e-9})
}

func BenchmarkRK4(b *testing.B) {
	benchSolve(b, RK4{Step: 0.01})
}

func BenchmarkSolveMany(b *testing.B) {
	const (
		nb = 64
		d  = 2
	)
	x0 := make([]float64, nb*d)
	for i := range nb {
		x0[i*d] = 0.05 * float64(i)
	}
	ts := linspace(0, 20, 101)
	dst := make([]float64, nb*len(ts)*d)
	newF := func() Func { return pendulum }
	for _, workers := range []int{1, 0} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			for b.Loop() {
				if err := SolveMany(DormandPrince{RTol: 1e-9, ATol: 1e-9}, newF, x0, d, ts, dst, workers); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSolveBatch times SolveBatch on 15 pendulum states at the energy
// protocol's tolerance (1e-9) over t in [0, 100], per round of batched
// evaluations: DormandPrince in lock step against RK4 (step 0.01) on a
// goroutine per state.
func BenchmarkSolveBatch(b *testing.B) {
	const nb, d = 15, 2
	x0 := make([]float64, nb*d)
	for i := range x0 {
		x0[i] = 2*math.Sin(float64(i)) - 0.5
	}
	ts := linspace(0, 100, 1000)
	dst := make([]float64, nb*len(ts)*d)
	for _, ig := range []Integrator{DormandPrince{RTol: 1e-9, ATol: 1e-9}, RK4{Step: 0.01}} {
		b.Run(ig.Name(), func(b *testing.B) {
			rounds := 0
			batch := func(dst, tr, x []float64) {
				rounds++
				for r := range nb {
					pendulum(dst[r*d:(r+1)*d], tr[r], x[r*d:(r+1)*d])
				}
			}
			for b.Loop() {
				SolveBatch(ig, batch, x0, d, ts, dst)
			}
			b.ReportMetric(b.Elapsed().Seconds()*1e9/float64(rounds), "ns/round")
		})
	}
}
