// Package experiment runs hnn's experiments end to end: one training run of
// a task and model (data, training, metrics, checkpoint), the evaluation of
// a saved run, and the reproduction of the paper's Table 1 over several
// tasks, models and seeds, trained concurrently, with its results.json,
// report.md and figures. The hnn command is a thin layer over this package.
//
// Every run draws its randomness from three sources seeded by its seed and a
// fixed stream each (data, initial weights, minibatches), so a run gives the
// same numbers whether it runs alone or beside others.
package experiment
