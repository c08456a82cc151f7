package task

import (
	"math"
	"math/rand/v2"
	"sync"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/ode"
	"github.com/hnn-go/hnn/systems"
	"github.com/hnn-go/hnn/train"
)

// The noisy spring chain of SRNN (Chen, Zhang, Arjovsky, Bottou, ICLR
// 2020): 20 masses between two walls, joined by 21 springs. The protocol,
// as the authors' public code draws it: stiffnesses k_i = 5 max(0.2,
// 1 + n_i/4) and masses m_i = max(0.2, 1 + n'_i/4) with n, n' standard
// normal, drawn once (here from a fixed seed, so every run sees the same
// chain); starts q_i, p_i uniform in [-2.5, 2.5]; observations every
// dt = 0.1; 1000 training trajectories of 10 steps (11 states) and 32 test
// trajectories of 200 steps, every observed state with Gaussian noise of
// standard deviation chainNoise added (train and test alike). The exact
// trajectories come from Dormand-Prince at rtol = atol = 1e-10. The
// derivatives of the derivative fit are forward differences of the noisy
// states (backward at a trajectory's last state): what a one-step,
// HNN-like training has. Runs report the rollout MSE along the 32 noisy
// test trajectories from their first (noisy, or with -fit-starts fitted)
// state, with the fit's integrator at the data's step for the rollout
// fit, and the energy MSE along them. Runs train in standardised units
// (Standardise: the chain's rates of change are of order 5 to 20 in its
// own units, which a tanh network's unit-scale initial weights reach only
// after many steps) and report in the chain's units; they take Adam 1e-3
// on minibatches of 320 states for 12000 steps (quick: 1200) and end with
// the weights' moving average (0.99), which the rollout fit needs to
// learn the chain (docs/tasks/spring-chain.md).
func init() {
	Register(&Task{
		Name:   "spring-chain",
		Kind:   KindMeasured,
		Title:  "Noisy spring chain (SRNN)",
		System: chainSystem(),
		Dim:    2 * chainMasses,
		Generate: func(rng *rand.Rand) (*data.Dataset, error) {
			tr := chainTrajectories(rng, chainTrain, chainTrainSteps)
			return &data.Dataset{Train: tr, Test: chainTest()}, nil
		},
		Segments: func() ([]Segment, error) {
			te := chainTest()
			n := chainTestSteps + 1
			d := te.Dim
			segs := make([]Segment, chainTestCount)
			for k := range segs {
				segs[k] = Segment{T: te.T[k*n : (k+1)*n], X: te.X[k*n*d : (k+1)*n*d]}
			}
			return segs, nil
		},
		TrainRows:   chainTrain * (chainTrainSteps + 1),
		Train:       train.Config{Steps: 12000, LR: 1e-3, Batch: 320, LogEvery: 600, Average: 0.99},
		QuickTrain:  train.Config{Steps: 1200, LR: 1e-3, Batch: 320, LogEvery: 60, Average: 0.99},
		Bounds:      [4]float64{-4, 4, -4, 4},
		Models:      []string{"hnn", "separable"},
		Standardise: true,
	})
}

// The spring chain's protocol constants.
const (
	chainMasses     = 20
	chainDT         = 0.1
	chainTrain      = 1000
	chainTrainSteps = 10
	chainTestCount  = 32
	chainTestSteps  = 200
	chainNoise      = 0.1
	chainSeed       = 2020 // the chain's masses and springs, and the test set
)

// chainSystem returns the chain drawn from chainSeed.
func chainSystem() systems.SpringChain {
	rng := rand.New(rand.NewPCG(chainSeed, 1))
	s := systems.SpringChain{M: make([]float64, chainMasses), K: make([]float64, chainMasses+1)}
	for i := range s.K {
		s.K[i] = 5 * math.Max(0.2, 1+rng.NormFloat64()/4)
	}
	for i := range s.M {
		s.M[i] = math.Max(0.2, 1+rng.NormFloat64()/4)
	}
	return s
}

// chainTest returns the test trajectories, made once from chainSeed.
var chainTest = sync.OnceValue(func() data.Set {
	return chainTrajectories(rand.New(rand.NewPCG(chainSeed, 2)), chainTestCount, chainTestSteps)
})

// chainTrajectories draws count trajectories of steps steps of the chain
// with noisy observations, as rows with times, trajectory indices and
// finite-difference derivatives of the noisy states.
func chainTrajectories(rng *rand.Rand, count, steps int) data.Set {
	sys := chainSystem()
	d := sys.Dim()
	n := steps + 1
	ts := make([]float64, n)
	for i := range ts {
		ts[i] = chainDT * float64(i)
	}
	s := data.Set{Dim: d, X: make([]float64, count*n*d), DX: make([]float64, count*n*d), T: make([]float64, 0, count*n), Traj: make([]int, 0, count*n)}
	ig := ode.DormandPrince{RTol: 1e-10, ATol: 1e-10}
	x0 := make([]float64, d)
	for k := range count {
		for i := range x0 {
			x0[i] = 5 * (rng.Float64() - 0.5)
		}
		x := s.X[k*n*d : (k+1)*n*d]
		if err := ig.Solve(x, systems.Field(sys), x0, ts); err != nil {
			panic("task: spring chain: " + err.Error())
		}
		for i := range x {
			x[i] += chainNoise * rng.NormFloat64()
		}
		dx := s.DX[k*n*d : (k+1)*n*d]
		for r := range n {
			a, b := r, r+1
			if b == n {
				a, b = r-1, r
			}
			for j := range d {
				dx[r*d+j] = (x[b*d+j] - x[a*d+j]) / chainDT
			}
		}
		s.T = append(s.T, ts...)
		for range n {
			s.Traj = append(s.Traj, k)
		}
	}
	return s
}
