package experiment

import "github.com/hnn-go/hnn/task"

// The kind of tasks on measured trajectories: runs roll their model out
// along the task's test segments (rollout MSE, and the energy MSE along
// them if the task has an energy; see Run.evaluateSegments), keep those
// error bars over time when they are a model's only seed, and draw the
// rollouts and the error against the rollout horizon.
func init() {
	registerKind(task.KindMeasured, stateKind{
		scoreRun: func(r *Run, t *task.Task, _ *EnergyTruth) error { return r.evaluateSegments(t) },
		keepOwn:  true,
		draw: func(out *figureDir, t *task.Task, seed0 []*Run, _ *EnergyTruth) error {
			if err := writeSegmentFigure(out, t, seed0); err != nil {
				return err
			}
			return writeHorizonFigure(out, t, seed0)
		},
	})
}
