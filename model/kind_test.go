package model

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
)

// TestFieldVJPFD checks, for every registered kind, FieldVJP's input and
// parameter gradients of L = sum(u .* f(x)) against central finite
// differences (float64, step 1e-5: truncation and rounding errors near
// 1e-10 for these O(1) networks, so 1e-7 relative to the largest entry
// leaves a wide margin while a wrong term is off by O(1)).
func TestFieldVJPFD(t *testing.T) {
	t.Parallel()
	for _, kind := range Kinds() {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			const B, dim = 3, 4
			m := newConfigModel(t, Config{Kind: kind, Dim: dim, Hidden: []int{7, 5}}, 11)
			x, u := randBatch(B, dim, 12), randBatch(B, dim, 13)
			ws := m.NewWorkspace(B, true)
			f := make([]float64, B*dim)
			ws.Field(f, x)
			grad, dx := make([]float64, len(m.Params())), make([]float64, B*dim)
			ws.FieldVJP(grad, dx, u)
			// The same call without dx gives the same parameter gradient.
			g2 := make([]float64, len(grad))
			ws.Field(f, x)
			ws.FieldVJP(g2, nil, u)
			for i := range grad {
				if g2[i] != grad[i] {
					t.Fatalf("parameter gradient %d is %v without dx, %v with", i, g2[i], grad[i])
				}
			}
			eval := m.NewWorkspace(B, false)
			loss := func(xx []float64) float64 {
				eval.Field(f, xx)
				s := 0.0
				for i, v := range f {
					s += u[i] * v
				}
				return s
			}
			set := &fd.Settings{Formula: fd.Central, Step: 1e-5}
			check := func(name string, got, want []float64) {
				var worst, scale float64
				for i := range want {
					worst = math.Max(worst, math.Abs(got[i]-want[i]))
					scale = math.Max(scale, math.Abs(want[i]))
				}
				if scale == 0 || worst > 1e-7*scale {
					t.Errorf("%s gradient error %g (scale %g)", name, worst, scale)
				}
			}
			check("input", dx, fd.Gradient(nil, loss, x, set))
			orig := append([]float64(nil), m.Params()...)
			want := fd.Gradient(nil, func(p []float64) float64 {
				copy(m.Params(), p)
				l := loss(x)
				copy(m.Params(), orig)
				return l
			}, orig, set)
			check("parameter", grad, want)
		})
	}
}

// TestKindsRegistered checks that every registered kind describes itself
// fully and consistently: a title, a parameter count that its parts and a
// built model agree on, a positive FLOP count, and a configuration error
// naming the kind when a canonical kind gets an odd dimension.
func TestKindsRegistered(t *testing.T) {
	t.Parallel()
	if len(Kinds()) < 4 {
		t.Fatalf("Kinds() = %v, want at least baseline, dhnn, hnn, separable", Kinds())
	}
	for _, name := range Kinds() {
		k := MustLookup(name)
		c := Config{Kind: name, Dim: 4, Hidden: []int{6, 5}}.WithDefaults()
		m, err := New[float32](c, rand.New(rand.NewPCG(1, 2)))
		if err != nil {
			t.Fatal(err)
		}
		if k.Title == "" || k.Cost <= 0 {
			t.Errorf("%s: title %q, cost %v", name, k.Title, k.Cost)
		}
		if n := NumParams(c); n != len(m.Params()) || n == 0 {
			t.Errorf("%s: NumParams %d, model holds %d", name, n, len(m.Params()))
		}
		if f := k.FLOPs(c); !(f > 0) {
			t.Errorf("%s: FLOPs %v", name, f)
		}
		if KindOf(m) != k {
			t.Errorf("%s: KindOf returns %q", name, KindOf(m).Name)
		}
		odd := Config{Kind: name, Dim: 3}.WithDefaults().Validate()
		// A kind that takes other layouts reads the zero one as (q, p)
		// too, so an odd dimension is refused there as well.
		if (k.Canonical || k.Layouts != nil) != (odd != nil) {
			t.Errorf("%s: canonical %v, odd dimension gives %v", name, k.Canonical, odd)
		}
		if odd != nil && !strings.Contains(odd.Error(), name) {
			t.Errorf("%s: error %q does not name the kind", name, odd)
		}
	}
	if _, err := Lookup("nope"); err == nil || !strings.Contains(err.Error(), "valid: ") {
		t.Errorf("Lookup of an unknown kind: %v", err)
	}
}

// TestRegisterPanics checks Register's documented panics.
func TestRegisterPanics(t *testing.T) {
	t.Parallel()
	hnn := *MustLookup("hnn")
	for name, k := range map[string]Kind{
		"taken":   hnn,
		"no name": {Parts: hnn.Parts, Build32: hnn.Build32, Build64: hnn.Build64, FLOPs: hnn.FLOPs},
		"no FLOP": {Name: "x-test", Parts: hnn.Parts, Build32: hnn.Build32, Build64: hnn.Build64},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: Register did not panic", name)
				}
			}()
			Register(k)
		}()
	}
}

// TestBatchFieldFuncFrozen checks, for every registered kind in float32,
// that BatchFieldFunc (whose workspace keeps the weights packed where the
// kind is a Freezer) gives the bits of a workspace's Field without frozen
// weights, for batches of a few, some and many rows, and that the kinds
// of the paper's protocol are Freezers.
func TestBatchFieldFuncFrozen(t *testing.T) {
	t.Parallel()
	for _, kind := range Kinds() {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			const dim = 4
			m, err := New[float32](Config{Kind: kind, Dim: dim, Hidden: []int{40, 37}}, rand.New(rand.NewPCG(21, 1)))
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := m.NewWorkspace(1, false).(Freezer); !ok && (kind == "hnn" || kind == "baseline") {
				t.Errorf("%s's workspace is not a Freezer", kind)
			}
			for _, rows := range []int{3, 15, 64} {
				x := randBatch(rows, dim, uint64(rows))
				got := make([]float64, len(x))
				BatchFieldFunc(m, rows)(got, nil, x)
				x32, f32 := make([]float32, len(x)), make([]float32, len(x))
				for i, v := range x {
					x32[i] = float32(v)
				}
				m.NewWorkspace(rows, false).Field(f32, x32)
				for i, v := range f32 {
					if got[i] != float64(v) {
						t.Fatalf("%d rows: value %d = %v, unfrozen %v", rows, i, got[i], v)
					}
				}
			}
		})
	}
}
