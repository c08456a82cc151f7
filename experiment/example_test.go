package experiment_test

import (
	"encoding/json"
	"fmt"
	"log"

	"github.com/hnn-go/hnn/experiment"
	"github.com/hnn-go/hnn/metrics"
)

// Example trains a small HNN on the ideal mass-spring with the task's quick
// settings, shrunk further for speed, and checks that it learned the
// dynamics: 200 steps of a 16-16 network (the reference trains 2000 steps of
// 200-200) bring the test loss to about 0.05, near the noise floor, against
// about 1 before training, and the energy MSE to about 3e-4.
func Example() {
	spec, err := experiment.NewSpec("spring", "hnn", 0, true)
	if err != nil {
		log.Fatal(err)
	}
	spec.Train.Steps = 200
	spec.Model.Hidden = []int{16, 16}

	// An empty directory writes nothing; nil means compute the true energy
	// rollouts here and report no progress.
	run, err := experiment.Train(spec, "", nil, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("model:", run.Model.Config().Kind)
	fmt.Println("test loss below 0.5:", run.Metrics.Mean(metrics.TestLoss) < 0.5)
	fmt.Println("energy MSE below 0.01:", run.Metrics.Mean(metrics.EnergyMSE) < 0.01)
	// Output:
	// model: hnn
	// test loss below 0.5: true
	// energy MSE below 0.01: true
}

// ExampleOverrides changes a task's reference settings as hnn train's
// flags and a sweep file's fields do: a field left out keeps the task's
// value, one given (zero included) replaces it after Validate.
func ExampleOverrides() {
	var o experiment.Overrides
	if err := json.Unmarshal([]byte(`{"steps": 300, "weight_decay": 0, "hidden": [32, 32]}`), &o); err != nil {
		log.Fatal(err)
	}
	if err := o.Validate(); err != nil {
		log.Fatal(err)
	}
	spec, err := experiment.NewSpec("spring", "hnn", 0, false)
	if err != nil {
		log.Fatal(err)
	}
	o.Apply(&spec)
	fmt.Println("steps:", spec.Train.Steps, "weight decay:", spec.Train.WeightDecay, "lr:", spec.Train.LR, "hidden:", spec.Model.Hidden)

	// A value out of range is an error naming the field.
	fmt.Println(experiment.Overrides{Steps: experiment.Set(0)}.Validate())
	// Output:
	// steps: 300 weight decay: 0 lr: 0.001 hidden: [32 32]
	// steps 0: want an integer in [1, 1000000000]
}
