package metrics_test

import (
	"fmt"

	"github.com/hnn-go/hnn/metrics"
)

// ExampleRegister adds a metric and follows it through what the registry
// drives: combining the seeds of a model, the JSON of results.json and the
// report's table cells. A metric of hnn is a package-level variable of
// reported.go; the example registers its own, under a key no real metric
// has.
func ExampleRegister() {
	section := &metrics.Section{Title: "Example", Text: "The largest state error of a rollout."}
	maxError := metrics.Register(metrics.Metric{
		Key:       "example_max_error",
		Column:    "max error",
		Section:   section,
		Aggregate: metrics.SeedMeans,
		Verb:      "%.3f",
	})
	fmt.Println(metrics.Lookup("example_max_error") == maxError, metrics.In(section)[0].Column)

	// Two seeds' runs each recorded their value; a model combines them.
	runs := []metrics.Summary{{Mean: 0.25}, {Mean: 0.75}}
	v := maxError.Aggregate(metrics.Seeds{Runs: runs})
	fmt.Println("two seeds:", maxError.SeedsText(v, 2))
	one := maxError.Aggregate(metrics.Seeds{Runs: runs[:1]})
	fmt.Println("one seed:", maxError.SeedsText(one, 1))

	// A model's entry of results.json holds it under its key, beside the
	// entry's other fields, and reads back.
	var model metrics.Values
	model.Set(maxError, v)
	b, err := metrics.MarshalObject(metrics.Model, model, nil, []byte(`{"seeds":2}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(b))
	back, _, err := metrics.UnmarshalObject(b, metrics.Model)
	fmt.Println(back.Mean(maxError), err)
	// Output:
	// true max error
	// two seeds: 0.500 ± 0.177
	// one seed: 0.250
	// {"example_max_error":{"mean":0.5,"sem":0.17677669529663687,"median":0.5},"seeds":2}
	// 0.5 <nil>
}
