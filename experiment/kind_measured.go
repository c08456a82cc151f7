package experiment

import "github.com/hnn-go/hnn/task"

// The kind of tasks on measured trajectories: runs roll their model out
// along the task's test segments (rollout MSE, and the energy MSE along
// them if the task has an energy; see Run.evaluateSegments), keep those
// error bars over time when they are a model's only seed.
func init() {
	RegisterKind(task.KindMeasured, stateKind{
		scoreRun: func(r *Run, t *task.Task, _ *EnergyTruth) error { return r.evaluateSegments(t) },
		keepOwn:  true,
	})
}
