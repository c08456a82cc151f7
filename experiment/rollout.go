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
