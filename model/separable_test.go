package model

import (
	"fmt"
	"math"
	"testing"
)

func TestSeparableLossGradFD(t *testing.T) {
	t.Parallel()
	for i, tc := range gradientCases {
		for _, dim := range []int{2, 6} {
			t.Run(fmt.Sprintf("%v/%v/dim%d", tc.act, tc.hidden, dim), func(t *testing.T) {
				t.Parallel()
				m := newConfigModel(t, Config{Kind: "separable", Dim: dim, Hidden: tc.hidden, Activation: tc.act}, uint64(30+i))
				checkLossGradFD(t, m, 4, uint64(40+i))
			})
		}
	}
}

// TestSeparableFieldIsSymplecticGradient checks the field against J times
// the finite-difference gradient of the learned energy T(p) + V(q)
// (tolerance 1e-8 against an error of about 1e-10), and that the energy is
// the sum of Kinetic and Potential.
func TestSeparableFieldIsSymplecticGradient(t *testing.T) {
	t.Parallel()
	for _, dim := range []int{2, 4, 6} {
		const B = 3
		m := newConfigModel(t, Config{Kind: "separable", Dim: dim, Hidden: []int{16, 12}}, 11)
		ws := m.NewWorkspace(B, false).(*SeparableWorkspace[float64])
		one := m.NewWorkspace(1, false).(*SeparableWorkspace[float64])
		x := randBatch(B, dim, 12)
		f := make([]float64, B*dim)
		ws.Field(f, x)
		e, kin, pot := make([]float64, B), make([]float64, B), make([]float64, B)
		ws.Energy(e, x)
		ws.Kinetic(kin, x)
		ws.Potential(pot, x)
		for b := range B {
			if math.Abs(kin[b]+pot[b]-e[b]) > 1e-15 {
				t.Errorf("dim %d row %d: T %v + V %v != H %v", dim, b, kin[b], pot[b], e[b])
			}
			row := x[b*dim : (b+1)*dim]
			want := make([]float64, dim)
			Symplectic(want, fdGradient(one.Energy, row), dim)
			for i := range dim {
				if math.Abs(f[b*dim+i]-want[i]) > 1e-8 {
					t.Errorf("dim %d row %d: field %v, finite-difference J grad H %v", dim, b, f[b*dim:(b+1)*dim], want)
					break
				}
			}
		}
	}
}

// TestSeparableFieldHalves checks separability: changing the positions
// leaves dq/dt = grad T(p) unchanged, and changing the momenta leaves
// dp/dt = -grad V(q) unchanged, bit for bit, while the other half moves.
func TestSeparableFieldHalves(t *testing.T) {
	t.Parallel()
	const dim, B, n = 4, 5, 2
	m := newConfigModel(t, Config{Kind: "separable", Dim: dim, Hidden: []int{12, 12}}, 13)
	ws := m.NewWorkspace(B, false)
	x, dx := randBatch(B, dim, 14), randBatch(B, dim, 15)
	f0 := make([]float64, B*dim)
	ws.Field(f0, x)
	for _, tc := range []struct {
		name        string
		moved, kept int // offset of the changed half of x and of the half of f that must not change
	}{{"q", 0, 0}, {"p", n, n}} {
		xx := append([]float64(nil), x...)
		for b := range B {
			for i := range n {
				xx[b*dim+tc.moved+i] += dx[b*dim+i]
			}
		}
		f := make([]float64, B*dim)
		ws.Field(f, xx)
		var other float64
		for b := range B {
			for i := range n {
				if f[b*dim+tc.kept+i] != f0[b*dim+tc.kept+i] {
					t.Fatalf("changing %s changed d%s/dt: %v -> %v", tc.name, tc.name, f0, f)
				}
				o := b*dim + (tc.kept+n)%dim + i
				other = math.Max(other, math.Abs(f[o]-f0[o]))
			}
		}
		if other < 1e-6 {
			t.Errorf("changing %s did not move the other half of the field (%g); the check is vacuous", tc.name, other)
		}
	}
}
