package nn

import (
	"fmt"
	"math"
	"strings"

	"github.com/hnn-go/hnn/internal/check"
)

// Activation is an elementwise nonlinearity s applied after every hidden
// layer.
type Activation int

// The activations the engine knows. Tanh, Softplus, Sigmoid and Sin are
// smooth; ReLU has a zero second derivative almost everywhere and a kink, so
// it is refused for networks whose input gradient is trained (an HNN's H).
const (
	Tanh Activation = iota
	Softplus
	Sigmoid
	Sin
	ReLU
)

var activationNames = [...]string{Tanh: "tanh", Softplus: "softplus", Sigmoid: "sigmoid", Sin: "sin", ReLU: "relu"}

// String returns the activation's name as accepted by ParseActivation.
func (a Activation) String() string {
	if a < 0 || int(a) >= len(activationNames) {
		return fmt.Sprintf("Activation(%d)", int(a))
	}
	return activationNames[a]
}

// Smooth reports whether the activation has a continuous, nonzero second
// derivative, as a network trained through its input gradient needs.
func (a Activation) Smooth() bool { return a != ReLU }

// ActivationNames returns the names of all activations.
func ActivationNames() []string { return append([]string(nil), activationNames[:]...) }

// ParseActivation returns the activation with the given name.
func ParseActivation(name string) (Activation, error) {
	for i, n := range activationNames {
		if n == name {
			return Activation(i), nil
		}
	}
	return 0, fmt.Errorf("nn: unknown activation %s (valid: %s)", check.Quote(name), strings.Join(activationNames[:], ", "))
}

// MarshalText implements encoding.TextMarshaler.
func (a Activation) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (a *Activation) UnmarshalText(b []byte) error {
	v, err := ParseActivation(string(b))
	if err != nil {
		return err
	}
	*a = v
	return nil
}

// activate overwrites z (holding the pre-activations) with s(z), and writes
// s'(z) into s1 and, when s2 is not nil, s”(z) into s2.
func activate[T Float](act Activation, z, s1, s2 []T) {
	s1 = s1[:len(z)]
	if s2 != nil {
		s2 = s2[:len(z)]
	}
	switch act {
	case Tanh:
		if z32, ok := any(z).([]float32); ok {
			var s232 []float32
			if s2 != nil {
				s232 = any(s2).([]float32)
			}
			tanhAct32(z32, any(s1).([]float32), s232)
			return
		}
		for i, x := range z {
			t := T(tanh(float64(x)))
			d := 1 - t*t
			z[i], s1[i] = t, d
			if s2 != nil {
				s2[i] = -2 * t * d
			}
		}
	case Softplus:
		z, s1, s2 = activate32(softplusVec, z, s1, s2)
		for i, x := range z {
			xf := float64(x)
			sp := math.Max(xf, 0) + math.Log1p(math.Exp(-math.Abs(xf)))
			sg := sigmoid(xf)
			z[i], s1[i] = T(sp), T(sg)
			if s2 != nil {
				s2[i] = T(sg * (1 - sg))
			}
		}
	case Sigmoid:
		z, s1, s2 = activate32(sigmoidVec, z, s1, s2)
		for i, x := range z {
			sg := sigmoid(float64(x))
			d := sg * (1 - sg)
			z[i], s1[i] = T(sg), T(d)
			if s2 != nil {
				s2[i] = T(d * (1 - 2*sg))
			}
		}
	case Sin:
		z, s1, s2 = activate32(sinVec, z, s1, s2)
		for i, x := range z {
			s, c := math.Sincos(float64(x))
			z[i], s1[i] = T(s), T(c)
			if s2 != nil {
				s2[i] = T(-s)
			}
		}
	case ReLU:
		if z32, ok := any(z).([]float32); ok {
			var s232 []float32
			if s2 != nil {
				s232 = any(s2).([]float32)
			}
			if done := reluVec(z32, any(s1).([]float32), s232); done > 0 {
				z, s1 = z[done:], s1[done:]
				if s2 != nil {
					s2 = s2[done:]
				}
			}
		}
		for i, x := range z {
			if x > 0 {
				s1[i] = 1
			} else {
				z[i], s1[i] = 0, 0
			}
			if s2 != nil {
				s2[i] = 0
			}
		}
	default:
		panic("nn: unknown activation")
	}
}

// activate32 runs a float32 vector kernel on the longest prefix it takes
// and returns the rest of z, s1 and s2 for the scalar loop; for other
// element types it returns them unchanged.
func activate32[T Float](vec func(z, s1, s2 []float32) int, z, s1, s2 []T) ([]T, []T, []T) {
	z32, ok := any(z).([]float32)
	if !ok {
		return z, s1, s2
	}
	var s232 []float32
	if s2 != nil {
		s232 = any(s2).([]float32)
	}
	done := vec(z32, any(s1).([]float32), s232)
	if done == 0 {
		return z, s1, s2
	}
	if s2 != nil {
		s2 = s2[done:]
	}
	return z[done:], s1[done:], s2
}

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// tanh is the hyperbolic tangent through one exponential, accurate to a few
// ulps of float64 and faster than math.Tanh.
func tanh(x float64) float64 {
	ax := math.Abs(x)
	if ax > 20 {
		return math.Copysign(1, x)
	}
	if ax < 0.5 {
		e := math.Expm1(-2 * ax)
		return math.Copysign(-e/(2+e), x)
	}
	e := math.Exp(-2 * ax)
	t := (1 - e) / (1 + e)
	return math.Copysign(t, x)
}
