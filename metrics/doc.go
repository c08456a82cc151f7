// Package metrics computes the numbers hnn reports: the derivative MSE of a
// model on a data split and the energy MSE along rollouts, each with the
// paper's error bars, and the summary statistics that combine seeds.
//
// The energy-MSE protocol (EnergyProtocol) is defined once here: from Starts
// noise-free initial states drawn from the task's test distribution with a
// fixed protocol seed (the same states for every model and seed), the true
// system and the model are both integrated with the named integrator over
// Points evenly spaced times in [0, TEnd]; the error of one start is the mean
// over those times of (H(x_true(t)) - H(x_model(t)))^2 with the system's
// true H.
//
// # Reported metrics
//
// Every number a run reports is a Metric registered in reported.go: its
// JSON key, its report section and column, how the seeds of a model
// combine it (Pooled, PooledChunks, SeedMeans or a function of one's own)
// and how it is formatted. That one entry drives a run's metrics.json, the
// per-model and per-seed entries of results.json, the tables of report.md,
// the terminal tables of hnn reproduce, train and evaluate, and a sweep's
// run summaries: they all loop over All. Values holds a run's, a seed's or
// a model's metrics by key, and MarshalObject writes them at the top level
// of a JSON object beside its other fields.
//
// # Adding a metric
//
// A new metric is one entry: a variable in reported.go such as
//
//	Curvature = Register(Metric{Key: "curvature", Column: "curvature",
//		Section: MainTable, Aggregate: SeedMeans})
//
// (with a new Section declared beside the others if it belongs in a
// report section of its own), and one line where a run computes it, in
// package experiment's evaluation of the runs that have it:
//
//	r.Metrics.record(metrics.Curvature, metrics.MeanSEM(perStart), nil)
//
// Pass the values behind the summary instead of nil, and name where they
// are kept with SamplesKey (metrics.json) or RowsArray (rows.npz), when
// the seeds are combined by pooling them. Runs without the metric simply
// do not record it; tables show "-" there and leave the column out when no
// run has it (the main table's columns are always shown). Test the
// computation where it is done; the registry's tests check that every
// entry reaches the JSON files and the tables.
package metrics
