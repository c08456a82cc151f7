package model

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/diff/fd"

	"github.com/hnn-go/hnn/nn"
)

func newModel(t *testing.T, kind string, dim int, hidden []int, seed uint64) Model[float64] {
	t.Helper()
	m, err := New[float64](Config{Kind: kind, Dim: dim, Hidden: hidden, Precision: "float64"}, rand.New(rand.NewPCG(seed, 1)))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestHNNKnownEnergy builds an HNN whose network is the one-neuron energy
// H(x) = c tanh(w.x + b) and checks its field against the analytic
// symplectic gradient c (1 - tanh^2) J w.
func TestHNNKnownEnergy(t *testing.T) {
	t.Parallel()
	m := newModel(t, "hnn", 4, []int{1}, 1).(*HNN[float64])
	w := []float64{0.3, -0.7, 0.2, 0.5}
	b, c := 0.1, 1.7
	params := append(append(append([]float64(nil), w...), b), c)
	copy(m.Params(), params)
	x := []float64{0.4, -1.1, 0.9, 0.25}
	got := make([]float64, 4)
	m.NewWorkspace(1, false).Field(got, x)
	a := b
	for i := range w {
		a += w[i] * x[i]
	}
	g := c * (1 - math.Tanh(a)*math.Tanh(a))
	want := []float64{g * w[2], g * w[3], -g * w[0], -g * w[1]}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-14 {
			t.Fatalf("field = %v, want %v", got, want)
		}
	}
	e := make([]float64, 1)
	m.newWorkspace(1, false).Energy(e, x)
	if math.Abs(e[0]-c*math.Tanh(a)) > 1e-14 {
		t.Errorf("H = %v, want %v", e[0], c*math.Tanh(a))
	}
}

// TestHNNFieldDivergenceFree checks that the trace of the Jacobian of an
// HNN's field vanishes (J times a symmetric Hessian) while the baseline's
// does not.
func TestHNNFieldDivergenceFree(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		kind string
		free bool
	}{{"hnn", true}, {"baseline", false}} {
		m := newModel(t, tc.kind, 4, []int{32, 32}, 2)
		ws := m.NewWorkspace(1, false)
		rng := rand.New(rand.NewPCG(3, 3))
		var maxDiv float64
		for range 5 {
			x := make([]float64, 4)
			for i := range x {
				x[i] = rng.NormFloat64()
			}
			var div float64
			for i := range x {
				f := func(v float64) float64 {
					xx := append([]float64(nil), x...)
					xx[i] = v
					out := make([]float64, 4)
					ws.Field(out, xx)
					return out[i]
				}
				div += fd.Derivative(f, x[i], &fd.Settings{Formula: fd.Central, Step: 1e-5})
			}
			maxDiv = math.Max(maxDiv, math.Abs(div))
		}
		if tc.free && maxDiv > 1e-8 {
			t.Errorf("%s: divergence %g, want 0", tc.kind, maxDiv)
		}
		if !tc.free && maxDiv < 1e-4 {
			t.Errorf("%s: divergence %g; the check cannot tell structured from unstructured", tc.kind, maxDiv)
		}
	}
}

// TestLossGradFD checks every model's loss gradient against central finite
// differences.
func TestLossGradFD(t *testing.T) {
	t.Parallel()
	for _, kind := range Kinds() {
		for _, dim := range []int{2, 4} {
			checkLossGradFD(t, newModel(t, kind, dim, []int{12, 10}, 4), 5, 5)
		}
	}
}

// checkLossGradFD checks m's LossGrad on a random batch of B rows (from
// seed) against its Loss and against central finite differences of Loss in
// the parameters. With step 1e-5 in float64 the truncation error is about
// 1e-10 times the third derivative and the rounding error about 1e-11, so
// 1e-7 of the gradient's largest entry leaves a wide margin while a wrong
// term (an order-one relative error) fails by orders of magnitude.
func checkLossGradFD(t *testing.T, m Model[float64], B int, seed uint64) {
	t.Helper()
	c := m.Config()
	dim := c.Dim
	rng := rand.New(rand.NewPCG(seed, 5))
	x, y := make([]float64, B*dim), make([]float64, B*dim)
	for i := range x {
		x[i], y[i] = rng.NormFloat64(), rng.NormFloat64()
	}
	ws := m.NewWorkspace(B, true)
	grad := make([]float64, len(m.Params()))
	loss := ws.LossGrad(x, y, grad)
	if l2 := ws.Loss(x, y); math.Abs(l2-loss) > 1e-14 {
		t.Errorf("%s: Loss %v != LossGrad %v", c.Kind, l2, loss)
	}
	orig := append([]float64(nil), m.Params()...)
	want := fd.Gradient(nil, func(p []float64) float64 {
		copy(m.Params(), p)
		l := ws.Loss(x, y)
		copy(m.Params(), orig)
		return l
	}, orig, &fd.Settings{Formula: fd.Central, Step: 1e-5})
	// Check each part's slice of the gradient (a network or a plain array)
	// on its own, so that one part's large entries cannot hide another's
	// error.
	off := 0
	for _, part := range MustLookup(c.Kind).Parts(c) {
		k := part.Len()
		var worst, scale float64
		for i := off; i < off+k; i++ {
			worst = math.Max(worst, math.Abs(grad[i]-want[i]))
			scale = math.Max(scale, math.Abs(want[i]))
		}
		if scale == 0 || worst > 1e-7*scale {
			t.Errorf("%s dim %d hidden %v %v: part %s: gradient error %g (scale %g)", c.Kind, dim, c.Hidden, c.Activation, part.Name, worst, scale)
		}
		off += k
	}
	if off != len(grad) {
		t.Errorf("%s: parts hold %d parameters, Params %d", c.Kind, off, len(grad))
	}
}

func TestConfigErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		c    Config
		want string
	}{
		{Config{Kind: "hnn", Dim: 3}, "even state dimension"},
		{Config{Kind: "dhnn", Dim: 3}, "dhnn needs canonical coordinates (q, p) with an even state dimension, got 3"},
		{Config{Kind: "separable", Dim: 5}, "separable needs canonical coordinates (q, p) with an even state dimension, got 5"},
		{Config{Kind: "mlp", Dim: 2}, "unknown model \"mlp\" (valid: " + strings.Join(Kinds(), ", ") + ")"},
		{Config{Kind: "hnn", Dim: 2, Activation: nn.ReLU}, "no second derivative"},
		{Config{Kind: "dhnn", Dim: 2, Activation: nn.ReLU}, "no second derivative"},
		{Config{Kind: "separable", Dim: 2, Activation: nn.ReLU}, "no second derivative"},
		{Config{Kind: "hnn", Dim: 2, Hidden: []int{0}}, "width 0"},
		{Config{Kind: "hnn", Dim: 2, Precision: "float16"}, "precision"},
		{Config{Kind: "baseline", Dim: 0}, "dim 0"},
	}
	for _, tc := range cases {
		_, err := New[float32](tc.c, rand.New(rand.NewPCG(1, 1)))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%+v) error %v, want one containing %q", tc.c, err, tc.want)
		}
	}
	if err := (Config{Kind: "baseline", Dim: 3, Activation: nn.ReLU}).WithDefaults().Validate(); err != nil {
		t.Errorf("a ReLU baseline with odd dimension is valid, got %v", err)
	}
}

// TestCheckpointRoundTrip saves and loads every kind and checks that the
// parameters and the field come back bit for bit.
func TestCheckpointRoundTrip(t *testing.T) {
	t.Parallel()
	for _, kind := range Kinds() {
		m, err := New[float32](Config{Kind: kind, Dim: 4, Hidden: []int{8, 6}}, rand.New(rand.NewPCG(9, 9)))
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		if err := Save(dir, m); err != nil {
			t.Fatal(err)
		}
		got, err := Load[float32](dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Params()) != len(m.Params()) {
			t.Fatalf("%s: %d parameters after round trip, want %d", kind, len(got.Params()), len(m.Params()))
		}
		for i, v := range m.Params() {
			if got.Params()[i] != v {
				t.Fatalf("%s: parameter %d = %v after round trip, want %v", kind, i, got.Params()[i], v)
			}
		}
		if got.Config().Kind != kind {
			t.Errorf("kind %q after round trip", got.Config().Kind)
		}
		for i, n := range Networks(got) {
			if want := Networks(m)[i].Name; n.Name != want {
				t.Errorf("%s: network %d is %q after round trip, want %q", kind, i, n.Name, want)
			}
		}
		x := []float32{0.3, -0.2, 0.9, 0.1, -1.1, 0.4, 0.25, -0.6}
		f0, f1 := make([]float32, len(x)), make([]float32, len(x))
		m.NewWorkspace(2, false).Field(f0, x)
		got.NewWorkspace(2, false).Field(f1, x)
		for i := range f0 {
			if f0[i] != f1[i] {
				t.Fatalf("%s: field %v after round trip, want %v", kind, f1, f0)
			}
		}
	}
	if _, err := Load[float32](t.TempDir()); err == nil || !strings.Contains(err.Error(), "model.json") {
		t.Errorf("loading an empty directory: %v", err)
	}
}

func TestRolloutHNNConservesLearnedEnergy(t *testing.T) {
	t.Parallel()
	m := newModel(t, "hnn", 2, []int{16, 16}, 6)
	ig := mustIntegrator(t)
	ts := make([]float64, 50)
	for i := range ts {
		ts[i] = float64(i) * 0.2
	}
	x0 := []float64{0.5, -0.3, 1, 0.2}
	out := make([]float64, 2*len(ts)*2)
	if err := Rollout(out, m, ig, x0, ts, 2); err != nil {
		t.Fatal(err)
	}
	ws := m.(*HNN[float64]).newWorkspace(1, false)
	e := make([]float64, 1)
	for b := range 2 {
		ws.Energy(e, out[b*len(ts)*2:b*len(ts)*2+2])
		e0 := e[0]
		for j := range ts {
			o := (b*len(ts) + j) * 2
			ws.Energy(e, out[o:o+2])
			if math.Abs(e[0]-e0) > 1e-7 {
				t.Fatalf("state %d time %v: learned H %v, started at %v", b, ts[j], e[0], e0)
			}
		}
	}
}

// TestBlockedLossGrad checks the HNN's and the baseline's LossGrad, which
// run large float32 batches in blocks of rows (nn.InputGradientGrad,
// nn.ForwardGrad), against fieldLossGrad's one pass: at 200 rows (one
// block) the loss and gradient bit for bit; at 600 rows (five blocks) the
// loss bit for bit and the gradient within 1e-5 of its largest entry (the
// same sums grouped by block; a block dropped or counted twice is off by
// about a fifth).
func TestBlockedLossGrad(t *testing.T) {
	for _, kind := range []string{"hnn", "baseline"} {
		for _, batch := range []int{200, 600} {
			m, err := New[float32](Config{Kind: kind, Dim: 2, Hidden: []int{64, 64}}, rand.New(rand.NewPCG(3, 1)))
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(3, 2))
			x, y := make([]float32, 2*batch), make([]float32, 2*batch)
			for i := range x {
				x[i], y[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
			}
			got, want := make([]float32, len(m.Params())), make([]float32, len(m.Params()))
			loss := m.NewWorkspace(batch, true).LossGrad(x, y, got)
			var wantLoss float64
			switch w := m.NewWorkspace(batch, true).(type) {
			case *HNNWorkspace[float32]:
				wantLoss = fieldLossGrad(w, w.f, x, y, want)
			case *baselineWorkspace[float32]:
				wantLoss = fieldLossGrad(w, w.f, x, y, want)
			}
			if math.Float64bits(loss) != math.Float64bits(wantLoss) {
				t.Errorf("%s, %d rows: loss %v, one pass %v", kind, batch, loss, wantLoss)
			}
			var worst, scale float64
			for i := range want {
				worst = math.Max(worst, math.Abs(float64(got[i]-want[i])))
				scale = math.Max(scale, math.Abs(float64(want[i])))
			}
			if (batch <= 2*nn.BlockRows && worst != 0) || worst > 1e-5*scale {
				t.Errorf("%s, %d rows: gradient differs from one pass's by %g (largest entry %g)", kind, batch, worst, scale)
			}
		}
	}
}
