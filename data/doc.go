// Package data holds datasets of states and their time derivatives, and reads
// and writes the plain array files (NumPy .npy and .npz) that hnn uses for
// initial states, predictions and checkpoints.
//
// States are stored row-major: row i of a Set with dimension D occupies
// X[i*D : (i+1)*D]. The canonical layout of a state is all positions q
// first, then all momenta p; a Layout declares others (velocities instead
// of momenta, inputs u as the last columns, angles among the positions),
// and FitScale follows it.
//
// Datasets larger than memory live on disk. A RowWriter streams rows into
// a 2-D .npy file, and a RowFile reads any rows of one back with
// positioned reads (ReadRows), so that memory use does not grow with the
// file. A DiskDataset is a train/test split kept as four such files and a
// manifest in a directory; DiskWriter and WriteDiskDataset write one.
package data
