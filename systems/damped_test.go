package systems

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/hnn-go/hnn/ode"
)

func TestDampedSpring(t *testing.T) {
	t.Parallel()
	s := DampedSpring{}
	dst := make([]float64, 2)
	s.Field(dst, []float64{0.5, 1})
	if dst[0] != 1 || dst[1] != -1 {
		t.Errorf("Field(0.5, 1) = %v, want [1 -1]", dst)
	}
	cons, diss := make([]float64, 2), make([]float64, 2)
	s.Parts(cons, diss, []float64{0.5, 1})
	if cons[0]+diss[0] != dst[0] || cons[1]+diss[1] != dst[1] || diss[1] != 0 {
		t.Errorf("Parts %v + %v, field %v", cons, diss, dst)
	}
	// The dissipative part is grad D, by central differences.
	const h = 1e-6
	x := []float64{0.7, -0.3}
	for i := range 2 {
		a, b := slices.Clone(x), slices.Clone(x)
		a[i] += h
		b[i] -= h
		s.Parts(cons, diss, x)
		if g := (s.Dissipation(a) - s.Dissipation(b)) / (2 * h); math.Abs(g-diss[i]) > 1e-8 {
			t.Errorf("dD/dx%d = %v, dissipative part %v", i, g, diss[i])
		}
	}
	// The energy decays along the flow, dH/dt = -2 Rho q^2 = -4 q^2, and
	// the linear flow x' = A x with eigenvalues -1 +- i sqrt(3) damps the
	// energy by e^{-2t} on average: after t = 5 it is below 1e-3 of its
	// start.
	ts := []float64{0, 1, 2, 5}
	out := make([]float64, len(ts)*2)
	f := func(dst []float64, _ float64, x []float64) { s.Field(dst, x) }
	if err := (ode.DormandPrince{RTol: 1e-10, ATol: 1e-12}).Solve(out, f, []float64{1, 0}, ts); err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(ts); i++ {
		if !(s.Energy(out[2*i:2*i+2]) < s.Energy(out[2*i-2:2*i])) {
			t.Errorf("energy does not decay between t = %v and %v", ts[i-1], ts[i])
		}
	}
	if e := s.Energy(out[6:8]); !(e < 1e-3) {
		t.Errorf("energy %v at t = 5, want below 1e-3", e)
	}
	s.Field(dst, []float64{0.3, 0.4})
	if de := 2*0.3*dst[0] + 2*0.4*dst[1]; math.Abs(de-(-4*0.09)) > 1e-15 {
		t.Errorf("dH/dt = %v, want -4 q^2 = %v", de, -4*0.09)
	}
}

func TestGenerateGrid(t *testing.T) {
	t.Parallel()
	g := DampedSpringGrid()
	ds, err := GenerateGrid(DampedSpring{}, g, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if ds.Train.Len() != 500 || ds.Test.Len() != 125 || g.Rows() != 500 {
		t.Fatalf("split %d/%d, want 500/125", ds.Train.Len(), ds.Test.Len())
	}
	seen := map[[2]float64]bool{}
	dst := make([]float64, 2)
	for _, s := range []*struct{ X, DX []float64 }{{ds.Train.X, ds.Train.DX}, {ds.Test.X, ds.Test.DX}} {
		for i := 0; i < len(s.X); i += 2 {
			p := [2]float64{s.X[i], s.X[i+1]}
			if seen[p] || p[0] < -1.2-1e-12 || p[0] > 1.2+1e-12 {
				t.Fatalf("point %v repeated or outside the grid", p)
			}
			seen[p] = true
			DampedSpring{}.Field(dst, p[:])
			if dst[0] != s.DX[i] || dst[1] != s.DX[i+1] {
				t.Fatalf("derivative at %v is %v, want %v", p, s.DX[i:i+2], dst)
			}
		}
	}
	if !seen[[2]float64{-1.2, -1.2}] || !seen[[2]float64{1.2, 1.2}] {
		t.Error("the grid misses its corners")
	}
	again, _ := GenerateGrid(DampedSpring{}, g, rand.New(rand.NewPCG(1, 1)))
	if !slices.Equal(again.Train.X, ds.Train.X) {
		t.Error("the same seed gave a different shuffle")
	}
	for _, bad := range []Grid{{N: 1, Lo: 0, Hi: 1, TrainFraction: 0.5}, {N: 5, Lo: 1, Hi: 1, TrainFraction: 0.5}, {N: 5, Lo: 0, Hi: 1, TrainFraction: 0}} {
		if _, err := GenerateGrid(DampedSpring{}, bad, rand.New(rand.NewPCG(1, 1))); err == nil {
			t.Errorf("grid %+v: no error", bad)
		}
	}
	if _, err := GenerateGrid(NBody{Bodies: 2}, g, rand.New(rand.NewPCG(1, 1))); err == nil {
		t.Error("8-D system: no error")
	}
}
