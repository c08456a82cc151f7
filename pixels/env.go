package pixels

import "math"

// Env is gymnasium's Pendulum-v1 with zero torque. Its state is the angle
// th (0 upright, counterclockwise positive) and the angular velocity thdot.
// The zero value has the gymnasium settings.
type Env struct {
	// G, M, L and DT are gravity (10), mass (1), length (1) and the time
	// step (0.05); MaxSpeed (8) clips the angular velocity.
	G, M, L, DT, MaxSpeed float64
}

func (e Env) settings() (g, m, l, dt, maxSpeed float64) {
	g, m, l, dt, maxSpeed = e.G, e.M, e.L, e.DT, e.MaxSpeed
	if g == 0 {
		g = 10
	}
	if m == 0 {
		m = 1
	}
	if l == 0 {
		l = 1
	}
	if dt == 0 {
		dt = 0.05
	}
	if maxSpeed == 0 {
		maxSpeed = 8
	}
	return
}

// Step advances the state by one gymnasium step with zero torque: the
// angular velocity first, thdot += 3g/(2l) sin(th) dt, clipped to
// ±MaxSpeed, then the angle, th += thdot dt (a semi-implicit Euler step).
func (e Env) Step(th, thdot float64) (float64, float64) {
	g, _, l, dt, maxSpeed := e.settings()
	thdot += 3 * g / (2 * l) * math.Sin(th) * dt
	thdot = max(-maxSpeed, min(maxSpeed, thdot))
	return th + thdot*dt, thdot
}

// Energy returns the mechanical energy of the state for the continuous
// dynamics the step discretises, thdot' = 3g/(2l) sin th: a rod of mass m
// and length l swinging about its end, moment of inertia m l^2 / 3, with
// the potential measured from hanging down:
//
//	E = m l^2 thdot^2 / 6 + m g l (1 + cos th) / 2.
//
// It is the pixel task's true energy. The semi-implicit Euler step keeps it
// within a bounded band of order dt rather than exactly.
func (e Env) Energy(th, thdot float64) float64 {
	g, m, l, _, _ := e.settings()
	return m*l*l*thdot*thdot/6 + m*g*l*(1+math.Cos(th))/2
}

// FromBottom returns the angle measured from hanging down, in (-pi, pi]:
// th - pi wrapped.
func FromBottom(th float64) float64 {
	a := math.Remainder(th-math.Pi, 2*math.Pi)
	if a <= -math.Pi {
		a += 2 * math.Pi
	}
	return a
}
