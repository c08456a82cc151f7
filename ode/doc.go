// Package ode provides integrators for ordinary differential equations
// dx/dt = f(t, x) that report the state at requested output times.
//
// Every method implements the Integrator interface, whose Solve writes the
// trajectory at the times ts into caller memory. The methods here are
//
//   - DormandPrince ("dopri5"): the adaptive explicit Runge-Kutta 5(4) pair of
//     Dormand and Prince with error control and a 4th-order continuous
//     extension for dense output, the usual choice for ground truth;
//   - RK4 ("rk4"): the classical fixed-step 4th-order Runge-Kutta method;
//   - Leapfrog ("leapfrog"): Störmer-Verlet, kick-drift-kick, 2nd order,
//     symplectic for separable Hamiltonians H = T(p) + V(q);
//   - Yoshida4 ("yoshida4"): Yoshida's 4th-order composition of three
//     leapfrog steps, symplectic for separable Hamiltonians;
//   - ImplicitMidpoint ("implicit-midpoint"): the implicit midpoint rule,
//     2nd order and symplectic for any Hamiltonian, its implicit equation
//     solved by fixed-point iteration to a stated tolerance.
//
// The symplectic methods take canonical states, the first half of x the
// coordinates q and the second half the momenta p. Leapfrog and Yoshida4
// read dq/dt at a mixed state (q, p_{1/2}) and dp/dt at (q', p_{1/2}), which
// is exact only when dq/dt depends on p alone and dp/dt on q alone (a
// separable H); on any other field they lose their symplecticity and order,
// and keeping to separable fields is the caller's responsibility. On a
// separable field the force of one kick serves the next, so a leapfrog step
// costs two evaluations of f and a Yoshida4 step six.
// Over long horizons a symplectic method keeps the energy error bounded
// where RK4 and Dormand-Prince let it drift.
//
// New builds an integrator by name from Options, so commands and
// configuration files can select one with a string; Names lists the valid
// names. SolveMany integrates many independent initial states concurrently
// with a result that does not depend on the number of workers; SolveBatch
// integrates them together, one batched evaluation of the field a round
// (DormandPrince in lock step, the others on a goroutine per state).
//
// Programmer errors, such as destination slices of the wrong length, cause a
// panic with a message prefixed by "ode: ". Failures that depend on the data,
// such as output times that are not increasing, a state that overflows or a
// step size that underflows, are returned as errors.
//
// # Adding a method
//
// A new integrator is one file, say euler.go, that declares a settings
// struct whose zero value means documented defaults, implements Name and
// Solve on the value receiver (so the struct can be passed as an Integrator
// directly), allocates its work buffers once per Solve call and never inside
// the step loop, and registers a constructor from Options in the registry in
// ode.go. Its test goes in euler_test.go and should at least check the
// convergence order and agreement with DormandPrince at a small step. A
// method whose states all ask for the same sequence of field evaluations
// can also solve batches in lock step: implement solveBatch (batchSolver
// in batch.go), as DormandPrince does with a run that asks for one
// evaluation at a time, and TestSolveBatch checks it against Solve.
package ode
