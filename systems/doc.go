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
// # Driven systems
//
// A Driven system is observed in positions and velocities (q, q-dot) and
// pushed by inputs u: its Lagrangian is q-dot^T M(q) q-dot / 2 - V(q) and
// the input enters as the generalised force g(q) u. TorquePendulum,
// CartPole and Acrobot are SymODEN's tasks 1 to 4 (Zhong et al. 2020),
// DoublePendulum the Lagrangian-network paper's (Cranmer et al. 2020).
// DrivenField is the field on (q, q-dot, u), u a constant state channel;
// NewCanonical views the system in (q, p), p = M(q) q-dot, as a System.
// GenerateDriven makes SymODEN's datasets (a constant input per
// trajectory, the same starts under every input; PendulumTorqueProtocol,
// PendulumEmbedProtocol, CartPoleProtocol, AcrobotProtocol) and
// StateBox.Sample the Lagrangian-network paper's (random states with
// exact accelerations; DoublePendulumBox), both in rows (q, v, u) that
// carry their data.Layout. ZeroOrderHold.Run drives a system in closed
// loop with a Policy as SymODEN's environments do (an input held over each
// step, clipped; SwingUpHold is the pendulum swing-up's 10 s at 0.05 s).
//
// # Adding a system
//
// Write one file, say twobody.go, holding a type with the four System methods
// (Name, Dim, Energy, Field; Energy and Field panic with a "systems: ..."
// message on a length mismatch), and one test file, say twobody_test.go, that
// passes the new type and a few representative states to checkSystem (see
// system_test.go), which compares Field against finite differences of Energy
// and checks that the divergence vanishes. If the system has a closed-form
// solution or another invariant, test it there too. A Driven system is
// added the same way, its test calling checkDriven (driven_test.go), which
// checks the mass matrix, the momentum and Force against finite
// differences of Energy, Accel against the Euler-Lagrange equation, the
// input's power and the canonical view; test its small oscillations with
// checkSmallOscillation and add it to drivenSystems.
package systems
