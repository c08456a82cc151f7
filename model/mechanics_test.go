package model

import (
	"math"
	"testing"

	"github.com/hnn-go/hnn/data"
)

// TestMechanicsAgreeWithField checks the accessor of the learned M(q),
// V(q) and g(q) of symoden and delan against the model's own energy and
// field, on random networks and states, to 1e-9 relative (rounding of a
// few small solves): the energy is v^T M v / 2 + V(q) (v = M^-1 p on
// momenta), V is the energy at rest, M is symmetric, and the input's
// effect on the field, field(u) - field(0), is g u on momenta (dp/dt) and
// M^-1 g u on velocities (the acceleration).
func TestMechanicsAgreeWithField(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"symoden", "delan"} {
		for li, l := range []data.Layout{
			{Positions: 1, Velocities: true, Inputs: 1, Angles: []int{0}},
			{Positions: 2, Inputs: 1, Angles: []int{1}},
			{Positions: 2, Velocities: true, Inputs: 2},
		} {
			m := newConfigModel(t, Config{Kind: kind, Dim: l.Dim(), Hidden: []int{8, 8}, Layout: l}, uint64(20+li))
			const B = 5
			n, mi, d := l.Positions, l.Inputs, l.Dim()
			x := randBatch(B, d, uint64(30+li))
			ws := m.NewWorkspace(B, false)
			mech, ok := ws.(Mechanical[float64])
			if !ok {
				t.Fatalf("%s: workspace is not Mechanical", kind)
			}
			mass, pot, g := make([]float64, B*n*n), make([]float64, B), make([]float64, B*n*mi)
			mech.Mechanics(mass, pot, g, x)
			energy := ws.(interface{ Energy(dst, x []float64) })
			e := make([]float64, B)
			energy.Energy(e, x)
			// At rest and without input.
			rest := append([]float64(nil), x...)
			for b := range B {
				clear(rest[b*d+n : (b+1)*d])
			}
			e0, f0, f1 := make([]float64, B), make([]float64, B*d), make([]float64, B*d)
			energy.Energy(e0, rest)
			ws.Field(f0, rest)
			push := append([]float64(nil), rest...)
			for b := range B {
				for j := range mi {
					push[b*d+2*n+j] = float64(j + 1)
				}
			}
			ws.Field(f1, push)
			near := func(what string, b int, got, want float64) {
				if math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
					t.Errorf("%s %+v row %d: %s %v, want %v", kind, l, b, what, got, want)
				}
			}
			for b := range B {
				M := mass[b*n*n : (b+1)*n*n]
				near("V", b, pot[b], e0[b])
				for i := range n {
					for j := range i {
						near("M symmetry", b, M[i*n+j], M[j*n+i])
					}
				}
				// v = the velocities, or M^-1 p by solving M v = p.
				s := x[b*d+n : b*d+2*n]
				v := append([]float64(nil), s...)
				if !l.Velocities {
					v = solveSmall(M, s, n)
				}
				var kin float64
				for i := range n {
					for j := range n {
						kin += v[i] * M[i*n+j] * v[j]
					}
				}
				near("energy", b, kin/2+pot[b], e[b])
				// g u with u_j = j + 1.
				gu := make([]float64, n)
				for i := range n {
					for j := range mi {
						gu[i] += g[b*n*mi+i*mi+j] * float64(j+1)
					}
				}
				if l.Velocities {
					gu = solveSmall(M, gu, n)
				}
				for i := range n {
					near("input's effect", b, f1[b*d+n+i]-f0[b*d+n+i], gu[i])
				}
			}
		}
	}
}

// solveSmall solves M x = r for a small n x n matrix by Gaussian
// elimination with partial pivoting.
func solveSmall(M, r []float64, n int) []float64 {
	a := append([]float64(nil), M...)
	x := append([]float64(nil), r...)
	for c := range n {
		p := c
		for i := c + 1; i < n; i++ {
			if math.Abs(a[i*n+c]) > math.Abs(a[p*n+c]) {
				p = i
			}
		}
		for j := range n {
			a[c*n+j], a[p*n+j] = a[p*n+j], a[c*n+j]
		}
		x[c], x[p] = x[p], x[c]
		for i := c + 1; i < n; i++ {
			f := a[i*n+c] / a[c*n+c]
			for j := c; j < n; j++ {
				a[i*n+j] -= f * a[c*n+j]
			}
			x[i] -= f * x[c]
		}
	}
	for i := n - 1; i >= 0; i-- {
		for j := i + 1; j < n; j++ {
			x[i] -= a[i*n+j] * x[j]
		}
		x[i] /= a[i*n+i]
	}
	return x
}
