package data

import (
	"math"
	"math/rand/v2"
	"testing"
)

// spring2 returns rows of two uncoupled oscillators of very different
// units, q_i = A_i cos(w_i t), p_i = -A_i m_i w_i sin(w_i t), sampled at
// uneven times, with their derivatives.
func spring2(rng *rand.Rand, stateUnit, timeUnit float64) Set {
	amp, w, mass := [2]float64{3, 0.02}, [2]float64{1.3, 0.7}, [2]float64{50, 2e6}
	s := Set{Dim: 4}
	t := 0.0
	for k := range 60 {
		t += 0.05 + 0.1*rng.Float64()
		traj := k / 30
		s.T = append(s.T, t*timeUnit)
		s.Traj = append(s.Traj, traj)
		var x, dx [4]float64
		for i := range 2 {
			x[i] = amp[i] * math.Cos(w[i]*t)
			x[2+i] = -amp[i] * mass[i] * w[i] * math.Sin(w[i]*t)
			dx[i] = x[2+i] / mass[i]
			dx[2+i] = -mass[i] * w[i] * w[i] * x[i]
		}
		for j := range 4 {
			s.X = append(s.X, stateUnit*x[j]+7*stateUnit)
			s.DX = append(s.DX, stateUnit*dx[j]/timeUnit)
		}
	}
	return s
}

// TestScaleInvariance checks that data in other units (states x100 and
// times x10) scale to the same values, that the scale is canonical and
// that the scaled states and rates are of order one.
func TestScaleInvariance(t *testing.T) {
	a := spring2(rand.New(rand.NewPCG(1, 2)), 1, 1)
	b := spring2(rand.New(rand.NewPCG(1, 2)), 100, 10)
	sa, err := FitScale(&a)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := FitScale(&b)
	if err != nil {
		t.Fatal(err)
	}
	if err := sb.Validate(4); err != nil {
		t.Fatal(err)
	}
	xa, xb := sa.Apply(&a), sb.Apply(&b)
	// Rounding of the inputs (x100 is not exact in binary) bounds the
	// agreement: 1e-12 relative to values of order one.
	for _, pair := range [][2][]float64{{xa.X, xb.X}, {xa.DX, xb.DX}, {xa.T, xb.T}} {
		for i := range pair[0] {
			if d := math.Abs(pair[0][i] - pair[1][i]); d > 1e-12*(1+math.Abs(pair[0][i])) {
				t.Fatalf("scaled value %d: %v in one unit, %v in the other", i, pair[0][i], pair[1][i])
			}
		}
	}
	// Order one: every scaled state's standard deviation within a factor
	// 10 of one (the pairs' products sigma_q sigma_p are alike here; the
	// canonical constraint cannot bring pairs of very different products
	// all to one), the rates' rms one by construction.
	var rms float64
	for _, v := range xa.DX {
		rms += v * v
	}
	rms = math.Sqrt(rms / float64(len(xa.DX)))
	if rms < 0.3 || rms > 3 {
		t.Errorf("scaled derivative rms %v, want about 1", rms)
	}
	for j := range 4 {
		var s float64
		for i := j; i < len(xa.X); i += 4 {
			s += xa.X[i] * xa.X[i]
		}
		s = math.Sqrt(s / float64(len(xa.X)/4))
		if s < 0.1 || s > 10 {
			t.Errorf("variable %d: scaled rms %v, want order one", j, s)
		}
	}
}

// TestScaleHamiltonian checks that the scaled derivatives of an oscillator
// with H = q^2/2 + p^2/2 m are the symplectic gradient of H' = tau c H in
// the scaled variables, and that Unstate and Unrate invert State and Rate.
func TestScaleHamiltonian(t *testing.T) {
	s := spring2(rand.New(rand.NewPCG(3, 4)), 1, 1)
	sc, err := FitScale(&s)
	if err != nil {
		t.Fatal(err)
	}
	mass := [2]float64{50, 2e6}
	w := [2]float64{1.3, 0.7}
	xs := sc.Apply(&s)
	for r := 0; r < len(s.X); r += 4 {
		for i := range 2 {
			// H = m w^2 q^2/2 + p^2/(2m) in file units (shifted by 7).
			q, p := s.X[r+i]-7, s.X[r+2+i]-7
			dHdq, dHdp := mass[i]*w[i]*w[i]*q, p/mass[i]
			// dH'/dq' = tau c dH/dq / a, dH'/dp' = tau c dH/dp / b.
			a, b := sc.Factor[i], sc.Factor[2+i]
			wantQ := sc.Energy() * dHdp / b
			wantP := -sc.Energy() * dHdq / a
			if math.Abs(xs.DX[r+i]-wantQ) > 1e-9*(1+math.Abs(wantQ)) || math.Abs(xs.DX[r+2+i]-wantP) > 1e-9*(1+math.Abs(wantP)) {
				t.Fatalf("row %d pair %d: scaled rates %v, %v, want %v, %v", r/4, i, xs.DX[r+i], xs.DX[r+2+i], wantQ, wantP)
			}
		}
		back := make([]float64, 4)
		sc.Unstate(back, xs.X[r:r+4])
		sc.Unrate(back, xs.DX[r:r+4])
		for j := range 4 {
			if math.Abs(back[j]-s.DX[r+j]) > 1e-9*(1+math.Abs(s.DX[r+j])) {
				t.Fatalf("Unrate(Rate(dx)) = %v, want %v", back[j], s.DX[r+j])
			}
		}
	}
}

func TestScaleErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		s    Set
	}{
		{"empty", Set{Dim: 2}},
		{"odd", Set{Dim: 3, X: []float64{1, 2, 3}}},
		{"nan", Set{Dim: 2, X: []float64{math.NaN(), 1, 2, 3}}},
	} {
		if _, err := FitScale(&c.s); err == nil {
			t.Errorf("%s: FitScale returned no error", c.name)
		}
	}
	bad := Scale{Mean: []float64{0, 0, 0, 0}, Factor: []float64{1, 2, 1, 1}, Time: 1}
	if err := bad.Validate(4); err == nil {
		t.Error("Validate accepted a scale whose pairs have different products")
	}
}
