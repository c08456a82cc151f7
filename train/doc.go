// Package train fits a model's vector field to observed time derivatives
// with Adam: full batch or random minibatches drawn from a seeded source,
// with the test loss evaluated only at log intervals. A run whose loss
// becomes NaN or infinite stops with ErrDiverged and leaves the model at its
// last good parameters.
package train
