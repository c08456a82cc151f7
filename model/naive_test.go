package model

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/nn"
	"github.com/hnn-go/hnn/systems"
)

// TestUnstructuredFieldVJPFD checks the naive and geometric kinds'
// FieldVJP against central differences on every layout of
// mechLayoutCases (the tolerance of checkFieldVJPFD), with a smooth
// activation and with ReLU (their networks are trained by plain
// backpropagation; the random states sit away from ReLU's kinks with
// probability one).
func TestUnstructuredFieldVJPFD(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"naive", "geometric"} {
		for i, l := range mechLayoutCases {
			for _, act := range []nn.Activation{nn.Tanh, nn.ReLU} {
				if kind == "geometric" && !l.Velocities {
					continue // refused: see TestGeometricRefusesMomenta
				}
				t.Run(fmt.Sprintf("%s/%d/%v", kind, i, act), func(t *testing.T) {
					t.Parallel()
					c := Config{Kind: kind, Dim: l.Dim(), Hidden: []int{7, 5}, Activation: act, Layout: l}
					checkFieldVJPFD(t, newConfigModel(t, c, uint64(40+i)), 3, uint64(50+i))
				})
			}
		}
	}
}

// TestUnstructuredStructure checks what the unstructured kinds promise:
// the inputs' derivatives are zero; the geometric kind's position
// derivatives are the velocity columns exactly on velocity rows; and on
// the canonical layout the naive kind is the baseline (the same network
// gives the same field bit for bit).
func TestUnstructuredStructure(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"naive", "geometric"} {
		for _, l := range mechLayoutCases {
			if kind == "geometric" && !l.Velocities {
				continue
			}
			m := newConfigModel(t, Config{Kind: kind, Dim: l.Dim(), Hidden: []int{6}, Layout: l}, 3)
			const B = 4
			d, n := l.Dim(), l.Positions
			x, f := randBatch(B, d, 4), make([]float64, B*d)
			m.NewWorkspace(B, false).Field(f, x)
			for b := range B {
				for j := 2 * n; j < d; j++ {
					if f[b*d+j] != 0 {
						t.Errorf("%s %+v: input derivative %v, want 0", kind, l, f[b*d+j])
					}
				}
				if kind == "geometric" && l.Velocities {
					for i := range n {
						if f[b*d+i] != x[b*d+n+i] {
							t.Errorf("%s %+v: dq/dt %v, want the velocity %v", kind, l, f[b*d+i], x[b*d+n+i])
						}
					}
				}
			}
		}
	}
	naive := newConfigModel(t, Config{Kind: "naive", Dim: 4, Hidden: []int{6}}, 5)
	base := newConfigModel(t, Config{Kind: "baseline", Dim: 4, Hidden: []int{6}}, 6)
	copy(base.Params(), naive.Params())
	x, f0, f1 := randBatch(3, 4, 7), make([]float64, 12), make([]float64, 12)
	naive.NewWorkspace(3, false).Field(f0, x)
	base.NewWorkspace(3, false).Field(f1, x)
	for i := range f0 {
		if f0[i] != f1[i] {
			t.Fatalf("naive field %v, baseline %v with the same network", f0, f1)
		}
	}
}

// TestGeometricLearnsPendulum trains the geometric kind on the small
// angle-embedded pendulum with torque of TestMechLearnsPendulum
// (derivative fit, full batch, float64, 150 Adam steps) and checks that
// the loss falls by a factor of 100 (measured: 38 -> 0.065), and that with
// the gradient's sign flipped it does not.
func TestGeometricLearnsPendulum(t *testing.T) {
	t.Parallel()
	pr := systems.PendulumEmbedProtocol()
	pr.Starts, pr.Points = 16, 10
	ds, err := systems.GenerateDriven(systems.TorquePendulum{}, pr, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	set := ds.Train
	rows := len(set.X) / set.Dim
	const steps = 150
	fit := func(flip bool) (first, last float64) {
		c := Config{Kind: "geometric", Dim: set.Dim, Hidden: []int{32, 32}, Precision: Float64, Layout: set.Layout}
		m := newConfigModel(t, c, 3)
		ws := m.NewWorkspace(rows, true)
		grad := make([]float64, len(m.Params()))
		opt := nn.NewAdam[float64](len(grad), 1e-2, 0)
		for s := range steps {
			l := ws.LossGrad(set.X, set.DX, grad)
			if s == 0 {
				first = l
			}
			if flip {
				for i := range grad {
					grad[i] = -grad[i]
				}
			}
			opt.Step(m.Params(), grad)
		}
		return first, ws.Loss(set.X, set.DX)
	}
	first, last := fit(false)
	bf, bl := fit(true)
	t.Logf("loss %.3g -> %.3g; with the gradient's sign flipped %.3g -> %.3g", first, last, bf, bl)
	if !(last < first/100) {
		t.Errorf("loss %.3g -> %.3g after %d steps, want a fall by 100", first, last, steps)
	}
	if !(bl > bf/100) {
		t.Errorf("with the gradient flipped the loss fell %.3g -> %.3g: the check cannot tell", bf, bl)
	}
}

// TestGeometricRefusesMomenta checks that the geometric kind refuses a
// layout of momenta with one line saying it needs velocities, and still
// takes canonical states and velocities.
func TestGeometricRefusesMomenta(t *testing.T) {
	t.Parallel()
	for _, l := range []data.Layout{{Positions: 1, Inputs: 1}, {Positions: 2, Angles: []int{0}}} {
		err := Config{Kind: "geometric", Dim: l.Dim(), Layout: l}.Validate()
		if err == nil || !strings.Contains(err.Error(), "geometric needs velocities") || strings.Contains(err.Error(), "\n") {
			t.Errorf("layout %+v: %v, want one line saying geometric needs velocities", l, err)
		}
	}
	for _, c := range []Config{{Kind: "geometric", Dim: 4, Hidden: []int{4}}, {Kind: "geometric", Dim: 3, Hidden: []int{4}, Layout: data.Layout{Velocities: true, Inputs: 1}}} {
		if err := c.Validate(); err != nil {
			t.Errorf("%+v: %v", c.Layout, err)
		}
	}
}
