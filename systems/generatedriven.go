package systems

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/ode"
)

// DrivenProtocol describes SymODEN's data protocol (Zhong et al. 2020):
// random starts, each integrated exactly under every one of a few
// constant inputs, sampled at a fixed step, and split train/test by start.
//
// A row of the resulting sets is (q, v, u): the n positions, the n
// velocities q-dot (or momenta p = M(q) q-dot if Momenta), and the m
// inputs, constant along a trajectory; its derivative is
// (q-dot, q-ddot or dp/dt, 0). Layout gives the data.Layout of the rows.
type DrivenProtocol struct {
	// Starts is the number of starts, train and test together; every
	// start is integrated under every input value.
	Starts int
	// Inputs holds the input values, in order; value u drives every input
	// of the system with u (a single-input system: u itself).
	Inputs []float64
	// InputVectors, if not nil, replaces Inputs (which must then be
	// empty): vector a holds one value for each input of the system, as
	// SymODEN's fully actuated tasks drive one input at a time.
	InputVectors [][]float64
	// Points is the number of samples per trajectory, Step apart.
	Points int
	// Step is the time between samples.
	Step float64
	// Lo and Hi bound the starts: coordinate i of (q, v) is drawn from
	// U[Lo[i], Hi[i]), 2n values each, v the velocities or, if Momenta,
	// the momenta.
	Lo, Hi []float64
	// Momenta makes the rows (q, p) instead of (q, q-dot), and the start
	// box one on the momenta.
	Momenta bool
	// RTol is the relative and absolute tolerance of the ode.DormandPrince
	// ground truth; zero means DefaultRTol.
	RTol float64
	// TestFraction is the fraction of the starts, taken at the end, whose
	// trajectories form the test split.
	TestFraction float64
}

// symodenInputs are the input values of SymODEN's tasks 2-4, in their
// order; task 1 orders them from -2 to 2.
var symodenInputs = []float64{0, -1, 1, -2, 2}

// PendulumTorqueProtocol returns SymODEN's task 1 on TorquePendulum{}:
// 50 starts (25 train, 25 test) with q, p ~ U[-pi, 2 pi), under
// u = -2, -1, 0, 1, 2, 45 samples 0.05 apart, rows (q, p, u).
func PendulumTorqueProtocol() DrivenProtocol {
	return DrivenProtocol{
		Starts:       50,
		Inputs:       []float64{-2, -1, 0, 1, 2},
		Points:       45,
		Step:         0.05,
		Lo:           []float64{-math.Pi, -math.Pi},
		Hi:           []float64{2 * math.Pi, 2 * math.Pi},
		Momenta:      true,
		TestFraction: 0.5,
	}
}

// PendulumEmbedProtocol returns SymODEN's task 2 on TorquePendulum{}:
// 128 starts (64 train, 64 test) from gym's reset, theta ~ U[-pi, pi) and
// theta-dot ~ U[-1, 1), that is q = theta + pi ~ U[0, 2 pi), under
// u = 0, -1, 1, -2, 2, 20 samples 0.05 apart, rows (q, q-dot, u). SymODEN
// observes (cos theta, sin theta, theta-dot) = (-cos q, -sin q, q-dot); the
// sum of squared errors over those channels is the same in q.
func PendulumEmbedProtocol() DrivenProtocol {
	return DrivenProtocol{
		Starts:       128,
		Inputs:       symodenInputs,
		Points:       20,
		Step:         0.05,
		Lo:           []float64{0, -1},
		Hi:           []float64{2 * math.Pi, 1},
		TestFraction: 0.5,
	}
}

// CartPoleProtocol returns SymODEN's task 3 on CartPole{}: 128 starts (64
// train, 64 test) with x ~ U[-0.5, 0.5), theta ~ U[-3.14, 3.14),
// x-dot ~ U[-0.05, 0.05), theta-dot ~ U[-3, 3), under u = 0, -1, 1, -2, 2,
// 20 samples 0.02 apart, rows (x, theta, x-dot, theta-dot, u).
func CartPoleProtocol() DrivenProtocol {
	return DrivenProtocol{
		Starts:       128,
		Inputs:       symodenInputs,
		Points:       20,
		Step:         0.02,
		Lo:           []float64{-0.5, -3.14, -0.05, -3},
		Hi:           []float64{0.5, 3.14, 0.05, 3},
		TestFraction: 0.5,
	}
}

// AcrobotProtocol returns SymODEN's task 4 on Acrobot{}: 128 starts (64
// train, 64 test) with all four of (t1, t2, t1-dot, t2-dot) ~
// U[-3.14, 3.14), under u = 0, -1, 1, -2, 2, 20 samples 0.05 apart, rows
// (t1, t2, t1-dot, t2-dot, u).
func AcrobotProtocol() DrivenProtocol {
	return DrivenProtocol{
		Starts:       128,
		Inputs:       symodenInputs,
		Points:       20,
		Step:         0.05,
		Lo:           []float64{-3.14, -3.14, -3.14, -3.14},
		Hi:           []float64{3.14, 3.14, 3.14, 3.14},
		TestFraction: 0.5,
	}
}

// symodenInputVectors are the input vectors of SymODEN's fully actuated
// cart-pole and acrobot (their training scripts), in their order: none,
// then the second input at +-1 and +-2, then the first.
var symodenInputVectors = [][]float64{{0, 0}, {0, 1}, {0, -1}, {0, 2}, {0, -2}, {1, 0}, {-1, 0}, {2, 0}, {-2, 0}}

// fullyActuated returns pr driven by SymODEN's nine input vectors.
func fullyActuated(pr DrivenProtocol) DrivenProtocol {
	pr.Inputs = nil
	pr.InputVectors = make([][]float64, len(symodenInputVectors))
	for i, v := range symodenInputVectors {
		pr.InputVectors[i] = slices.Clone(v)
	}
	return pr
}

// FullyActuatedCartPoleProtocol returns SymODEN's data of the fully
// actuated cart-pole on CartPole{FullyActuated: true}: CartPoleProtocol's
// 128 starts, 20 samples 0.02 apart, under nine input vectors (force,
// torque): (0, 0), (0, +-1), (0, +-2), (+-1, 0), (+-2, 0).
func FullyActuatedCartPoleProtocol() DrivenProtocol { return fullyActuated(CartPoleProtocol()) }

// FullyActuatedAcrobotProtocol returns SymODEN's data of the fully
// actuated acrobot on Acrobot{FullyActuated: true}: AcrobotProtocol's 128
// starts, 20 samples 0.05 apart, under the nine input vectors of
// FullyActuatedCartPoleProtocol (first joint, second joint).
func FullyActuatedAcrobotProtocol() DrivenProtocol { return fullyActuated(AcrobotProtocol()) }

// Layout returns the layout of the rows that GenerateDriven makes of sys
// with pr: sys's positions and angles, velocities unless pr.Momenta, and
// sys's inputs.
func (pr DrivenProtocol) Layout(sys Driven) data.Layout {
	l := data.Layout{Positions: sys.Coords(), Velocities: !pr.Momenta, Inputs: sys.Inputs()}
	for i, a := range sys.Angles() {
		if a {
			l.Angles = append(l.Angles, i)
		}
	}
	return l
}

// Times returns the sample times i Step, i < Points.
func (pr DrivenProtocol) Times() []float64 {
	ts := make([]float64, pr.Points)
	for i := range ts {
		ts[i] = float64(i) * pr.Step
	}
	return ts
}

// trainStarts returns round((1-TestFraction) Starts).
func (pr DrivenProtocol) trainStarts() int {
	return int(math.Round((1 - pr.TestFraction) * float64(pr.Starts)))
}

// TrainRows returns the number of training rows GenerateDriven makes: the
// train starts times the inputs times Points.
func (pr DrivenProtocol) TrainRows() int { return pr.trainStarts() * pr.NumInputs() * pr.Points }

// NumInputs returns the number of input values or vectors each start is
// integrated under: len(InputVectors) if set, else len(Inputs).
func (pr DrivenProtocol) NumInputs() int {
	if pr.InputVectors != nil {
		return len(pr.InputVectors)
	}
	return len(pr.Inputs)
}

// input returns the value of input j under input value or vector a.
func (pr DrivenProtocol) input(a, j int) float64 {
	if pr.InputVectors != nil {
		return pr.InputVectors[a][j]
	}
	return pr.Inputs[a]
}

// maxDrivenValues bounds the values of a generated dataset, 2^28 (2 GiB).
const maxDrivenValues = 1 << 28

// validate returns an error describing the first bad setting of pr for
// sys, or nil.
func (pr DrivenProtocol) validate(sys Driven) error {
	n, m := sys.Coords(), sys.Inputs()
	fin := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	switch {
	case m == 0:
		return fmt.Errorf("the system has no inputs")
	case pr.Starts < 2:
		return fmt.Errorf("starts %d < 2", pr.Starts)
	case pr.InputVectors != nil && len(pr.Inputs) > 0:
		return fmt.Errorf("both input values and input vectors")
	case pr.NumInputs() == 0:
		return fmt.Errorf("no input values")
	case pr.Points < 2:
		return fmt.Errorf("points %d < 2", pr.Points)
	case !(pr.Step > 0) || !fin(pr.Step) || !fin(pr.Step*float64(pr.Points)):
		return fmt.Errorf("step %v is not positive and finite", pr.Step)
	case len(pr.Lo) != 2*n || len(pr.Hi) != 2*n:
		return fmt.Errorf("start box of %d and %d bounds, want %d each", len(pr.Lo), len(pr.Hi), 2*n)
	case !(pr.RTol >= 0) || !fin(pr.RTol):
		return fmt.Errorf("tolerance %v is not a non-negative number", pr.RTol)
	case !(pr.TestFraction > 0 && pr.TestFraction < 1):
		return fmt.Errorf("test fraction %v is not in (0, 1)", pr.TestFraction)
	case float64(pr.Starts)*float64(pr.NumInputs())*float64(pr.Points)*float64(2*n+m) > maxDrivenValues:
		return fmt.Errorf("%d starts x %d inputs x %d points of %d values exceed %d values", pr.Starts, pr.NumInputs(), pr.Points, 2*n+m, maxDrivenValues)
	}
	for i := range pr.Lo {
		if !fin(pr.Lo[i]) || !fin(pr.Hi[i]) || !(pr.Lo[i] <= pr.Hi[i]) {
			return fmt.Errorf("start bound %d: [%v, %v) is not finite and ordered", i, pr.Lo[i], pr.Hi[i])
		}
	}
	for _, u := range pr.Inputs {
		if !fin(u) {
			return fmt.Errorf("input value %v is not finite", u)
		}
	}
	for a, v := range pr.InputVectors {
		if len(v) != m {
			return fmt.Errorf("input vector %d has %d values, the system %d inputs", a, len(v), m)
		}
		for _, u := range v {
			if !fin(u) {
				return fmt.Errorf("input vector %d: value %v is not finite", a, u)
			}
		}
	}
	if k := pr.trainStarts(); k < 1 || k > pr.Starts-1 {
		return fmt.Errorf("test fraction %v of %d starts leaves a split empty", pr.TestFraction, pr.Starts)
	}
	return nil
}

// GenerateDriven makes SymODEN's dataset of sys following pr.
//
// It draws from rng the pr.Starts starts, one after another, each as 2n
// uniform draws in coordinate order (U[Lo[i], Hi[i])), and nothing else;
// momenta are turned into velocities with M(q). The starts therefore
// depend on rng, Starts and the box alone: the same seed with other
// Points or Inputs gives the same starts, so SymODEN's evaluation (40
// samples from the test starts with u = 0) is GenerateDriven with
// Points = 40 and Inputs = {0}, the truth its test split (equal to the
// data's u = 0 trajectories to the solver's tolerance). Every start is then
// integrated under every input value by ode.DormandPrince (rtol = atol =
// pr.RTol), concurrently, to the times pr.Times(); the result does not
// depend on the number of workers.
//
// Trajectory k = a Starts + s is start s under input value a (Set.Traj
// holds k, Set.T the time). The train split holds the trajectories of the
// first round((1-TestFraction) Starts) starts under every input, the test
// split those of the other starts; within a split rows are ordered by
// input value, then start, then time. Every row holds the exact state
// (no noise: SymODEN adds none) and its exact derivative, and both sets
// carry pr.Layout(sys).
//
// It returns an error if a setting of pr is bad or does not fit sys
// (which must have inputs), or if the integration fails.
func GenerateDriven(sys Driven, pr DrivenProtocol, rng *rand.Rand) (*data.Dataset, error) {
	if err := pr.validate(sys); err != nil {
		return nil, fmt.Errorf("systems: %s: %w: %w", sys.Name(), errSettings, err)
	}
	rtol := pr.RTol
	if rtol == 0 {
		rtol = DefaultRTol
	}
	n, m := sys.Coords(), sys.Inputs()
	d := 2*n + m
	ns, nu, np := pr.Starts, pr.NumInputs(), pr.Points

	starts := make([]float64, ns*2*n)
	for i := range starts {
		c := i % (2 * n)
		starts[i] = pr.Lo[c] + (pr.Hi[c]-pr.Lo[c])*rng.Float64()
	}
	canon := NewCanonical(sys, make([]float64, m))
	if pr.Momenta {
		for s := range ns {
			x := starts[s*2*n : (s+1)*2*n]
			canon.Velocity(x[n:], x[:n], append([]float64(nil), x[n:]...))
		}
	}
	// z0 of trajectory k = a ns + s: (q, q-dot, u).
	z0 := make([]float64, ns*nu*d)
	for a := range nu {
		for s := range ns {
			z := z0[(a*ns+s)*d : (a*ns+s+1)*d]
			copy(z, starts[s*2*n:(s+1)*2*n])
			for j := range m {
				z[2*n+j] = pr.input(a, j)
			}
		}
	}
	ts := pr.Times()
	clean := make([]float64, ns*nu*np*d)
	ig := ode.DormandPrince{RTol: rtol, ATol: rtol}
	newF := func() ode.Func { return DrivenField(sys) }
	if err := ode.SolveMany(ig, newF, z0, d, ts, clean, runtime.GOMAXPROCS(0)); err != nil {
		return nil, fmt.Errorf("systems: integrating %s: %w", sys.Name(), err)
	}

	layout := pr.Layout(sys)
	split := func(lo, hi int) data.Set {
		rows := nu * (hi - lo) * np
		set := data.Set{
			Dim:    d,
			X:      make([]float64, 0, rows*d),
			DX:     make([]float64, rows*d),
			Traj:   make([]int, 0, rows),
			T:      make([]float64, 0, rows),
			Layout: layout,
		}
		for a := range nu {
			for s := lo; s < hi; s++ {
				k := a*ns + s
				set.X = append(set.X, clean[k*np*d:(k+1)*np*d]...)
				for j := range np {
					set.Traj = append(set.Traj, k)
					set.T = append(set.T, ts[j])
				}
			}
		}
		g, v := make([]float64, n*m), make([]float64, n)
		for r := range rows {
			x, dx := set.Row(r)
			q, u := x[:n], x[2*n:]
			copy(v, x[n:2*n])
			copy(dx[:n], v)
			if !pr.Momenta {
				sys.Accel(dx[n:2*n], q, v, u)
				continue
			}
			// Rows (q, p, u) with dp/dt = dL/dq + g u.
			canon.Momentum(x[n:2*n], q, v)
			sys.Force(dx[n:2*n], q, v)
			sys.InputMatrix(g, q)
			for i := range n {
				for j := range m {
					dx[n+i] += g[i*m+j] * u[j]
				}
			}
		}
		return set
	}
	nTrain := pr.trainStarts()
	return &data.Dataset{Train: split(0, nTrain), Test: split(nTrain, ns)}, nil
}

// StateBox is the Lagrangian-network paper's data protocol (Cranmer et
// al. 2020): states drawn uniformly from a box, each with its exact
// derivative, afresh for every minibatch if wanted.
type StateBox struct {
	// Lo and Hi bound the states: coordinate i of (q, q-dot) is drawn from
	// U[Lo[i], Hi[i]), 2n values each.
	Lo, Hi []float64
}

// DoublePendulumBox returns LNN's training distribution for
// DoublePendulum{}: angles ~ U[0, 2 pi), angular velocities ~ U[-10, 10).
func DoublePendulumBox() StateBox {
	return StateBox{Lo: []float64{0, 0, -10, -10}, Hi: []float64{2 * math.Pi, 2 * math.Pi, 10, 10}}
}

// DoublePendulumTestBox returns LNN's test starts for DoublePendulum{}:
// angles ~ U[0, 2 pi), angular velocities ~ U[0, 0.1).
func DoublePendulumTestBox() StateBox {
	return StateBox{Lo: []float64{0, 0, 0, 0}, Hi: []float64{2 * math.Pi, 2 * math.Pi, 0.1, 0.1}}
}

// Sample fills dst with rows states of sys drawn from b by rng, with
// their exact derivatives (q-dot, q-ddot, 0) under zero inputs: rows
// (q, q-dot, u = 0) in the layout data.Layout{Velocities: true} with
// sys's angles and inputs. It draws 2n uniforms per row in coordinate
// order and nothing else, and reuses dst's slices where their capacity
// allows, and dst's layout if it is already a velocity layout of sys's
// size, so that drawing a fresh minibatch per step does not allocate.
// Traj and T are set to nil. It returns an error if rows is not in
// [1, 2^28 / (2n+m)] or the box does not fit sys or is not finite and
// ordered.
func (b StateBox) Sample(dst *data.Set, sys Driven, rows int, rng *rand.Rand) error {
	n, m := sys.Coords(), sys.Inputs()
	d := 2*n + m
	if rows < 1 || rows > maxDrivenValues/d {
		return fmt.Errorf("systems: %s: %d rows, want 1 to %d", sys.Name(), rows, maxDrivenValues/d)
	}
	if len(b.Lo) != 2*n || len(b.Hi) != 2*n {
		return fmt.Errorf("systems: %s: state box of %d and %d bounds, want %d each", sys.Name(), len(b.Lo), len(b.Hi), 2*n)
	}
	for i := range b.Lo {
		if math.IsInf(b.Lo[i], 0) || math.IsInf(b.Hi[i], 0) || !(b.Lo[i] <= b.Hi[i]) {
			return fmt.Errorf("systems: %s: state bound %d: [%v, %v) is not finite and ordered", sys.Name(), i, b.Lo[i], b.Hi[i])
		}
	}
	grow := func(s []float64) []float64 {
		if cap(s) < rows*d {
			return make([]float64, rows*d)
		}
		return s[:rows*d]
	}
	dst.X, dst.DX = grow(dst.X), grow(dst.DX)
	dst.Traj, dst.T, dst.Dim = nil, nil, d
	if l := dst.Layout; l.Positions != n || l.Inputs != m || !l.Velocities {
		dst.Layout = DrivenProtocol{}.Layout(sys)
	}
	for r := range rows {
		x, dx := dst.Row(r)
		for i := range 2 * n {
			x[i] = b.Lo[i] + (b.Hi[i]-b.Lo[i])*rng.Float64()
		}
		clear(x[2*n:])
		copy(dx[:n], x[n:2*n])
		sys.Accel(dx[n:2*n], x[:n], x[n:2*n], x[2*n:])
		clear(dx[2*n:])
	}
	return nil
}
