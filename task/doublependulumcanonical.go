package task

import (
	"math/rand/v2"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/systems"
)

// The double pendulum's rows (t1, t2, t1-dot, t2-dot) declared as
// canonical (q1, q2, p1, p2): the HNN paper's stated limitation as a task.
// The rows are the same numbers as double-pendulum's for the same seed
// (dpGenerate), the velocities relabelled as momenta and the angles as
// plain positions, so that the kinds of canonical states (hnn, baseline)
// train on them as if they were canonical, which they are not: p = M(q)
// q-dot with a mass matrix that depends on the angles, and the
// acceleration depends on the velocities, which no field J grad H of
// (q, q-dot) reproduces. This task is the opt-in to that mistake; the
// layout checks of the model kinds refuse it on double-pendulum itself.
// Observed keeps the rows' true layout, so the energy error is LNN's on
// the true energy E(q, q-dot), comparable with double-pendulum's runs
// (lnn, delan, symoden), with the same protocol and settings.
func init() {
	sys := systems.DoublePendulum{}
	box := systems.DoublePendulumBox()
	observed := systems.DrivenProtocol{}.Layout(sys)
	layout := data.Layout{Positions: sys.Coords()}
	Register(&Task{
		Name:     "double-pendulum-as-canonical",
		Kind:     KindDriven,
		Title:    "Double pendulum, (q, q-dot) taken as (q, p)",
		Dim:      layout.Dim(),
		Layout:   layout,
		Observed: observed,
		Driven:   sys,
		Generate: func(rng *rand.Rand) (*data.Dataset, error) {
			ds, err := dpGenerate(rng)
			if err != nil {
				return nil, err
			}
			ds.Train.Layout, ds.Test.Layout = layout, layout
			return ds, nil
		},
		Initial:     dpInitial,
		TrainRows:   dpTrain,
		Energy:      dpEnergy,
		QuickEnergy: dpQuickEnergy,
		EnergyScale: dpEnergyScale,
		Train:       dpTrainConfig,
		QuickTrain:  dpQuickTrain,
		Bounds:      [4]float64{box.Lo[0], box.Hi[0], box.Lo[2], box.Hi[2]},
		Models:      []string{"hnn"},
		Standardise: true,
	})
}
