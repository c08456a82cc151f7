package metrics

import (
	"math"
	"testing"
)

// oscillator returns the exact harmonic-oscillator trajectory (q, p) =
// r (cos t, -sin t) at ts, T x 2, with H = (q^2 + p^2) / 2.
func oscillator(r float64, ts []float64) []float64 {
	out := make([]float64, 2*len(ts))
	for i, t := range ts {
		out[2*i], out[2*i+1] = r*math.Cos(t), -r*math.Sin(t)
	}
	return out
}

func oscEnergy(x []float64) float64 { return (x[0]*x[0] + x[1]*x[1]) / 2 }

func TestEnergyDrift(t *testing.T) {
	t.Parallel()
	ts := Linspace(10, 50)
	exact := oscillator(1.5, ts)
	dst := make([]float64, len(ts))
	EnergyDrift(dst, oscEnergy, exact, 2)
	for i, v := range dst {
		if v > 1e-15 {
			t.Fatalf("exact orbit: drift %v at time %d", v, i)
		}
	}
	// A spiral whose radius grows as 1 + t/10 drifts by (1+t/10)^2 - 1.
	spiral := make([]float64, len(exact))
	for i, tm := range ts {
		s := 1 + tm/10
		spiral[2*i], spiral[2*i+1] = s*exact[2*i], s*exact[2*i+1]
	}
	EnergyDrift(dst, oscEnergy, spiral, 2)
	for i, tm := range ts {
		want := (1+tm/10)*(1+tm/10) - 1
		if math.Abs(dst[i]-want) > 1e-12 {
			t.Fatalf("spiral: drift %v at t = %v, want %v", dst[i], tm, want)
		}
	}
}

func TestRelativeAndNormalizedError(t *testing.T) {
	t.Parallel()
	truth := []float64{3, 4, 0, 0, 1, 0}
	for _, c := range []struct {
		name      string
		pred      []float64
		rel, norm []float64
	}{
		{"equal", []float64{3, 4, 0, 0, 1, 0}, []float64{0, 0, 0}, []float64{0, 0, 0}},
		{"opposite", []float64{-3, -4, 0, 0, -1, 0}, []float64{1, 0, 1}, []float64{4, 0, 4}},
		{"double", []float64{6, 8, 0, 1, 2, 0}, []float64{1.0 / 3, 1, 1.0 / 3}, []float64{1, math.Inf(1), 1}},
	} {
		rel := make([]float64, 3)
		norm := make([]float64, 3)
		RelativeError(rel, c.pred, truth, 2)
		NormalizedError(norm, c.pred, truth, 2)
		for i := range rel {
			if math.Abs(rel[i]-c.rel[i]) > 1e-15 {
				t.Errorf("%s: relative error %v at %d, want %v", c.name, rel[i], i, c.rel[i])
			}
			if norm[i] != c.norm[i] && math.Abs(norm[i]-c.norm[i]) > 1e-15 {
				t.Errorf("%s: normalised error %v at %d, want %v", c.name, norm[i], i, c.norm[i])
			}
		}
	}
}

func TestValidTime(t *testing.T) {
	t.Parallel()
	ts := []float64{0, 1, 2, 3, 4}
	for _, c := range []struct {
		name string
		nerr []float64
		want float64
	}{
		{"crosses", []float64{0, 0.01, 0.02, 0.03, 0.5}, 3},
		{"never", []float64{0, 0, 0, 0, 0.025}, 4},
		{"NaN", []float64{0, math.NaN(), 0, 0, 0}, 1},
		{"at once", []float64{1, 1, 1, 1, 1}, 0},
	} {
		if got := ValidTime(ts, c.nerr, DefaultValidThreshold); got != c.want {
			t.Errorf("%s: valid time %v, want %v", c.name, got, c.want)
		}
	}
}

func TestGeoMean(t *testing.T) {
	t.Parallel()
	if g := GeoMean([]float64{1, 100}); math.Abs(g-10) > 1e-12 {
		t.Errorf("GeoMean(1, 100) = %v, want 10", g)
	}
	if g := GeoMean([]float64{0, 1}); math.Abs(g-1e-8) > 1e-20 {
		t.Errorf("GeoMean(0, 1) = %v, want 1e-8 (zero floored at 1e-16)", g)
	}
	if !math.IsNaN(GeoMean(nil)) || !math.IsNaN(GeoMean([]float64{1, math.NaN()})) || !math.IsNaN(Mean(nil)) {
		t.Error("empty or NaN input: want NaN")
	}
}

func TestLongHorizonPanics(t *testing.T) {
	t.Parallel()
	for name, f := range map[string]func(){
		"drift":      func() { EnergyDrift(make([]float64, 2), oscEnergy, make([]float64, 5), 2) },
		"relative":   func() { RelativeError(make([]float64, 2), make([]float64, 4), make([]float64, 6), 2) },
		"normalised": func() { NormalizedError(make([]float64, 2), make([]float64, 4), make([]float64, 4), 0) },
		"valid":      func() { ValidTime([]float64{1}, []float64{1, 2}, 1) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic on mismatched lengths", name)
				}
			}()
			f()
		}()
	}
}
