package systems

import (
	"math"
	"testing"
)

func TestAcrobot(t *testing.T) {
	t.Parallel()
	var s Acrobot
	// SymODEN's D and V (REFERENCE: D = [[3.5 + cos t2, 1.25 + 0.5 cos t2], [., 1.25]],
	// V = -14.7 cos t1 - 4.9 cos(t1 + t2)).
	mass := make([]float64, 4)
	for _, q := range [][]float64{{0, 0}, {1, -2}, {-0.3, math.Pi}, {2.5, 0.4}} {
		s.Mass(mass, q)
		c := math.Cos(q[1])
		want := []float64{3.5 + c, 1.25 + 0.5*c, 1.25 + 0.5*c, 1.25}
		for i := range want {
			if math.Abs(mass[i]-want[i]) > 1e-14 {
				t.Errorf("M(%v) = %v, want %v", q, mass, want)
				break
			}
		}
		if got, want := Potential(s, q), -14.7*math.Cos(q[0])-4.9*math.Cos(q[0]+q[1]); math.Abs(got-want) > 1e-13 {
			t.Errorf("V(%v) = %v, want %v", q, got, want)
		}
	}
	g := make([]float64, 2)
	s.InputMatrix(g, []float64{0.3, 1})
	if g[0] != 0 || g[1] != 1 {
		t.Errorf("g = %v, want the torque on the second joint (0, 1)", g)
	}
	// Small oscillations about hanging: M(0) = [[4.5, 1.75], [1.75, 1.25]],
	// V'' = [[19.6, 4.9], [4.9, 4.9]].
	w2, modes := normalModes2([4]float64{4.5, 1.75, 1.75, 1.25}, [4]float64{19.6, 4.9, 4.9, 4.9})
	for i := range w2 {
		checkSmallOscillation(t, s, []float64{0, 0}, modes[i][:], w2[i])
	}
}
