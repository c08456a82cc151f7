package trajectory_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/hnn-go/hnn/trajectory"
)

// unevenGrid returns n strictly increasing times starting at t0 with
// random steps in [h/4, h].
func unevenGrid(rng *rand.Rand, n int, t0, h float64) []float64 {
	t := make([]float64, n)
	t[0] = t0
	for i := 1; i < n; i++ {
		t[i] = t[i-1] + h*(0.25+0.75*rng.Float64())
	}
	return t
}

func TestDifferencesExactOnPolynomials(t *testing.T) {
	t.Parallel()
	const dim = 4
	tests := []struct {
		name   string
		diff   func(trajectory.Trial, int) []float64
		degree int
	}{
		{"central quadratic", trajectory.Central, 2},
		{"forward linear", trajectory.Forward, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(1, uint64(tt.degree)))
			for _, n := range []int{3, 4, 5, 50} {
				times := unevenGrid(rng, n, -1, 0.5)
				// Variable j is a polynomial of the given degree with
				// coefficients c[j][0..degree].
				c := make([][]float64, dim)
				for j := range c {
					c[j] = make([]float64, tt.degree+1)
					for m := range c[j] {
						c[j][m] = 4*rng.Float64() - 2
					}
				}
				x := make([]float64, n*dim)
				want := make([]float64, n*dim)
				for i, ti := range times {
					for j := range dim {
						for m, cm := range c[j] {
							x[i*dim+j] += cm * math.Pow(ti, float64(m))
							if m > 0 {
								want[i*dim+j] += float64(m) * cm * math.Pow(ti, float64(m-1))
							}
						}
					}
				}
				got := tt.diff(trajectory.Trial{T: times, X: x}, dim)
				// Round-off: values of order 10 over steps of at
				// least 1/8 lose a few digits, far fewer than 1e-12.
				for i := range got {
					if math.Abs(got[i]-want[i]) > 1e-12*max(1, math.Abs(want[i])) {
						t.Fatalf("n=%d: row %d variable %d: %v, want %v", n, i/dim, i%dim, got[i], want[i])
					}
				}
			}
		})
	}
}

// TestDifferencesOrder checks the order of convergence: the log-log slope
// of the maximum error on x = sin(t), cos(t) against the step.
func TestDifferencesOrder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		diff  func(trajectory.Trial, int) []float64
		order float64
	}{
		{"central", trajectory.Central, 2},
		{"forward", trajectory.Forward, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			maxErr := func(h float64) float64 {
				// The same pattern of uneven steps at every scale.
				rng := rand.New(rand.NewPCG(7, 7))
				times := unevenGrid(rng, int(4/h), 0, h)
				x := make([]float64, 2*len(times))
				for i, ti := range times {
					x[2*i], x[2*i+1] = math.Sin(ti), math.Cos(ti)
				}
				got := tt.diff(trajectory.Trial{T: times, X: x}, 2)
				e := 0.0
				for i, ti := range times {
					e = max(e, math.Abs(got[2*i]-math.Cos(ti)), math.Abs(got[2*i+1]+math.Sin(ti)))
				}
				return e
			}
			const h = 0.02
			slope := math.Log2(maxErr(h) / maxErr(h/2))
			// Uneven steps differ between the two grids, so the slope
			// is only near the order.
			if math.Abs(slope-tt.order) > 0.3 {
				t.Errorf("order %.2f, want %v", slope, tt.order)
			}
		})
	}
}

func TestForwardLastRow(t *testing.T) {
	t.Parallel()
	tr := trajectory.Trial{T: []float64{0, 1, 3, 3.5}, X: []float64{0, 1, 2, 3}}
	got := trajectory.Forward(tr, 1)
	want := []float64{1, 0.5, 2, 2}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Forward = %v, want %v", got, want)
		}
	}
}

func TestDifferencesPanic(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		f    func()
	}{
		{"central two rows", func() { trajectory.Central(trajectory.Trial{T: []float64{0, 1}, X: []float64{0, 1}}, 1) }},
		{"forward one row", func() { trajectory.Forward(trajectory.Trial{T: []float64{0}, X: []float64{0}}, 1) }},
		{"length", func() { trajectory.Central(trajectory.Trial{T: []float64{0, 1, 2}, X: []float64{0, 1}}, 1) }},
		{"dimension", func() { trajectory.Forward(trajectory.Trial{T: []float64{0, 1}}, 0) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			defer func() {
				r := recover()
				if s, ok := r.(string); !ok || !strings.HasPrefix(s, "trajectory: ") {
					t.Errorf("panic %v, want a trajectory: message", r)
				}
			}()
			tt.f()
		})
	}
}

func TestWithDerivatives(t *testing.T) {
	t.Parallel()
	s := &trajectory.Set{Source: "mem", Names: []string{"q", "p"}, Dim: 2, Trials: []trajectory.Trial{
		{T: []float64{0, 1, 3}, X: []float64{0, 0, 1, 1, 9, 3}},
		{T: []float64{0, 1}, X: []float64{0, 0, 1, 1}, DX: []float64{7, 7, 7, 7}},
	}}
	for _, method := range []string{"", "central", "forward"} {
		out, err := s.WithDerivatives(method)
		if err != nil {
			t.Fatalf("%q: %v", method, err)
		}
		if s.Trials[0].DX != nil {
			t.Fatalf("%q: WithDerivatives changed its receiver", method)
		}
		if d := out.Trials[1].DX; d[0] != 7 || d[3] != 7 {
			t.Errorf("%q: file derivatives %v changed", method, d)
		}
		// q = t² and p = t: central differences are exact.
		want := []float64{0, 1, 2, 1, 6, 1}
		if method == "forward" {
			want = []float64{1, 1, 4, 1, 4, 1}
		}
		for i, v := range out.Trials[0].DX {
			if math.Abs(v-want[i]) > 1e-14 {
				t.Errorf("%q: DX = %v, want %v", method, out.Trials[0].DX, want)
				break
			}
		}
	}
	for _, tt := range []struct {
		name, method string
		s            *trajectory.Set
		want         string
	}{
		{"unknown method", "backward", s, `unknown finite-difference method "backward", expected "central" or "forward"`},
		{"too short", "central", &trajectory.Set{Source: "mem", Dim: 2, Names: twoTrialsSet.Names, Trials: twoTrialsSet.Trials}, "trial 1 has 2 rows; central differences need at least 3"},
		{"invalid", "central", &trajectory.Set{Source: "mem", Dim: 2, Names: []string{"q", "p"}}, "no trials"},
		{"overflow", "forward", &trajectory.Set{Source: "mem", Dim: 2, Names: []string{"q", "p"}, Trials: []trajectory.Trial{
			{T: []float64{0, 5e-324}, X: []float64{0, 0, 1e300, 1}},
		}}, "trial 0, row 0, dq: derivative +Inf, expected a finite number (forward differences)"},
	} {
		_, err := tt.s.WithDerivatives(tt.method)
		t.Run(tt.name, func(t *testing.T) { wantError(t, err, "mem", tt.want) })
	}
}

// TestRealPendulumDerivatives checks central differences of the real
// pendulum against its measured velocity: SOURCE.md reports a fit of
// dθ/dt ≈ 1.04·v.
func TestRealPendulumDerivatives(t *testing.T) {
	t.Parallel()
	s, err := trajectory.ReadFile(lipsonFile(t, "real_pend_h_1.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, method := range []string{"central", "forward"} {
		d, err := s.WithDerivatives(method)
		if err != nil {
			t.Fatal(err)
		}
		tr := d.Trials[0]
		var vv, vd float64
		for i := range tr.T {
			v := tr.X[2*i+1]
			vv += v * v
			vd += v * tr.DX[2*i]
		}
		if k := vd / vv; k < 1.0 || k > 1.08 {
			t.Errorf("%s: dθ/dt ≈ %.3f·v, want about 1.04·v", method, k)
		}
	}
}
