// Package fit holds the ways hnn fits a model's vector field to data, the
// fit modes, one per file (Modes lists the registered ones):
//
//   - "derivative" (derivative.go, the default and the paper's): the field
//     regresses time derivatives, given or estimated by finite differences
//     (package train).
//   - "midpoint" (midpoint.go): the one-step implicit-midpoint residual
//     on consecutive samples of a trajectory, ||(x1 - x0)/h - f((x0 +
//     x1)/2)||^2, with h their time step, whatever it is; no derivative is
//     estimated.
//   - "rollout" (rollout.go): the model is integrated over Horizon steps
//     from the start of every segment of Horizon steps of a trajectory
//     (multiple shooting) and the loss is the mean squared error of the
//     states along it, with exact gradients through the integrator. The
//     start of every segment can be a free parameter fitted with the
//     weights (Config.FitStarts), as in the SRNN of Chen et al. (2020).
//
// The rollout fit integrates with a differentiable integrator, one per
// file: "rk4" (rk4.go), "leapfrog" (leapfrog.go, for kinds that list it
// in model.Kind.Integrators: separable energies) and "implicit-midpoint"
// (implicit.go, also "midpoint"); "euler" (euler.go) is a step only, of
// one-step losses. They are the one differentiable integrator of hnn:
// package latent steps its latent states through them too, a step of -1
// per row rolling a row backwards in time. Each step's backward pass is a
// sequence of vector-Jacobian products of the field
// (model.Workspace.FieldVJP), at the stage inputs the forward pass saved
// (evaluated again, or kept on a workspace per stage: Engine.Keep); the
// implicit midpoint's is the implicit function theorem's, solved by
// fixed-point iteration. An Incrementer also gives its step's increment
// when both ends are known, the defect of its equation on observed pairs
// (the latent dynamics loss's residual).
//
// # Adding a fit mode or an integrator
//
// A fit mode is one file that registers a Mode from init: its name, title,
// whether it needs time derivatives or consecutive samples, whether it
// reads Horizon and Integrator, and its training function for each element
// type. An integrator is one file that registers an Integrator: its name,
// the number of stage inputs a step saves, whether a model kind must list
// it, and its forward and backward steps for each element type (an
// explicit step is its increment made a Stepper by explicit). Their tests
// go beside them; TestStepperGradFD checks every registered stepper and
// increment, and TestRolloutGradFD every rollout integrator on every
// model kind, against finite differences.
package fit
