package metrics

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/hnn-go/hnn/ode"
)

// Long-horizon metrics of later work (Botev et al. 2021; Finzi et al.
// 2020), computed on trajectories stored as T x D row-major slices, the
// layout ode.Integrator.Solve writes.

// DefaultValidThreshold is the normalised error at which a prediction stops
// being valid (Botev et al. 2021).
const DefaultValidThreshold = 0.025

// DefaultPerturbation is the size of the start perturbation of the chaos
// floor (Finzi et al. 2020).
const DefaultPerturbation = 1e-4

// relErrorFloor bounds the per-time relative error from below before its
// logarithm is taken, so that a time at which prediction and truth agree
// to the last bit does not send the geometric mean to zero.
const relErrorFloor = 1e-16

// EnergyDrift writes the relative energy drift |H(x_t) - H(x_0)| / |H(x_0)|
// of every state of traj (T x d) into dst (T values), with x_0 the first
// state and H the true energy. If H(x_0) is zero the absolute drift is
// written. It panics if len(traj) != len(dst)*d.
func EnergyDrift(dst []float64, energy func([]float64) float64, traj []float64, d int) {
	checkTraj("EnergyDrift", len(dst), len(traj), d)
	e0 := energy(traj[:d])
	scale := math.Abs(e0)
	if scale == 0 {
		scale = 1
	}
	for i := range dst {
		dst[i] = math.Abs(energy(traj[i*d:(i+1)*d])-e0) / scale
	}
}

// RelativeError writes the relative error |p_t - z_t| / (|p_t| + |z_t|) of
// the prediction pred against the truth (both T x d) at every time into dst,
// with |.| the Euclidean norm. It lies in [0, 1]: 0 where they agree, 1
// where they point in opposite directions. This is the bounded form of
// Finzi et al. (2020); the quotient by |p_t + z_t| that is sometimes quoted
// is unbounded where a rollout runs half an orbit out of phase. Where both
// states are zero the error is zero. It panics if the lengths do not match.
func RelativeError(dst, pred, truth []float64, d int) {
	checkTraj("RelativeError", len(dst), len(pred), d)
	checkTraj("RelativeError", len(dst), len(truth), d)
	for i := range dst {
		var diff, np, nz float64
		for j := i * d; j < (i+1)*d; j++ {
			e := pred[j] - truth[j]
			diff += e * e
			np += pred[j] * pred[j]
			nz += truth[j] * truth[j]
		}
		den := math.Sqrt(np) + math.Sqrt(nz)
		if den == 0 {
			dst[i] = 0
			continue
		}
		dst[i] = math.Sqrt(diff) / den
	}
}

// NormalizedError writes mean_j (z_tj - p_tj)^2 / mean_j z_tj^2, the
// normalised squared error of Botev et al. (2021), at every time into dst.
// Where the true state is zero it writes +Inf if the prediction differs and
// zero if it does not. It panics if the lengths do not match.
func NormalizedError(dst, pred, truth []float64, d int) {
	checkTraj("NormalizedError", len(dst), len(pred), d)
	checkTraj("NormalizedError", len(dst), len(truth), d)
	for i := range dst {
		var num, den float64
		for j := i * d; j < (i+1)*d; j++ {
			e := truth[j] - pred[j]
			num += e * e
			den += truth[j] * truth[j]
		}
		switch {
		case den > 0:
			dst[i] = num / den
		case num > 0:
			dst[i] = math.Inf(1)
		default:
			dst[i] = 0
		}
	}
}

// ValidTime returns the valid prediction time: the first time ts[i] at which
// the normalised error nerr[i] exceeds threshold, or the last time if it
// never does (the prediction stayed valid over the whole horizon). A NaN
// error counts as exceeding. It panics if len(ts) != len(nerr) or ts is
// empty.
func ValidTime(ts, nerr []float64, threshold float64) float64 {
	if len(ts) != len(nerr) || len(ts) == 0 {
		panic("metrics: ValidTime: times and errors differ in length or are empty")
	}
	for i, e := range nerr {
		if !(e <= threshold) {
			return ts[i]
		}
	}
	return ts[len(ts)-1]
}

// GeoMean returns the geometric mean of v, exp(mean(log v)), with every
// value raised to at least 1e-16 first. It returns NaN for an empty v or if
// any value is NaN.
func GeoMean(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	var s float64
	for _, x := range v {
		if math.IsNaN(x) {
			return math.NaN()
		}
		s += math.Log(max(x, relErrorFloor))
	}
	return math.Exp(s / float64(len(v)))
}

func checkTraj(name string, n, m, d int) {
	if d <= 0 || m != n*d {
		panic(fmt.Sprintf("metrics: %s: %d values for %d times of dimension %d", name, m, n, d))
	}
}

// LongHorizonProtocol fixes how the long-horizon metrics of a task are
// measured: from Starts noise-free initial states (drawn with a source
// seeded with Seed, the same for every model and training seed), the true
// system is integrated with Dormand-Prince at rtol = atol = TruthTol over
// Points evenly spaced times in [0, TEnd], usually ten times the training
// horizon, and so is the true system from each start perturbed by
// Perturbation in a random direction (the chaos floor). Each model is rolled
// out with every integrator in Integrators: fixed-step methods take steps of
// at most Step, dopri5 uses rtol = atol = RTol.
type LongHorizonProtocol struct {
	Starts int     `json:"starts"`
	TEnd   float64 `json:"t_end"`
	Points int     `json:"points"`
	// Step is the largest step of the fixed-step integrators.
	Step float64 `json:"step"`
	// Integrators names the integrators (see ode.New) every model is rolled
	// out with.
	Integrators []string `json:"integrators"`
	// RTol is the tolerance of adaptive integrators on the models.
	RTol float64 `json:"rtol"`
	// TruthTol is the tolerance of the Dormand-Prince ground truth.
	TruthTol float64 `json:"truth_tol"`
	Seed     uint64  `json:"seed"`
	// Perturbation is the size of the start perturbation of the chaos
	// floor (default DefaultPerturbation).
	Perturbation float64 `json:"perturbation"`
	// Threshold is the normalised error that ends the valid prediction
	// time (default DefaultValidThreshold).
	Threshold float64 `json:"threshold"`
}

// Enabled reports whether the protocol is set (Starts > 0).
func (p LongHorizonProtocol) Enabled() bool { return p.Starts > 0 }

// WithDefaults returns p with zero Perturbation, Threshold, RTol and
// TruthTol set to DefaultPerturbation, DefaultValidThreshold, 1e-9 and
// 1e-10.
func (p LongHorizonProtocol) WithDefaults() LongHorizonProtocol {
	if p.Perturbation == 0 {
		p.Perturbation = DefaultPerturbation
	}
	if p.Threshold == 0 {
		p.Threshold = DefaultValidThreshold
	}
	if p.RTol == 0 {
		p.RTol = 1e-9
	}
	if p.TruthTol == 0 {
		p.TruthTol = 1e-10
	}
	return p
}

// Times returns the output times, Points evenly spaced values from 0 to
// exactly TEnd. It panics if Points < 2.
func (p LongHorizonProtocol) Times() []float64 { return Linspace(p.TEnd, p.Points) }

// Validate returns an error naming the first invalid field, including an
// unknown integrator name.
func (p LongHorizonProtocol) Validate() error {
	switch {
	case p.Starts < 1:
		return fmt.Errorf("metrics: long-horizon protocol: starts %d, want at least 1", p.Starts)
	case p.Points < 2:
		return fmt.Errorf("metrics: long-horizon protocol: points %d, want at least 2", p.Points)
	case !(p.TEnd > 0) || math.IsInf(p.TEnd, 0):
		return fmt.Errorf("metrics: long-horizon protocol: t_end %v, want a finite value > 0", p.TEnd)
	case !(p.Step > 0) || math.IsInf(p.Step, 0):
		return fmt.Errorf("metrics: long-horizon protocol: step %v, want a finite value > 0", p.Step)
	case len(p.Integrators) == 0:
		return fmt.Errorf("metrics: long-horizon protocol: no integrators")
	case !(p.Perturbation >= 0) || !(p.Threshold >= 0) || !(p.RTol >= 0) || !(p.TruthTol >= 0):
		return fmt.Errorf("metrics: long-horizon protocol: perturbation %v, threshold %v and tolerances %v, %v must be >= 0", p.Perturbation, p.Threshold, p.RTol, p.TruthTol)
	}
	for _, name := range p.Integrators {
		if _, err := p.NewIntegrator(name); err != nil {
			return err
		}
	}
	return nil
}

// NewIntegrator returns the named integrator with the protocol's step and
// tolerances.
func (p LongHorizonProtocol) NewIntegrator(name string) (ode.Integrator, error) {
	p = p.WithDefaults()
	return ode.New(name, ode.Options{Step: p.Step, RTol: p.RTol, ATol: p.RTol, MaxSteps: 10_000_000})
}

// InitialStates draws the protocol's Starts initial states with draw, from a
// source seeded with p.Seed, and returns them row-major, followed by the
// same states each perturbed by Perturbation times a random unit vector.
func (p LongHorizonProtocol) InitialStates(draw func(*rand.Rand) []float64) (x0, perturbed []float64) {
	p = p.WithDefaults()
	rng := rand.New(rand.NewPCG(p.Seed, 0x6c6f6e67)) // "long"
	for range p.Starts {
		x0 = append(x0, draw(rng)...)
	}
	d := len(x0) / p.Starts
	perturbed = append([]float64(nil), x0...)
	dir := make([]float64, d)
	for b := range p.Starts {
		var n float64
		for n == 0 {
			n = 0
			for i := range dir {
				dir[i] = rng.NormFloat64()
				n += dir[i] * dir[i]
			}
		}
		s := p.Perturbation / math.Sqrt(n)
		for i, v := range dir {
			perturbed[b*d+i] += s * v
		}
	}
	return x0, perturbed
}
