package latent

import (
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// Rollout rolls the batch of inputs x0 (B x Input, B = w.Batch()) out in
// latent space from z_0 = enc(x0) for steps frames and writes the latent
// states into z ((steps+1) x B x Latent, time-major) and, if x is not nil,
// their decoded inputs into x ((steps+1) x B x Input).
//
// With substeps <= 0 a frame is the model's training step, one unit Euler
// step z_{t+1} = z_t + f(z_t); explicit Euler lets the energy of an
// oscillation grow by a factor 1 + (w h)^2 per step, so long rollouts
// spiral out. With substeps >= 1 a frame integrates the learned field
// dz/dt = f(z) over unit time with that many classical RK4 steps, as the
// reference's analysis integrated it with an ODE solver. A model trained
// with a rollout loss (Config.Horizon > 0) ignores substeps and advances
// each frame by one step of its training's integrator, as it learned to.
func (w *Workspace[T]) Rollout(z, x, x0 []T, steps, substeps int) {
	c, B := w.m.cfg, w.batch
	n, in := c.Latent, c.Input
	if len(z) != (steps+1)*B*n || (x != nil && len(x) != (steps+1)*B*in) || len(x0) != B*in {
		panic("latent: Rollout length mismatch")
	}
	w.Encode(z[:B*n], x0)
	for t := 0; t < steps; t++ {
		next := z[(t+1)*B*n : (t+2)*B*n]
		copy(next, z[t*B*n:(t+1)*B*n])
		w.Advance(next, substeps)
	}
	if x != nil {
		for t := 0; t <= steps; t++ {
			w.Decode(x[t*B*in:(t+1)*B*in], z[t*B*n:(t+1)*B*n])
		}
	}
}

// Advance moves the batch of latent states z (B x Latent) one frame on, in
// place: with substeps <= 0 by the unit Euler step z + f(z), else by
// integrating the learned field over unit time with that many RK4 steps,
// as Rollout does; a model trained with a rollout loss advances by one
// step of its training's integrator whatever substeps is. It panics if
// len(z) != B*Latent.
func (w *Workspace[T]) Advance(z []T, substeps int) {
	if len(z) != w.batch*w.m.cfg.Latent {
		panic("latent: Advance length mismatch")
	}
	if w.roll != nil {
		w.roll[0].forward(w.adj, z, w.m.cfg.Latent, nil)
		copy(z, w.adj)
		return
	}
	if substeps <= 0 {
		w.field(z)
		for i := range z {
			z[i] += w.f[i]
		}
		return
	}
	if w.k == nil {
		w.k = make([]T, 5*len(z))
	}
	w.rk4(z, T(1)/T(substeps), substeps)
}

// rk4 advances the batch y in place by n classical RK4 steps of size h of
// the latent field.
func (w *Workspace[T]) rk4(y []T, h T, n int) {
	m := len(y)
	k1, k2, k3, k4, tmp := w.k[:m], w.k[m:2*m], w.k[2*m:3*m], w.k[3*m:4*m], w.k[4*m:5*m]
	for range n {
		w.field(y)
		copy(k1, w.f)
		for i := range tmp {
			tmp[i] = y[i] + h/2*k1[i]
		}
		w.field(tmp)
		copy(k2, w.f)
		for i := range tmp {
			tmp[i] = y[i] + h/2*k2[i]
		}
		w.field(tmp)
		copy(k3, w.f)
		for i := range tmp {
			tmp[i] = y[i] + h*k3[i]
		}
		w.field(tmp)
		copy(k4, w.f)
		for i := range y {
			y[i] += h / 6 * (k1[i] + 2*k2[i] + 2*k3[i] + k4[i])
		}
	}
}

// Probe is an affine map y = A z + b from latent states to physical
// states, fitted by least squares: a linear read-out of what the latents
// encode.
type Probe struct {
	// W holds, for each output k, its coefficients on the latents and
	// then its offset (Out x (Latent+1), row major).
	W           []float64
	Latent, Out int
}

// FitProbe fits a Probe to the latents z (N x latent) and targets y
// (N x out) by least squares. It returns an error if there are fewer
// samples than coefficients or the latents are degenerate.
func FitProbe(z, y []float64, latent, out int) (*Probe, error) {
	n := len(z) / latent
	if n*latent != len(z) || n*out != len(y) {
		panic("latent: FitProbe length mismatch")
	}
	if n < latent+1 {
		return nil, fmt.Errorf("latent: probe needs at least %d samples, got %d", latent+1, n)
	}
	a := mat.NewDense(n, latent+1, nil)
	for i := range n {
		for j := range latent {
			a.Set(i, j, z[i*latent+j])
		}
		a.Set(i, latent, 1)
	}
	var coef mat.Dense
	if err := coef.Solve(a, mat.NewDense(n, out, append([]float64(nil), y...))); err != nil {
		return nil, fmt.Errorf("latent: probe least squares: %w", err)
	}
	p := &Probe{W: make([]float64, out*(latent+1)), Latent: latent, Out: out}
	for k := range out {
		for j := 0; j <= latent; j++ {
			p.W[k*(latent+1)+j] = coef.At(j, k)
		}
	}
	return p, nil
}

// Apply writes the probe's outputs for the latents z (N x Latent) into y
// (N x Out).
func (p *Probe) Apply(y, z []float64) {
	n := len(z) / p.Latent
	if n*p.Latent != len(z) || len(y) != n*p.Out {
		panic("latent: Probe.Apply length mismatch")
	}
	for i := range n {
		for k := range p.Out {
			row := p.W[k*(p.Latent+1) : (k+1)*(p.Latent+1)]
			v := row[p.Latent]
			for j := range p.Latent {
				v += row[j] * z[i*p.Latent+j]
			}
			y[i*p.Out+k] = v
		}
	}
}
