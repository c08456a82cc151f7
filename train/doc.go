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
// parameters as it would from memory. Config.Workers splits each minibatch
// over several goroutines, deterministically.
package train
