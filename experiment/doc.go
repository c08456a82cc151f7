// Package experiment runs hnn's experiments end to end: one training run of
// a task and model (data, training, metrics, checkpoint), the evaluation of
// a saved run, and the reproduction of the paper's Table 1 over several
// tasks, models and seeds, trained concurrently, with its results.json,
// report.md and figures. The hnn command is a thin layer over this package.
//
// A reproduction or a sweep is a Plan (NewPlan): its runs, each with a
// complete Spec and a run directory name. Runs are trained by a Runner,
// here (Reproduce) or anywhere else (package sweep), and Collect aggregates
// their run directories, loaded with Load, into the same Results. Runs can
// also be trained from dataset directories on disk (WriteDataset,
// NewStreamSpec), read in minibatches, for datasets larger than memory.
//
// What a run does depends on the kind of its task (task.Kind): each kind
// is a value registered from its own file (kind_system.go,
// kind_measured.go, pixels.go) that trains, loads and evaluates the runs
// of its tasks and draws their figures; runs streamed from disk train
// through streamKind. task/doc.go says how to add a task kind.
//
// A run fits its model with the fit mode of Spec.Fit (package fit:
// derivative, midpoint or rollout). A run of a task with Standardise set
// (a data file's, unless DataSource.Raw; the spring chain) trains in
// standardised units (data.FitScale); its model is wrapped (WrapScaled,
// scale.json in the checkpoint) so that every metric, rollout and figure
// is in the data's units.
//
// Every run draws its randomness from three sources seeded by its seed and a
// fixed stream each (data, initial weights, minibatches), so a run gives the
// same numbers whether it runs alone or beside others.
package experiment
