package experiment

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/hnn-go/hnn/figures"
	"github.com/hnn-go/hnn/latent"
	"github.com/hnn-go/hnn/metrics"
	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/pixels"
	"github.com/hnn-go/hnn/task"
	"github.com/hnn-go/hnn/train"
)

// PixelCacheEnv names the environment variable that overrides where the
// rendered pixel datasets are cached.
const PixelCacheEnv = "HNN_CACHE_DIR"

// PixelCacheDir returns the directory of the pixel dataset caches:
// $HNN_CACHE_DIR if set, else hnn/ in the user's cache directory
// (~/.cache/hnn on Linux), else "" (no cache).
func PixelCacheDir() string {
	if d := os.Getenv(PixelCacheEnv); d != "" {
		return d
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "hnn")
	}
	return ""
}

// pixelConfig returns the dataset settings of a pixel run: the task's
// (quick or full) with the run's seed.
func pixelConfig(s Spec, t *task.Task) pixels.Config {
	c := *t.Pixels
	if s.Quick && t.QuickPixels != nil {
		c = *t.QuickPixels
	}
	c.Seed = s.Seed
	return c.WithDefaults()
}

// pixelData loads (or renders and caches) the dataset of a pixel run.
func pixelData(s Spec, t *task.Task) (*pixels.Dataset, error) {
	d, _, err := pixels.Load(PixelCacheDir(), pixelConfig(s, t))
	return d, err
}

// samples returns the training or test samples of d for a model of c:
// inputs of its window of frames, with as many inputs ahead as its loss
// needs.
func samples(d *pixels.Dataset, test bool, c latent.Config) *latent.Samples {
	w := window(c)
	return &latent.Samples{Frame: pixels.FrameSize, Frames: d.Frames, Index: d.Windows(test, w, max(c.Horizon, 1)), Window: w}
}

// window returns the number of frames of a latent model's input.
func window(c latent.Config) int { return c.Input / pixels.FrameSize }

// frames returns the input of the window frames from frame f on.
func frames(d *pixels.Dataset, f, window int) []float32 {
	return d.Frames[f*pixels.FrameSize : (f+window)*pixels.FrameSize]
}

func init() {
	RegisterKind(task.KindPixels, pixelKind{})
	RegisterFigures(task.KindPixels, func(out *figureDir, t *task.Task, seed0 []*Run, _ *EnergyTruth) error {
		return writePixelFigures(out, t, seed0)
	})
}

// pixelKind is the kind of tasks on rendered images (the pixel
// pendulum): runs train a latent model (package latent) on the frames of
// the run's seed, report the pixel metrics (see Run.evaluatePixels) and
// draw frame strips, animations and latent portraits.
type pixelKind struct{}

func (pixelKind) Train(s Spec, t *task.Task, dir string, _ *EnergyTruth, progress train.Progress) (*Run, error) {
	return trainPixels(s, t, dir, progress)
}

func (pixelKind) Load(s Spec, dir string) (*Run, error) {
	m, err := latent.Load[float32](dir)
	if err != nil {
		return nil, err
	}
	return &Run{Spec: s, Model: &LatentModel{M: m}}, nil
}

func (pixelKind) Evaluate(r *Run, t *task.Task) error {
	d, err := pixelData(r.Spec, t)
	if err != nil {
		return err
	}
	return r.evaluatePixels(d)
}

func (pixelKind) Truth(*task.Task, metrics.EnergyProtocol) (*EnergyTruth, error) { return nil, nil }

// rowCost is the training work of a pixel sample relative to a
// state-space baseline's row (200-wide hidden layers): two encodings and a
// decoding through the 1568-wide layers of the autoencoder, forward and
// backward, about 20 times the products. Reproduce starts the pixel runs
// first, so that they do not finish last.
func (pixelKind) RowCost() float64 { return 20 }

func (pixelKind) KeepOwnErrorBars() bool { return false }

// LatentModel is the model of a pixel run: an autoencoder with latent
// dynamics (package latent).
type LatentModel struct {
	M *latent.Model[float32]
}

// Config returns the architecture of the latent dynamics.
func (l *LatentModel) Config() model.Config { return l.M.Config().Dynamics() }

// Save writes the latent model's checkpoint into dir.
func (l *LatentModel) Save(dir string) error { return latent.Save(dir, l.M) }

// trainPixels trains the latent model of a pixel run, saves its checkpoint
// (latent.json, latent.npz and the dynamics' model checkpoint) and
// evaluates it. At every log interval it checks that the latent still
// turns (collapseWatch), into Metrics.PhaseRateLog and Metrics.Collapse.
func trainPixels(s Spec, t *task.Task, dir string, progress train.Progress) (*Run, error) {
	start := time.Now()
	d, err := pixelData(s, t)
	if err != nil {
		return nil, err
	}
	m, err := latent.New[float32](s.LatentConfig(), rand.New(rand.NewPCG(s.Seed, streamInit)))
	if err != nil {
		return nil, err
	}
	lc := m.Config()
	watch := newCollapseWatch(m, d, s.Train.Steps)
	prog := func(step int, loss float64) {
		watch.step = step
		if progress != nil {
			progress(step, loss)
		}
	}
	hist, terr := latent.TrainWatch(m, samples(d, false, lc), samples(d, true, lc), s.Train, rand.New(rand.NewPCG(s.Seed, streamBatch)), prog, watch.check)
	if terr != nil && hist.Steps == 0 {
		return nil, terr
	}
	lm := &LatentModel{M: m}
	run := &Run{Spec: s, Model: lm}
	run.Metrics.PhaseRateLog, run.Metrics.Collapse = watch.log, watch.warning
	return run.finish(dir, lm.Save, func() error { return run.evaluatePixels(d) }, hist, terr, start)
}

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
func (r *Run) evaluatePixels(d *pixels.Dataset) error {
	m := r.Model.(*LatentModel).M
	mc := m.Config()
	win := window(mc)
	trainSet, testSet := samples(d, false, mc), samples(d, true, mc)
	ev := latent.NewEvaluator(m, 200)
	trainRows := make([]float64, trainSet.Len())
	testRows := make([]float64, testSet.Len())
	ev.Losses(trainSet, trainRows)
	ev.Losses(testSet, testRows)
	r.Metrics.record(metrics.TrainLoss, metrics.MeanSEM(trainRows), trainRows)
	r.Metrics.record(metrics.TestLoss, metrics.MeanSEM(testRows), testRows)

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
	r.Metrics.record(metrics.SyMetricR2, metrics.Summary{Mean: r2}, nil)
	if ok {
		r.Metrics.record(metrics.Symplecticity, metrics.Summary{Mean: score}, nil)
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
	r.Metrics.record(metrics.EnergyMSE, metrics.ChunkSEM(energy, 5), energy)
	r.Metrics.record(metrics.PixelMSE, metrics.Summary{Mean: pixSum / float64(trials*(steps+1))}, nil)
	r.Metrics.record(metrics.ValidSteps, metrics.MeanSEM(valid), nil)
	r.Metrics.record(metrics.PhaseRate, phaseRate(ws, d, trials, steps, win), nil)
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
		return nil, fmt.Errorf("experiment: pixel probe: %w", err)
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

// writePixelFigures draws, for the pixel task, seed 0's models on its
// first test trial: a strip of the true frames above each model's decoded
// latent rollout from the trial's first frame pair (every sixth step), the
// same as an animated GIF (every step), and the HNN's latent phase
// portrait: the encoded true frame pairs of the first test trials, the
// latent rollouts from their starts, and the contours of the learned H. It
// writes dir/<task>-frames.png, -frames.gif and -latent.png.
func writePixelFigures(out *figureDir, t *task.Task, runs []*Run) error {
	if len(runs) == 0 {
		return nil
	}
	d, err := pixelData(runs[0].Spec, t)
	if err != nil {
		return err
	}
	c := d.Config
	maxWin := 0
	for _, r := range runs {
		maxWin = max(maxWin, window(r.Model.(*LatentModel).M.Config()))
	}
	steps := c.Frames - 1 - maxWin
	first := func(pair []float32) []float32 { return pair[:pixels.FrameSize] }
	truth := figures.FrameRow{Name: "true"}
	for s := 0; s <= steps; s++ {
		f := 1 + s
		truth.Frames = append(truth.Frames, d.Frames[f*pixels.FrameSize:(f+1)*pixels.FrameSize])
	}
	rows := []figures.FrameRow{truth}
	trials := min(c.TestTrials, 5)
	var portrait *figures.Panel
	for _, r := range runs {
		m := r.Model.(*LatentModel).M
		win := window(m.Config())
		in := win * pixels.FrameSize
		x0 := make([]float32, trials*in)
		for k := range trials {
			copy(x0[k*in:(k+1)*in], frames(d, k*c.Frames+1, win))
		}
		ws := m.NewWorkspace(trials, false)
		z := make([]float32, (steps+1)*trials*2)
		xs := make([]float32, (steps+1)*trials*in)
		ws.Rollout(z, xs, x0, steps, rolloutSubsteps)
		row := figures.FrameRow{Name: r.Spec.Model.Kind}
		for s := 0; s <= steps; s++ {
			row.Frames = append(row.Frames, first(xs[s*trials*in:s*trials*in+in]))
		}
		rows = append(rows, row)
		// The portrait shows the first model with a learned energy.
		if portrait != nil || !ws.HasEnergy() {
			continue
		}
		title := modelTitle(r.Spec.Model.Kind) + " latent space: encoded data, rollouts, learned H"
		p := &figures.Panel{Title: title, XLabel: "z_q", YLabel: "z_p"}
		enc := m.NewWorkspace(1, false)
		zz := make([]float32, 2)
		for k := range trials {
			path := figures.Series{Name: fmt.Sprintf("rollout %d", k)}
			data := figures.Series{Name: fmt.Sprintf("encoded %d", k)}
			for s := 0; s <= steps; s++ {
				path.X = append(path.X, float64(z[(s*trials+k)*2]))
				path.Y = append(path.Y, float64(z[(s*trials+k)*2+1]))
				enc.Encode(zz, frames(d, k*c.Frames+1+s, win))
				data.X, data.Y = append(data.X, float64(zz[0])), append(data.Y, float64(zz[1]))
			}
			p.Paths = append(p.Paths, path)
			p.Points = append(p.Points, data)
		}
		h := m.NewWorkspace(1, false)
		e := make([]float32, 1)
		p.Energy = func(x []float64) float64 {
			zz[0], zz[1] = float32(x[0]), float32(x[1])
			h.Energy(e, zz)
			return float64(e[0])
		}
		portrait = p
	}
	strip := make([]figures.FrameRow, len(rows))
	for i, r := range rows {
		strip[i].Name = r.Name
		for s := 0; s < len(r.Frames); s += 6 {
			strip[i].Frames = append(strip[i].Frames, r.Frames[s])
		}
	}
	if err := figures.FrameStrip(out.path(t.Name, figFrames), strip, pixels.Side); err != nil {
		return err
	}
	if err := figures.FrameGIF(out.path(t.Name, figAnimation), rows, pixels.Side, 5); err != nil {
		return err
	}
	if portrait != nil {
		if err := figures.PhasePortraits(out.path(t.Name, figLatent), []figures.Panel{*portrait}); err != nil {
			return fmt.Errorf("experiment: %w", err)
		}
	}
	return nil
}
