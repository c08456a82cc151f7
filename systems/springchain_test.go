package systems

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestSpringChainField checks the field against central differences of the
// energy (dq/dt = dH/dp, dp/dt = -dH/dq) at random states, to 1e-6
// relative (the differences' error is about eps^2 = 1e-10 for this
// quadratic H, plus rounding).
func TestSpringChainField(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	s := SpringChain{M: []float64{1, 0.5, 2}, K: []float64{3, 1, 4, 2}}
	x := make([]float64, 6)
	f := make([]float64, 6)
	for range 5 {
		for i := range x {
			x[i] = rng.NormFloat64()
		}
		s.Field(f, x)
		for i := range x {
			old := x[i]
			x[i] = old + 1e-5
			hp := s.Energy(x)
			x[i] = old - 1e-5
			hm := s.Energy(x)
			x[i] = old
			g := (hp - hm) / 2e-5
			want := g // dq/dt = dH/dp for i >= 3
			j := (i + 3) % 6
			if i < 3 {
				want = -g // dp/dt = -dH/dq
			}
			if math.Abs(f[j]-want) > 1e-6*(1+math.Abs(want)) {
				t.Fatalf("field %d = %v, energy differences give %v", j, f[j], want)
			}
		}
	}
}
