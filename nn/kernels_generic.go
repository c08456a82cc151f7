//go:build !amd64 || purego

package nn

// kernelSet is empty in builds without assembly.
type kernelSet struct {
	mr, nr, lanes int
	masked        bool
	wide, narrow  []sgemmKernel
	dot4, dot1    dotKernel
	peak          func(n int)
	peakFlops     int
	tanh          func(z, s1, s2 *float32, n int)
	relu          func(z, s1, s2 *float32, n int)
	sigmoid       func(z, s1, s2 *float32, n int)
	softplus      func(z, s1, s2 *float32, n int)
	sin           func(z, s1, s2 *float32, n int) int
	adam          func(params, grad, m, v *float32, n int, c *[8]float32)
	mulTo         func(dst, a, b *float32, n int)
	mulAdd        func(dst, x, y *float32, n int)
	secondOrder   func(mk, ek, pi, s1, u, s2 *float32, n int)
	addInto       func(dst, x *float32, n int)
	average       func(avg, p *float32, n int, beta, a float32)
}

var kernelSets [levelAVX512 + 1]*kernelSet

func detectLevel() kernelLevel { return levelGeneric }
