package systems

import (
	"math"
	"testing"
)

func TestDoublePendulum(t *testing.T) {
	t.Parallel()
	var s DoublePendulum
	// LNN's Lagrangian with m = l = 1, g = 9.8:
	// T = t1d^2 + t2d^2 / 2 + t1d t2d cos(t1 - t2), V = -19.6 cos t1 - 9.8 cos t2.
	for _, x := range [][4]float64{{0, 0, 0, 0}, {1, -2, 3, 0.5}, {math.Pi, math.Pi, 0, 0}, {0.3, 2, -1, 4}} {
		q, qd := []float64{x[0], x[1]}, []float64{x[2], x[3]}
		want := qd[0]*qd[0] + qd[1]*qd[1]/2 + qd[0]*qd[1]*math.Cos(q[0]-q[1]) - 19.6*math.Cos(q[0]) - 9.8*math.Cos(q[1])
		if got := s.Energy(q, qd); math.Abs(got-want) > 1e-13*(1+math.Abs(want)) {
			t.Errorf("E(%v) = %v, want %v", x, got, want)
		}
	}
	if lo, hi := Potential(s, []float64{0, 0}), Potential(s, []float64{math.Pi, math.Pi}); math.Abs(lo+29.4) > 1e-13 || math.Abs(hi-29.4) > 1e-13 {
		t.Errorf("V ranges over [%v, %v], want [-29.4, 29.4]", lo, hi)
	}
	// Small oscillations: w^2 = 9.8 (2 -+ sqrt 2) in the modes t2 = +-sqrt(2) t1.
	w2, modes := normalModes2([4]float64{2, 1, 1, 1}, [4]float64{19.6, 0, 0, 9.8})
	for i, c := range []struct{ w2, ratio float64 }{{9.8 * (2 - math.Sqrt2), math.Sqrt2}, {9.8 * (2 + math.Sqrt2), -math.Sqrt2}} {
		if math.Abs(w2[i]-c.w2) > 1e-12 || math.Abs(modes[i][1]/modes[i][0]-c.ratio) > 1e-12 {
			t.Fatalf("mode %d: w^2 %v, t2/t1 %v, want %v, %v", i, w2[i], modes[i][1]/modes[i][0], c.w2, c.ratio)
		}
		checkSmallOscillation(t, s, []float64{0, 0}, []float64{1, c.ratio}, c.w2)
	}
	// Joint torques: u2 alone turns the second rod against the first.
	g := make([]float64, 4)
	DoublePendulum{Torques: true}.InputMatrix(g, []float64{0, 0})
	if g[0] != 1 || g[1] != -1 || g[2] != 0 || g[3] != 1 {
		t.Errorf("g = %v, want [[1, -1], [0, 1]]", g)
	}
}
