package systems

import (
	"math"
	"testing"
)

func TestTorquePendulum(t *testing.T) {
	t.Parallel()
	var s TorquePendulum
	// SymODEN's task 1: H = 1.5 p^2 + 5 (1 - cos q) with p = q-dot / 3.
	c := NewCanonical(s, []float64{0.5})
	for _, x := range [][]float64{{0.3, -0.7}, {2, 1.5}, {-4, 0.2}} {
		if got, want := c.Energy(x), 1.5*x[1]*x[1]+5*(1-math.Cos(x[0])); math.Abs(got-want) > 1e-14*(1+want) {
			t.Errorf("H(%v) = %v, want 1.5 p^2 + 5 (1 - cos q) = %v", x, got, want)
		}
		dst := make([]float64, 2)
		c.Field(dst, x)
		if want := []float64{3 * x[1], -5*math.Sin(x[0]) + 0.5}; math.Abs(dst[0]-want[0]) > 1e-14 || math.Abs(dst[1]-want[1]) > 1e-14 {
			t.Errorf("field(%v) under u = 0.5 = %v, want (3p, -5 sin q + u) = %v", x, dst, want)
		}
	}
	// Task 2's gym pendulum in theta = q - pi: theta'' = -15 sin(theta + pi) + 3u.
	acc := make([]float64, 1)
	for _, th := range []float64{-3, -1, 0.2, 2.5} {
		for _, u := range []float64{-2, 0, 1} {
			s.Accel(acc, []float64{th + math.Pi}, []float64{0.4}, []float64{u})
			if want := -15*math.Sin(th+math.Pi) + 3*u; math.Abs(acc[0]-want) > 1e-13 {
				t.Errorf("theta %v, u %v: q-ddot = %v, gym pendulum's theta'' = %v", th, u, acc[0], want)
			}
		}
	}
	// Small oscillations at w^2 = MassInv K, also for other parameters.
	checkSmallOscillation(t, s, []float64{0}, []float64{1}, 15)
	checkSmallOscillation(t, TorquePendulum{MassInv: 2, K: 1.5}, []float64{0}, []float64{1}, 3)
}
