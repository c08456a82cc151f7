package systems

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/hnn-go/hnn/data"
)

func TestSpring(t *testing.T) {
	t.Parallel()
	checkSystem(t, Spring{}, [][]float64{{0, 0}, {1, 0}, {0, 1}, {0.3, -0.7}, {-2.5, 1.5}})

	var s Spring
	if got := s.Energy([]float64{1, 2}); got != 5 {
		t.Errorf("Energy(1, 2) = %v, want 5", got)
	}
	dst := make([]float64, 2)
	s.Field(dst, []float64{1, 2})
	if dst[0] != 4 || dst[1] != -2 {
		t.Errorf("Field(1, 2) = %v, want [4 -2]", dst)
	}
}

// springExact returns the solution of q' = 2p, p' = -2q from (q0, p0):
// q = q0 cos 2t + p0 sin 2t, p = p0 cos 2t - q0 sin 2t, since then
// q' = 2(p0 cos 2t - q0 sin 2t) = 2p and p' = -2(p0 sin 2t + q0 cos 2t) = -2q,
// and t = 0 gives (q0, p0).
func springExact(q0, p0, t float64) (q, p float64) {
	s, c := math.Sincos(2 * t)
	return q0*c + p0*s, p0*c - q0*s
}

// TestGenerateSpringClosedForm compares noise-free spring data with the
// closed-form solution. The starts are recomputed from a twin rng following
// Generate's documented draw order. With rtol = atol = 1e-10 over t in
// [0, 3] (about one period), the global error of the adaptive solve is
// around 1e-9, so 1e-8 is met with margin.
func TestGenerateSpringClosedForm(t *testing.T) {
	t.Parallel()
	tr := SpringProtocol()
	tr.Noise = 0
	ds, err := Generate(Spring{}, tr, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	twin := rand.New(rand.NewPCG(1, 2))
	starts := make([][]float64, tr.Count)
	for k := range starts {
		starts[k] = tr.InitialState(twin, 2)
		for range 2 * tr.Points {
			twin.NormFloat64()
		}
	}
	const tol = 1e-8
	var worst float64
	for _, s := range []struct {
		name string
		set  *data.Set
	}{{"train", &ds.Train}, {"test", &ds.Test}} {
		for i := range s.set.Len() {
			x, dx := s.set.Row(i)
			k, tt := s.set.Traj[i], s.set.T[i]
			q, p := springExact(starts[k][0], starts[k][1], tt)
			e := math.Max(math.Abs(x[0]-q), math.Abs(x[1]-p))
			worst = math.Max(worst, e)
			if e > tol {
				t.Errorf("%s row %d (trajectory %d, t %v): x = %v, closed form (%v, %v)", s.name, i, k, tt, x, q, p)
			}
			if dx[0] != 2*x[1] || dx[1] != -2*x[0] {
				t.Errorf("%s row %d: dx = %v, want the field (2p, -2q) at x = %v", s.name, i, dx, x)
			}
		}
	}
	t.Logf("worst deviation from the closed form: %.3g", worst)
}

func BenchmarkGenerate(b *testing.B) {
	for _, bc := range []struct {
		name  string
		count int
	}{{"small", 50}, {"medium", 500}, {"large", 5000}} {
		b.Run(bc.name, func(b *testing.B) {
			tr := SpringProtocol()
			tr.Count = bc.count
			for b.Loop() {
				if _, err := Generate(Spring{}, tr, rand.New(rand.NewPCG(0, 0))); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
