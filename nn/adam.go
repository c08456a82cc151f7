package nn

import "math"

// Adam is the Adam optimiser with coupled L2 weight decay, as
// torch.optim.Adam(weight_decay=...): the decay term is added to the gradient
// before the moment estimates.
type Adam[T Float] struct {
	// LR is the learning rate (the reference's 1e-3).
	LR float64
	// Beta1 and Beta2 are the moment decay rates (0.9, 0.999).
	Beta1, Beta2 float64
	// Eps is added to the denominator (1e-8).
	Eps float64
	// WeightDecay is the L2 coefficient added to the gradient.
	WeightDecay float64

	m, v  []T
	steps int
	// vc holds the float32 constants of the vector kernel (adamVec), kept
	// here so that passing them allocates nothing.
	vc [8]float32
}

// NewAdam returns an Adam optimiser for n parameters with the standard
// betas and epsilon.
func NewAdam[T Float](n int, lr, weightDecay float64) *Adam[T] {
	return &Adam[T]{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: weightDecay, m: make([]T, n), v: make([]T, n)}
}

// Steps returns the number of updates made.
func (a *Adam[T]) Steps() int { return a.steps }

// Step updates params in place from grad. grad is not modified. It panics if
// the lengths differ from the optimiser's.
func (a *Adam[T]) Step(params, grad []T) {
	if len(params) != len(a.m) || len(grad) != len(a.m) {
		panic("nn: Adam length mismatch")
	}
	a.steps++
	b1, b2 := T(a.Beta1), T(a.Beta2)
	bc1 := 1 - math.Pow(a.Beta1, float64(a.steps))
	bc2 := 1 - math.Pow(a.Beta2, float64(a.steps))
	stepSize := T(a.LR / bc1)
	rbc2 := T(1 / math.Sqrt(bc2))
	eps, wd := T(a.Eps), T(a.WeightDecay)
	m, v := a.m, a.v
	grad = grad[:len(params)]
	if p32, ok := any(params).([]float32); ok {
		a.vc = [8]float32{float32(wd), float32(b1), float32(1 - b1), float32(b2), float32(1 - b2),
			float32(stepSize), float32(rbc2), float32(eps)}
		if done := adamVec(p32, any(grad).([]float32), any(m).([]float32), any(v).([]float32), &a.vc); done > 0 {
			params, grad, m, v = params[done:], grad[done:], m[done:], v[done:]
		}
	}
	for i, p := range params {
		g := grad[i] + wd*p
		mi := b1*m[i] + (1-b1)*g
		vi := b2*v[i] + (1-b2)*g*g
		m[i], v[i] = mi, vi
		params[i] = p - stepSize*mi/(T(math.Sqrt(float64(vi)))*rbc2+eps)
	}
}

// State returns the optimiser's moment estimates and step count, for
// checkpoints.
func (a *Adam[T]) State() (m, v []T, steps int) { return a.m, a.v, a.steps }

// SetState restores moment estimates and the step count saved by State. It
// panics on a length mismatch.
func (a *Adam[T]) SetState(m, v []T, steps int) {
	if len(m) != len(a.m) || len(v) != len(a.v) {
		panic("nn: Adam state length mismatch")
	}
	copy(a.m, m)
	copy(a.v, v)
	a.steps = steps
}

// Average sets avg <- beta avg + (1 - beta) params, a step of a moving
// average of the weights, in one pass (float32 through the vector kernels,
// with the Go loop's roundings). It panics if the lengths differ.
func Average[T Float](avg, params []T, beta T) {
	if len(avg) != len(params) {
		panic("nn: Average length mismatch")
	}
	a := 1 - beta
	if a32, ok := any(avg).([]float32); ok {
		if done := averageVec(a32, any(params).([]float32), float32(beta), float32(a)); done > 0 {
			avg, params = avg[done:], params[done:]
		}
	}
	for i, v := range params {
		avg[i] = beta*avg[i] + a*v
	}
}
