// Package nn is hnn's small neural-network engine: multilayer perceptrons
// with exact, hand-derived gradients, including the second-order parameter
// gradient that a Hamiltonian neural network needs, and the Adam optimiser.
//
// A batch is a row-major matrix (batch first); matrix products go through a
// BLAS: gonum's pure-Go implementation by default, OpenBLAS through cgo when
// built with the openblas build tag (Debian package libopenblas-dev).
//
// The engine is generic over the element type (float32 for fast training,
// float64 for gradient checks and exact work). For a network with a scalar
// output H(x), InputGradient computes grad_x H for a batch and
// BackwardInputGradient propagates a loss gradient dL/d(grad_x H) back to
// every parameter: the derivation is in the repository's docs/GRADIENTS.md.
// For any output size, Forward and Backward are ordinary backpropagation.
//
// Methods that write into caller memory take their arguments destination
// first, as the rest of hnn does: the workspace, then the slices written
// (parameter gradient, input gradient), then the slices read, as in
// Backward(ws, grad, dout) and InputHessianVec(ws, dst, u).
package nn
