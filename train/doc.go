// Package train fits a model's vector field to observed time derivatives
// (the derivative fit; package fit holds the other fit modes, which drive
// Loop with their own Steps) with Adam: full batch or random minibatches drawn from a seeded source,
// with the test loss evaluated only at log intervals. A run whose loss
// becomes NaN or infinite stops with ErrDiverged and leaves the model at its
// last good parameters.
//
// Rows come from a Source: a data.Set in memory (SetSource, what Train
// uses) or a pair of .npy row files on disk (DiskSource, for TrainSource),
// whose minibatches are read in the background while the previous one
// trains, so that a data set larger than memory trains to the same
// parameters as it would from memory.
//
// Every step uses all the cores (GOMAXPROCS) through nn's products, which
// give the same bits whatever their number, so a seed trains to the same
// parameters on any machine. Config.Workers adds data-parallel shards of
// each minibatch, whose numbers depend on the number of shards.
//
// A Config.Checkpoint makes a run resumable and stoppable: the loop saves
// its whole state (parameters, average, Adam's moments, data order and
// random source, log, and what a Resumable stepper adds) atomically at
// step boundaries, stops at a closed Stop channel with ErrInterrupted, and
// restores a saved state before its first step, after which it ends with
// the same parameters and log, bit for bit, as a run never stopped.
package train
