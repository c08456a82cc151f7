// Package systems holds the physical systems whose exact energies and vector
// fields make the training data, one file per system, and the generator that
// turns a system into a train/test dataset following the reference protocol
// (Greydanus et al. 2019).
//
// A System is a Hamiltonian system in canonical coordinates: a state x of
// even dimension D = 2n is laid out as x = (q, p), the first n values the
// positions q and the last n the momenta p. Energy returns the exact
// Hamiltonian H(x) and Field the exact symplectic gradient
//
//	dq/dt = dH/dp,  dp/dt = -dH/dq,  that is  dx/dt = J grad H,  J = [[0, I], [-I, 0]].
//
// The field of every system is therefore divergence-free and conserves its
// energy; the package tests check both, and check Field against finite
// differences of Energy.
//
// Generate integrates a system from random starts with ode.DormandPrince and
// returns noisy states with clean derivatives, split trajectory-wise, as the
// reference does; SpringProtocol and PendulumProtocol give the reference's
// settings for the ideal mass-spring and ideal pendulum tasks.
//
// NBody is the gravitational N-body problem in the plane, and GenerateOrbits
// its generator of clean orbits (TwoBodyProtocol, ThreeBodyProtocol), which
// rejects and redraws orbits whose bodies come too close.
//
// # Adding a system
//
// Write one file, say twobody.go, holding a type with the four System methods
// (Name, Dim, Energy, Field; Energy and Field panic with a "systems: ..."
// message on a length mismatch), and one test file, say twobody_test.go, that
// passes the new type and a few representative states to checkSystem (see
// system_test.go), which compares Field against finite differences of Energy
// and checks that the divergence vanishes. If the system has a closed-form
// solution or another invariant, test it there too.
package systems
