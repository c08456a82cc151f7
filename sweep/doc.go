// Package sweep runs a sweep of independent jobs, such as the training runs
// of a hyperparameter study, as a work queue on NATS JetStream.
//
// A sweep is a named list of jobs whose specifications are opaque JSON. Plan
// stores the sweep's manifest and enqueues one message per job; any number of
// workers, on any number of machines, call Work to pull jobs one at a time,
// run them with an Executor, upload the files each run wrote to the object
// store and publish a Result; Collect waits for one result per job and
// downloads the run files. Status reports the progress of a sweep.
//
// Delivery is at least once: a worker acknowledges a job only after its files
// and its result are stored, so the job of a worker that dies is given to
// another worker once its acknowledgement deadline (WorkerOptions.AckWait)
// has passed. Results carry a message ID, so the server drops a repeated
// result within the duplicate window, a worker skips a job that already has a
// result, and Collect keeps the first result of each job. Executors should
// therefore be deterministic and write only into the directory they are given.
//
// The layout on the server is:
//
//	stream HNN_JOBS       subjects hnn.jobs.<sweep>.<index>, work-queue retention
//	stream HNN_RESULTS    subjects hnn.results.<sweep>.<index>, limits retention
//	object store HNN_RUNS objects <sweep>/<name>/<file>, the run output files
//	KV bucket HNN_PLANS   key <sweep>, the JSON Manifest of the sweep
//
// StartServer runs an embedded JetStream server, for tests, for a sweep on one
// machine, or as the hub of a sweep on several; Shard and ParseShard split a
// plan statically among processes that do not share a server.
package sweep
