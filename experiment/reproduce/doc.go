// Package reproduce runs many training runs of package experiment as one
// reproduction or sweep and aggregates their numbers: the paper's Table 1
// over several tasks, models and seeds (hnn reproduce), or a sweep over
// hyperparameter variants (hnn sweep).
//
// A reproduction is a Plan (NewPlan from Options): its jobs, each a
// complete experiment.Spec and a run directory name. Jobs are trained by
// a Runner, here (Reproduce, several at once) or anywhere else (package
// sweep: NATS JetStream workers, Kubernetes shards), and Collect
// aggregates their runs, trained here or loaded from run directories, into
// the same Results, written as results.json (WriteResults): every metric
// combined over seeds, per seed, the protocol and the build, and, when
// asked for, the long-horizon metrics. Each run's randomness depends only
// on its seed, so the numbers do not depend on where or how many runs
// train at once. Progress draws a bar on a terminal and plain lines in a
// log.
//
// The report of Results (tables, report.md and figures) is package
// experiment/report's.
package reproduce
