// Package data holds datasets of states and their time derivatives, and reads
// and writes the plain array files (NumPy .npy and .npz) that hnn uses for
// initial states, predictions and checkpoints.
//
// States are stored row-major: row i of a Set with dimension D occupies
// X[i*D : (i+1)*D]. The canonical layout of a state is all positions q
// first, then all momenta p.
package data
