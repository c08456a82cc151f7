// Package control drives the true simulator of a driven mechanical system
// (systems.Driven) with SymODEN's energy-shaping law built from a model of
// it: a learned one (symoden, delan) or the true system itself, the
// reference line.
//
// The law (Zhong, Dey & Chakraborty, ICLR 2020, section 3.3) shapes the
// potential V(q) into a desired one whose minimum is the target, here
// V_d(q) = -V(q) + sum_i Kp_i (q_i - q*_i)^2 / 2, and injects damping:
//
//	u = g^T (g g^T)^-1 (2 dV/dq - Kp (q - q*) - Kd q-dot),
//
// with g = g(q) the n x m input matrix. It needs an input on every
// coordinate (m = n, g g^T invertible); for the pendulum (n = m = 1) it is
// SymODEN's u = g^-1 (2 dV/dq - Kd q-dot). The closed loop then has the
// energy q-dot^T M q-dot / 2 + V_d(q), which the damping makes fall, so
// the system settles in a minimum of V_d: the maximum of V (upright), or
// with Kp the target.
//
// What a law needs of a model is a Structure: dV/dq, g(q) and M(q) (for
// damping on the momenta, Protocol.Momentum). True turns
// a systems.Driven into one; package experiment turns a trained symoden
// or delan (model.Mechanical) into one. Baselines that learn only a
// vector field (naive, geometric) have no V or g to build the law from,
// and are refused.
//
// A Protocol is one controlled experiment on a system: start, target,
// gains, the zero-order hold of the inputs (systems.ZeroOrderHold), and
// what counts as reaching the target (within Tol of it for the last
// Settle seconds). Protocols are registered values, one file per system
// (pendulum.go, cartpole.go, acrobot.go), looked up by the system's name
// (For).
package control
