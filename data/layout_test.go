package data

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func TestLayoutResolve(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name  string
		l     Layout
		dim   int
		want  Layout
		names []string
	}{
		{"canonical", Layout{}, 4, Layout{Positions: 2}, []string{"q1", "q2", "p1", "p2"}},
		{"pendulum with input", Layout{Velocities: true, Inputs: 1, Angles: []int{0}}, 3,
			Layout{Positions: 1, Velocities: true, Inputs: 1, Angles: []int{0}}, []string{"q", "v", "u"}},
		{"cart-pole", Layout{Positions: 2, Velocities: true, Inputs: 1, Angles: []int{1}}, 5,
			Layout{Positions: 2, Velocities: true, Inputs: 1, Angles: []int{1}}, []string{"q1", "q2", "v1", "v2", "u"}},
		{"angles sorted", Layout{Inputs: 2, Angles: []int{1, 0}}, 6,
			Layout{Positions: 2, Inputs: 2, Angles: []int{0, 1}}, []string{"q1", "q2", "p1", "p2", "u1", "u2"}},
	} {
		got, err := c.l.Resolve(c.dim)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got.Positions != c.want.Positions || got.Velocities != c.want.Velocities || got.Inputs != c.want.Inputs ||
			!slices.Equal(got.Angles, c.want.Angles) || got.Dim() != c.dim {
			t.Errorf("%s: Resolve(%d) = %+v, want %+v", c.name, c.dim, got, c.want)
		}
		if names := got.ColumnNames(); !slices.Equal(names, c.names) {
			t.Errorf("%s: ColumnNames() = %v, want %v", c.name, names, c.names)
		}
		for j := range c.dim {
			if got.Angle(j) != slices.Contains(c.want.Angles, j) {
				t.Errorf("%s: Angle(%d) = %v", c.name, j, got.Angle(j))
			}
		}
	}
	if !(Layout{}).Canonical() || (Layout{Inputs: 1}).Canonical() || (Layout{Velocities: true}).Canonical() || (Layout{Angles: []int{0}}).Canonical() {
		t.Error("Canonical() wrong")
	}
}

func TestLayoutResolveErrors(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		l    Layout
		dim  int
		want string
	}{
		{Layout{Positions: -1}, 4, "-1 positions"},
		{Layout{Inputs: -1}, 4, "-1 inputs"},
		{Layout{}, 3, "leave 3 for positions and momenta"},
		{Layout{Inputs: 1, Velocities: true}, 4, "leave 3 for positions and velocities"},
		{Layout{Inputs: 4}, 4, "leave 0"},
		{Layout{Positions: 2, Inputs: 1}, 4, "2 positions, 2 momenta and 1 inputs make 5 columns, the data have 4"},
		{Layout{Angles: []int{2}}, 4, "angle column 2 is one of the momenta"},
		{Layout{Velocities: true, Angles: []int{3}}, 4, "angle column 3 is one of the velocities"},
		{Layout{Inputs: 1, Angles: []int{2}}, 3, "angle column 2 is input 0"},
		{Layout{Angles: []int{4}}, 4, "angle column 4, want a position column in [0, 2)"},
		{Layout{Angles: []int{-1}}, 4, "angle column -1"},
		{Layout{Angles: []int{1, 0, 1}}, 4, "angle column 1 listed twice"},
	} {
		_, err := c.l.Resolve(c.dim)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("Resolve(%+v, %d) = %v, want one line containing %q", c.l, c.dim, err, c.want)
		}
	}
}

func TestLayoutEmbed(t *testing.T) {
	t.Parallel()
	l := Layout{Positions: 2, Velocities: true, Inputs: 1, Angles: []int{1}}
	x := []float64{0.5, 2, -1, 3, 7}
	dst := make([]float64, 6)
	l.Embed(dst, x)
	want := []float64{0.5, math.Cos(2), math.Sin(2), -1, 3, 7}
	if !slices.Equal(dst, want) {
		t.Errorf("Embed(%v) = %v, want %v", x, dst, want)
	}
	// EmbedGrad against central differences of f(x) = w . Embed(x).
	w := []float64{0.3, -1.2, 0.7, 2, -0.5, 1.1}
	f := func(x []float64) float64 {
		e := make([]float64, 6)
		l.Embed(e, x)
		var s float64
		for i := range e {
			s += w[i] * e[i]
		}
		return s
	}
	grad := make([]float64, 5)
	l.EmbedGrad(grad, x, w)
	const h = 1e-6
	for j := range x {
		xp, xm := slices.Clone(x), slices.Clone(x)
		xp[j] += h
		xm[j] -= h
		// Central differences: error h^2 f''' / 6 ~ 1e-13, rounding 1e-10.
		if fd := (f(xp) - f(xm)) / (2 * h); math.Abs(fd-grad[j]) > 1e-8 {
			t.Errorf("EmbedGrad[%d] = %v, finite differences %v", j, grad[j], fd)
		}
	}
	mustPanic(t, "Embed short", func() { l.Embed(make([]float64, 5), x) })
	mustPanic(t, "Embed angle outside", func() { Layout{Angles: []int{7}}.Embed(make([]float64, 6), x) })
	mustPanic(t, "EmbedGrad short", func() { l.EmbedGrad(grad, x, w[:5]) })
}

// TestLayoutSub counts allocations, so it must not run in parallel.
func TestLayoutSub(t *testing.T) {
	l := Layout{Positions: 2, Angles: []int{0}}
	x := []float64{math.Pi - 0.1, 5, 1, 1}
	y := []float64{-math.Pi + 0.1, -5, 0, 0}
	dst := make([]float64, 4)
	l.Sub(dst, x, y)
	if math.Abs(dst[0]+0.2) > 1e-12 || dst[1] != 10 || dst[2] != 1 {
		t.Errorf("Sub = %v, want [-0.2 10 1 1]: the angle wrapped, the rest not", dst)
	}
	for _, c := range []struct{ a, want float64 }{
		{0, 0}, {math.Pi, -math.Pi}, {-math.Pi, -math.Pi}, {3 * math.Pi / 2, -math.Pi / 2},
		{-7, -7 + 2*math.Pi}, {100, 100 - 32*math.Pi}, {1e-300, 1e-300},
	} {
		if got := WrapAngle(c.a); math.Abs(got-c.want) > 1e-12 || got < -math.Pi || got >= math.Pi {
			t.Errorf("WrapAngle(%v) = %v, want %v", c.a, got, c.want)
		}
	}
	if !math.IsNaN(WrapAngle(math.Inf(1))) || !math.IsNaN(WrapAngle(math.NaN())) {
		t.Error("WrapAngle of Inf or NaN is not NaN")
	}
	if allocs := testing.AllocsPerRun(10, func() { l.Sub(dst, x, y) }); allocs != 0 {
		t.Errorf("Sub allocates %v times", allocs)
	}
}
