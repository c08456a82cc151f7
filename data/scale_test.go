package data

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
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

// pendulumRows returns n random rows (q, p, u) of a pendulum with mass m
// and potential k (1 - cos q) pushed by the torque u, H = p^2/2m +
// k (1 - cos q), with exact derivatives (p/m, -k sin q + u, 0); q is an
// angle around 1.5, far from zero mean, u takes the values 0, 3 and -6.
func pendulumRows(rng *rand.Rand, n int, m, k float64) Set {
	s := Set{Dim: 3, Layout: Layout{Inputs: 1, Angles: []int{0}}}
	for i := range n {
		q := 1.5 + 2*rng.Float64()
		p := m * (4*rng.Float64() - 2)
		u := []float64{0, 3, -6}[i%3]
		s.X = append(s.X, q, p, u)
		s.DX = append(s.DX, p/m, -k*math.Sin(q)+u, 0)
	}
	return s
}

// TestScaleAnglesInputs checks a canonical layout with an angle and an
// input: the angle is neither shifted nor scaled, the input not shifted
// and scaled to a unit root mean square, the pair keeps a canonical
// product, and the scaled rates are the symplectic gradient of tau c H
// plus the scaled input's force.
func TestScaleAnglesInputs(t *testing.T) {
	const m, k = 30, 0.2
	s := pendulumRows(rand.New(rand.NewPCG(5, 6)), 300, m, k)
	sc, err := FitScale(&s)
	if err != nil {
		t.Fatal(err)
	}
	if sc.Mean[0] != 0 || sc.Factor[0] != 1 {
		t.Errorf("angle: mean %v, factor %v, want 0 and 1", sc.Mean[0], sc.Factor[0])
	}
	if sc.Mean[2] != 0 || math.Abs(sc.Factor[2]-1/math.Sqrt(15)) > 1e-12 {
		t.Errorf("input: mean %v, factor %v, want 0 and 1/rms = %v", sc.Mean[2], sc.Factor[2], 1/math.Sqrt(15))
	}
	if sc.Mean[1] == 0 || sc.Layout.Positions != 1 || sc.Layout.Inputs != 1 {
		t.Errorf("momentum mean %v (want the data's), layout %+v", sc.Mean[1], sc.Layout)
	}
	xs := sc.Apply(&s)
	if xs.Layout.Inputs != 1 {
		t.Errorf("Apply dropped the layout: %+v", xs.Layout)
	}
	for r := 0; r < len(s.X); r += 3 {
		if xs.X[r] != s.X[r] {
			t.Fatalf("row %d: the angle changed from %v to %v", r/3, s.X[r], xs.X[r])
		}
		q, p, u := s.X[r], s.X[r+1], s.X[r+2]
		dHdq, dHdp := k*math.Sin(q), p/m
		a, b := sc.Factor[0], sc.Factor[1]
		wantQ := sc.Energy() * dHdp / b
		// The input's force in scaled units: tau b u = (tau b / f_u) u'.
		wantP := -sc.Energy()*dHdq/a + sc.Time*b*u
		if math.Abs(xs.DX[r]-wantQ) > 1e-9*(1+math.Abs(wantQ)) || math.Abs(xs.DX[r+1]-wantP) > 1e-9*(1+math.Abs(wantP)) || xs.DX[r+2] != 0 {
			t.Fatalf("row %d: scaled rates %v, want %v, %v, 0", r/3, xs.DX[r:r+3], wantQ, wantP)
		}
	}
}

// TestScaleVelocities checks a layout of positions and velocities: the
// velocities are scaled with their positions and time (b = tau a, no
// shift), so that the scaled rate of every position is its scaled
// velocity; positions far from zero are shifted, angles are not; and the
// scaled velocities have a unit root mean square.
func TestScaleVelocities(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	s := Set{Dim: 5, Layout: Layout{Positions: 2, Velocities: true, Inputs: 1, Angles: []int{1}}}
	for i := range 200 {
		x := 40 + 300*rng.Float64()        // a position in large units
		th := 4 * rng.Float64()            // an angle
		xd := 1000 * (rng.Float64() - 0.5) // its velocity
		thd := 2 * (rng.Float64() - 0.5)
		u := float64(i%5 - 2)
		s.X = append(s.X, x, th, xd, thd, u)
		s.DX = append(s.DX, xd, thd, -x+u, -math.Sin(th), 0)
	}
	sc, err := FitScale(&s)
	if err != nil {
		t.Fatal(err)
	}
	if sc.Mean[1] != 0 || sc.Factor[1] != 1 || sc.Mean[2] != 0 || sc.Mean[3] != 0 || sc.Mean[0] == 0 {
		t.Errorf("means %v, factors %v: want the angle and the velocities unshifted, the position shifted", sc.Mean, sc.Factor)
	}
	xs := sc.Apply(&s)
	var ss float64
	for r := 0; r < len(s.X); r += 5 {
		for i := range 2 {
			if v, rate := xs.X[r+2+i], xs.DX[r+i]; math.Abs(v-rate) > 1e-12*(1+math.Abs(v)) {
				t.Fatalf("row %d: scaled rate of position %d is %v, its scaled velocity %v", r/5, i, rate, v)
			}
			ss += xs.X[r+2+i] * xs.X[r+2+i]
		}
	}
	if rms := math.Sqrt(ss / 400); math.Abs(rms-1) > 1e-12 {
		t.Errorf("scaled velocities' rms %v, want 1", rms)
	}
	mustPanic(t, "Product of a velocity scale", func() { sc.Product() })
	back := make([]float64, 5)
	sc.Unstate(back, xs.X[:5])
	for j := range back {
		if math.Abs(back[j]-s.X[j]) > 1e-12*(1+math.Abs(s.X[j])) {
			t.Fatalf("Unstate(State(x)) = %v, want %v", back, s.X[:5])
		}
	}
}

func TestScaleLayoutErrors(t *testing.T) {
	base := Scale{Mean: []float64{0, 1, 0}, Factor: []float64{1, 2, 0.5}, Time: 3, Layout: Layout{Inputs: 1, Angles: []int{0}}}
	if err := base.Validate(3); err != nil {
		t.Fatalf("valid scale: %v", err)
	}
	vel := Scale{Mean: []float64{2, 0}, Factor: []float64{0.5, 1.5}, Time: 3, Layout: Layout{Velocities: true}}
	if err := vel.Validate(2); err != nil {
		t.Fatalf("valid velocity scale: %v", err)
	}
	for _, c := range []struct {
		name string
		sc   Scale
		d    int
	}{
		{"angle scaled", Scale{Mean: []float64{0, 1, 0}, Factor: []float64{2, 2, 0.5}, Time: 3, Layout: base.Layout}, 3},
		{"angle shifted", Scale{Mean: []float64{1, 1, 0}, Factor: []float64{1, 2, 0.5}, Time: 3, Layout: base.Layout}, 3},
		{"input shifted", Scale{Mean: []float64{0, 1, 4}, Factor: []float64{1, 2, 0.5}, Time: 3, Layout: base.Layout}, 3},
		{"layout does not fit", base, 4},
		{"velocity factor not tau a", Scale{Mean: []float64{2, 0}, Factor: []float64{0.5, 1}, Time: 3, Layout: vel.Layout}, 2},
		{"velocity shifted", Scale{Mean: []float64{2, 1}, Factor: []float64{0.5, 1.5}, Time: 3, Layout: vel.Layout}, 2},
	} {
		if err := c.sc.Validate(c.d); err == nil {
			t.Errorf("%s: Validate returned no error", c.name)
		}
	}
	bad := Set{Dim: 3, X: []float64{1, 2, 3}, Layout: Layout{Inputs: 2}}
	if _, err := FitScale(&bad); err == nil || !strings.Contains(err.Error(), "layout") {
		t.Errorf("FitScale with a layout that does not fit: %v", err)
	}
}

// TestScaleJSON checks that a scale keeps its layout through JSON, and
// that a scale saved before layouts existed reads as canonical.
func TestScaleJSON(t *testing.T) {
	sc := Scale{Mean: []float64{0, 1, 0}, Factor: []float64{1, 2, 0.5}, Time: 3, Layout: Layout{Positions: 1, Inputs: 1, Angles: []int{0}}}
	b, err := json.Marshal(sc)
	if err != nil {
		t.Fatal(err)
	}
	var got Scale
	if err := json.Unmarshal(b, &got); err != nil || got.Layout.Inputs != 1 || !slices.Equal(got.Layout.Angles, []int{0}) {
		t.Errorf("round trip of %s: %+v, %v", b, got, err)
	}
	old := []byte(`{"mean":[0,0],"factor":[1,1],"time":1}`)
	got = Scale{}
	if err := json.Unmarshal(old, &got); err != nil || !got.Layout.Canonical() || got.Validate(2) != nil {
		t.Errorf("old scale %s: %+v, %v", old, got, err)
	}
	if b, _ := json.Marshal(Scale{Mean: []float64{0, 0}, Factor: []float64{1, 1}, Time: 1}); strings.Contains(string(b), "layout") {
		t.Errorf("canonical scale writes a layout: %s", b)
	}
}

// mustPanic reports an error if f does not panic.
func mustPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s: no panic", what)
		}
	}()
	f()
}
