package pixel

import (
	"fmt"
	"math"

	"github.com/hnn-go/hnn/experiment"
	"github.com/hnn-go/hnn/latent"
	"github.com/hnn-go/hnn/pixels"
)

// The in-training collapse check of pixel runs: at every log interval the
// phase rate (see phaseRate) of a short probe on the first test trials,
// cheap beside the test loss. A latent whose dynamics stop turning, the
// collapse that a one-step latent loss cannot see (issue 15), shows as a
// rate near 0 while the losses still fall.
const (
	// probeTrials and probeSteps size the probe: trials from their first
	// window, advanced one frame at a time.
	probeTrials = 4
	probeSteps  = 10
	// collapseRate is the probe phase rate below which the latent counts
	// as not turning: it runs at less than half the true rate.
	collapseRate = 0.5
)

// collapseWatch measures a latent model's probe phase rate at every log
// interval of its training and keeps the first warning: the latent stopped
// turning (its rate fell below collapseRate after having been above it),
// or it had not turned by the last interval.
type collapseWatch struct {
	ws       *latent.Workspace[float32]
	d        *pixels.Dataset
	trials   int
	steps    int
	win      int
	last     int // the training's last step
	step     int // the step of the current interval, from progress
	log      []experiment.StepValue
	turned   bool
	turnedAt experiment.StepValue
	warning  string
}

// newCollapseWatch returns the watch of m, trained for last steps on d.
func newCollapseWatch(m *latent.Model[float32], d *pixels.Dataset, last int) *collapseWatch {
	win := window(m.Config())
	trials := min(probeTrials, d.Config.TestTrials)
	return &collapseWatch{ws: m.NewWorkspace(trials, false), d: d, trials: trials,
		steps: min(probeSteps, d.Config.Frames-1-win), win: win, last: last}
}

// check measures the probe's phase rate at the current step and records
// it.
func (w *collapseWatch) check() {
	w.record(phaseRate(w.ws, w.d, w.trials, w.steps, w.win).Mean)
}

// record records the probe phase rate of the current step, and the
// warning if this is the first interval at which the latent does not
// turn.
func (w *collapseWatch) record(rate float64) {
	w.log = append(w.log, experiment.StepValue{Step: w.step, Value: rate})
	ok := rate >= collapseRate
	switch {
	case w.warning != "":
	case ok && !w.turned:
		w.turned, w.turnedAt = true, experiment.StepValue{Step: w.step, Value: rate}
	case !ok && w.turned:
		w.warning = fmt.Sprintf("latent stopped turning at step %d: probe phase rate %.3g on %d test trials (%.3g at step %d)",
			w.step, rate, w.trials, w.turnedAt.Value, w.turnedAt.Step)
	case !ok && w.step >= w.last:
		w.warning = fmt.Sprintf("latent never turned: probe phase rate %.3g on %d test trials at the last step, %d", rate, w.trials, w.step)
	}
	if math.IsNaN(rate) && w.warning == "" {
		w.warning = fmt.Sprintf("latent collapsed at step %d: probe phase rate is NaN", w.step)
	}
}
