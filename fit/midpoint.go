package fit

import (
	"math/rand/v2"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/nn"
	"github.com/hnn-go/hnn/train"
)

// The midpoint fit: for every pair of consecutive rows (x0 at t0, x1 at
// t1) of one trajectory, the residual of the implicit midpoint rule,
// (x1 - x0)/h - f((x0 + x1)/2) with h = t1 - t0, squared and averaged over
// pairs and components. It is the derivative fit's loss on the rows
// MidpointRows makes, so it trains with train.Train, its gradient is the
// workspace's LossGrad, and it needs no derivative estimate.
func init() {
	Register(Mode{
		Name:    "midpoint",
		Title:   "midpoint fit",
		Train32: trainMidpoint[float32],
		Train64: trainMidpoint[float64],
	})
}

func trainMidpoint[T nn.Float](m model.Model[T], trainSet, testSet *data.Set, _ Config, tc train.Config, rng *rand.Rand, progress train.Progress) (train.History, error) {
	tr := MidpointRows(trainSet)
	te := MidpointRows(testSet)
	return train.Train(m, &tr, &te, tc, rng, progress)
}

// MidpointRows returns, for every pair of consecutive rows of one
// trajectory of s (equal Traj, increasing T), a row whose state is their
// midpoint (x0 + x1)/2 and whose derivative is their difference quotient
// (x1 - x0)/(t1 - t0); Traj and T are the first row's. A set without
// trajectories (nil Traj or T) gives no rows.
func MidpointRows(s *data.Set) data.Set {
	d := s.Dim
	out := data.Set{Dim: d, Layout: s.Layout}
	if s.Traj == nil || s.T == nil {
		return out
	}
	n := s.Len()
	for i := 0; i+1 < n; i++ {
		h := s.T[i+1] - s.T[i]
		if s.Traj[i+1] != s.Traj[i] || !(h > 0) {
			continue
		}
		x0, x1 := s.X[i*d:(i+1)*d], s.X[(i+1)*d:(i+2)*d]
		for j := range d {
			out.X = append(out.X, (x0[j]+x1[j])/2)
			out.DX = append(out.DX, (x1[j]-x0[j])/h)
		}
		out.Traj = append(out.Traj, s.Traj[i])
		out.T = append(out.T, s.T[i])
	}
	return out
}
