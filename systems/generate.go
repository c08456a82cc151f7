package systems

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/ode"
)

// DefaultRTol is the relative tolerance of the ground-truth solve used when
// Trajectories.RTol is zero; it is the reference's (scipy solve_ivp, RK45,
// rtol 1e-10).
const DefaultRTol = 1e-10

// Trajectories describes the reference's data protocol: random starts on a
// sphere of random radius, integrated exactly, sampled on a uniform time grid,
// with noisy states and clean derivatives.
type Trajectories struct {
	// Count is the number of trajectories.
	Count int
	// Points is the number of points per trajectory.
	Points int
	// TEnd is the end of the time grid linspace(0, TEnd, Points), both ends
	// included.
	TEnd float64
	// RMin and RMax bound the radius r ~ U[RMin, RMax) of the start.
	RMin, RMax float64
	// Noise is the standard deviation of the Gaussian noise added to every
	// coordinate of the states after the derivatives are taken.
	Noise float64
	// RTol is the relative tolerance of the ode.DormandPrince ground truth;
	// zero means DefaultRTol. The absolute tolerance is set equal to RTol.
	// The reference left scipy's default atol of 1e-6, which dominates its
	// rtol for states of order one; an atol equal to rtol makes the ground
	// truth accurate to about RTol, tighter than the reference's.
	RTol float64
	// TestFraction is the fraction of the trajectories, taken at the end,
	// that form the test split; the rest, at the start, are the train split.
	TestFraction float64
}

// SpringProtocol returns the reference's protocol for the ideal mass-spring:
// 50 trajectories of 30 points on t in [0, 3], r ~ U[0.1, 1.0), noise 0.1,
// rtol 1e-10, first half train.
func SpringProtocol() Trajectories {
	return Trajectories{
		Count:        50,
		Points:       30,
		TEnd:         3,
		RMin:         0.1,
		RMax:         1.0,
		Noise:        0.1,
		RTol:         1e-10,
		TestFraction: 0.5,
	}
}

// PendulumProtocol returns the reference's protocol for the ideal pendulum:
// as SpringProtocol but 45 points per trajectory and r ~ U[1.3, 2.3).
func PendulumProtocol() Trajectories {
	tr := SpringProtocol()
	tr.Points = 45
	tr.RMin, tr.RMax = 1.3, 2.3
	return tr
}

// InitialState draws a start as the reference does: a direction
// y ~ U[-1, 1)^dim (dim draws of rng.Float64, in coordinate order),
// normalised to unit length, then a radius r ~ U[RMin, RMax) (one draw), and
// returns r*y. A direction of zero length, which has probability about
// 2^-53*dim, is drawn again. It panics if dim < 1.
func (tr Trajectories) InitialState(rng *rand.Rand, dim int) []float64 {
	if dim < 1 {
		panic("systems: non-positive dimension")
	}
	y := make([]float64, dim)
	var norm float64
	for norm == 0 {
		var ss float64
		for i := range y {
			y[i] = 2*rng.Float64() - 1
			ss += y[i] * y[i]
		}
		norm = math.Sqrt(ss)
	}
	r := tr.RMin + (tr.RMax-tr.RMin)*rng.Float64()
	for i := range y {
		y[i] *= r / norm
	}
	return y
}

// trainCount returns the number of train trajectories,
// round((1-TestFraction)*Count).
func (tr Trajectories) trainCount() int {
	return int(math.Round((1 - tr.TestFraction) * float64(tr.Count)))
}

// TrainRows returns the number of training rows Generate makes: the train
// trajectories times Points.
func (tr Trajectories) TrainRows() int { return tr.trainCount() * tr.Points }

// validate returns an error describing the first bad setting of tr for a
// system of dimension dim, or nil.
func (tr Trajectories) validate(dim int) error {
	switch {
	case dim < 2 || dim%2 != 0:
		return fmt.Errorf("state dimension %d is not a positive even number", dim)
	case tr.Count < 1:
		return fmt.Errorf("count %d < 1", tr.Count)
	case tr.Points < 2:
		return fmt.Errorf("points %d < 2", tr.Points)
	case !(tr.TEnd > 0) || math.IsInf(tr.TEnd, 0):
		return fmt.Errorf("end time %v is not positive and finite", tr.TEnd)
	case !(tr.RMin >= 0) || !(tr.RMin <= tr.RMax) || math.IsInf(tr.RMax, 0):
		return fmt.Errorf("radius range [%v, %v) is not 0 <= min <= max < inf", tr.RMin, tr.RMax)
	case !(tr.Noise >= 0) || math.IsInf(tr.Noise, 0):
		return fmt.Errorf("noise %v is not non-negative and finite", tr.Noise)
	case !(tr.RTol >= 0):
		return fmt.Errorf("tolerance %v is negative", tr.RTol)
	case !(tr.TestFraction > 0 && tr.TestFraction < 1):
		return fmt.Errorf("test fraction %v is not in (0, 1)", tr.TestFraction)
	}
	if n := tr.trainCount(); n < 1 || n > tr.Count-1 {
		return fmt.Errorf("test fraction %v of %d trajectories leaves a split empty", tr.TestFraction, tr.Count)
	}
	return nil
}

// errSettings marks the errors of Generate caused by bad settings.
var errSettings = errors.New("bad trajectory settings")

// Times returns the time grid linspace(0, TEnd, Points), computed as numpy
// does: t_i = i*(TEnd/(Points-1)), the last exactly TEnd. It panics if
// Points < 2.
func (tr Trajectories) Times() []float64 {
	if tr.Points < 2 {
		panic("systems: fewer than two points")
	}
	ts := make([]float64, tr.Points)
	step := tr.TEnd / float64(tr.Points-1)
	for i := range ts {
		ts[i] = float64(i) * step
	}
	ts[len(ts)-1] = tr.TEnd
	return ts
}

// Generate makes a dataset of sys following tr.
//
// For each trajectory in turn it draws from rng the start
// (tr.InitialState) and then the noise: Dim()*Points normal draws, all
// points of coordinate 0 first, then coordinate 1, and so on. The normals
// are drawn even when tr.Noise is zero, so the starts depend on rng alone
// and a clean dataset and a noisy one made from equal seeds share their
// trajectories. All draws happen before any integration, in this fixed
// order, so the result is a function of rng's state; the trajectories are
// then integrated concurrently with ode.DormandPrince (rtol = atol =
// tr.RTol) to the times tr.Times().
//
// Each row holds a state with noise added, X, and the exact field at the
// clean state, DX; rows are ordered by trajectory, then time. Set.Traj holds
// the trajectory's index among all tr.Count trajectories and Set.T the time.
// The first round((1-TestFraction)*Count) trajectories form the train split,
// the rest the test split.
//
// Generate returns an error if a setting of tr is bad (Count < 1,
// Points < 2, TEnd <= 0, RMin < 0 or RMin > RMax, Noise < 0, RTol < 0,
// TestFraction outside (0, 1) or leaving a split empty), if sys.Dim() is
// odd, or if the integration fails.
func Generate(sys System, tr Trajectories, rng *rand.Rand) (*data.Dataset, error) {
	d := sys.Dim()
	if err := tr.validate(d); err != nil {
		return nil, fmt.Errorf("systems: %s: %w: %w", sys.Name(), errSettings, err)
	}
	rtol := tr.RTol
	if rtol == 0 {
		rtol = DefaultRTol
	}
	n, m := tr.Count, tr.Points

	// All random draws, in the documented order.
	x0 := make([]float64, n*d)
	noise := make([]float64, n*m*d) // per trajectory: coordinate-major, d x m
	for k := range n {
		copy(x0[k*d:(k+1)*d], tr.InitialState(rng, d))
		nk := noise[k*m*d : (k+1)*m*d]
		for i := range nk {
			nk[i] = tr.Noise * rng.NormFloat64()
		}
	}

	ts := tr.Times()
	clean := make([]float64, n*m*d) // n x m x d
	ig := ode.DormandPrince{RTol: rtol, ATol: rtol}
	newF := func() ode.Func { return Field(sys) }
	if err := ode.SolveMany(ig, newF, x0, d, ts, clean, runtime.GOMAXPROCS(0)); err != nil {
		return nil, fmt.Errorf("systems: integrating %s: %w", sys.Name(), err)
	}

	nTrain := tr.trainCount()
	ds := &data.Dataset{
		Train: makeSet(sys, clean, noise, ts, 0, nTrain),
		Test:  makeSet(sys, clean, noise, ts, nTrain, n),
	}
	return ds, nil
}

// makeSet builds the set of trajectories lo..hi-1 from the clean states
// (trajectory x time x coordinate) and the noise (trajectory x coordinate x
// time; nil for none).
func makeSet(sys System, clean, noise, ts []float64, lo, hi int) data.Set {
	d, m := sys.Dim(), len(ts)
	rows := (hi - lo) * m
	s := data.Set{
		Dim:  d,
		X:    make([]float64, rows*d),
		DX:   make([]float64, rows*d),
		Traj: make([]int, rows),
		T:    make([]float64, rows),
	}
	for k := lo; k < hi; k++ {
		var nk []float64
		if noise != nil {
			nk = noise[k*m*d : (k+1)*m*d]
		}
		for j := range m {
			src := (k*m + j) * d
			row := (k-lo)*m + j
			x, dx := s.Row(row)
			sys.Field(dx, clean[src:src+d])
			copy(x, clean[src:src+d])
			if nk != nil {
				for c := range d {
					x[c] += nk[c*m+j]
				}
			}
			s.Traj[row] = k
			s.T[row] = ts[j]
		}
	}
	return s
}
