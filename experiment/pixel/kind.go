package pixel

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/hnn-go/hnn/experiment"
	"github.com/hnn-go/hnn/experiment/report"
	"github.com/hnn-go/hnn/latent"
	"github.com/hnn-go/hnn/metrics"
	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/pixels"
	"github.com/hnn-go/hnn/task"
	"github.com/hnn-go/hnn/train"
)

// CacheEnv names the environment variable that overrides where the
// rendered pixel datasets are cached.
const CacheEnv = "HNN_CACHE_DIR"

// CacheDir returns the directory of the pixel dataset caches:
// $HNN_CACHE_DIR if set, else hnn/ in the user's cache directory
// (~/.cache/hnn on Linux), else "" (no cache).
func CacheDir() string {
	if d := os.Getenv(CacheEnv); d != "" {
		return d
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "hnn")
	}
	return ""
}

// pixelConfig returns the dataset settings of a pixel run: the task's
// (quick or full) with the run's seed.
func pixelConfig(s experiment.Spec, t *task.Task) pixels.Config {
	c := *t.Pixels
	if s.Quick && t.QuickPixels != nil {
		c = *t.QuickPixels
	}
	c.Seed = s.Seed
	return c.WithDefaults()
}

// pixelData loads (or renders and caches) the dataset of a pixel run.
func pixelData(s experiment.Spec, t *task.Task) (*pixels.Dataset, error) {
	d, _, err := pixels.Load(CacheDir(), pixelConfig(s, t))
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

// The kinds of figures of the pixel kind.
var (
	figFrames    = report.FigureKind{Suffix: "-frames.png", Section: report.FiguresSection}
	figAnimation = report.FigureKind{Suffix: "-frames.gif"}
	figLatent    = report.FigureKind{Suffix: "-latent.png", Section: report.FiguresSection}
)

func init() {
	experiment.RegisterKind(task.KindPixels, pixelKind{})
	report.RegisterFigures(task.KindPixels, func(out *report.FigureDir, t *task.Task, seed0 []*experiment.Run, _ *experiment.EnergyTruth) error {
		return writePixelFigures(out, t, seed0)
	})
}

// pixelKind is the kind of tasks on rendered images (the pixel
// pendulum): runs train a latent model (package latent) on the frames of
// the run's seed, report the pixel metrics (see evaluatePixels) and
// draw frame strips, animations and latent portraits.
type pixelKind struct{}

func (pixelKind) Train(s experiment.Spec, t *task.Task, dir string, o experiment.Options) (*experiment.Run, error) {
	return trainPixels(s, t, dir, o)
}

func (pixelKind) Load(s experiment.Spec, dir string) (*experiment.Run, error) {
	m, err := latent.Load[float32](dir)
	if err != nil {
		return nil, err
	}
	return &experiment.Run{Spec: s, Model: &LatentModel{M: m}}, nil
}

func (pixelKind) Evaluate(r *experiment.Run, t *task.Task) error {
	d, err := pixelData(r.Spec, t)
	if err != nil {
		return err
	}
	return evaluatePixels(r, d)
}

func (pixelKind) Truth(*task.Task, metrics.EnergyProtocol) (*experiment.EnergyTruth, error) {
	return nil, nil
}

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
// turns (collapseWatch), into experiment.Metrics.PhaseRateLog and experiment.Metrics.Collapse.
func trainPixels(s experiment.Spec, t *task.Task, dir string, o experiment.Options) (*experiment.Run, error) {
	start := time.Now()
	d, err := pixelData(s, t)
	if err != nil {
		return nil, err
	}
	m, err := latent.New[float32](s.LatentConfig(), rand.New(rand.NewPCG(s.Seed, experiment.StreamInit)))
	if err != nil {
		return nil, err
	}
	lc := m.Config()
	watch := newCollapseWatch(m, d, s.Train.Steps)
	prog := func(step int, loss float64) {
		watch.step = step
		if o.Progress != nil {
			o.Progress(step, loss)
		}
	}
	pcg := rand.NewPCG(s.Seed, experiment.StreamBatch)
	tc := s.Train
	tc.Checkpoint = o.Checkpoint(dir, pcg, watch)
	hist, terr := latent.TrainWatch(m, samples(d, false, lc), samples(d, true, lc), tc, rand.New(pcg), prog, watch.check)
	if terr != nil && (hist.Steps == 0 || errors.Is(terr, train.ErrInterrupted)) {
		return nil, terr
	}
	lm := &LatentModel{M: m}
	run := &experiment.Run{Spec: s, Model: lm}
	run.Metrics.PhaseRateLog, run.Metrics.Collapse = watch.log, watch.warning
	return run.Finish(dir, lm.Save, func() error { return evaluatePixels(run, d) }, hist, terr, start)
}
