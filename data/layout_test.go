package data

import (
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
