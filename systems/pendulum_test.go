package systems

import (
	"math"
	"testing"
)

func TestPendulum(t *testing.T) {
	t.Parallel()
	checkSystem(t, Pendulum{}, [][]float64{{0, 0}, {1, 0}, {0, 1}, {0.3, -0.7}, {-2.5, 1.5}, {math.Pi, 0.2}})

	var s Pendulum
	if got, want := s.Energy([]float64{math.Pi / 2, 2}), 7.0; math.Abs(got-want) > 1e-15 {
		t.Errorf("Energy(pi/2, 2) = %v, want %v", got, want)
	}
	if got := s.Energy([]float64{0, 0}); got != 0 {
		t.Errorf("Energy(0, 0) = %v, want 0 at the bottom", got)
	}
	dst := make([]float64, 2)
	s.Field(dst, []float64{math.Pi / 2, 2})
	if dst[0] != 4 || dst[1] != -3 {
		t.Errorf("Field(pi/2, 2) = %v, want [4 -3]", dst)
	}

	// The real pendulum's fitted energy, K = 2.4.
	real := Pendulum{K: 2.4}
	checkSystem(t, real, [][]float64{{0, 0}, {1, 0}, {0.3, -0.7}, {-2.5, 1.5}})
	if got, want := real.Energy([]float64{math.Pi / 2, 1}), 3.4; math.Abs(got-want) > 1e-15 {
		t.Errorf("K = 2.4: Energy(pi/2, 1) = %v, want %v", got, want)
	}
	real.Field(dst, []float64{math.Pi / 2, 1})
	if dst[0] != 2 || dst[1] != -2.4 {
		t.Errorf("K = 2.4: Field(pi/2, 1) = %v, want [2 -2.4]", dst)
	}
}
