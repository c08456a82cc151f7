package nn

import "math"

// tanhAct32 is the float32 tanh activation of activate, fused: it overwrites
// z with tanh(z) and writes the first and (if s2 is not nil) second
// derivatives, using tanh32.
// With assembly kernels every value goes through the level's kernel (the
// same algorithm with FMAs; the last values of z padded to a whole
// vector), at the generic level through tanh32.
func tanhAct32(z, s1, s2 []float32) {
	s1 = s1[:len(z)]
	if s2 != nil {
		s2 = s2[:len(z)]
	}
	if done := tanhVec(z, s1, s2); done > 0 {
		z, s1 = z[done:], s1[done:]
		if s2 != nil {
			s2 = s2[done:]
		}
	}
	if s2 == nil {
		for i, x := range z {
			t := tanh32(x)
			z[i], s1[i] = t, 1-t*t
		}
		return
	}
	for i, x := range z {
		t := tanh32(x)
		d := 1 - t*t
		z[i], s1[i], s2[i] = t, d, -2*t*d
	}
}

const (
	ln2Hi32 = 0.693145751953125
	ln2Lo32 = 1.428606765330187045e-06
	log2e32 = 1.44269504088896338700
	// round32 added to and subtracted from a float32 of magnitude below
	// 2^22 rounds it to an integer.
	round32 = 0x1.8p23
)

// tanh32 returns tanh(x) in float32 arithmetic with an absolute error below
// 3e-7 (a few float32 units), several times faster than math.Tanh:
// tanh(|x|) = -m / (2 + m) with m = expm1(-2|x|) = 2^k exp(r) - 1, from the
// range reduction -2|x| = k ln2 + r, |r| <= ln2/2, and a degree-6 Taylor
// polynomial for exp(r) (remainder below r^7/7! < 1.3e-7). It uses no
// int-to-float or float32-to-float64 conversions (their false register
// dependencies would serialise the loop) and no data-dependent branches.
func tanh32(x float32) float32 {
	ax := math.Float32frombits(math.Float32bits(x) &^ (1 << 31))
	if ax > 9 {
		ax = 9
	}
	y := -2 * ax
	kr := y*log2e32 + round32
	kf := kr - round32
	r := y - kf*ln2Hi32 - kf*ln2Lo32
	e := 1 + r*(1+r*(1.0/2+r*(1.0/6+r*(1.0/24+r*(1.0/120+r*(1.0/720))))))
	k := int32(math.Float32bits(kr)&0x7fffff) - 0x400000
	m := math.Float32frombits(uint32(k+127)<<23)*e - 1
	t := -m / (2 + m)
	return math.Float32frombits(math.Float32bits(t) | math.Float32bits(x)&(1<<31))
}
