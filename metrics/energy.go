package metrics

import (
	"fmt"
	"math/rand/v2"

	"github.com/hnn-go/hnn/ode"
)

// EnergyProtocol fixes how the energy MSE of a task is measured.
type EnergyProtocol struct {
	// Starts is the number of initial states.
	Starts int `json:"starts"`
	// TEnd is the horizon; outputs are Points evenly spaced times in
	// [0, TEnd] including both ends.
	TEnd   float64 `json:"t_end"`
	Points int     `json:"points"`
	// Integrator names the integrator (see ode.New) used for both the true
	// system and the model, with tolerances RTol and ATol.
	Integrator string  `json:"integrator"`
	RTol       float64 `json:"rtol"`
	ATol       float64 `json:"atol"`
	// Seed selects the initial states: they come from a source seeded with
	// it, the same for every model and training seed.
	Seed uint64 `json:"seed"`
	// Chunks is the number of chunks for the error bar (the paper's 5).
	Chunks int `json:"chunks"`
}

// Times returns the output times of the protocol, Points evenly spaced
// values from 0 to exactly TEnd. It panics if Points < 2.
func (p EnergyProtocol) Times() []float64 {
	return Linspace(p.TEnd, p.Points)
}

// Linspace returns n evenly spaced times from 0 to exactly end. It panics if
// n < 2.
func Linspace(end float64, n int) []float64 {
	if n < 2 {
		panic("metrics: Linspace needs at least two points")
	}
	ts := make([]float64, n)
	for i := range ts {
		ts[i] = end * float64(i) / float64(n-1)
	}
	ts[n-1] = end
	return ts
}

// NewIntegrator returns the protocol's integrator.
func (p EnergyProtocol) NewIntegrator() (ode.Integrator, error) {
	return ode.New(p.Integrator, ode.Options{RTol: p.RTol, ATol: p.ATol})
}

// Validate returns an error naming the first invalid field.
func (p EnergyProtocol) Validate() error {
	switch {
	case p.Starts < 1:
		return fmt.Errorf("metrics: energy protocol: starts %d, want at least 1", p.Starts)
	case p.Points < 2:
		return fmt.Errorf("metrics: energy protocol: points %d, want at least 2", p.Points)
	case !(p.TEnd > 0):
		return fmt.Errorf("metrics: energy protocol: t_end %v, want > 0", p.TEnd)
	}
	_, err := p.NewIntegrator()
	return err
}

// InitialStates draws the protocol's Starts initial states with draw, from a
// source seeded with p.Seed, and returns them row-major.
func (p EnergyProtocol) InitialStates(draw func(*rand.Rand) []float64) []float64 {
	rng := rand.New(rand.NewPCG(p.Seed, 0x656e65726779)) // "energy"
	var out []float64
	for range p.Starts {
		out = append(out, draw(rng)...)
	}
	return out
}

// EnergyErrors returns, for each of B rollouts, the mean over its T times of
// (H(truth) - H(pred))^2, where truth and pred are B x T x D arrays.
func EnergyErrors(energy func([]float64) float64, truth, pred []float64, b, t, d int) []float64 {
	if len(truth) != b*t*d || len(pred) != b*t*d {
		panic("metrics: rollout shape mismatch")
	}
	out := make([]float64, b)
	for i := range b {
		var s float64
		for j := range t {
			o := (i*t + j) * d
			e := energy(truth[o:o+d]) - energy(pred[o:o+d])
			s += e * e
		}
		out[i] = s / float64(t)
	}
	return out
}
