// Package latent learns dynamics in the latent space of an autoencoder: the
// model of the HNN paper's pixel pendulum. An MLP autoencoder with residual
// layers (nn.ResMLP) maps a pixel input, two consecutive frames (or more,
// Samples.Window, so that the velocity is better inferable), to a latent
// state z = (q, p) and back; a model of any registered kind
// (package model) gives the latent field f(z): the symplectic gradient
// J grad H of a learned scalar H for the HNN, a direct MLP output for the
// baseline, and so on for the other kinds.
//
// The loss of a sample (x(t), x(t+1)) is the reference's
// (experiment-pixels/train.py):
//
//	reconstruction  mean_j (x_j(t) - dec(enc(x(t)))_j)^2
//	+ auxiliary     (p(t) - (q(t+1) - q(t)))^2
//	+ 0.1 dynamics  mean_k (z_k(t+1) - z_k(t) - f_k(z(t)))^2
//
// with z(t) = enc(x(t)): one Euler step of unit length per frame in latent
// space. The auxiliary term ties the latent momentum to the change of the
// latent position, which makes the latents behave like canonical
// coordinates. Its exact gradient runs through the encoder twice (z(t) and
// z(t+1)), the decoder, and the latent field, through the vector-Jacobian
// product of the dynamics model's workspace (model.Workspace.FieldVJP; for
// the HNN a Hessian-vector product of H, nn.MLP.InputGradientVJP).
//
// The dynamics term's step can be any of package fit's registered
// integrators with an increment (Config.Step: "euler", the reference's,
// "rk4", or "implicit-midpoint", alias "midpoint"): the residual is the
// defect z(t+1) - z(t) - step of the step's equation on the encoded pair.
//
// With Config.Horizon = K > 0 the loss adds a rollout term, as the
// Hamiltonian Generative Network of Toth et al. (2020) trains: from z(t)
// the latent state is advanced K frames by the latent integrator (one of
// fit's: RK4, leapfrog for a separable energy, or the implicit midpoint;
// one step of unit length per frame), every state is decoded, and the
// mean squared pixel error against the true inputs x(t+1), ..., x(t+K),
// averaged over the K frames, is added. Its gradient runs back through
// the decoder at every frame and through every integrator step by fit's
// backward steps (the steps' vector-Jacobian products; unroll.go),
// checked against finite differences. The model's rollouts then use the
// same integrator. With Config.Backward the loss is forward-backward, as
// HGN's: the second half of each minibatch starts from its encoded input
// K frames ahead, x(t+K), rolls backwards in time (steps of -1 through
// the same integrator) and is decoded against x(t+K-1), ..., x(t); for
// leapfrog a backward step undoes a forward one exactly.
//
// SyMetric (symetric.go) measures whether latents are canonical
// coordinates (Higgins et al. 2021): a polynomial fitted from latents to
// the true state (FitPolynomial), its R^2 (RSquared), and how far its
// Jacobian is from symplectic (Symplecticity).
//
// A checkpoint is latent.json (the Config), latent.npz (the autoencoder's
// arrays) and the latent dynamics as a model checkpoint (model.Save) in
// the subdirectory dynamics.
package latent
