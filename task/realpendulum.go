package task

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/systems"
	"github.com/hnn-go/hnn/train"
	"github.com/hnn-go/hnn/trajectory"
)

// RealPendulumFile is the Schmidt & Lipson file of the real pendulum, looked
// up in LipsonDir().
const RealPendulumFile = "real_pend_h_1.txt"

// The real-pendulum task (the paper's Task 3), following
// experiment-real/data.py and train.py: q = angle o, p = angular velocity
// v of real_pend_h_1.txt (one trial of 556 rows, 1/6 s apart with gaps);
// derivatives by forward differences divided by the real time step, the
// last row dropped (555 rows); rows 444..553 are the test segment and the
// other 445 (the first 444 and the last) train; full batch, 2000 steps,
// Adam 1e-3, weight decay 1e-5. Its energy is the reference's fit
// 2.4(1 - cos q) + p^2 (systems.Pendulum{K: 2.4}); the energy MSE is taken
// along one rollout from the first test row over the test segment's times
// (analyze-real.ipynb), with Dormand-Prince at rtol = atol = 1e-9, and the
// rollout MSE is the state error along it. reproduce trains the dissipative
// HNN beside the paper's two models: the pendulum loses amplitude.
//
// "real-pendulum-central" is the same task with central differences
// (second order on the uneven time grid, trajectory.Central) in place of
// the forward ones. A forward difference (x(t+h) - x(t))/h of an
// oscillation x” = -w^2 x is x'(t) - (h/2) w^2 x(t) + O(h^2): the error is
// a field -(h/2) w^2 x, the gradient of a Rayleigh function, so on the
// reference's data every model that can represent dissipation (the
// baseline, the dissipative HNN) learns a damping about (h/2) w^2 ~ 0.4/s
// that the pendulum does not have, while the HNN cannot. Central
// differences remove it to O(h^2).
func init() {
	register := func(name, title, method string, pub map[string]Published) {
		Register(realPendulumTask(name, title, method, pub))
	}
	register("real-pendulum", "Real pendulum", "forward", map[string]Published{
		"baseline": {Train: 2.75e-3, Test: 2.19e-3, Energy: 3.86e-1, EnergySEM: 6.9e-2},
		"hnn":      {Train: 9.24e-3, Test: 5.96e-3, Energy: 1.45e-2, EnergySEM: 4.7e-3},
	})
	register("real-pendulum-central", "Real pendulum, central differences", "central", nil)
}

// realPendulumTask returns the real-pendulum task with derivatives by the
// given method ("forward" or "central").
func realPendulumTask(name, title, method string, pub map[string]Published) *Task {
	sys := systems.Pendulum{K: 2.4}
	return &Task{
		Name:   name,
		Kind:   KindMeasured,
		Title:  title,
		System: sys,
		Dim:    2,
		Generate: func(*rand.Rand) (*data.Dataset, error) {
			tr, te, err := realPendulum(method)
			if err != nil {
				return nil, err
			}
			return &data.Dataset{Train: tr.Rows(), Test: te.Rows()}, nil
		},
		Segments: func() ([]Segment, error) {
			_, te, err := realPendulum(method)
			if err != nil {
				return nil, err
			}
			return segmentsOf(te), nil
		},
		Available: func() error {
			_, err := realPendulumPath()
			return err
		},
		TrainRows:  445,
		Train:      train.Config{Steps: 2000, LR: 1e-3, WeightDecay: 1e-5, LogEvery: 100},
		QuickTrain: train.Config{Steps: 400, LR: 1e-3, WeightDecay: 1e-5, LogEvery: 50},
		Bounds:     [4]float64{-1.8, 1.8, -2.2, 2.2},
		Models:     dampedModels,
		Published:  pub,
	}
}

// realPendulumPath returns the path of real_pend_h_1.txt, or an error
// saying where to put it. It only looks for the file; reading it is
// realPendulum's.
func realPendulumPath() (string, error) {
	dir, err := LipsonDir()
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, RealPendulumFile)
	if st, err := os.Stat(path); err != nil || st.IsDir() {
		return "", fmt.Errorf("task: real-pendulum needs %s in %s (put the Schmidt & Lipson file there or set $%s)", RealPendulumFile, dir, LipsonEnv)
	}
	return path, nil
}

// realPendulum reads the real pendulum, takes derivatives by method
// ("forward" or "central") and splits it as the reference.
func realPendulum(method string) (trainSet, testSet *trajectory.Set, err error) {
	path, err := realPendulumPath()
	if err != nil {
		return nil, nil, err
	}
	s, err := trajectory.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	if len(s.Trials) != 1 || s.Dim != 2 {
		return nil, nil, fmt.Errorf("task: %s: %d trials of %d variables, want one trial of angle and angular velocity", path, len(s.Trials), s.Dim)
	}
	tr := s.Trials[0]
	if tr.Len() < 10 {
		return nil, nil, fmt.Errorf("task: %s: %d rows, too few for the reference split", path, tr.Len())
	}
	// Forward differences, then the last row (whose difference would need
	// the next row) dropped, as data['x'] = data['x'][:-1]; central
	// differences drop the same row so that both splits hold the same
	// states.
	n := tr.Len() - 1
	var dx []float64
	if method == "central" {
		dx = trajectory.Central(tr, 2)[:2*n]
	} else {
		dx = trajectory.Forward(tr, 2)[:2*n]
	}
	x, t := tr.X[:2*n], tr.T[:n]
	// The reference's split with test_split = 0.8: train_set_size =
	// int(n*0.8) = 444, test_set_size = int(n*(1-0.8)) = 110 for n = 555
	// (1-0.8 is 0.19999999999999996 in float64); test rows [a, b), train
	// the rest. split is a variable so that 1-split is float64 arithmetic,
	// as in Python, not an exact constant.
	split := 0.8
	a := int(float64(n) * split)
	b := a + int(float64(n)*(1-split))
	part := func(lo, hi int) trajectory.Trial {
		return trajectory.Trial{T: t[lo:hi], X: x[2*lo : 2*hi], DX: dx[2*lo : 2*hi]}
	}
	trainSet = &trajectory.Set{Source: s.Source, Names: s.Names, Dim: 2, Trials: []trajectory.Trial{part(0, a)}}
	if b < n {
		trainSet.Trials = append(trainSet.Trials, part(b, n))
	}
	testSet = &trajectory.Set{Source: s.Source, Names: s.Names, Dim: 2, Trials: []trajectory.Trial{part(a, b)}}
	return trainSet, testSet, nil
}
