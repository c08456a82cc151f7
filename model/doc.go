// Package model holds the learned vector fields hnn trains: the Hamiltonian
// neural network (HNN), whose field is the symplectic gradient of a learned
// scalar energy, and the unstructured baseline, whose network outputs the
// time derivative directly.
//
// States use the canonical layout: the first half of a state vector holds
// the positions q, the second half the momenta p, so an HNN needs an even
// state dimension. A model is generic over its element type (float32 or
// float64); it is evaluated through a Workspace, one per goroutine, sized
// for a batch of rows.
//
// A checkpoint is a directory holding model.json (the Config) and model.npz
// (every weight matrix and bias as a plain float64 array); loading one reads
// arrays and never runs code. To add a model, write one file with a type
// that implements Model, add its kind to New, and test its gradient against
// finite differences.
package model
