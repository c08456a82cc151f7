package pixel

import (
	"fmt"
	"math"

	"github.com/hnn-go/hnn/experiment"
	"github.com/hnn-go/hnn/latent"
	"github.com/hnn-go/hnn/metrics"
	"github.com/hnn-go/hnn/pixels"
)

// rolloutSubsteps is the number of RK4 steps per frame of the latent
// rollouts that the metrics and figures use: the learned field integrated
// over unit time per frame, rather than the training's single Euler step
// (see latent.Workspace.Rollout).
const rolloutSubsteps = 4

// pixelValidThreshold is the normalised pixel error that ends the valid
// prediction time (Botev et al. 2021).
const pixelValidThreshold = metrics.DefaultValidThreshold

// evaluatePixels fills the metrics of a pixel run:
//
//   - train and test loss: the reference's total loss per sample
//     (reconstruction + auxiliary + 0.1 latent dynamics), mean ± std/sqrt(n);
//   - energy MSE: from the first sample of every test trial (frames 1 and
//     2), a latent rollout over the trial's samples (the learned field
//     integrated over unit time per frame by 4 RK4 steps);
//     a linear least-squares probe fitted on the training samples' latents
//     maps latents to (angle from hanging down, angular velocity), both of
//     a sample taken as the mean of its two frames' states; the error is
//     the mean over the rollout of (E(true) - E(probe(z)))^2 with the
//     environment's energy (pixels.Env.Energy), one value per test trial;
//   - pixel MSE: the mean squared error between the decoded rollout and
//     the true frame pairs;
//   - valid time: the first step at which mean((true - pred)^2) /
//     mean(true^2) over a pair's pixels exceeds 0.025, in steps, the
//     rollout's length if it never does;
//   - phase rate (see phaseRate);
//   - the SyMetric-style R^2 and symplecticity score of the latents (see
//     symetric).
func evaluatePixels(r *experiment.Run, d *pixels.Dataset) error {
	m := r.Model.(*LatentModel).M
	mc := m.Config()
	win := window(mc)
	trainSet, testSet := samples(d, false, mc), samples(d, true, mc)
	ev := latent.NewEvaluator(m, 200)
	trainRows := make([]float64, trainSet.Len())
	testRows := make([]float64, testSet.Len())
	ev.Losses(trainSet, trainRows)
	ev.Losses(testSet, testRows)
	r.Metrics.Record(metrics.TrainLoss, metrics.MeanSEM(trainRows), trainRows)
	r.Metrics.Record(metrics.TestLoss, metrics.MeanSEM(testRows), testRows)

	// The metrics below use every window of the trials, also those too
	// close to a trial's end for the loss's inputs ahead.
	trainSet.Index, testSet.Index = d.Windows(false, win, 0), d.Windows(true, win, 0)
	ztr, ytr := encodePixels(m, d, trainSet)
	probe, err := fitPixelProbe(ztr, ytr)
	if err != nil {
		return err
	}
	zte, yte := encodePixels(m, d, testSet)
	r2, score, ok := symetric(ztr, ytr, zte, yte)
	r.Metrics.Record(metrics.SyMetricR2, metrics.Summary{Mean: r2}, nil)
	if ok {
		r.Metrics.Record(metrics.Symplecticity, metrics.Summary{Mean: score}, nil)
	}
	c := d.Config
	trials := c.TestTrials
	steps := c.Frames - 1 - win // windows start at frames 1..Frames-win
	in := win * pixels.FrameSize
	ws := m.NewWorkspace(trials, false)
	x0 := make([]float32, trials*in)
	for k := range trials {
		copy(x0[k*in:(k+1)*in], frames(d, k*c.Frames+1, win))
	}
	z := make([]float32, (steps+1)*trials*2)
	xs := make([]float32, (steps+1)*trials*in)
	ws.Rollout(z, xs, x0, steps, rolloutSubsteps)

	var env pixels.Env
	energy := make([]float64, trials)
	var pixSum float64
	valid := make([]float64, trials)
	zs := make([]float64, 2)
	y := make([]float64, 2)
	for k := range trials {
		valid[k] = float64(steps)
		done := false
		for t := 0; t <= steps; t++ {
			f := k*c.Frames + 1 + t
			truth := frames(d, f, win)
			pred := xs[(t*trials+k)*in : (t*trials+k+1)*in]
			var num, den float64
			for j, v := range truth {
				e := float64(v) - float64(pred[j])
				num += e * e
				den += float64(v) * float64(v)
			}
			pixSum += num / float64(in)
			if !done && !(num <= pixelValidThreshold*den) {
				valid[k], done = float64(t), true
			}
			phi, omega := windowState(d, f, win)
			zs[0], zs[1] = float64(z[(t*trials+k)*2]), float64(z[(t*trials+k)*2+1])
			probe.Apply(y, zs)
			e := env.Energy(math.Pi+phi, omega) - env.Energy(math.Pi+y[0], y[1])
			energy[k] += e * e / float64(steps+1)
		}
	}
	r.Metrics.Record(metrics.EnergyMSE, metrics.ChunkSEM(energy, 5), energy)
	r.Metrics.Record(metrics.PixelMSE, metrics.Summary{Mean: pixSum / float64(trials*(steps+1))}, nil)
	r.Metrics.Record(metrics.ValidSteps, metrics.MeanSEM(valid), nil)
	r.Metrics.Record(metrics.PhaseRate, phaseRate(ws, d, trials, steps, win), nil)
	return nil
}

// phaseRate measures how fast the latent model runs around the orbits: for
// every test trial it encodes every true frame pair, advances each latent
// state one frame (4 RK4 steps, as the rollouts) and compares the angle it
// turns about the trial's mean latent with the angle the encoded truth
// turns in that frame. The rate of a trial is the sum of the model's
// angles over the sum of the true ones (1: in time; above 1: ahead); the
// result is their mean over trials. A phase error of a few percent is what
// ends a valid prediction within a period.
func phaseRate(ws *latent.Workspace[float32], d *pixels.Dataset, trials, steps, win int) metrics.Summary {
	c := d.Config
	in, n := win*pixels.FrameSize, 2
	zt := make([]float32, (steps+1)*trials*n)
	x := make([]float32, trials*in)
	for t := 0; t <= steps; t++ {
		for k := range trials {
			copy(x[k*in:(k+1)*in], frames(d, k*c.Frames+1+t, win))
		}
		ws.Encode(zt[t*trials*n:(t+1)*trials*n], x)
	}
	cx, cy := make([]float64, trials), make([]float64, trials)
	for t := 0; t <= steps; t++ {
		for k := range trials {
			cx[k] += float64(zt[(t*trials+k)*n]) / float64(steps+1)
			cy[k] += float64(zt[(t*trials+k)*n+1]) / float64(steps+1)
		}
	}
	angle := func(z []float32, k int) float64 {
		return math.Atan2(float64(z[k*n+1])-cy[k], float64(z[k*n])-cx[k])
	}
	model, truth := make([]float64, trials), make([]float64, trials)
	next := make([]float32, trials*n)
	for t := 0; t < steps; t++ {
		cur, nxt := zt[t*trials*n:(t+1)*trials*n], zt[(t+1)*trials*n:(t+2)*trials*n]
		copy(next, cur)
		ws.Advance(next, rolloutSubsteps)
		for k := range trials {
			a0 := angle(cur, k)
			dt := math.Remainder(angle(nxt, k)-a0, 2*math.Pi)
			dm := math.Remainder(angle(next, k)-a0, 2*math.Pi)
			// Oriented by the true turn, so both senses of rotation add up.
			if dt < 0 {
				dt, dm = -dt, -dm
			}
			truth[k] += dt
			model[k] += dm
		}
	}
	rate := make([]float64, trials)
	for k := range rate {
		rate[k] = model[k] / truth[k]
	}
	return metrics.MeanSEM(rate)
}

// windowState returns the state of the sample whose first frame is f and
// whose input is win frames: the mean of its frames' angles from hanging
// down and angular velocities.
func windowState(d *pixels.Dataset, f, win int) (phi, omega float64) {
	for i := f; i < f+win; i++ {
		phi += pixels.FromBottom(d.States[2*i])
		omega += d.States[2*i+1]
	}
	return phi / float64(win), omega / float64(win)
}

// encodePixels encodes the samples of set and returns their latents and
// true states (angle from hanging down, angular velocity; see windowState),
// both N x 2.
func encodePixels(m *latent.Model[float32], d *pixels.Dataset, set *latent.Samples) (z, y []float64) {
	n := set.Len()
	in := set.Input()
	batch := min(200, n)
	ws := m.NewWorkspace(batch, false)
	x := make([]float32, batch*in)
	zb := make([]float32, batch*2)
	z = make([]float64, 0, 2*n)
	y = make([]float64, 0, 2*n)
	for lo := 0; lo < n; lo += batch {
		k := min(batch, n-lo)
		if k < batch {
			// The last, partial batch gets a workspace of its size.
			ws, x, zb = m.NewWorkspace(k, false), x[:k*in], zb[:2*k]
		}
		for i := range k {
			f := set.Index[lo+i]
			copy(x[i*in:(i+1)*in], frames(d, f, set.Window))
			phi, omega := windowState(d, f, set.Window)
			y = append(y, phi, omega)
		}
		ws.Encode(zb, x)
		for _, v := range zb {
			z = append(z, float64(v))
		}
	}
	return z, y
}

// fitPixelProbe fits the linear probe from latents to (angle from hanging
// down, angular velocity) on the training samples' latents z and states y.
func fitPixelProbe(z, y []float64) (*latent.Probe, error) {
	p, err := latent.FitProbe(z, y, 2, 2)
	if err != nil {
		return nil, fmt.Errorf("pixel: pixel probe: %w", err)
	}
	return p, nil
}

// symetricDegree and symetricRidge are the degree of the SyMetric
// polynomial from latents to true states and the ridge penalty of its
// least-squares fit (on standardised latents; small, for conditioning).
const (
	symetricDegree = 3
	symetricRidge  = 1e-6
)

// symetric computes the SyMetric-style diagnostic of Higgins et al. (2021)
// for latents of dimension 2: a polynomial of degree symetricDegree fitted
// from the training latents ztr to the true states ytr (angle from hanging
// down, angular velocity: canonical coordinates of the pendulum up to the
// constant moment of inertia), its R^2 on the test latents zte and states
// yte, and the symplecticity score of its Jacobian at the test latents
// (latent.Symplecticity). A latent space that collapsed, where no
// polynomial fits, gives R^2 = 0 and ok false, and no score.
func symetric(ztr, ytr, zte, yte []float64) (r2, score float64, ok bool) {
	p, err := latent.FitPolynomial(ztr, ytr, 2, 2, symetricDegree, symetricRidge)
	if err != nil {
		return 0, 0, false
	}
	pred := make([]float64, len(yte))
	p.Apply(pred, zte)
	r2 = latent.RSquared(yte, pred, 2)
	n := len(zte) / 2
	jacs := make([]float64, 4*n)
	for i := range n {
		p.Jacobian(jacs[4*i:4*i+4], zte[2*i:2*i+2])
	}
	score = latent.Symplecticity(jacs, 2)
	if math.IsNaN(score) || math.IsNaN(r2) {
		return 0, 0, false
	}
	return max(r2, 0), score, true
}
