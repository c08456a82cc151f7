// Package model holds the learned vector fields hnn trains, one kind per
// file:
//
//   - "baseline": an MLP outputs the time derivative dx/dt directly
//     (network "F").
//   - "hnn": the Hamiltonian neural network; an MLP learns a scalar energy
//     H(q, p) (network "H") and the field is its symplectic gradient
//     J grad H, that is dq/dt = dH/dp, dp/dt = -dH/dq.
//   - "dhnn": the dissipative HNN of Sosanya & Greydanus (2022); networks
//     "H" and "D" learn an energy and a Rayleigh dissipation function and
//     the field is J grad H + grad D.
//   - "separable": an HNN whose energy is H = T(p) + V(q), networks "T" on
//     the momenta and "V" on the positions; the field (grad T(p),
//     -grad V(q)) has the form the explicit symplectic integrators
//     (leapfrog) assume.
//
// States use the canonical layout: the first half of a state vector holds
// the positions q, the second half the momenta p, so every kind but the
// baseline needs an even state dimension. A model is generic over its
// element type (float32 or float64); it is evaluated through a Workspace,
// one per goroutine, sized for a batch of rows.
//
// A checkpoint is a directory holding model.json (the Config) and model.npz
// (every weight matrix and bias of every network as a plain float64 array);
// loading one reads arrays and never runs code. To add a model, write one
// file with a type that implements Model, add its kind to Kinds, sizes and
// build, and test its gradient against finite differences.
package model
