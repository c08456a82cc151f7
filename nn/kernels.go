package nn

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// kernelLevel is a set of float32 kernels: the generic Go path (gonum's
// BLAS and nn's scalar loops) or one of the assembly sets of
// kernels_amd64.s.
type kernelLevel int

const (
	levelGeneric kernelLevel = iota
	levelAVX2
	levelAVX512
)

var levelNames = [...]string{levelGeneric: "generic", levelAVX2: "avx2", levelAVX512: "avx512"}

// level is the kernel level in use, chosen once at start-up; tests change
// it through setKernelLevel. levelErr is the error of an unknown KernelEnv
// value, which leaves the CPU's best level (CheckKernelEnv).
var level, levelErr = detectLevel()

// Kernel returns the name of the float32 kernels this process uses:
// "avx512" (AVX-512F), "avx2" (AVX2 and FMA) or "generic" (gonum's BLAS and
// Go loops: other CPUs, other architectures, the purego build). The
// environment variable HNN_KERNEL (KernelEnv) set to generic, avx2 or
// avx512 lowers the level chosen at start-up, never above what the CPU
// supports. float64 products always go through gonum.
func Kernel() string { return levelNames[level] }

// KernelEnv is the environment variable that lowers the kernel level of
// a process: generic, avx2 or avx512 (the CPU's best when unset or empty).
const KernelEnv = "HNN_KERNEL"

// CheckKernelEnv returns an error naming the valid levels if KernelEnv
// was set, when the process started, to a value that names no kernel
// level, and nil otherwise. nn then uses the CPU's best level; a command
// calls CheckKernelEnv before anything else and stops on the error, so
// that a misspelt level is not silently ignored.
func CheckKernelEnv() error { return levelErr }

// detectLevel returns the level a process starts at: the CPU's best
// (cpuLevel), lowered to the level KernelEnv names.
func detectLevel() (kernelLevel, error) { return lowerLevel(cpuLevel(), os.Getenv(KernelEnv)) }

// lowerLevel returns best lowered to the level called name (best itself
// if name is empty or names a higher level), or best and an error naming
// the valid levels if name names none.
func lowerLevel(best kernelLevel, name string) (kernelLevel, error) {
	if name == "" {
		return best, nil
	}
	for l, n := range levelNames {
		if n == name {
			return min(best, kernelLevel(l)), nil
		}
	}
	return best, fmt.Errorf("%s=%q is not a kernel level (valid: %s)", KernelEnv, name, strings.Join(levelNames[:], ", "))
}

// setKernelLevel switches the kernels (for tests and benchmarks) and returns
// a function that restores the previous level. It panics if the CPU lacks
// the level.
func setKernelLevel(l kernelLevel) (restore func()) {
	if top, _ := detectLevel(); l > top && l != levelGeneric {
		panic("nn: kernel level " + levelNames[l] + " not supported here")
	}
	old := level
	level = l
	return func() { level = old }
}

// supportedLevels returns every kernel level the CPU supports, lowest first.
func supportedLevels() []kernelLevel {
	var ls []kernelLevel
	top, _ := detectLevel()
	for l := levelGeneric; l <= top; l++ {
		ls = append(ls, l)
	}
	return ls
}

// sgemmKernel is the signature of the micro-kernels of kernels_amd64.s. A
// kernel for an r x w tile computes T[i][j] = sum_p a[i*rs+p*ks]
// b[p*ldb+j] for i < r, j < w and p < k (k >= 1; b is a packed panel with
// ldb = w, or B read in place) and stores C[i*ldc+j] = T[i][j], or adds T
// to C when acc != 0; with panels > 1 it goes on to the next panels of B
// (packed, ldb = w: k*w values on each; in place: w columns on), into the
// next w columns of C.
// Kernels of a masked set read and write the last vector of each row of C
// under the lane mask mask; the others ignore it.
type sgemmKernel func(k int, a *float32, rs, ks int, b *float32, ldb int, c *float32, ldc, acc, mask, panels int)

// dotKernel is the signature of the dot-product kernels of
// kernels_amd64.s: for each of its rows i it computes d_i = sum_p
// a[i*lda+p] x[p] over p < k (masked sets) or over the largest multiple of
// the vector width not above k (the others), and stores c[i*ldc] = d_i, or
// adds d_i to it when acc != 0.
type dotKernel func(k int, a *float32, lda int, x, c *float32, ldc, acc int)

// kernelSet is one instruction set's kernels: micro-kernels for tiles of
// 1..mr rows by nr (wide) or nr/2 (narrow) columns, indexed by rows-1,
// and the element-wise kernels. kernelSets holds one per level, nil at the
// generic level and in builds without assembly.
type kernelSet struct {
	mr, nr int
	lanes  int
	// masked reports whether the kernels store the last vector of a row
	// under a lane mask (AVX-512), so that partial panels need no tile.
	masked       bool
	wide, narrow []sgemmKernel
	// narrowPair, where there is one, computes two full strips' rows (2 mr)
	// by a half panel: a narrow kernel of mr rows has too few
	// accumulators for the FMA latency.
	narrowPair sgemmKernel
	// dot4 and dot1 are the dot-product kernels of products with few
	// columns (sgemmDot) for four rows and one.
	dot4, dot1 dotKernel
	peak       func(n int)
	// peakFlops is the number of float32 flops of one peak iteration.
	peakFlops int
	tanh      func(z, s1, s2 *float32, n int)
	relu      func(z, s1, s2 *float32, n int)
	sigmoid   func(z, s1, s2 *float32, n int)
	softplus  func(z, s1, s2 *float32, n int)
	sin       func(z, s1, s2 *float32, n int) int
	adam      func(params, grad, m, v *float32, n int, c *[8]float32)
	mulTo     func(dst, a, b *float32, n int)
	mulAdd    func(dst, x, y *float32, n int)
	// secondOrder is the kernel of secondOrderVec.
	secondOrder func(mk, ek, pi, s1, u, s2 *float32, n int)
	// colSum adds rows of a matrix, in order, into vectors of column sums
	// (colSumVec), with subnormals flushed as in every kernel; colSumExact
	// does the same with Go's IEEE additions, subnormals kept.
	colSum, colSumExact colSumKernels
	// average is the kernel of averageVec.
	average func(avg, p *float32, n int, beta, a float32)
	// packRows[v] copies rows of v x 8 values into rows ldd apart (a
	// panel of that width with ldd = 8v), and transpose8 writes 8 x 8
	// blocks transposed: the packing of B (packPanels). packRows[stripVecs]
	// with ldd = mr packs a transposed A's strip of mr rows of C, depth
	// after depth (rows), the vectors of each depth overwritten past mr by
	// the next.
	packRows   [5]packKernel
	transpose8 func(dst, src *float32, lds, ldd, blocks int)
	stripVecs  int
}

// packKernel is the signature of the row-packing kernels: for i < rows,
// in order, src[i*lds : i*lds+w] is copied to dst[i*ldd : i*ldd+w], w the
// kernel's width.
type packKernel func(dst, src *float32, lds, ldd, rows int)

// dotCols is the widest product that sgemm computes as dot products of the
// rows of A with the columns of op(B) when op(A) = A: narrower than a half
// panel, a tile would mostly multiply zeros.
const dotCols = 4

// kc is the depth of a block of the product (K-blocking): a packed panel
// of B holds kc x nr values, 32 KiB for AVX-512, so that it stays in the
// level-1 cache beside the A strip while a tile is computed.
const kc = 256

// gemmBuf holds the packed block of B and a tile for the edges; a product
// takes one from gemmBufs (getBuf) and returns it (putBuf), so products
// allocate nothing once warm, up to len(gemmBufs) at once.
type gemmBuf struct {
	b, tile []float32
	// strip holds a transposed A's strip packed by rows.
	strip []float32
	// tail holds the last values of an activation padded to a whole
	// vector (actVec).
	tail [3 * 16]float32
}

// gemmBufs is the free list of the products' buffers.
var gemmBufs freeList[gemmBuf]

// getBuf takes a buffer from gemmBufs, or makes one if all are in use.
func getBuf() *gemmBuf {
	if b := gemmBufs.get(); b != nil {
		return b
	}
	return new(gemmBuf)
}

// putBuf returns a buffer to gemmBufs.
func putBuf(b *gemmBuf) { gemmBufs.put(b) }

// sgemm computes C = alpha op(A) op(B) + beta C with the level's
// micro-kernels, for row-major matrices, op(A) m x k and op(B) k x n, like
// BLAS sgemm. It returns false, computing nothing, at the generic level. It
// panics if a dimension is negative, a leading dimension is below its row
// width or a slice is too short.
//
// A is read in place (no copy), with strides that cover both op(A) = A and
// op(A) = A^T, except that a transposed A's strips of mr rows of C are
// packed depth after depth (rows, packRows) when B has more than one panel
// to read them again; B is packed block by block (kc rows of op(B)), as
// many blocks at a time as fit in packFloats, into panels of nr columns,
// by contiguous copies when op(B) = B, except that a product of at most
// inPlaceRows rows reads the full panels of an untransposed B in place:
// packing would cost more than it saves. Products of at most dotCols
// columns, and those of at most dotCols rows by a transposed B, run as dot
// products (sgemmDot) without packing. Tiles of mr rows x nr columns go
// straight to C, one kernel call per strip for its full panels; the last
// rows of C use kernels with fewer rows, and the last columns a half-width
// kernel (two strips at once where there is narrowPair), with its last
// vector stored under a lane mask (AVX-512) or, without masks (AVX2),
// through a tile buffer that is then merged into C. A large product is cut
// into chunks of whole row tiles, or of whole panels when it has few rows
// (and its packing into chunks of whole panels), that run on several
// goroutines (parallel.go); each tile is computed as it would be on
// one, so the result does not depend on GOMAXPROCS.
func sgemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) bool {
	return sgemmPre(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, nil)
}

// sgemmPre is sgemm that reads op(B)'s panels from pre, where pre is not
// nil and the product goes through panels: pre must hold op(B) (with
// alpha 1) as packB packs it, and the values are those of packing B for
// this product.
func sgemmPre(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, pre []float32) bool {
	if level == levelGeneric {
		return false
	}
	ks := kernelSets[level]
	if m < 0 || n < 0 || k < 0 {
		panic("nn: negative matrix dimension")
	}
	ar, ac := m, k
	if tA {
		ar, ac = k, m
	}
	br, bc := k, n
	if tB {
		br, bc = n, k
	}
	checkMatrix("A", a, ar, ac, lda)
	checkMatrix("B", b, br, bc, ldb)
	checkMatrix("C", c, m, n, ldc)
	if m == 0 || n == 0 {
		return true
	}
	if k == 0 || alpha == 0 || (beta != 0 && beta != 1) {
		for i := 0; i < m; i++ {
			row := c[i*ldc : i*ldc+n]
			if beta == 0 {
				clear(row)
				continue
			}
			for j := range row {
				row[j] *= beta
			}
		}
		if k == 0 || alpha == 0 {
			return true
		}
		if beta != 0 {
			beta = 1
		}
	}
	if !tA && n <= dotCols {
		sgemmDot(ks, tB, m, n, k, alpha, a, lda, b, ldb, beta != 0, c, ldc, 1)
		return true
	}
	if !tA && tB && m <= dotCols {
		// A few rows times B^T, as in evaluating a network's input
		// gradient at one state: C^T = B A^T is n dot products of B's rows
		// with each of A's rows, and packing B would cost more than the
		// product (a transposed panel is packed by 8 x 8 transposes:
		// about as many moves as the product has multiplications).
		sgemmDot(ks, true, n, m, k, alpha, b, ldb, a, lda, beta != 0, c, 1, ldc)
		return true
	}
	rs, kstep := lda, 1
	if tA {
		rs, kstep = 1, lda
	}
	mr, nr := ks.mr, ks.nr
	npad := (n + nr - 1) / nr * nr
	tiles := (m + mr - 1) / mr
	// A product too small to cut (over its whole depth) packs one block at
	// a time, each just before its tiles, as a product on one goroutine
	// always did. A larger one packs as many blocks as fit in packFloats (at least one), and
	// the row tiles of each group's product are cut into chunks that may
	// run on several goroutines (see parallel.go), or its panels where it
	// has fewer than colsBelow row tiles and more panels (a first layer's
	// weight gradient, a few rows of C by 200 columns); each tile is
	// computed as on one goroutine.
	units, byCols := tiles, false
	if panels := npad / nr; tiles < colsBelow && panels > tiles {
		units, byCols = panels, true
	}
	group := kc
	if chunks(2*float64(m)*float64(n)*float64(k), parMinFlops, units) > 1 {
		group = max(kc, packFloats/npad/kc*kc)
	}
	if pre != nil && (alpha != 1 || len(pre) < k*npad) {
		panic("nn: prepacked B of another product")
	}
	buf := getBuf()
	if need := min(group, k) * npad; pre == nil && len(buf.b) < need {
		buf.b = make([]float32, need)
	}
	if len(buf.tile) < mr*nr {
		buf.tile = make([]float32, mr*nr)
	}
	g := gemmArgs{
		ks: ks, m: m, n: n, a: a, rs: rs, kstep: kstep, tA: tA, b: buf.b, npad: npad,
		inPlace: pre == nil && !tB && alpha == 1 && m <= inPlaceRows, bIn: b, ldb: ldb, c: c, ldc: ldc,
		byCols: byCols,
	}
	for q0 := 0; q0 < k; q0 += group {
		g.p0, g.p1 = q0, min(k, q0+group)
		if pre != nil {
			g.b = pre[q0*npad:]
		} else {
			packGroup(&g, tB, alpha)
		}
		g.acc = q0 > 0 || beta != 0
		nc := chunks(2*float64(m)*float64(n)*float64(g.p1-g.p0), parMinFlops, units)
		if nc == 1 {
			g.rows(0, m, 0, n, buf)
			continue
		}
		j := getJob()
		j.n, j.g, j.run = nc, g, runGemm
		parallel(j)
	}
	putBuf(buf)
	return true
}

// packB packs op(B) (k x n, B read with leading dimension ldb) whole, as
// sgemm packs it block by block for a product with alpha 1, into dst
// (grown if short) and returns it: sgemmPre's pre for every product with
// this op(B). It returns nil at the generic level.
func packB(dst []float32, tB bool, k, n int, b []float32, ldb int) []float32 {
	ks := kernelSets[level]
	if ks == nil {
		return nil
	}
	nr := ks.nr
	npad := (n + nr - 1) / nr * nr
	if len(dst) < k*npad {
		dst = make([]float32, k*npad)
	}
	for p0 := 0; p0 < k; p0 += kc {
		packPanels(ks, dst[p0*npad:], tB, b, ldb, p0, min(kc, k-p0), n, nr, 1, false, 0, n)
	}
	return dst
}

// packFloats bounds the packed blocks of B that a product holds at once
// (2 MiB): as many blocks of kc rows as fit are packed before their
// product, whose row tiles are then cut into chunks together.
const packFloats = 1 << 19

// gemmArgs are the arguments of rows: the product of sgemm over the rows
// p0..p1-1 of op(B), packed into b.
type gemmArgs struct {
	ks        *kernelSet
	m, n      int
	a         []float32
	rs, kstep int
	tA        bool      // A is transposed: rs = 1, kstep = lda
	b         []float32 // the packed blocks, block p at (p-p0)*npad
	npad      int
	inPlace   bool
	bIn       []float32 // B itself, read in place with inPlace
	ldb       int
	c         []float32
	ldc       int
	p0, p1    int
	acc       bool // add to C (else the first block stores)
	tB        bool // packGroup's: B is transposed
	alpha     float32
	byCols    bool // chunks are ranges of panels, not of row tiles
}

// colsBelow is the number of row tiles below which a product with more
// panels than row tiles is cut by panels.
const colsBelow = 4

// packGroup packs the blocks p0..p1-1 of op(B) times alpha into g.b, the
// panels of all its blocks cut into chunks when the group is large.
func packGroup(g *gemmArgs, tB bool, alpha float32) {
	g.tB, g.alpha = tB, alpha
	nr := g.ks.nr
	blocks := (g.p1 - g.p0 + kc - 1) / kc
	panels := (g.n + nr - 1) / nr
	nc := chunks(float64(g.p1-g.p0)*float64(g.n), parMinVec, blocks*panels)
	if nc == 1 {
		g.pack(0, blocks*panels)
		return
	}
	j := getJob()
	j.n, j.g, j.run = nc, *g, runPack
	parallel(j)
}

func runPack(j *job, c int) {
	g := &j.g
	nr := g.ks.nr
	units := (g.p1 - g.p0 + kc - 1) / kc * ((g.n + nr - 1) / nr)
	g.pack(split(units, j.n, c), split(units, j.n, c+1))
}

// pack packs the panels u1..u2-1 of the group, numbered block by block.
func (g *gemmArgs) pack(u1, u2 int) {
	nr := g.ks.nr
	panels := (g.n + nr - 1) / nr
	for u := u1; u < u2; {
		blk, pan := u/panels, u%panels
		last := min(panels, pan+u2-u)
		p0 := g.p0 + blk*kc
		kb := min(kc, g.p1-p0)
		packPanels(g.ks, g.b[blk*kc*g.npad:], g.tB, g.bIn, g.ldb, p0, kb, g.n, nr, g.alpha, g.inPlace, pan*nr, min(g.n, last*nr))
		u += last - pan
	}
}

// runGemm computes the row tiles (or, with byCols, the panels) of chunk c
// of j's product.
func runGemm(j *job, c int) {
	g := &j.g
	mr, nr := g.ks.mr, g.ks.nr
	buf := getBuf()
	if len(buf.tile) < mr*nr {
		buf.tile = make([]float32, mr*nr)
	}
	if g.byCols {
		panels := (g.n + nr - 1) / nr
		g.rows(0, g.m, split(panels, j.n, c)*nr, min(g.n, split(panels, j.n, c+1)*nr), buf)
	} else {
		tiles := (g.m + mr - 1) / mr
		g.rows(split(tiles, j.n, c)*mr, min(g.m, split(tiles, j.n, c+1)*mr), 0, g.n, buf)
	}
	putBuf(buf)
}

// rows computes the rows i0..i1-1 (i0 a multiple of mr) and columns
// c0..c1-1 (c0 a multiple of nr, c1 too or n) of C's product over the
// blocks p0..p1-1 of op(B), with buf's tile as the buffer of the last
// columns of kernels without masks. A transposed A's full strips are
// packed into buf's strip first (packRows): read in place, a strip's kb
// depths lie lda apart, each on a cache line (and, for lda of 1024 and
// more, a page) of its own, and every panel of B reads them all again.
func (g *gemmArgs) rows(i0, i1, c0, c1 int, buf *gemmBuf) {
	ks := g.ks
	mr, nr := ks.mr, ks.nr
	a, c, ldc := g.a, g.c, g.ldc
	tile := buf.tile
	// With one panel of B a strip is read once, in place or by the copy.
	packA := g.tA && ks.packRows[ks.stripVecs] != nil && c1-c0 > nr
	sw := ks.stripVecs * 8 // values each depth's copy reads and writes
	if packA && len(buf.strip) < kc*mr+sw {
		buf.strip = make([]float32, kc*mr+sw)
	}
	for p0 := g.p0; p0 < g.p1; p0 += kc {
		kb := min(kc, g.p1-p0)
		pb := g.b[(p0-g.p0)*g.npad:]
		acc := 0
		if p0 > g.p0 || g.acc {
			acc = 1
		}
		for i0 := i0; i0 < i1; i0 += mr {
			r := min(mr, i1-i0)
			rs, kstep := g.rs, g.kstep
			ap := &a[i0*rs+p0*kstep]
			// The copy of the last depth reads sw values of its row.
			if packA && r == mr && (p0+kb-1)*kstep+i0+sw <= len(a) {
				ks.packRows[ks.stripVecs](&buf.strip[0], ap, kstep, mr, kb)
				ap, rs, kstep = &buf.strip[0], 1, mr
			}
			// Two full strips read in place whose last panel is a full
			// half panel take it in one call (narrowPair).
			full, half := (c1-c0)/nr, (c1-c0)%nr
			pair := ks.narrowPair != nil && !packA && r == mr && i0+2*mr <= i1 && half == nr/2
			j0 := c0
			if full > 0 {
				// The full panels in one call: the kernel walks the
				// packed panels, which follow each other, or B's columns.
				bp, bs := g.panel(pb, p0, kb, c0, nr, true)
				ks.wide[r-1](kb, ap, rs, kstep, bp, bs, &c[i0*ldc+c0], ldc, acc, 0xffff, full)
				if pair {
					ks.wide[mr-1](kb, &a[(i0+mr)*rs+p0*kstep], rs, kstep, bp, bs, &c[(i0+mr)*ldc+c0], ldc, acc, 0xffff, full)
				}
				j0 = c0 + full*nr
			}
			if pair {
				bp, bs := g.panel(pb, p0, kb, j0, half, true)
				ks.narrowPair(kb, ap, rs, kstep, bp, bs, &c[i0*ldc+j0], ldc, acc, 0xffff, 1)
				i0 += mr
				continue
			}
			for ; j0 < c1; j0 += nr {
				w := min(nr, c1-j0)
				pw, kern := nr, ks.wide[r-1]
				if w <= nr/2 {
					pw, kern = nr/2, ks.narrow[r-1]
				}
				bp, bs := g.panel(pb, p0, kb, j0, pw, w == pw)
				if w == pw {
					kern(kb, ap, rs, kstep, bp, bs, &c[i0*ldc+j0], ldc, acc, 0xffff, 1)
					continue
				}
				if ks.masked {
					// The last vector holds columns pw-lanes..pw-1 of the panel.
					mask := 1<<(w-(pw-ks.lanes)) - 1
					kern(kb, ap, rs, kstep, bp, bs, &c[i0*ldc+j0], ldc, acc, mask, 1)
					continue
				}
				kern(kb, ap, rs, kstep, bp, bs, &tile[0], pw, 0, 0, 1)
				for i := 0; i < r; i++ {
					t := tile[i*pw : i*pw+w]
					row := c[(i0+i)*ldc+j0 : (i0+i)*ldc+j0+w]
					if acc == 0 {
						copy(row, t)
						continue
					}
					for j, v := range t {
						row[j] += v
					}
				}
			}
		}
	}
}

// panel returns the address and row stride of the panel of op(B) at
// column j0, pw wide, of the depth block p0..p0+kb-1 whose packed panels
// are pb: B itself for a whole panel of a B read in place, else the
// packed panel.
func (g *gemmArgs) panel(pb []float32, p0, kb, j0, pw int, whole bool) (*float32, int) {
	if g.inPlace && whole {
		return &g.bIn[p0*g.ldb+j0], g.ldb
	}
	return &pb[j0*kb], pw
}

// sgemmDot computes C = alpha A op(B) (+ C when acc) for few columns n as
// dot products: each column of op(B), times alpha, is copied into a
// contiguous vector, the kernels take the rows of A four at a time (with
// AVX2 over the longest multiple of the vector width, Go adding the last
// products). Element (i, j) of C is c[i*rsc+j*csc]: rsc = ldc and csc = 1
// for a row-major C, rsc = 1 and csc = ldc to write the product's
// transpose. A large product's rows are cut into chunks of whole groups of
// four, each element computed as on one goroutine.
func sgemmDot(ks *kernelSet, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, acc bool, c []float32, rsc, csc int) {
	buf := getBuf()
	if len(buf.b) < n*k {
		buf.b = make([]float32, n*k)
	}
	x := buf.b[:n*k]
	for j := 0; j < n; j++ {
		xj := x[j*k : (j+1)*k]
		if tB {
			copy(xj, b[j*ldb:j*ldb+k])
		} else {
			for p := range xj {
				xj[p] = b[p*ldb+j]
			}
		}
		if alpha != 1 {
			for p := range xj {
				xj[p] *= alpha
			}
		}
	}
	d := dotArgs{ks: ks, m: m, n: n, k: k, kv: k / ks.lanes * ks.lanes, a: a, lda: lda, x: x, c: c, rsc: rsc, csc: csc}
	if ks.masked {
		d.kv = k
	}
	if acc {
		d.acc = 1
	}
	units := (m + 3) / 4
	if nc := chunks(2*float64(m)*float64(n)*float64(k), parMinFlops, units); nc > 1 {
		j := getJob()
		j.n, j.d, j.run = nc, d, runDot
		parallel(j)
	} else {
		d.rows(0, m)
	}
	putBuf(buf)
}

// dotArgs are the arguments of sgemmDot's dot products: x holds the n
// columns of op(B) times alpha, k values each.
type dotArgs struct {
	ks          *kernelSet
	m, n, k, kv int
	a           []float32
	lda         int
	x           []float32
	acc         int
	c           []float32
	rsc, csc    int
}

// runDot computes the rows of chunk c of j's dot products, whole groups
// of four rows but for the last.
func runDot(j *job, c int) {
	d := &j.d
	units := (d.m + 3) / 4
	d.rows(split(units, j.n, c)*4, min(d.m, split(units, j.n, c+1)*4))
}

// rows computes the rows lo..hi-1 (lo a multiple of 4) of every column:
// four rows a kernel call, the last m mod 4 one each, and over the last k -
// kv values a Go loop.
func (d *dotArgs) rows(lo, hi int) {
	ks, a, lda, c, rsc, csc, k, kv := d.ks, d.a, d.lda, d.c, d.rsc, d.csc, d.k, d.kv
	for j := 0; j < d.n; j++ {
		x := d.x[j*k : (j+1)*k]
		i := lo
		for ; i+4 <= hi; i += 4 {
			ks.dot4(kv, &a[i*lda], lda, &x[0], &c[i*rsc+j*csc], rsc, d.acc)
		}
		for ; i < hi; i++ {
			ks.dot1(kv, &a[i*lda], lda, &x[0], &c[i*rsc+j*csc], rsc, d.acc)
		}
		if kv == k {
			continue
		}
		xt := x[kv:]
		for i := lo; i < hi; i++ {
			row := a[i*lda+kv : i*lda+k]
			row = row[:len(xt)]
			var s float32
			for p, v := range row {
				s += v * xt[p]
			}
			c[i*rsc+j*csc] += s
		}
	}
}

// checkMatrix panics unless x holds an r x c row-major matrix with leading
// dimension ld.
func checkMatrix(name string, x []float32, r, c, ld int) {
	if ld < max(1, c) {
		panic(fmt.Sprintf("nn: leading dimension %d of %s below its width %d", ld, name, c))
	}
	if r > 0 && c > 0 && len(x) < (r-1)*ld+c {
		panic(fmt.Sprintf("nn: %s has %d values, too few for %d x %d with leading dimension %d", name, len(x), r, c, ld))
	}
}

// inPlaceRows is the largest m for which sgemm reads an untransposed B in
// place instead of packing it.
const inPlaceRows = 32

// packPanels copies rows p0..p0+kb of op(B) (k x n), times alpha, into dst as
// panels of nr columns, kb rows each, the rows of a panel one after the
// other; the last panel is nr/2 wide when the remaining columns fit, and
// its columns beyond n are zero. With fullInPlace it packs only the last
// panel if that is partial: the kernels read the full ones from B.
// It packs the panels that start at columns j1..j2-1, with ks's packing
// kernels where it has them (full panels of an untransposed B, and blocks
// of 8 x 8 of a transposed one), otherwise in Go: the same values either
// way.
func packPanels(ks *kernelSet, dst []float32, tB bool, b []float32, ldb, p0, kb, n, nr int, alpha float32, fullInPlace bool, j1, j2 int) {
	for j0 := j1; j0 < j2; j0 += nr {
		w := min(nr, n-j0)
		pw := nr
		if w <= nr/2 {
			pw = nr / 2
		}
		if fullInPlace && w == pw {
			continue
		}
		panel := dst[j0*kb : j0*kb+kb*pw]
		if !tB {
			if v := pw / 8; w == pw && v < len(ks.packRows) && ks.packRows[v] != nil && kb > 0 {
				src := b[p0*ldb+j0 : (p0+kb-1)*ldb+j0+pw]
				ks.packRows[v](&panel[0], &src[0], ldb, pw, kb)
			} else {
				for p := 0; p < kb; p++ {
					d := panel[p*pw : p*pw+pw]
					copy(d, b[(p0+p)*ldb+j0:(p0+p)*ldb+j0+w])
					clear(d[w:])
				}
			}
		} else {
			if w < pw {
				for p := 0; p < kb; p++ {
					clear(panel[p*pw+w : p*pw+pw])
				}
			}
			// Column j of the panel is row j0+j of B: eight, then four
			// rows at a time, so that each write fills consecutive values.
			j := 0
			for ; j+8 <= w; j += 8 {
				r0 := b[(j0+j)*ldb+p0 : (j0+j)*ldb+p0+kb]
				r1 := b[(j0+j+1)*ldb+p0:][:len(r0)]
				r2 := b[(j0+j+2)*ldb+p0:][:len(r0)]
				r3 := b[(j0+j+3)*ldb+p0:][:len(r0)]
				r4 := b[(j0+j+4)*ldb+p0:][:len(r0)]
				r5 := b[(j0+j+5)*ldb+p0:][:len(r0)]
				r6 := b[(j0+j+6)*ldb+p0:][:len(r0)]
				r7 := b[(j0+j+7)*ldb+p0:][:len(r0)]
				p := 0
				if blocks := kb / 8; ks.transpose8 != nil && blocks > 0 {
					// The slices above bound what the kernel reads, and
					// panel's length what it writes.
					_ = panel[(8*blocks-1)*pw+j+7]
					ks.transpose8(&panel[j], &r0[0], ldb, pw, blocks)
					p = 8 * blocks
				}
				for ; p < kb; p++ {
					d := panel[p*pw+j:][:8]
					d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7] = r0[p], r1[p], r2[p], r3[p], r4[p], r5[p], r6[p], r7[p]
				}
			}
			for ; j+4 <= w; j += 4 {
				r0 := b[(j0+j)*ldb+p0 : (j0+j)*ldb+p0+kb]
				r1 := b[(j0+j+1)*ldb+p0:][:len(r0)]
				r2 := b[(j0+j+2)*ldb+p0:][:len(r0)]
				r3 := b[(j0+j+3)*ldb+p0:][:len(r0)]
				for p, v := range r0 {
					d := panel[p*pw+j:][:4]
					d[0], d[1], d[2], d[3] = v, r1[p], r2[p], r3[p]
				}
			}
			for ; j < w; j++ {
				src := b[(j0+j)*ldb+p0 : (j0+j)*ldb+p0+kb]
				for p, v := range src {
					panel[p*pw+j] = v
				}
			}
		}
		if alpha != 1 {
			for i := range panel {
				panel[i] *= alpha
			}
		}
	}
}

// tanhVec applies the tanh activation of tanhAct32 to z with the level's
// kernel, and returns len(z) (0 at the generic level).
func tanhVec(z, s1, s2 []float32) int {
	ks := kernelSets[level]
	if ks == nil {
		return 0
	}
	return actAll(ks.tanh, ks.lanes, z, s1, s2)
}

// reluVec applies the ReLU activation of activate, with the same values,
// to z, and returns len(z) (0 at the generic level).
func reluVec(z, s1, s2 []float32) int {
	ks := kernelSets[level]
	if ks == nil {
		return 0
	}
	return actAll(ks.relu, ks.lanes, z, s1, s2)
}

// logisticVec applies the float32 sigmoid (or, with softplus, the
// softplus) activation with its derivatives, within a few float32 units of
// the float64 definitions, to z, and returns len(z) (0 at the generic
// level).
func logisticVec(softplus bool, z, s1, s2 []float32) int {
	ks := kernelSets[level]
	if ks == nil {
		return 0
	}
	kern := ks.sigmoid
	if softplus {
		kern = ks.softplus
	}
	return actAll(kern, ks.lanes, z, s1, s2)
}

// sigmoidVec and softplusVec are logisticVec for activate32.
func sigmoidVec(z, s1, s2 []float32) int  { return logisticVec(false, z, s1, s2) }
func softplusVec(z, s1, s2 []float32) int { return logisticVec(true, z, s1, s2) }

// sinVec applies the float32 sin activation (z = sin x, s1 = cos x, s2 =
// -sin x) with the level's kernel, within a few float32 units, from the
// start of z up to the first vector with an |x| of 1024 or more, and
// returns how many values it did (len(z) if there is none; 0 at the
// generic level).
func sinVec(z, s1, s2 []float32) int {
	ks := kernelSets[level]
	if ks == nil {
		return 0
	}
	return actVec(ks.sin, ks.lanes, z, s1, s2)
}

// actAll is actVec for a kernel that does every value it is given: the
// whole vectors go through parallelAct, cut into chunks when z is large
// (each value gets the same bits either way), and the last len(z) mod
// lanes values through actVec's padded buffer. It returns len(z).
func actAll(kern func(z, s1, s2 *float32, n int), lanes int, z, s1, s2 []float32) int {
	n := len(z) / lanes * lanes
	parallelVec(opAct, nil, kern, lanes, n, [6][]float32{z, s1, s2})
	if n == len(z) {
		return n
	}
	var t2 []float32
	if s2 != nil {
		t2 = s2[n:]
	}
	actVec(func(z, s1, s2 *float32, n int) int { kern(z, s1, s2, n); return n }, lanes, z[n:], s1[n:], t2)
	return len(z)
}

// actVec runs an activation kernel on z, the last len(z) mod lanes values
// through a buffer padded with zeros to one vector, so that every value of
// an activation goes through the same kernel whatever its position: a row
// of a batch then gets the same bits as the same row alone (a rollout of
// one state and of many agree). It returns how many values the kernel did
// from the start of z: len(z) unless the kernel stopped early (sin beyond
// its range).
func actVec(kern func(z, s1, s2 *float32, n int) int, lanes int, z, s1, s2 []float32) int {
	n := len(z) / lanes * lanes
	if n > 0 {
		var p2 *float32
		if s2 != nil {
			p2 = &s2[:n][0]
		}
		if done := kern(&z[0], &s1[:n][0], p2, n); done < n {
			return done
		}
	}
	r := len(z) - n
	if r == 0 {
		return n
	}
	buf := getBuf()
	defer putBuf(buf)
	t := buf.tail[:3*lanes]
	clear(t)
	bz, b1, b2 := t[:lanes], t[lanes:2*lanes], t[2*lanes:]
	copy(bz, z[n:])
	var p2 *float32
	if s2 != nil {
		p2 = &b2[0]
	}
	if kern(&bz[0], &b1[0], p2, lanes) < lanes {
		return n
	}
	copy(z[n:], bz)
	copy(s1[n:len(z)], b1)
	if s2 != nil {
		copy(s2[n:len(z)], b2)
	}
	return len(z)
}

// mulToVec sets dst[i] = a[i]*b[i] (dst may be a) for the longest prefix
// of dst whose length is a multiple of twice the vector width, and returns
// that length (0 at the generic level). It panics if a or b is shorter than
// dst.
func mulToVec(dst, a, b []float32) int {
	ks := kernelSets[level]
	if ks == nil {
		return 0
	}
	n := len(dst) / (2 * ks.lanes) * (2 * ks.lanes)
	if n == 0 {
		return 0
	}
	parallelVec(opMulTo, ks, nil, 2*ks.lanes, n, [6][]float32{dst, a, b})
	return n
}

// mulAddVec sets dst[i] += x[i]*y[i] (one rounding) for the longest prefix
// of dst whose length is a multiple of twice the vector width, and returns
// that length (0 at the generic level). It panics if x or y is shorter than
// dst.
func mulAddVec(dst, x, y []float32) int {
	ks := kernelSets[level]
	if ks == nil {
		return 0
	}
	n := len(dst) / (2 * ks.lanes) * (2 * ks.lanes)
	if n == 0 {
		return 0
	}
	ks.mulAdd(&dst[0], &x[:n][0], &y[:n][0], n)
	return n
}

// secondOrderVec computes the element-wise terms of the second-order
// backward pass, ek[i] = pi[i]*u[i]*s2[i] and, unless mk is nil, mk[i] =
// pi[i]*s1[i] (the same roundings as the Go loop), for the longest prefix
// of pi whose length is a multiple of the vector width, and returns that
// length (0 at the generic level). It panics if a slice is shorter than pi.
func secondOrderVec(mk, ek, pi, s1, u, s2 []float32) int {
	ks := kernelSets[level]
	if ks == nil {
		return 0
	}
	n := len(pi) / ks.lanes * ks.lanes
	if n == 0 {
		return 0
	}
	parallelVec(opSecondOrder, ks, nil, ks.lanes, n, [6][]float32{mk, ek, pi, s1, u, s2})
	return n
}

// colSumKernels add the rows of a matrix, in order, into 8, 4, 2 and 1
// vectors of column sums held in registers across the rows: the sums of a
// chunk of colUnit columns stay in registers together, each row's loads
// independent of the last row's additions but for its own vector.
type colSumKernels struct {
	x8, x4, x2, x1 func(d, a *float32, lda, rows int)
}

// colSumVec adds the rows of the r x n matrix a (row stride n), one
// after another, into d, the sums of its columns lo..lo+len(d)-1, for the
// longest prefix of d whose length is a multiple of the vector width, as
// adding each row's values in turn does, and returns that length (0 at the generic
// level). The sums stay in registers across the rows.
func colSumVec(d, a []float32, r, n, lo int, exact bool) int {
	ks := kernelSets[level]
	if ks == nil || r == 0 {
		return 0
	}
	k := &ks.colSum
	if exact {
		k = &ks.colSumExact
	}
	w := len(d) / ks.lanes * ks.lanes
	if w == 0 {
		return 0
	}
	_ = a[(r-1)*n+lo+w-1] // bounds
	j := 0
	for ; j+8*ks.lanes <= w; j += 8 * ks.lanes {
		k.x8(&d[j], &a[lo+j], n, r)
	}
	if j+4*ks.lanes <= w {
		k.x4(&d[j], &a[lo+j], n, r)
		j += 4 * ks.lanes
	}
	if j+2*ks.lanes <= w {
		k.x2(&d[j], &a[lo+j], n, r)
		j += 2 * ks.lanes
	}
	for ; j < w; j += ks.lanes {
		k.x1(&d[j], &a[lo+j], n, r)
	}
	return w
}

// adamVec runs the float32 Adam update of Adam.Step, with the same
// roundings, on the longest prefix of params whose length is a multiple of
// the vector width, and returns that length (0 at the generic level). c
// holds wd, b1, 1-b1, b2, 1-b2, stepSize, rbc2 and eps.
func adamVec(params, grad, m, v []float32, c *[8]float32) int {
	ks := kernelSets[level]
	if ks == nil {
		return 0
	}
	n := len(params) / ks.lanes * ks.lanes
	if n == 0 {
		return 0
	}
	parallelVecArgs(vecArgs{op: opAdam, ks: ks, unit: ks.lanes, c: c}, n, [6][]float32{params, grad, m, v})
	return n
}

// averageVec sets avg[i] = beta*avg[i] + a*p[i], with the roundings of
// Average's Go loop, for the longest prefix of avg whose length is a
// multiple of the vector width, and returns that length (0 at the generic
// level). It panics if p is shorter than avg.
func averageVec(avg, p []float32, beta, a float32) int {
	ks := kernelSets[level]
	if ks == nil {
		return 0
	}
	n := len(avg) / ks.lanes * ks.lanes
	if n == 0 {
		return 0
	}
	parallelVecArgs(vecArgs{op: opAverage, ks: ks, unit: ks.lanes, beta: beta, a: a}, n, [6][]float32{avg, p})
	return n
}

// PeakGFLOPS measures the float32 peak of one core at the kernel level in
// use: the best rate of a loop of independent vector FMAs, which no product
// can beat, timed in windows of about a millisecond for about the given
// duration (at least one window). It returns 0 at the generic level.
func PeakGFLOPS(d time.Duration) float64 {
	ks := kernelSets[level]
	if ks == nil {
		return 0
	}
	const iters = 1 << 16
	ks.peak(iters)
	best := 0.0
	for start := time.Now(); ; {
		t := time.Now()
		ks.peak(iters)
		if r := float64(iters*ks.peakFlops) / time.Since(t).Seconds() / 1e9; r > best {
			best = r
		}
		if time.Since(start) >= d {
			return best
		}
	}
}
