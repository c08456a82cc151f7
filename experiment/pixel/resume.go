package pixel

import (
	"fmt"

	"github.com/hnn-go/hnn/experiment"
	"github.com/hnn-go/hnn/train"
)

// SaveState implements train.Resumable: the watch's log of phase rates
// and its warning are saved with a pixel run's training state.
func (w *collapseWatch) SaveState(s *train.State) {
	steps, rates := make([]int, len(w.log)), make([]float64, len(w.log))
	for i, v := range w.log {
		steps[i], rates[i] = v.Step, v.Value
	}
	train.PutInts(s, "watch.log.step", steps)
	s.Arrays["watch.log.value"] = rates
	s.Arrays["watch.turned_at.value"] = []float64{w.turnedAt.Value}
	s.Ints["watch.turned_at.step"] = w.turnedAt.Step
	turned := 0
	if w.turned {
		turned = 1
	}
	s.Ints["watch.turned"] = turned
	s.Ints["watch.step"] = w.step
	s.Strings["watch.warning"] = w.warning
}

// LoadState implements train.Resumable.
func (w *collapseWatch) LoadState(s *train.State) error {
	rates := s.Arrays["watch.log.value"]
	steps := make([]int, len(rates))
	if err := train.GetInts(s, "watch.log.step", steps, w.last+1); err != nil {
		return err
	}
	at := s.Arrays["watch.turned_at.value"]
	if len(at) != 1 {
		return fmt.Errorf("array %q: want 1 value, have %d", "watch.turned_at.value", len(at))
	}
	w.log = make([]experiment.StepValue, len(rates))
	for i := range rates {
		w.log[i] = experiment.StepValue{Step: steps[i], Value: rates[i]}
	}
	w.turnedAt = experiment.StepValue{Step: s.Ints["watch.turned_at.step"], Value: at[0]}
	w.turned = s.Ints["watch.turned"] == 1
	w.step = s.Ints["watch.step"]
	w.warning = s.Strings["watch.warning"]
	return nil
}
