// Package latent learns dynamics in the latent space of an autoencoder: the
// model of the HNN paper's pixel pendulum. An MLP autoencoder with residual
// layers (nn.ResMLP) maps a pixel input, two consecutive frames, to a
// latent state z = (q, p) and back; a latent network gives the latent
// field f(z), the symplectic gradient J grad H of a learned scalar H for
// the HNN, or a direct MLP output for the baseline.
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
// z(t+1)), the decoder, and, for the HNN, through grad H, which needs the
// Hessian-vector product of the latent network (nn.MLP.InputGradientVJP).
package latent
