package ode_test

import (
	"fmt"
	"math"

	"github.com/hnn-go/hnn/ode"
)

// ExampleLeapfrog integrates the harmonic oscillator H = (q^2 + p^2)/2 for
// 1000 periods with the leapfrog method: its energy error stays bounded.
func ExampleLeapfrog() {
	f := func(dst []float64, _ float64, x []float64) { dst[0], dst[1] = x[1], -x[0] }
	ts := []float64{0, 2000 * math.Pi}
	dst := make([]float64, 4)
	if err := (ode.Leapfrog{Step: 0.1}).Solve(dst, f, []float64{1, 0}, ts); err != nil {
		fmt.Println(err)
		return
	}
	e := (dst[2]*dst[2] + dst[3]*dst[3]) / 2
	fmt.Printf("energy after 1000 periods: %.3f (start 0.500)\n", e)
	// Output: energy after 1000 periods: 0.500 (start 0.500)
}
