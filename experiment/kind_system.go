package experiment

import (
	"fmt"

	"github.com/hnn-go/hnn/metrics"
	"github.com/hnn-go/hnn/task"
)

// The kind of tasks on data generated from a physical system with a true
// energy: runs report the energy MSE of the task's energy protocol (the
// true rollouts shared by all runs), and draw Figure 2 or the N-body
// orbits.
func init() {
	RegisterKind(task.KindSystem, stateKind{scoreRun: scoreEnergy, newTruth: NewEnergyTruth})
}

// scoreEnergy fills the energy MSE of r along the energy protocol's
// rollouts (energy, or computed here if nil).
func scoreEnergy(r *Run, t *task.Task, energy *EnergyTruth) error {
	if energy == nil {
		var err error
		if energy, err = NewEnergyTruth(t, r.Spec.Energy); err != nil {
			return err
		}
	}
	per, pred, err := energy.Errors(r.State())
	if err != nil {
		return fmt.Errorf("experiment: %s %s seed %d: energy rollout: %w", r.Spec.Task, r.Spec.Model.Kind, r.Spec.Seed, err)
	}
	r.Metrics.Record(metrics.EnergyMSE, metrics.ChunkSEM(per, max(r.Spec.Energy.Chunks, 1)), per)
	r.EnergyRollouts = pred
	return nil
}
