package experiment

import (
	"fmt"
	"math"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/internal/check"
	"github.com/hnn-go/hnn/metrics"
	"github.com/hnn-go/hnn/ode"
)

// Rollout integrates m with ig from the initial states x0, of shape (B, D)
// or (D,) for the model's state dimension D, and returns the N = points
// output times t, evenly spaced in [0, tEnd], and the states x at them,
// of shape (B, N, D). It checks every size before allocating: an error
// names x0's source (name) and the shape wanted, or is a
// *check.FieldError naming t_end or points.
func Rollout(m Trained, ig ode.Integrator, x0 data.Array, name string, tEnd float64, points int) (t, x data.Array, err error) {
	if !(tEnd > 0) || math.IsInf(tEnd, 1) {
		return t, x, &check.FieldError{Field: "t_end", Value: tEnd, Want: "a positive, finite end time"}
	}
	if err := check.Count("points", points, 2, check.MaxElements); err != nil {
		return t, x, err
	}
	d := m.Config().Dim
	if err := x0.CheckFinite(name); err != nil {
		return t, x, err
	}
	var b int
	switch {
	case len(x0.Shape) == 1 && x0.Shape[0] == d:
		b = 1
	case len(x0.Shape) == 2 && x0.Shape[1] == d:
		b = x0.Shape[0]
	default:
		l, _ := m.Config().Layout.Resolve(d)
		if k := len(x0.Shape); l.Inputs > 0 && k >= 1 && x0.Shape[k-1] == d-l.Inputs {
			return t, x, fmt.Errorf("%s: shape %s, want (B, %d) or (%d,): this model's states end with %d inputs; append them or give them apart (hnn rollout -inputs)",
				name, data.ShapeString(x0.Shape), d, d, l.Inputs)
		}
		return t, x, fmt.Errorf("%s: shape %s, want (B, %d) or (%d,) for this model's state dimension %d", name, data.ShapeString(x0.Shape), d, d, d)
	}
	if b == 0 {
		return t, x, fmt.Errorf("%s: no initial states", name)
	}
	if err := check.Elements("rollout of "+name+" (B, points, D)", b, points, d); err != nil {
		return t, x, err
	}
	ts := metrics.Linspace(tEnd, points)
	pred := make([]float64, b*points*d)
	if err := firstError(rollMany(ig, m, x0.Data, d, ts, pred)); err != nil {
		return t, x, err
	}
	return data.Array{Shape: []int{points}, Data: ts}, data.Array{Shape: []int{b, points, d}, Data: pred}, nil
}

// RolloutInputs integrates the driven model m with ig under the inputs u
// from the initial states x0, as Rollout does, and returns the N = points
// output times t, evenly spaced in [0, tEnd], and the states x at them, of
// shape (B, N, D) with the inputs in their columns. m's layout must
// declare m > 0 inputs (the last m state columns); x0 holds the states
// without them, of shape (B, D - m) or (D - m,). The inputs are
//
//   - constant: shape (m,) or (1, m), the same for every start and time;
//   - one value per sample: shape (N, m), input k held from t_k to
//     t_{k+1} (a zero-order hold; the last one is only recorded);
//   - one value per start and sample: shape (B, N, m).
//
// Constant inputs are one rollout over all the times; inputs per sample
// restart the integrator at every output time. It checks every shape
// before allocating: an error names x0's source (name) or the inputs'
// (uname) and what was wanted, in one line, also for a model without
// inputs and for inputs that are not finite.
func RolloutInputs(m Trained, ig ode.Integrator, x0 data.Array, name string, u data.Array, uname string, tEnd float64, points int) (t, x data.Array, err error) {
	if !(tEnd > 0) || math.IsInf(tEnd, 1) {
		return t, x, &check.FieldError{Field: "t_end", Value: tEnd, Want: "a positive, finite end time"}
	}
	if err := check.Count("points", points, 2, check.MaxElements); err != nil {
		return t, x, err
	}
	c := m.Config()
	l, err := c.Layout.Resolve(c.Dim)
	if err != nil {
		return t, x, err
	}
	d, ni := c.Dim, l.Inputs
	if ni == 0 {
		return t, x, fmt.Errorf("%s: this model has no inputs (its layout: %d positions and %d %s); roll it out without inputs",
			uname, l.Positions, l.Positions, velocityWord(l))
	}
	ds := d - ni // columns of a state without its inputs
	if err := x0.CheckFinite(name); err != nil {
		return t, x, err
	}
	var b int
	switch {
	case len(x0.Shape) == 1 && x0.Shape[0] == ds:
		b = 1
	case len(x0.Shape) == 2 && x0.Shape[1] == ds:
		b = x0.Shape[0]
	case len(x0.Shape) >= 1 && x0.Shape[len(x0.Shape)-1] == d:
		return t, x, fmt.Errorf("%s: shape %s holds the %d input columns too; with inputs give the states without them, (B, %d) or (%d,)",
			name, data.ShapeString(x0.Shape), ni, ds, ds)
	default:
		return t, x, fmt.Errorf("%s: shape %s, want (B, %d) or (%d,): this model's %d positions and %d %s, without its %d inputs",
			name, data.ShapeString(x0.Shape), ds, ds, l.Positions, l.Positions, velocityWord(l), ni)
	}
	if b == 0 {
		return t, x, fmt.Errorf("%s: no initial states", name)
	}
	// perStart and perSample say how the inputs vary.
	var perStart, perSample bool
	switch s := u.Shape; {
	case len(s) == 1 && s[0] == ni, len(s) == 2 && s[0] == 1 && s[1] == ni:
	case len(s) == 2 && s[0] == points && s[1] == ni:
		perSample = true
	case len(s) == 3 && s[0] == b && s[1] == points && s[2] == ni:
		perStart, perSample = true, true
	case len(s) >= 1 && s[len(s)-1] != ni:
		return t, x, fmt.Errorf("%s: shape %s has %d inputs per row, this model takes %d", uname, data.ShapeString(s), s[len(s)-1], ni)
	case len(s) == 2:
		return t, x, fmt.Errorf("%s: shape %s, want (%d,) or (1, %d) for constant inputs or (%d, %d), one row per output point (-points %d)",
			uname, data.ShapeString(s), ni, ni, points, ni, points)
	case len(s) == 3:
		return t, x, fmt.Errorf("%s: shape %s, want (%d, %d, %d): one row per start (%d in %s) and output point (-points %d)",
			uname, data.ShapeString(s), b, points, ni, b, name, points)
	default:
		return t, x, fmt.Errorf("%s: shape %s, want (%d,) or (1, %d) for constant inputs, (%d, %d) for one per output point",
			uname, data.ShapeString(s), ni, ni, points, ni)
	}
	if err := u.CheckFinite(uname); err != nil {
		return t, x, err
	}
	if err := check.Elements("rollout of "+name+" (B, points, D)", b, points, d); err != nil {
		return t, x, err
	}
	ts := metrics.Linspace(tEnd, points)
	pred := make([]float64, b*points*d)
	// input returns the inputs of start i at output point k.
	input := func(i, k int) []float64 {
		switch {
		case perStart:
			return u.Data[(i*points+k)*ni : (i*points+k+1)*ni]
		case perSample:
			return u.Data[k*ni : (k+1)*ni]
		}
		return u.Data[:ni]
	}
	start := make([]float64, b*d)
	for i := range b {
		copy(start[i*d:], x0.Data[i*ds:(i+1)*ds])
		copy(start[i*d+ds:(i+1)*d], input(i, 0))
	}
	if !perSample {
		if err := firstError(rollMany(ig, m, start, d, ts, pred)); err != nil {
			return t, x, err
		}
		return data.Array{Shape: []int{points}, Data: ts}, data.Array{Shape: []int{b, points, d}, Data: pred}, nil
	}
	for i := range b {
		copy(pred[i*points*d:], start[i*d:(i+1)*d])
	}
	step := make([]float64, b*2*d)
	for k := range points - 1 {
		if err := firstError(rollMany(ig, m, start, d, ts[k:k+2], step)); err != nil {
			return t, x, fmt.Errorf("from t = %g: %w", ts[k], err)
		}
		for i := range b {
			row := pred[(i*points+k+1)*d : (i*points+k+2)*d]
			copy(row, step[(2*i+1)*d:(2*i+2)*d])
			copy(row[ds:], input(i, k+1))
			copy(start[i*d:(i+1)*d], row)
		}
	}
	return data.Array{Shape: []int{points}, Data: ts}, data.Array{Shape: []int{b, points, d}, Data: pred}, nil
}

// velocityWord returns "velocities" or "momenta" for l's second block.
func velocityWord(l data.Layout) string {
	if l.Velocities {
		return "velocities"
	}
	return "momenta"
}
