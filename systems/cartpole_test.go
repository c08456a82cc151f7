package systems

import (
	"math"
	"testing"
)

func TestCartPole(t *testing.T) {
	t.Parallel()
	var s CartPole
	// SymODEN's M and V (REFERENCE: M = [[1, 0.25 cos t], [0.25 cos t, 1/6]], V = 2.45 cos t).
	mass := make([]float64, 4)
	for _, th := range []float64{0, 1, math.Pi, -2.2} {
		q := []float64{0.7, th}
		s.Mass(mass, q)
		want := []float64{1, 0.25 * math.Cos(th), 0.25 * math.Cos(th), 1.0 / 6}
		for i := range want {
			if math.Abs(mass[i]-want[i]) > 1e-15 {
				t.Errorf("M(%v) = %v, want %v", q, mass, want)
				break
			}
		}
		if got, want := Potential(s, q), 2.45*math.Cos(th); math.Abs(got-want) > 1e-14 {
			t.Errorf("V(%v) = %v, want 2.45 cos theta = %v", q, got, want)
		}
	}
	g := make([]float64, 2)
	s.InputMatrix(g, []float64{0, 1})
	if g[0] != 1 || g[1] != 0 {
		t.Errorf("g = %v, want the force on the cart (1, 0)", g)
	}
	// Hanging down, the pole swings with the cart moving against it:
	// M(pi) = [[1, -0.25], [-0.25, 1/6]], V'' = diag(0, 2.45).
	w2, modes := normalModes2([4]float64{1, -0.25, -0.25, 1.0 / 6}, [4]float64{0, 0, 0, 2.45})
	if math.Abs(w2[1]-2.45/(1.0/6-1.0/16)) > 1e-12 {
		t.Fatalf("cart-pole frequency %v, want 2.45 / (1/6 - 1/16)", w2[1])
	}
	checkSmallOscillation(t, s, []float64{0, math.Pi}, modes[1][:], w2[1])
	checkSmallOscillation(t, CartPole{FullyActuated: true}, []float64{0, math.Pi}, modes[1][:], w2[1])
}
