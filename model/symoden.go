package model

import "github.com/hnn-go/hnn/nn"

// symodenEps is the eps of symoden's M^-1 = L L^T + eps I, SymODEN's 0.1.
const symodenEps = 0.1

func init() {
	parts := func(c Config) []Part { return mechParts(c, "Minv") }
	Register(Kind{
		Name:        "symoden",
		Title:       "SymODEN",
		SecondOrder: true,
		Layouts:     mechLayouts,
		Parts:       parts,
		Build32:     newSymODEN[float32],
		Build64:     newSymODEN[float64],
		FLOPs:       mechFLOPs("Minv"),
		Cost:        8, // LossGrad beside a baseline, pendulum layout (BenchmarkLayoutLossGrad): about 9x
	})
}

// SymODEN is the symplectic ODE network of Zhong, Dey & Chakraborty (ICLR
// 2020): the energy
//
//	H(q, p) = p^T M^-1(q) p / 2 + V(q),   M^-1(q) = L(q) L(q)^T + 0.1 I,
//
// with the lower-triangular L from a network of the positions (network
// "Minv", n(n+1)/2 outputs row by row, the diagonal through softplus so
// that it is positive), the potential V from another (network "V") and,
// with m inputs, the n x m input matrix g(q) from a third (network "g",
// row-major). Networks see angles as (cos q, sin q) where the layout says
// so. The field on a state (q, p, u) is
//
//	dq/dt = dH/dp = M^-1 p,  dp/dt = -dH/dq + g(q) u,  du/dt = 0,
//
// J grad H plus the input's generalised force. On a state (q, q-dot, u) (a
// layout with velocities) the model computes p = M(q) q-dot itself and
// returns (q-dot, q-ddot, 0) with q-ddot = M^-1 dp/dt + (dM^-1/dt) p, as
// SymODEN does for observed velocities. Its workspace implements Energy
// (H, the same as q-dot^T M q-dot / 2 + V).
type SymODEN[T nn.Float] struct{ *mech[T] }

func newSymODEN[T nn.Float](c Config, p Pieces[T]) Model[T] {
	return SymODEN[T]{newMech(c, p, true, symodenEps)}
}
