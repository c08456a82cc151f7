package task

import (
	"github.com/hnn-go/hnn/latent"
	"github.com/hnn-go/hnn/pixels"
	"github.com/hnn-go/hnn/train"
)

// The pixel-pendulum task (the paper's Task 5): the pendulum seen only as
// images (package pixels: gymnasium's Pendulum-v1, 200 trials x 103
// frames, the first 40 trials test), an autoencoder with a latent HNN or a
// latent baseline (package latent), trained as experiment-pixels/train.py:
// Adam 1e-3, weight decay 1e-5, minibatches of 200, 10,000 steps, plus the
// weights' moving average (decay 0.99) as for the other minibatch tasks,
// and the reference's Euler latent step in the dynamics loss (hnn
// reproduce -latent-step rk4 trains with one RK4 step per frame instead).
// The data depend on the run's seed; they are rendered once and cached (see
// experiment.PixelCacheDir). Quick: 60 trials (12 test), 3000 steps of
// minibatches of 100: the latent HNN needs a few thousand steps before its
// latent turns at the pendulum's rate (at 800 steps of 200 its energy MSE
// was 41 against the baseline's 0.14, its latent nearly still), and
// minibatches of 100 halve a step's cost.
func init() { Register(pixelPendulum()) }

// pixelPendulum returns the pixel-pendulum task, the base of the
// pixel-pendulum-frames task below.
func pixelPendulum() *Task {
	return &Task{
		Name:        "pixel-pendulum",
		Kind:        KindPixels,
		Title:       "Pixel pendulum",
		Dim:         2,
		Pixels:      &pixels.Config{},
		QuickPixels: &pixels.Config{Trials: 60, TestTrials: 12},
		Latent:      &latent.Config{Step: "euler"},
		TrainRows:   160 * 100,
		Train:       train.Config{Steps: 10000, LR: 1e-3, WeightDecay: 1e-5, Batch: 200, LogEvery: 500, Average: orbitAverage},
		QuickTrain:  train.Config{Steps: 3000, LR: 1e-3, WeightDecay: 1e-5, Batch: 100, LogEvery: 300, Average: orbitAverage},
		Published: map[string]Published{
			"baseline": {Train: 1.77e-4, Test: 1.73e-4, Energy: 9.27e-3, EnergySEM: 1.1e-3},
			"hnn":      {Train: 1.87e-4, Test: 1.85e-4, Energy: 1.53e-4, EnergySEM: 8.4e-6},
		},
	}
}

// The pixel-pendulum-frames task: the pixel pendulum's data, models and
// reference loss, with the multi-frame settings of issue 15 (hnn
// reproduce -tasks pixel-pendulum-frames): an encoder over 3 frames, so
// that the velocity is visible in one input, and a loss on 5 decoded
// future frames rolled out by the latent integrator (RK4), which keeps a
// latent that stops turning or runs fast from training unseen, made
// forward-backward (half of each minibatch rolled out backwards in time),
// which on 3 seeds (docs/tasks/pixel-pendulum-frames.md) made the valid prediction
// time of both models 1.9 to 3.4 times longer and their energy error 3.6
// to 15 times smaller (-latent-backward=false turns it off). A step of
// it costs about 5 times one of the reference's loss (latent
// BenchmarkLossGrad), so it trains 6,000 steps of minibatches of 100, 3
// times fewer samples than the reference's 10,000 of 200, to fit one
// seed of both models in 15 minutes on 2 cores. Quick: the pixel
// pendulum's quick data and steps.
func init() {
	t := pixelPendulum()
	t.Name = "pixel-pendulum-frames"
	t.Title = "Pixel pendulum, 3 frames, 5-frame forward-backward rollout loss"
	t.Latent = &latent.Config{Step: "euler", Frames: 3, Horizon: 5, Backward: true}
	t.Train.Steps, t.Train.Batch, t.Train.LogEvery = 6000, 100, 300
	t.Published = nil
	Register(t)
}
