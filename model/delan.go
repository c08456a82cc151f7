package model

import "github.com/hnn-go/hnn/nn"

// delanEps is the eps of delan's M = L L^T + eps I, which keeps M positive
// definite.
const delanEps = 0.01

func init() {
	parts := func(c Config) []Part { return mechParts(c, "M") }
	Register(Kind{
		Name:        "delan",
		Title:       "DeLaN",
		SecondOrder: true,
		Layouts:     mechLayouts,
		Parts:       parts,
		Build32:     newDeLaN[float32],
		Build64:     newDeLaN[float64],
		FLOPs:       mechFLOPs("M"),
		Cost:        8, // LossGrad beside a baseline, pendulum layout (BenchmarkLayoutLossGrad): about 9x
	})
}

// DeLaN is the deep Lagrangian network of Lutter, Ritter & Peters (ICLR
// 2019): the Lagrangian
//
//	L(q, q-dot) = q-dot^T M(q) q-dot / 2 - V(q),   M(q) = L(q) L(q)^T + 0.01 I,
//
// with the lower-triangular L from a network of the positions (network
// "M", n(n+1)/2 outputs row by row, the diagonal through softplus), the
// potential V from another (network "V") and, with m inputs, the n x m
// input matrix g(q) of the generalised force g(q) u from a third (network
// "g"). Networks see angles as (cos q, sin q) where the layout says so.
// On a state (q, q-dot, u) the field is (q-dot, q-ddot, 0) with the
// Euler-Lagrange equation solved in closed form,
//
//	q-ddot = M^-1 (g u + dL/dq - M-dot q-dot),
//	(dL/dq)_i = q-dot^T (dM/dq_i) q-dot / 2 - dV/dq_i,  M-dot = sum_i q-dot_i dM/dq_i;
//
// on a state (q, p, u) (a layout with momenta) it is (M^-1 p, dL/dq + g u,
// 0) with q-dot = M^-1 p. Its workspace implements Energy (q-dot^T M
// q-dot / 2 + V).
type DeLaN[T nn.Float] struct{ *mech[T] }

func newDeLaN[T nn.Float](c Config, p Pieces[T]) Model[T] {
	return DeLaN[T]{newMech(c, p, false, delanEps)}
}
