// Package latent learns dynamics in the latent space of an autoencoder: the
// model of the HNN paper's pixel pendulum. An MLP autoencoder with residual
// layers (nn.ResMLP) maps a pixel input, two consecutive frames, to a
// latent state z = (q, p) and back; a model of any registered kind
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
// A checkpoint is latent.json (the Config), latent.npz (the autoencoder's
// arrays) and the latent dynamics as a model checkpoint (model.Save) in
// the subdirectory dynamics.
package latent
