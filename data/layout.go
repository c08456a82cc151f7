package data

import (
	"fmt"
	"math"
	"slices"
	"strconv"
)

// Layout declares what the columns of a state are: n positions q first,
// then n velocities q-dot or n momenta p (the same order), then m inputs
// u; and which positions are angles, 2 pi periodic, that networks see as
// (cos q, sin q) and errors compare modulo 2 pi. An input is a column of
// the state that the dynamics do not change (du/dt = 0 for an input
// constant per trajectory, SymODEN's treatment); it may also change from
// sample to sample, as a measured input does.
//
// The zero Layout is the canonical layout of the HNN: D/2 positions, D/2
// momenta, no inputs and no angles, so data without a declared layout keep
// their meaning. A Layout whose Positions is zero takes n = (D - m)/2 from
// the state dimension D (see Resolve).
type Layout struct {
	// Positions is n, the number of positions, the first n columns; zero
	// means (D - Inputs)/2.
	Positions int `json:"positions,omitempty"`
	// Velocities says the n columns after the positions are velocities
	// q-dot; otherwise they are momenta p.
	Velocities bool `json:"velocities,omitempty"`
	// Inputs is m, the number of input columns, the last m.
	Inputs int `json:"inputs,omitempty"`
	// Angles lists the columns (positions, 0 <= i < n) that are angles.
	Angles []int `json:"angles,omitempty"`
}

// Canonical reports whether l is the HNN's layout: positions and momenta,
// no inputs and no angles.
func (l Layout) Canonical() bool {
	return !l.Velocities && l.Inputs == 0 && len(l.Angles) == 0
}

// declared reports whether l says more than the zero Layout, whose
// states are canonical of any dimension.
func (l Layout) declared() bool { return l.Positions != 0 || !l.Canonical() }

// Dim returns 2 Positions + Inputs, the state dimension of a resolved
// layout.
func (l Layout) Dim() int { return 2*l.Positions + l.Inputs }

// Resolve returns l for a state of dim columns with Positions filled in
// (from dim if zero) and Angles sorted, or an error that says, in one
// line, how l does not fit: negative counts, columns that do not add up
// to dim (2 Positions + Inputs), an angle that is not a position (a
// velocity, momentum or input column, or no column at all) or one listed
// twice.
func (l Layout) Resolve(dim int) (Layout, error) {
	switch {
	case l.Positions < 0:
		return Layout{}, fmt.Errorf("data: layout: %d positions, want a positive number", l.Positions)
	case l.Inputs < 0:
		return Layout{}, fmt.Errorf("data: layout: %d inputs, want zero or more", l.Inputs)
	}
	other := "momenta"
	if l.Velocities {
		other = "velocities"
	}
	n := l.Positions
	if n == 0 {
		if r := dim - l.Inputs; r <= 0 || r%2 != 0 {
			return Layout{}, fmt.Errorf("data: layout: %d columns with %d inputs leave %d for positions and %s, want a positive even number",
				dim, l.Inputs, dim-l.Inputs, other)
		}
		n = (dim - l.Inputs) / 2
	}
	if 2*n+l.Inputs != dim {
		return Layout{}, fmt.Errorf("data: layout: %d positions, %d %s and %d inputs make %d columns, the data have %d",
			n, n, other, l.Inputs, 2*n+l.Inputs, dim)
	}
	out := Layout{Positions: n, Velocities: l.Velocities, Inputs: l.Inputs, Angles: slices.Clone(l.Angles)}
	slices.Sort(out.Angles)
	for i, a := range out.Angles {
		switch {
		case a < 0 || a >= dim:
			return Layout{}, fmt.Errorf("data: layout: angle column %d, want a position column in [0, %d)", a, n)
		case a >= 2*n:
			return Layout{}, fmt.Errorf("data: layout: angle column %d is input %d, want a position column in [0, %d)", a, a-2*n, n)
		case a >= n:
			return Layout{}, fmt.Errorf("data: layout: angle column %d is one of the %s, want a position column in [0, %d)", a, other, n)
		case i > 0 && out.Angles[i-1] == a:
			return Layout{}, fmt.Errorf("data: layout: angle column %d listed twice", a)
		}
	}
	return out, nil
}

// Angle reports whether column j of a resolved layout is an angle.
func (l Layout) Angle(j int) bool {
	_, ok := slices.BinarySearch(l.Angles, j)
	return ok
}

// ColumnNames returns default names for the columns of a resolved
// layout: q, then v (velocities) or p (momenta), then u, each numbered
// from 1 when there are several (q1, q2, v1, v2, u).
func (l Layout) ColumnNames() []string {
	n, m := l.Positions, l.Inputs
	names := make([]string, 0, 2*n+m)
	add := func(prefix string, k int) {
		for i := range k {
			if k == 1 {
				names = append(names, prefix)
			} else {
				names = append(names, prefix+strconv.Itoa(i+1))
			}
		}
	}
	add("q", n)
	if l.Velocities {
		add("v", n)
	} else {
		add("p", n)
	}
	add("u", m)
	return names
}

// Embed writes the network input of the state x into dst: x's columns in
// order, each angle q replaced by the pair (cos q, sin q), so that a
// network sees angles as points on the circle (SymODEN's embedding). It
// panics unless len(dst) = len(x) + len(l.Angles) and every angle is a
// column of x.
func (l Layout) Embed(dst, x []float64) {
	if len(dst) != len(x)+len(l.Angles) {
		panic("data: Embed: length mismatch")
	}
	k, a := 0, 0
	for j, v := range x {
		if a < len(l.Angles) && l.Angles[a] == j {
			dst[k], dst[k+1] = math.Cos(v), math.Sin(v)
			k, a = k+2, a+1
			continue
		}
		dst[k] = v
		k++
	}
	if a != len(l.Angles) {
		panic("data: Embed: angle column outside the state")
	}
}

// EmbedGrad writes into dst the gradient with respect to the state x of a
// function whose gradient with respect to the embedding Embed(x) is g:
// an angle q gets -sin q g_cos + cos q g_sin, other columns their own
// entry of g. It panics unless len(dst) = len(x) and len(g) = len(x) +
// len(l.Angles).
func (l Layout) EmbedGrad(dst, x, g []float64) {
	if len(dst) != len(x) || len(g) != len(x)+len(l.Angles) {
		panic("data: EmbedGrad: length mismatch")
	}
	k, a := 0, 0
	for j, v := range x {
		if a < len(l.Angles) && l.Angles[a] == j {
			dst[j] = -math.Sin(v)*g[k] + math.Cos(v)*g[k+1]
			k, a = k+2, a+1
			continue
		}
		dst[j] = g[k]
		k++
	}
	if a != len(l.Angles) {
		panic("data: EmbedGrad: angle column outside the state")
	}
}

// Sub writes x - y into dst with the difference of every angle wrapped
// into [-pi, pi), so that errors on angles are taken modulo 2 pi. dst may
// be x or y. It panics unless x, y and dst have the same length.
func (l Layout) Sub(dst, x, y []float64) {
	if len(x) != len(y) || len(dst) != len(x) {
		panic("data: Sub: length mismatch")
	}
	for j := range x {
		dst[j] = x[j] - y[j]
	}
	for _, j := range l.Angles {
		dst[j] = WrapAngle(dst[j])
	}
}

// WrapAngle returns a + 2 pi k in [-pi, pi) for the integer k that puts it
// there; NaN and infinities give NaN.
func WrapAngle(a float64) float64 {
	w := math.Mod(a+math.Pi, 2*math.Pi)
	if w < 0 {
		w += 2 * math.Pi
	}
	w -= math.Pi
	if w >= math.Pi { // rounding of the sum
		w -= 2 * math.Pi
	}
	return w
}
