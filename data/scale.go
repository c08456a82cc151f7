package data

import (
	"errors"
	"fmt"
	"math"
)

// Scale is a change of units of states and of time that keeps the
// structure of the dynamics. For canonical states (q, p) it maps a
// Hamiltonian system to a Hamiltonian one: with n pairs,
//
//	q'_i = a_i (q_i - mu_i),   p'_i = b_i (p_i - mu_{n+i}),   t' = t / tau,
//
// and a_i b_i = c for every i, the equations dq/dt = dH/dp, dp/dt = -dH/dq
// become dq'/dt' = dH'/dp', dp'/dt' = -dH'/dq' with H' = tau c H: a shift
// is a canonical map, a scaling of each pair with a common product c
// multiplies the symplectic form by c, and the time scale multiplies the
// field by tau. A dissipative field's gradient part stays a gradient.
//
// A scale follows the layout of its states (Layout): an angle is neither
// shifted nor scaled (a_i = 1, mu_i = 0), so it stays 2 pi periodic; an
// input is scaled but not shifted, so that u = 0 stays no input; and
// velocities are scaled with their positions, b_i = tau a_i and no shift,
// so that dq'/dt' = q-dot' still holds.
//
// FitScale chooses the scales from the data so that the scaled states and
// their rates of change are of order one (what a tanh network needs); the
// scaled model is trained, and every state, derivative and energy is
// mapped back to the data's units for metrics and figures.
type Scale struct {
	// Mean holds mu, the shift of every state variable (D values).
	Mean []float64 `json:"mean"`
	// Factor holds a_1..a_n, b_1..b_n and the inputs' factors (D values).
	Factor []float64 `json:"factor"`
	// Time is tau, the unit of the scaled time in the data's time units.
	Time float64 `json:"time"`
	// Layout is the layout of the states; the zero value is the canonical
	// layout (q, p).
	Layout Layout `json:"layout,omitzero"`
}

// FitScale returns the Scale of the rows of s for their layout s.Layout.
//
// For canonical states (q, p): mu their mean; a_i and b_i such that the
// scaled q_i and p_i have equal standard deviations and every product
// a_i b_i is the geometric mean c of 1/(sigma_q_i sigma_p_i) (so every
// scaled standard deviation is one when all pairs have the same product
// sigma_q_i sigma_p_i); and tau such that the root mean square of the
// scaled rates of change, (x'(t_{k+1}) - x'(t_k)) / (t'_{k+1} - t'_k)
// over consecutive rows of one trajectory (s.Traj and s.T), is one. A
// constant variable keeps a unit standard deviation. Without times, tau
// comes from the derivatives s.DX, and is one without those. An angle q_i
// keeps a_i = 1 and mu_i = 0, its pair's c_i being 1/sigma_p_i and its b_i
// = c.
//
// For positions and velocities (q, q-dot): a_i = 1/sigma_q_i (1 for an
// angle), mu_i their mean (0 for an angle), no shift of the velocities,
// b_i = tau a_i, and tau such that the scaled velocities have a root mean
// square of one.
//
// Inputs u_j are not shifted and are divided by their root mean square
// (one if they are all zero); they do not count towards tau.
//
// It returns an error if s has no rows, a layout that does not fit its
// dimension (such as an odd dimension without a layout) or values that
// are not finite.
func FitScale(s *Set) (Scale, error) {
	n, d := s.Len(), s.Dim
	if n == 0 {
		return Scale{}, errors.New("data: cannot fit a scale to no rows")
	}
	l, err := s.Layout.Resolve(d)
	if err != nil {
		return Scale{}, fmt.Errorf("data: cannot fit a scale: %w", err)
	}
	h := l.Positions
	mean, sd := make([]float64, d), make([]float64, d)
	for i := range n {
		for j := range d {
			mean[j] += s.X[i*d+j]
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	for i := range n {
		for j := range d {
			v := s.X[i*d+j] - mean[j]
			sd[j] += v * v
		}
	}
	for j := range sd {
		sd[j] = math.Sqrt(sd[j] / float64(n))
		if !(sd[j] > 0) || math.IsInf(sd[j], 0) {
			if math.IsNaN(sd[j]) || math.IsInf(sd[j], 0) {
				return Scale{}, errors.New("data: cannot fit a scale to values that are not finite")
			}
			sd[j] = 1
		}
	}
	f := make([]float64, d)
	// rms returns the root mean square of column j scaled by g, or 0.
	rms := func(j int, g float64) float64 {
		var ss float64
		for i := range n {
			v := g * s.X[i*d+j]
			ss += v * v
		}
		return math.Sqrt(ss / float64(n))
	}
	for j := 2 * h; j < d; j++ { // inputs
		mean[j], f[j] = 0, 1
		if r := rms(j, 1); r > 0 && !math.IsInf(r, 0) {
			f[j] = 1 / r
		}
	}
	for _, j := range l.Angles {
		mean[j], f[j] = 0, 1
	}
	sc := Scale{Mean: mean, Factor: f, Time: 1, Layout: l}
	if l.Velocities {
		for i := range h {
			if !l.Angle(i) {
				f[i] = 1 / sd[i]
			}
			mean[h+i] = 0
		}
		var ss float64
		for i := range h {
			r := rms(h+i, f[i])
			ss += r * r
		}
		if r := math.Sqrt(ss / float64(h)); r > 0 && !math.IsInf(r, 0) {
			sc.Time = 1 / r
		}
		for i := range h {
			f[h+i] = sc.Time * f[i]
		}
		if err := sc.Validate(d); err != nil {
			return Scale{}, err
		}
		return sc, nil
	}
	logc := 0.0
	for i := range h {
		if l.Angle(i) {
			logc -= math.Log(sd[h+i])
		} else {
			logc -= math.Log(sd[i] * sd[h+i])
		}
	}
	c := math.Exp(logc / float64(h))
	for i := range h {
		if l.Angle(i) {
			f[h+i] = c
			continue
		}
		f[i] = math.Sqrt(c * sd[h+i] / sd[i])
		f[h+i] = math.Sqrt(c * sd[i] / sd[h+i])
	}
	var ss float64
	var cnt int
	switch {
	case s.T != nil && s.Traj != nil:
		for i := 0; i+1 < n; i++ {
			dt := s.T[i+1] - s.T[i]
			if s.Traj[i+1] != s.Traj[i] || !(dt > 0) {
				continue
			}
			for j := range 2 * h {
				v := f[j] * (s.X[(i+1)*d+j] - s.X[i*d+j]) / dt
				ss += v * v
			}
			cnt += 2 * h
		}
	case s.DX != nil:
		for i, v := range s.DX {
			if i%d >= 2*h {
				continue
			}
			v *= f[i%d]
			ss += v * v
			cnt++
		}
	}
	if cnt > 0 && ss > 0 {
		sc.Time = 1 / math.Sqrt(ss/float64(cnt))
	}
	if err := sc.Validate(d); err != nil {
		return Scale{}, err
	}
	return sc, nil
}

// Validate returns an error unless sc is a scale of dimension d that keeps
// the structure of its layout: d shifts and positive factors, all finite,
// and a positive, finite time unit; angles neither shifted nor scaled and
// inputs not shifted; for momenta a_i b_i equal for every pair (to 1e-9
// relative), for velocities b_i = tau a_i (to 1e-9 relative) and no shift
// of the velocities.
func (sc Scale) Validate(d int) error {
	if len(sc.Mean) != d || len(sc.Factor) != d {
		return fmt.Errorf("data: scale has %d means and %d factors, want %d each", len(sc.Mean), len(sc.Factor), d)
	}
	l, err := sc.Layout.Resolve(d)
	if err != nil {
		return fmt.Errorf("data: scale: %w", err)
	}
	fin := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	if !(sc.Time > 0) || !fin(sc.Time) {
		return fmt.Errorf("data: scale time unit %v, want a positive, finite number", sc.Time)
	}
	h := l.Positions
	for j := range d {
		if !fin(sc.Mean[j]) || !(sc.Factor[j] > 0) || !fin(sc.Factor[j]) {
			return fmt.Errorf("data: scale of variable %d: mean %v, factor %v, want finite values and a positive factor", j, sc.Mean[j], sc.Factor[j])
		}
		if j >= 2*h && sc.Mean[j] != 0 {
			return fmt.Errorf("data: scale of input %d: mean %v, want 0 (an input is not shifted)", j-2*h, sc.Mean[j])
		}
	}
	for _, j := range l.Angles {
		if sc.Mean[j] != 0 || sc.Factor[j] != 1 {
			return fmt.Errorf("data: scale of angle %d: mean %v, factor %v, want 0 and 1 (an angle is neither shifted nor scaled)", j, sc.Mean[j], sc.Factor[j])
		}
	}
	if l.Velocities {
		for i := range h {
			if want := sc.Time * sc.Factor[i]; sc.Mean[h+i] != 0 || math.Abs(sc.Factor[h+i]-want) > 1e-9*want {
				return fmt.Errorf("data: scale of velocity %d: mean %v, factor %v, want 0 and time x position factor %v", i, sc.Mean[h+i], sc.Factor[h+i], want)
			}
		}
		return nil
	}
	for i := 1; i < h; i++ {
		c0, ci := sc.Factor[0]*sc.Factor[h], sc.Factor[i]*sc.Factor[h+i]
		if math.Abs(ci-c0) > 1e-9*c0 {
			return fmt.Errorf("data: scale factors of pair %d multiply to %v, pair 0's to %v: not canonical", i, ci, c0)
		}
	}
	return nil
}

// positions returns the number of positions of sc's states.
func (sc Scale) positions() int {
	if sc.Layout.Positions > 0 {
		return sc.Layout.Positions
	}
	return (len(sc.Factor) - sc.Layout.Inputs) / 2
}

// Product returns c = a_i b_i, the factor of the symplectic form. It
// panics for a scale of velocities, which has none.
func (sc Scale) Product() float64 {
	if sc.Layout.Velocities {
		panic("data: a scale of velocities has no symplectic factor")
	}
	return sc.Factor[0] * sc.Factor[sc.positions()]
}

// Energy returns tau c, the factor by which the scaled energy H' exceeds
// the energy H in the data's units. It panics for a scale of velocities.
func (sc Scale) Energy() float64 { return sc.Time * sc.Product() }

// State writes the scaled state of x into dst: a (x - mu). dst may be x.
func (sc Scale) State(dst, x []float64) {
	for j, v := range x {
		dst[j] = sc.Factor[j] * (v - sc.Mean[j])
	}
}

// Unstate writes the state in the data's units of the scaled state y into
// dst: y / a + mu. dst may be y.
func (sc Scale) Unstate(dst, y []float64) {
	for j, v := range y {
		dst[j] = v/sc.Factor[j] + sc.Mean[j]
	}
}

// Rate writes the scaled time derivative of dx into dst: tau a dx. dst may
// be dx.
func (sc Scale) Rate(dst, dx []float64) {
	for j, v := range dx {
		dst[j] = sc.Time * sc.Factor[j] * v
	}
}

// Unrate writes the time derivative in the data's units of the scaled
// derivative dy into dst: dy / (tau a). dst may be dy.
func (sc Scale) Unrate(dst, dy []float64) {
	for j, v := range dy {
		dst[j] = v / (sc.Time * sc.Factor[j])
	}
}

// Apply returns a copy of s in the scaled units: states, derivatives (if
// any) and times (if any); Traj is shared. It panics if s.Dim differs from
// the scale's dimension.
func (sc Scale) Apply(s *Set) Set {
	d := s.Dim
	if d != len(sc.Factor) {
		panic("data: scale dimension mismatch")
	}
	out := Set{Dim: d, Traj: s.Traj, X: make([]float64, len(s.X)), Layout: s.Layout}
	for i := 0; i < len(s.X); i += d {
		sc.State(out.X[i:i+d], s.X[i:i+d])
	}
	if s.DX != nil {
		out.DX = make([]float64, len(s.DX))
		for i := 0; i < len(s.DX); i += d {
			sc.Rate(out.DX[i:i+d], s.DX[i:i+d])
		}
	}
	if s.T != nil {
		out.T = make([]float64, len(s.T))
		for i, t := range s.T {
			out.T[i] = t / sc.Time
		}
	}
	return out
}
