//go:build amd64 && !purego

package nn

//go:generate go run ./internal/asmgen -out kernels_amd64.s

import "golang.org/x/sys/cpu"

// BLAS names the implementation of matrix products this build uses: nn's
// own float32 kernels in generated assembly, chosen at run time (see
// Kernel), with gonum for float64 and on CPUs without AVX2.
const BLAS = "asm"

// The micro-kernels and element-wise kernels of kernels_amd64.s, written
// by internal/asmgen.

//go:noescape
func sgemmAVX512_1x32(k int, a *float32, rs, ks int, b *float32, ldb int, c *float32, ldc, acc, mask, panels int)

//go:noescape
func sgemmAVX512_2x32(k int, a *float32, rs, ks int, b *float32, ldb int, c *float32, ldc, acc, mask, panels int)

//go:noescape
func sgemmAVX512_3x32(k int, a *float32, rs, ks int, b *float32, ldb int, c *float32, ldc, acc, mask, panels int)

//go:noescape
func sgemmAVX512_4x32(k int, a *float32, rs, ks int, b *float32, ldb int, c *float32, ldc, acc, mask, panels int)

//go:noescape
func sgemmAVX512_5x32(k int, a *float32, rs, ks int, b *float32, ldb int, c *float32, ldc, acc, mask, panels int)

//go:noescape
func sgemmAVX512_6x32(k int, a *float32, rs, ks int, b *float32, ldb int, c *float32, ldc, acc, mask, panels int)

//go:noescape
func sgemmAVX512_7x32(k int, a *float32, rs, ks int, b *float32, ldb int, c *float32, ldc, acc, mask, panels int)

//go:noescape
func sgemmAVX512_8x32(k int, a *float32, rs, ks int, b *float32, ldb int, c *float32, ldc, acc, mask, panels int)

//go:noescape
func sgemmAVX512_9x32(k int, a *float32, rs, ks int, b *float32, ldb int, c *float32, ldc, acc, mask, panels int)

//go:noescape
func sgemmAVX512_10x32(k int, a *float32, rs, ks int, b *float32, ldb int, c *float32, ldc, acc, mask, panels int)

//go:noescape
func sgemmAVX512_11x32(k int, a *float32, rs, ks int, b *float32, ldb int, c *float32, ldc, acc, mask, panels int)

//go:noescape
func sgemmAVX512_12x32(k int, a *float32, rs, ks int, b *float32, ldb int, c *float32, ldc, acc, mask, panels int)

//go:noescape
func sgemmAVX512_13x32(k int, a *float32, rs, ks int, b *float32, ldb int, c *float32, ldc, acc, mask, panels int)

//go:noescape
func sgemmAVX512_14x32(k int, a *float32, rs, ks int, b *float32, ldb int, c *float32, ldc, acc, mask, panels int)

//go:noescape
func sgemmAVX512_1x16(k int, a *float32, rs, ks int, b *float32, ldb int, c *float32, ldc, acc, mask, panels int)

//go:noescape
func sgemmAVX512_2x16(k int, a *float32, rs, ks int, b *float32, ldb int, c *float32, ldc, acc, mask, panels int)

//go:noescape
func sgemmAVX512_3x16(k int, a *float32, rs, ks int, b *float32, ldb int, c *float32, ldc, acc, mask, panels int)

//go:noescape
func sgemmAVX512_4x16(k int, a *float32, rs, ks int, b *float32, ldb int, c *float32, ldc, acc, mask, panels int)

//go:noescape
func sgemmAVX512_5x16(k int, a *float32, rs, ks int, b *float32, ldb int, c *float32, ldc, acc, mask, panels int)

//go:noescape
func sgemmAVX512_6x16(k int, a *float32, rs, ks int, b *float32, ldb int, c *float32, ldc, acc, mask, panels int)

//go:noescape
func sgemmAVX512_7x16(k int, a *float32, rs, ks int, b *float32, ldb int, c *float32, ldc, acc, mask, panels int)

//go:noescape
func sgemmAVX512_8x16(k int, a *float32, rs, ks int, b *float32, ldb int, c *float32, ldc, acc, mask, panels int)

//go:noescape
func sgemmAVX512_9x16(k int, a *float32, rs, ks int, b *float32, ldb int, c *float32, ldc, acc, mask, panels int)

//go:noescape
func sgemmAVX512_10x16(k int, a *float32, rs, ks int, b *float32, ldb int, c *float32, ldc, acc, mask, panels int)

//go:noescape
func sgemmAVX512_11x16(k int, a *float32, rs, ks int, b *float32, ldb int, c *float32, ldc, acc, mask, panels int)

//go:noescape
func sgemmAVX512_12x16(k int, a *float32, rs, ks int, b *float32, ldb int, c *float32, ldc, acc, mask, panels int)

//go:noescape
func sgemmAVX512_13x16(k int, a *float32, rs, ks int, b *float32, ldb int, c *float32, ldc, acc, mask, panels int)

//go:noescape
func sgemmAVX512_14x16(k int, a *float32, rs, ks int, b *float32, ldb int, c *float32, ldc, acc, mask, panels int)

//go:noescape
func sgemmAVX2_1x16(k int, a *float32, rs, ks int, b *float32, ldb int, c *float32, ldc, acc, mask, panels int)

//go:noescape
func sgemmAVX2_2x16(k int, a *float32, rs, ks int, b *float32, ldb int, c *float32, ldc, acc, mask, panels int)

//go:noescape
func sgemmAVX2_3x16(k int, a *float32, rs, ks int, b *float32, ldb int, c *float32, ldc, acc, mask, panels int)

//go:noescape
func sgemmAVX2_4x16(k int, a *float32, rs, ks int, b *float32, ldb int, c *float32, ldc, acc, mask, panels int)

//go:noescape
func sgemmAVX2_5x16(k int, a *float32, rs, ks int, b *float32, ldb int, c *float32, ldc, acc, mask, panels int)

//go:noescape
func sgemmAVX2_6x16(k int, a *float32, rs, ks int, b *float32, ldb int, c *float32, ldc, acc, mask, panels int)

//go:noescape
func sgemmAVX2_1x8(k int, a *float32, rs, ks int, b *float32, ldb int, c *float32, ldc, acc, mask, panels int)

//go:noescape
func sgemmAVX2_2x8(k int, a *float32, rs, ks int, b *float32, ldb int, c *float32, ldc, acc, mask, panels int)

//go:noescape
func sgemmAVX2_3x8(k int, a *float32, rs, ks int, b *float32, ldb int, c *float32, ldc, acc, mask, panels int)

//go:noescape
func sgemmAVX2_4x8(k int, a *float32, rs, ks int, b *float32, ldb int, c *float32, ldc, acc, mask, panels int)

//go:noescape
func sgemmAVX2_5x8(k int, a *float32, rs, ks int, b *float32, ldb int, c *float32, ldc, acc, mask, panels int)

//go:noescape
func sgemmAVX2_6x8(k int, a *float32, rs, ks int, b *float32, ldb int, c *float32, ldc, acc, mask, panels int)

//go:noescape
func sgemmAVX2_12x8(k int, a *float32, rs, ks int, b *float32, ldb int, c *float32, ldc, acc, mask, panels int)

//go:noescape
func dotAVX512x4(k int, a *float32, lda int, x, c *float32, ldc, acc int)

//go:noescape
func dotAVX512x1(k int, a *float32, lda int, x, c *float32, ldc, acc int)

//go:noescape
func dotAVX2x4(k int, a *float32, lda int, x, c *float32, ldc, acc int)

//go:noescape
func dotAVX2x1(k int, a *float32, lda int, x, c *float32, ldc, acc int)

func fmaPeakAVX512(n int)

func fmaPeakAVX2(n int)

//go:noescape
func tanhAVX512(z, s1, s2 *float32, n int)

//go:noescape
func tanhAVX2(z, s1, s2 *float32, n int)

//go:noescape
func adamAVX512(params, grad, m, v *float32, n int, c *[8]float32)

//go:noescape
func adamAVX2(params, grad, m, v *float32, n int, c *[8]float32)

//go:noescape
func sigmoidAVX512(z, s1, s2 *float32, n int)

//go:noescape
func sigmoidAVX2(z, s1, s2 *float32, n int)

//go:noescape
func softplusAVX512(z, s1, s2 *float32, n int)

//go:noescape
func softplusAVX2(z, s1, s2 *float32, n int)

//go:noescape
func sinAVX512(z, s1, s2 *float32, n int) int

//go:noescape
func sinAVX2(z, s1, s2 *float32, n int) int

//go:noescape
func reluAVX512(z, s1, s2 *float32, n int)

//go:noescape
func reluAVX2(z, s1, s2 *float32, n int)

//go:noescape
func mulToAVX512(dst, a, b *float32, n int)

//go:noescape
func mulToAVX2(dst, a, b *float32, n int)

//go:noescape
func mulAddAVX512(dst, x, y *float32, n int)

//go:noescape
func mulAddAVX2(dst, x, y *float32, n int)

//go:noescape
func secondOrderAVX512(mk, ek, pi, s1, u, s2 *float32, n int)

//go:noescape
func secondOrderAVX2(mk, ek, pi, s1, u, s2 *float32, n int)

//go:noescape
func colSumAVX512x8(d, a *float32, lda, rows int)

//go:noescape
func colSumAVX512x4(d, a *float32, lda, rows int)

//go:noescape
func colSumAVX512x2(d, a *float32, lda, rows int)

//go:noescape
func colSumAVX512x1(d, a *float32, lda, rows int)

//go:noescape
func colSumExactAVX512x8(d, a *float32, lda, rows int)

//go:noescape
func colSumExactAVX512x4(d, a *float32, lda, rows int)

//go:noescape
func colSumExactAVX512x2(d, a *float32, lda, rows int)

//go:noescape
func colSumExactAVX512x1(d, a *float32, lda, rows int)

//go:noescape
func colSumAVX2x8(d, a *float32, lda, rows int)

//go:noescape
func colSumAVX2x4(d, a *float32, lda, rows int)

//go:noescape
func colSumAVX2x2(d, a *float32, lda, rows int)

//go:noescape
func colSumAVX2x1(d, a *float32, lda, rows int)

//go:noescape
func colSumExactAVX2x8(d, a *float32, lda, rows int)

//go:noescape
func colSumExactAVX2x4(d, a *float32, lda, rows int)

//go:noescape
func colSumExactAVX2x2(d, a *float32, lda, rows int)

//go:noescape
func colSumExactAVX2x1(d, a *float32, lda, rows int)

//go:noescape
func averageAVX512(avg, p *float32, n int, beta, a float32)

//go:noescape
func averageAVX2(avg, p *float32, n int, beta, a float32)

//go:noescape
func packRowsAVX2x1(dst, src *float32, lds, ldd, rows int)

//go:noescape
func packRowsAVX2x2(dst, src *float32, lds, ldd, rows int)

//go:noescape
func packRowsAVX2x4(dst, src *float32, lds, ldd, rows int)

//go:noescape
func transpose8AVX2(dst, src *float32, lds, ldd, blocks int)

var kernelSets = [...]*kernelSet{
	levelAVX2: {
		mr: 6, nr: 16, lanes: 8,
		wide:       []sgemmKernel{sgemmAVX2_1x16, sgemmAVX2_2x16, sgemmAVX2_3x16, sgemmAVX2_4x16, sgemmAVX2_5x16, sgemmAVX2_6x16},
		narrow:     []sgemmKernel{sgemmAVX2_1x8, sgemmAVX2_2x8, sgemmAVX2_3x8, sgemmAVX2_4x8, sgemmAVX2_5x8, sgemmAVX2_6x8},
		narrowPair: sgemmAVX2_12x8,
		peak:       fmaPeakAVX2, peakFlops: 12 * 8 * 2,
		dot4: dotAVX2x4, dot1: dotAVX2x1,
		tanh: tanhAVX2, relu: reluAVX2, sigmoid: sigmoidAVX2, softplus: softplusAVX2, sin: sinAVX2, adam: adamAVX2, mulTo: mulToAVX2, mulAdd: mulAddAVX2,
		secondOrder: secondOrderAVX2, average: averageAVX2,
		colSum: colSumKernels{colSumAVX2x8, colSumAVX2x4, colSumAVX2x2, colSumAVX2x1}, colSumExact: colSumKernels{colSumExactAVX2x8, colSumExactAVX2x4, colSumExactAVX2x2, colSumExactAVX2x1},
		packRows: [5]packKernel{1: packRowsAVX2x1, 2: packRowsAVX2x2}, transpose8: transpose8AVX2,
		stripVecs: 1,
	},
	levelAVX512: {
		mr: 14, nr: 32, lanes: 16, masked: true,
		wide: []sgemmKernel{sgemmAVX512_1x32, sgemmAVX512_2x32, sgemmAVX512_3x32, sgemmAVX512_4x32,
			sgemmAVX512_5x32, sgemmAVX512_6x32, sgemmAVX512_7x32, sgemmAVX512_8x32, sgemmAVX512_9x32,
			sgemmAVX512_10x32, sgemmAVX512_11x32, sgemmAVX512_12x32, sgemmAVX512_13x32, sgemmAVX512_14x32},
		narrow: []sgemmKernel{sgemmAVX512_1x16, sgemmAVX512_2x16, sgemmAVX512_3x16, sgemmAVX512_4x16,
			sgemmAVX512_5x16, sgemmAVX512_6x16, sgemmAVX512_7x16, sgemmAVX512_8x16, sgemmAVX512_9x16,
			sgemmAVX512_10x16, sgemmAVX512_11x16, sgemmAVX512_12x16, sgemmAVX512_13x16, sgemmAVX512_14x16},
		peak: fmaPeakAVX512, peakFlops: 28 * 16 * 2,
		dot4: dotAVX512x4, dot1: dotAVX512x1,
		tanh: tanhAVX512, relu: reluAVX512, sigmoid: sigmoidAVX512, softplus: softplusAVX512, sin: sinAVX512, adam: adamAVX512, mulTo: mulToAVX512, mulAdd: mulAddAVX512,
		secondOrder: secondOrderAVX512, average: averageAVX512,
		colSum: colSumKernels{colSumAVX512x8, colSumAVX512x4, colSumAVX512x2, colSumAVX512x1}, colSumExact: colSumKernels{colSumExactAVX512x8, colSumExactAVX512x4, colSumExactAVX512x2, colSumExactAVX512x1},
		packRows: [5]packKernel{2: packRowsAVX2x2, 4: packRowsAVX2x4}, transpose8: transpose8AVX2,
		stripVecs: 2,
	},
}

// cpuLevel returns the best kernel level the CPU and OS support
// (golang.org/x/sys/cpu checks that the OS saves the vector registers).
func cpuLevel() kernelLevel {
	switch {
	case cpu.X86.HasAVX512F:
		return levelAVX512
	case cpu.X86.HasAVX2 && cpu.X86.HasFMA:
		return levelAVX2
	}
	return levelGeneric
}
