package systems

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/ode"
)

// DefaultMinDistance is the rejection threshold of Orbits when
// Orbits.MinDistance is zero: an orbit on which two bodies come closer than
// 0.01 is rejected. The bodies of both protocols start 1.4 to 4.2 apart
// (two-body) or 1.6 to 2.1 apart (three-body), where the accelerations are
// of order 0.1 to 1; at a distance of 0.01 they reach 10^4 with unit
// masses, and closer still the orbit approaches the collision singularity,
// where no step size keeps rtol-controlled float64 errors small. The
// reference rejects nothing; with this threshold neither of its protocols
// loses an orbit in practice (the closest approach among 5000 three-body
// orbits of the data seed is about 0.06), so the data keep the close
// encounters that make the three-body task hard.
const DefaultMinDistance = 0.01

// DefaultEnergyTol is the largest relative energy error
// |H(x_t) - H(x_0)| / |H(x_0)| that an accepted ground-truth orbit may
// show at its output times when Orbits.EnergyTol is zero. Dormand-Prince
// with rtol 1e-9 keeps it near 1e-8 on the reference protocols; an orbit
// that exceeds 1e-6 has lost float64 accuracy and is rejected.
const DefaultEnergyTol = 1e-6

// Orbits describes the reference's orbit data protocol for a gravitational
// N-body system: Count orbits from random starts, integrated exactly and
// sampled at Points times on [0, TEnd], with clean states and derivatives
// (no noise). The first TestFraction of the orbits form the test split, as
// the reference's make_orbits_dataset takes the first rows as test.
type Orbits struct {
	// System is the N-body system that makes the data.
	System NBody
	// Start draws one initial state (length System.Dim()) from rng.
	Start func(rng *rand.Rand) []float64
	// Count is the number of orbits and Points the number of points on
	// each, at linspace(0, TEnd, Points).
	Count, Points int
	TEnd          float64
	// RTol is the relative and absolute tolerance of the ode.DormandPrince
	// ground truth (the reference: scipy RK45, rtol 1e-9, default atol
	// 1e-6; an atol equal to rtol is tighter).
	RTol float64
	// TestFraction is the fraction of the orbits, taken at the start, that
	// form the test split.
	TestFraction float64
	// MinDistance is the rejection threshold on the smallest pairwise
	// distance along an orbit; zero means DefaultMinDistance.
	MinDistance float64
	// EnergyTol is the largest relative energy error an accepted orbit may
	// show at its output times; zero means DefaultEnergyTol.
	EnergyTol float64
	// MaxSteps bounds the Dormand-Prince steps of one orbit; zero means
	// 100000. An orbit that needs more is rejected.
	MaxSteps int
}

// TwoBodyProtocol returns the reference's two-body protocol
// (experiment-2body/data.py): 1000 orbits of 50 points on t in [0, 20],
// starts from TwoBodyStart, rtol 1e-9, first 20% (200 orbits) test.
func TwoBodyProtocol() Orbits {
	return Orbits{
		System: NBody{Bodies: 2},
		Start:  TwoBodyStart,
		Count:  1000, Points: 50, TEnd: 20,
		RTol:         1e-9,
		TestFraction: 0.2,
	}
}

// ThreeBodyProtocol returns the reference's three-body protocol
// (experiment-3body/data.py): 5000 orbits of 20 points on t in [0, 5],
// starts from ThreeBodyStart, rtol 1e-9, first 20% (1000 orbits) test.
func ThreeBodyProtocol() Orbits {
	return Orbits{
		System: NBody{Bodies: 3},
		Start:  ThreeBodyStart,
		Count:  5000, Points: 20, TEnd: 5,
		RTol:         1e-9,
		TestFraction: 0.2,
	}
}

// TwoBodyStart draws a near-circular two-body start as the reference's
// random_config: body 1 at (a, b) with a, b ~ U[0.5, 1.5) (two draws),
// r = sqrt(a^2 + b^2), velocity (-b, a)/(2 r^1.5) (the circular speed
// 1/(2 sqrt r) for unit masses at separation 2r) scaled by
// 1 + 0.05 N(0, 1) (one normal draw); body 2 at minus body 1's position
// and velocity, so the total momentum is zero. Masses are 1, so momenta
// equal velocities. The state is in NBody's layout.
func TwoBodyStart(rng *rand.Rand) []float64 {
	a := rng.Float64() + 0.5
	b := rng.Float64() + 0.5
	r := math.Hypot(a, b)
	scale := (1 + 0.05*rng.NormFloat64()) / (2 * r * math.Sqrt(r))
	vx, vy := -b*scale, a*scale
	s := NBody{Bodies: 2}
	x := make([]float64, s.Dim())
	s.SetBody(x, 0, a, b, vx, vy)
	s.SetBody(x, 1, -a, -b, -vx, -vy)
	return x
}

// ThreeBodyStart draws a three-body start as the reference's random_config:
// a direction u ~ U[-1, 1)^2 (two draws; drawn again in the probability-zero
// case u = 0) and a radius r ~ U[0.9, 1.2) (one draw) put body 1 at
// r u/|u|, bodies 2 and 3 at 120 and 240 degrees from it; each body's
// velocity is its position turned by 90 degrees, divided by r^1.5 and
// multiplied by sqrt(sin(pi/3) / (2 cos(pi/6)^2)) (the circular orbit of
// the equilateral configuration), then each component of bodies 1, 2, 3 in
// turn is scaled by 1 + 0.2 U[-1, 1) (six draws). Masses are 1.
func ThreeBodyStart(rng *rand.Rand) []float64 {
	var ux, uy, norm float64
	for norm == 0 {
		ux, uy = 2*rng.Float64()-1, 2*rng.Float64()-1
		norm = math.Hypot(ux, uy)
	}
	r := 0.9 + 0.3*rng.Float64()
	ux, uy = ux*r/norm, uy*r/norm
	k := math.Sqrt(math.Sin(math.Pi/3)/(2*math.Cos(math.Pi/6)*math.Cos(math.Pi/6))) / (r * math.Sqrt(r))
	s := NBody{Bodies: 3}
	x := make([]float64, s.Dim())
	for i := range 3 {
		th := 2 * math.Pi / 3 * float64(i)
		c, sn := math.Cos(th), math.Sin(th)
		qx, qy := c*ux-sn*uy, sn*ux+c*uy
		vx, vy := -qy*k, qx*k
		vx *= 1 + 0.2*(2*rng.Float64()-1)
		vy *= 1 + 0.2*(2*rng.Float64()-1)
		s.SetBody(x, i, qx, qy, vx, vy)
	}
	return x
}

// OrbitData is what GenerateOrbits makes.
type OrbitData struct {
	// Dataset holds the rows: X the clean states, DX the exact field;
	// Set.Traj is the orbit's index among all Count orbits, Set.T its
	// time. The test split holds the first orbits.
	Dataset *data.Dataset
	// States holds the clean orbits, Count x Points x Dim, and X0 their
	// starts, Count x Dim.
	States, X0 []float64
	// Rejected is the number of starts that were drawn and rejected
	// because their orbit came closer than the threshold or could not be
	// integrated.
	Rejected int
}

// errOrbitSettings marks the errors of GenerateOrbits caused by bad
// settings.
var errOrbitSettings = errors.New("bad orbit settings")

// testCount returns the number of test orbits, round(TestFraction*Count).
func (o Orbits) testCount() int { return int(math.Round(o.TestFraction * float64(o.Count))) }

// TrainRows returns the number of training rows GenerateOrbits makes.
func (o Orbits) TrainRows() int { return (o.Count - o.testCount()) * o.Points }

// Times returns the output times linspace(0, TEnd, Points). It panics if
// Points < 2.
func (o Orbits) Times() []float64 {
	return Trajectories{TEnd: o.TEnd, Points: o.Points}.Times()
}

func (o Orbits) validate() error {
	switch {
	case o.System.Bodies < 2:
		return fmt.Errorf("%d bodies, want at least 2", o.System.Bodies)
	case o.Start == nil:
		return errors.New("no start sampler")
	case o.Count < 2:
		return fmt.Errorf("count %d < 2", o.Count)
	case o.Points < 2:
		return fmt.Errorf("points %d < 2", o.Points)
	case !(o.TEnd > 0) || math.IsInf(o.TEnd, 0):
		return fmt.Errorf("end time %v is not positive and finite", o.TEnd)
	case !(o.RTol >= 0) || !(o.MinDistance >= 0) || !(o.EnergyTol >= 0) || o.MaxSteps < 0:
		return fmt.Errorf("negative tolerance %v, distance %v, energy tolerance %v or step limit %d", o.RTol, o.MinDistance, o.EnergyTol, o.MaxSteps)
	}
	if n := o.testCount(); n < 1 || n > o.Count-1 {
		return fmt.Errorf("test fraction %v of %d orbits leaves a split empty", o.TestFraction, o.Count)
	}
	return nil
}

// integrator returns the ground-truth integrator of o.
func (o Orbits) integrator() ode.DormandPrince {
	rtol := o.RTol
	if rtol == 0 {
		rtol = 1e-9
	}
	steps := o.MaxSteps
	if steps == 0 {
		steps = 100000
	}
	return ode.DormandPrince{RTol: rtol, ATol: rtol, MaxSteps: steps}
}

// guardedField returns the field of o.System that writes NaN into dst
// when two bodies are closer than the threshold. A Dormand-Prince step
// through such a state is rejected and shrunk, so an orbit that really
// comes too close ends in a step-size underflow (an error) a few dozen
// steps later instead of integrating through the singularity, and no NaN
// ever reaches an accepted state.
func (o Orbits) guardedField() ode.Func {
	sys := o.System
	dmin := o.MinDistance
	if dmin == 0 {
		dmin = DefaultMinDistance
	}
	return func(dst []float64, _ float64, x []float64) {
		if sys.MinDistance(x) < dmin {
			for i := range dst {
				dst[i] = math.NaN()
			}
			return
		}
		sys.Field(dst, x)
	}
}

// solveOrbits integrates the starts x0 (B x d) to ts concurrently, each on
// its own (ode.SolveEach), and returns each one's error: the integration's,
// or the energy check's for an orbit that completed.
func (o Orbits) solveOrbits(x0, ts, dst []float64) []error {
	d := o.System.Dim()
	stride := len(ts) * d
	errs := ode.SolveEach(o.integrator(), o.guardedField, x0, d, ts, dst, 0)
	for b, err := range errs {
		if err == nil {
			errs[b] = o.checkEnergy(dst[b*stride : (b+1)*stride])
		}
	}
	return errs
}

// checkEnergy returns an error if the relative energy error of the orbit
// (Points x Dim) exceeds the energy tolerance at any output time.
func (o Orbits) checkEnergy(orbit []float64) error {
	tol := o.EnergyTol
	if tol == 0 {
		tol = DefaultEnergyTol
	}
	d := o.System.Dim()
	e0 := o.System.Energy(orbit[:d])
	scale := max(math.Abs(e0), math.SmallestNonzeroFloat64)
	for i := d; i < len(orbit); i += d {
		if rel := math.Abs(o.System.Energy(orbit[i:i+d])-e0) / scale; !(rel <= tol) {
			return fmt.Errorf("systems: %s: relative energy error %.3g exceeds %.3g: the float64 ground truth lost accuracy", o.System.Name(), rel, tol)
		}
	}
	return nil
}

// Accept returns nil if the orbit from x0 over [0, TEnd] keeps every pair
// of bodies at least the threshold apart, can be integrated and conserves
// energy to the energy tolerance, and the error otherwise. It panics if len(x0) != System.Dim().
func (o Orbits) Accept(x0 []float64) error {
	checkLen(x0, o.System.Dim())
	ts := []float64{0, o.TEnd}
	errs := o.solveOrbits(x0, ts, make([]float64, 2*len(x0)))
	return errs[0]
}

// GenerateOrbits makes a dataset following o.
//
// It draws Count starts from rng with o.Start, in order, and integrates
// them concurrently with ode.DormandPrince (rtol = atol = RTol) to the
// times o.Times(). An orbit on which two bodies come closer than
// MinDistance (checked at every evaluation of the field, so between output
// times too), whose integration fails or whose relative energy error
// exceeds EnergyTol is rejected: its slot is refilled
// by a new draw from rng, the rejected slots taken in increasing order after
// each round, and the new starts integrated in the next round. The result
// therefore depends on rng's state alone, not on scheduling, and no
// rejected orbit, hence no NaN, reaches the dataset. OrbitData.Rejected
// counts the rejected starts. After 10*Count+100 rejections GenerateOrbits
// gives up with an error naming the last failure.
//
// It returns an error if a setting of o is bad (fewer than 2 bodies, no
// Start, Count < 2, Points < 2, TEnd <= 0, a negative tolerance, distance
// or step limit, a TestFraction leaving a split empty).
func GenerateOrbits(o Orbits, rng *rand.Rand) (*OrbitData, error) {
	name := o.System.Name()
	if err := o.validate(); err != nil {
		return nil, fmt.Errorf("systems: %s: %w: %w", name, errOrbitSettings, err)
	}
	d := o.System.Dim()
	n, m := o.Count, o.Points
	ts := o.Times()
	x0 := make([]float64, n*d)
	states := make([]float64, n*m*d)
	draw := func(k int) {
		s := o.Start(rng)
		checkLen(s, d)
		copy(x0[k*d:(k+1)*d], s)
	}
	pending := make([]int, n)
	for k := range n {
		pending[k] = k
		draw(k)
	}
	rejected := 0
	for len(pending) > 0 {
		bx := make([]float64, len(pending)*d)
		for i, k := range pending {
			copy(bx[i*d:(i+1)*d], x0[k*d:(k+1)*d])
		}
		bs := make([]float64, len(pending)*m*d)
		errs := o.solveOrbits(bx, ts, bs)
		var again []int
		for i, k := range pending {
			if errs[i] != nil {
				rejected++
				if rejected > 10*n+100 {
					return nil, fmt.Errorf("systems: %s: %d starts rejected, the last: %w", name, rejected, errs[i])
				}
				again = append(again, k)
				continue
			}
			copy(states[k*m*d:(k+1)*m*d], bs[i*m*d:(i+1)*m*d])
		}
		for _, k := range again {
			draw(k)
		}
		pending = again
	}

	nTest := o.testCount()
	return &OrbitData{
		Dataset: &data.Dataset{
			Train: makeSet(o.System, states, nil, ts, nTest, n),
			Test:  makeSet(o.System, states, nil, ts, 0, nTest),
		},
		States:   states,
		X0:       x0,
		Rejected: rejected,
	}, nil
}

// InitialState draws starts from rng with o.Start until one passes Accept,
// and returns it: a start from the distribution of the dataset's orbits,
// rejection included. After 1000 rejected draws it panics, which only a
// threshold that rejects nearly every orbit can cause.
func (o Orbits) InitialState(rng *rand.Rand) []float64 {
	for range 1000 {
		x := o.Start(rng)
		if o.Accept(x) == nil {
			return x
		}
	}
	panic("systems: " + o.System.Name() + ": 1000 starts rejected in a row")
}
