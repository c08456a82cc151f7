package task_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/metrics"
	"github.com/hnn-go/hnn/systems"
	"github.com/hnn-go/hnn/task"
	"github.com/hnn-go/hnn/train"
)

// ExampleRegister adds a task of an existing kind, the ideal spring
// observed without noise, and finds it through the registry as hnn train
// and hnn reproduce do. A task of hnn registers itself from an init
// function of its own file (spring.go); the example registers its own
// here, under a name no real task has.
func ExampleRegister() {
	sys := systems.Spring{}
	protocol := systems.SpringProtocol()
	protocol.Count, protocol.Noise = 10, 0
	energy := metrics.EnergyProtocol{Starts: 5, TEnd: 20, Points: 200, Integrator: "dopri5", RTol: 1e-9, ATol: 1e-9, Seed: 1, Chunks: 5}
	task.Register(&task.Task{
		Name:   "example-clean-spring",
		Kind:   task.KindSystem,
		Title:  "Ideal mass-spring without noise",
		System: sys,
		Dim:    sys.Dim(),
		Generate: func(rng *rand.Rand) (*data.Dataset, error) {
			return systems.Generate(sys, protocol, rng)
		},
		Initial:     func(rng *rand.Rand) []float64 { return protocol.InitialState(rng, sys.Dim()) },
		TrainRows:   protocol.TrainRows(),
		Train:       train.Config{Steps: 2000, LR: 1e-3},
		QuickTrain:  train.Config{Steps: 200, LR: 1e-3},
		Energy:      energy,
		QuickEnergy: energy,
		Bounds:      [4]float64{-1.2, 1.2, -1.2, 1.2},
	})
	fmt.Println(slices.Contains(task.Names(), "example-clean-spring"))

	tk, err := task.Get("example-clean-spring")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(tk.Title, "- kind", tk.Kind, "- runnable:", tk.Runnable() == nil)
	ds, err := tk.Generate(rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("train rows:", ds.Train.Len(), "test rows:", ds.Test.Len())

	// Without noise every training row has its trajectory's energy.
	drift := 0.0
	for i := range ds.Train.Len() {
		start := slices.Index(ds.Train.Traj, ds.Train.Traj[i])
		drift = max(drift, math.Abs(sys.Energy(ds.Train.X[2*i:2*i+2])-sys.Energy(ds.Train.X[2*start:2*start+2])))
	}
	fmt.Println("energy conserved along the training trajectories:", drift < 1e-8)
	// Output:
	// true
	// Ideal mass-spring without noise - kind system - runnable: true
	// train rows: 150 test rows: 150
	// energy conserved along the training trajectories: true
}
