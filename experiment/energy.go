package experiment

import (
	"fmt"

	"github.com/hnn-go/hnn/metrics"
	"github.com/hnn-go/hnn/ode"
	"github.com/hnn-go/hnn/systems"
	"github.com/hnn-go/hnn/task"
)

// EnergyTruth holds the true rollouts of a task's energy protocol, computed
// once and shared by every model and seed evaluated with that protocol.
type EnergyTruth struct {
	Protocol metrics.EnergyProtocol
	System   systems.System
	// X0 holds the initial states (Starts x D), Times the output times and
	// States the true trajectories (Starts x Points x D).
	X0, Times, States []float64
	ig                ode.Integrator
}

// NewEnergyTruth draws the protocol's initial states and integrates the
// task's true system from them.
func NewEnergyTruth(t *task.Task, p metrics.EnergyProtocol) (*EnergyTruth, error) {
	if t.System == nil {
		return nil, fmt.Errorf("experiment: task %s has no true energy", t.Name)
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	ig, err := p.NewIntegrator()
	if err != nil {
		return nil, err
	}
	e := &EnergyTruth{Protocol: p, System: t.System, X0: p.InitialStates(t.Initial), Times: p.Times(), ig: ig}
	e.States = make([]float64, p.Starts*p.Points*t.Dim)
	sys := t.System
	newF := func() ode.Func { return func(dst []float64, _ float64, x []float64) { sys.Field(dst, x) } }
	if err := ode.SolveMany(ig, newF, e.X0, t.Dim, e.Times, e.States, 0); err != nil {
		return nil, fmt.Errorf("experiment: true rollout of %s: %w", t.Name, err)
	}
	return e, nil
}

// Errors rolls m out from the protocol's initial states and returns the
// energy MSE of every start and the predicted trajectories.
func (e *EnergyTruth) Errors(m Trained) (perStart, pred []float64, err error) {
	d := e.System.Dim()
	pred = make([]float64, len(e.States))
	if err := firstError(rollMany(e.ig, m, e.X0, d, e.Times, pred)); err != nil {
		return nil, nil, err
	}
	return metrics.EnergyErrors(e.System.Energy, e.States, pred, e.Protocol.Starts, e.Protocol.Points, d), pred, nil
}

// Rollout returns m's rollout of the protocol's start i (Points x D) with
// the values Errors computes for it: it rolls out the chunk of starts that
// Errors rolls together with i (the batch's size can change a field
// value's last bits; see rollMany). It panics if i is not a start.
func (e *EnergyTruth) Rollout(m Trained, i int) ([]float64, error) {
	d := e.System.Dim()
	if i < 0 || i >= e.Protocol.Starts {
		panic("experiment: energy protocol start out of range")
	}
	lo, hi := chunkOf(i, e.Protocol.Starts)
	stride := e.Protocol.Points * d
	pred := make([]float64, (hi-lo)*stride)
	if err := firstError(rollChunk(e.ig, m, e.X0[lo*d:hi*d], d, e.Times, pred)); err != nil {
		return nil, err
	}
	return pred[(i-lo)*stride : (i-lo+1)*stride], nil
}

// Integrator returns the integrator of the protocol's rollouts, which
// figures use to roll models out as the metric does.
func (e *EnergyTruth) Integrator() ode.Integrator { return e.ig }
