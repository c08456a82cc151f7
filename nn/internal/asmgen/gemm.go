package main

import "fmt"

// gemmKernel is one register-blocked micro-kernel: it computes a rows x
// (vecs*lanes) tile of C from a strided A and a packed panel of B.
type gemmKernel struct {
	isa  isa
	rows int
	vecs int
}

func (k gemmKernel) name() string {
	return fmt.Sprintf("sgemm%s_%dx%d", k.isa.name, k.rows, k.vecs*k.isa.lanes)
}

// gemmKernels lists every kernel: for AVX-512 tiles of 1..14 rows by 32 or
// 16 columns, for AVX2 tiles of 1..6 rows by 16 or 8 columns and of 12 rows
// by 8. The widest
// tile of each set uses every vector register: rows*vecs accumulators, vecs
// registers for a row of B and two for broadcasts of A.
func gemmKernels() []gemmKernel {
	var ks []gemmKernel
	for _, s := range []struct {
		isa  isa
		rows int
	}{{avx512, 14}, {avx2, 6}} {
		for _, v := range []int{2, 1} {
			for r := 1; r <= s.rows; r++ {
				ks = append(ks, gemmKernel{s.isa, r, v})
			}
		}
	}
	// Two AVX2 strips' rows by a half panel: the 6 x 8 tile has too few
	// accumulators to cover the FMA latency on two ports.
	return append(ks, gemmKernel{avx2, 12, 1})
}

// rowAddr returns the address of row i of the A strip at the current k
// plus disp bytes: rows 0-4 are addressed from AX, 5-9 from R10 and 10-14
// from R11, with R8 = the row stride in bytes and R9 = 3 times it.
func rowAddr(i, disp int) string {
	base := [...]string{"AX", "R10", "R11"}[i/5]
	d := ""
	if disp != 0 {
		d = fmt.Sprint(disp)
	}
	switch i % 5 {
	case 0:
		return fmt.Sprintf("%s(%s)", d, base)
	case 1:
		return fmt.Sprintf("%s(%s)(R8*1)", d, base)
	case 2:
		return fmt.Sprintf("%s(%s)(R8*2)", d, base)
	case 3:
		return fmt.Sprintf("%s(%s)(R9*1)", d, base)
	default:
		return fmt.Sprintf("%s(%s)(R8*4)", d, base)
	}
}

// unroll is the number of k steps of the unrolled loops that kernels run
// when B is a packed panel and A's k stride is one float (A in place) or
// A is a packed strip (row stride one float, k stride the kernel's rows):
// the addresses are then constant displacements, which leaves fewer scalar
// instructions beside the FMAs.
const unroll = 4

// gemm writes one micro-kernel with the Go signature
//
//	func(k int, a *float32, rs, ks int, b *float32, ldb int, c *float32, ldc, acc, mask, panels int)
//
// It computes the tile T[i][j] = sum_p a[i*rs+p*ks] * b[p*ldb+j] for p < k
// and j < w (k >= 1, w = vecs*lanes; b is a packed panel with ldb = w, or
// B itself) and stores C[i*ldc+j] = T[i][j], or adds T to C when acc != 0;
// then, while panels > 1, the same for the next panel of B (for a packed
// panel, ldb = w, k*w values on in b; for B in place, w columns on) into
// the next w columns of C: one call for a strip's full panels instead of
// one each.
// The AVX-512 kernels read and write the last vector of each row of C under
// the lane mask mask (bit l for lane l; 0xffff for all), so that a partial
// panel at the right edge goes straight to C: masked-off lanes of C are
// neither read nor written. The AVX2 kernels ignore mask and write whole
// tiles.
func (g *gen) gemm(k gemmKernel) {
	s := k.isa
	vb := s.lanes * 4 // bytes per vector
	nacc := k.rows * k.vecs
	acc := func(i, v int) string { return s.r(i*k.vecs + v) }
	breg := func(v int) string { return s.r(nacc + v) }
	treg := func(i int) string { return s.r(nacc + k.vecs + i%2) }
	g.p("")
	g.p("// func %s(k int, a *float32, rs, ks int, b *float32, ldb int, c *float32, ldc, acc, mask, panels int)", k.name())
	g.text("TEXT ·%s(SB), NOSPLIT, $0-88", k.name())
	g.i("MOVQ k+0(FP), CX")
	g.i("MOVQ a+8(FP), AX")
	g.i("MOVQ rs+16(FP), R8")
	g.i("SHLQ $2, R8")
	g.i("LEAQ (R8)(R8*2), R9")
	g.i("MOVQ ks+24(FP), R12")
	g.i("SHLQ $2, R12")
	g.i("MOVQ b+32(FP), BX")
	g.i("MOVQ ldb+40(FP), R13")
	g.i("SHLQ $2, R13")
	g.i("MOVQ c+48(FP), DI")
	g.i("MOVQ ldc+56(FP), DX")
	g.i("SHLQ $2, DX")
	g.p("panel:")
	if k.rows > 5 {
		g.i("LEAQ (AX)(R8*4), R10")
		g.i("ADDQ R8, R10")
	}
	if k.rows > 10 {
		g.i("LEAQ (R10)(R8*4), R11")
		g.i("ADDQ R8, R11")
	}
	for i := 0; i < nacc; i++ {
		g.i("%s", s.zero(s.r(i)))
	}
	w := k.vecs * vb // bytes of a row of the packed panel
	g.i("CMPQ R13, $%d", w)
	g.i("JNE loop")
	g.i("MOVQ CX, SI")
	g.i("SHRQ $%d, SI", log2(unroll))
	g.i("JZ loop")
	g.i("CMPQ R12, $4")
	g.i("JNE packed")
	// unrolled writes the loop label: unroll depths with row i of depth u
	// of A at addr(i, u), then A's registers moved aStep bytes on.
	unrolled := func(label string, addr func(i, u int) string, aStep int) {
		g.p("%s:", label)
		for u := 0; u < unroll; u++ {
			for v := 0; v < k.vecs; v++ {
				g.i("VMOVUPS %d(BX), %s", u*w+v*vb, breg(v))
			}
			for i := 0; i < k.rows; i++ {
				g.i("VBROADCASTSS %s, %s", addr(i, u), treg(i))
				for v := 0; v < k.vecs; v++ {
					g.i("VFMADD231PS %s, %s, %s", breg(v), treg(i), acc(i, v))
				}
			}
		}
		g.i("ADDQ $%d, BX", unroll*w)
		for n, reg := range []string{"AX", "R10", "R11"} {
			if k.rows > 5*n {
				g.i("ADDQ $%d, %s", aStep, reg)
			}
		}
		g.i("DECQ SI")
		g.i("JNZ %s", label)
		g.i("ANDQ $%d, CX", unroll-1)
		g.i("JZ tail")
	}
	unrolled("loopu", func(i, u int) string { return rowAddr(i, 4*u) }, 4*unroll)
	g.i("JMP loop")
	// A packed strip (rs of one float, ks of rows floats: a transposed A's
	// strip copied depth after depth): row i at depth u is 4*(u*rows+i)
	// bytes from AX, constant displacements again.
	g.p("packed:")
	g.i("CMPQ R8, $4")
	g.i("JNE loop")
	g.i("CMPQ R12, $%d", 4*k.rows)
	g.i("JNE loop")
	unrolled("loopp", func(i, u int) string {
		if off := 4 * (u*k.rows + i); off != 0 {
			return fmt.Sprintf("%d(AX)", off)
		}
		return "(AX)"
	}, 4*unroll*k.rows)
	g.p("loop:")
	for v := 0; v < k.vecs; v++ {
		g.i("VMOVUPS %d(BX), %s", v*vb, breg(v))
	}
	for i := 0; i < k.rows; i++ {
		g.i("VBROADCASTSS %s, %s", rowAddr(i, 0), treg(i))
		for v := 0; v < k.vecs; v++ {
			g.i("VFMADD231PS %s, %s, %s", breg(v), treg(i), acc(i, v))
		}
	}
	g.i("ADDQ R13, BX")
	g.i("ADDQ R12, AX")
	if k.rows > 5 {
		g.i("ADDQ R12, R10")
	}
	if k.rows > 10 {
		g.i("ADDQ R12, R11")
	}
	g.i("DECQ CX")
	g.i("JNZ loop")
	g.p("tail:")
	masked := s.reg == "Z"
	// last returns the mask operand of vector v: K1 for the last vector of
	// a row in an AVX-512 kernel.
	last := func(v int) string {
		if masked && v == k.vecs-1 {
			return "K1, "
		}
		return ""
	}
	if masked {
		g.i("MOVQ mask+72(FP), SI")
		g.i("KMOVW SI, K1")
	}
	g.i("MOVQ acc+64(FP), CX")
	g.i("TESTQ CX, CX")
	g.i("JZ store")
	g.i("MOVQ DI, SI")
	for i := 0; i < k.rows; i++ {
		for v := 0; v < k.vecs; v++ {
			g.i("VADDPS %d(SI), %s, %s%s", v*vb, acc(i, v), last(v), acc(i, v))
		}
		if i+1 < k.rows {
			g.i("ADDQ DX, SI")
		}
	}
	g.p("store:")
	for i := 0; i < k.rows; i++ {
		for v := 0; v < k.vecs; v++ {
			g.i("VMOVUPS %s, %s%d(DI)", acc(i, v), last(v), v*vb)
		}
		if i+1 < k.rows {
			g.i("ADDQ DX, DI")
		}
	}
	// The next panel: B's packed panels follow each other, so BX, which
	// the depth loops moved k rows of w bytes on, points at it already;
	// B read in place (rows ldb apart, ldb > w) has it w bytes to the right
	// of the last one's start. A's strip is read again from its start, and
	// C's tile is w bytes to the right (the argument slots keep the running
	// values).
	g.i("DECQ panels+80(FP)")
	g.i("JLE done")
	g.i("CMPQ R13, $%d", w)
	g.i("JEQ next")
	g.i("MOVQ b+32(FP), BX")
	g.i("ADDQ $%d, BX", w)
	g.i("MOVQ BX, b+32(FP)")
	g.p("next:")
	g.i("MOVQ k+0(FP), CX")
	g.i("MOVQ a+8(FP), AX")
	g.i("ADDQ $%d, c+48(FP)", w)
	g.i("MOVQ c+48(FP), DI")
	g.i("JMP panel")
	g.p("done:")
	g.i("VZEROUPPER")
	g.ret()
}

// peak writes fmaPeak<ISA>(n int), which runs n iterations of 24 (AVX-512)
// or 12 (AVX2) independent vector FMAs on zeros: enough independent chains
// to cover the FMA latency on two ports, so its rate is the core's peak.
func (g *gen) peak(s isa) {
	chains := s.regs - 4
	if s.reg == "Y" {
		chains = 12
	}
	g.p("")
	g.p("// func fmaPeak%s(n int)", s.name)
	g.text("TEXT ·fmaPeak%s(SB), NOSPLIT, $0-8", s.name)
	g.i("MOVQ n+0(FP), CX")
	for i := 0; i < chains+2; i++ {
		g.i("%s", s.zero(s.r(i)))
	}
	g.i("TESTQ CX, CX")
	g.i("JZ done")
	g.p("loop:")
	for i := 0; i < chains; i++ {
		g.i("VFMADD231PS %s, %s, %s", s.r(chains), s.r(chains+1), s.r(i))
	}
	g.i("DECQ CX")
	g.i("JNZ loop")
	g.p("done:")
	g.i("VZEROUPPER")
	g.ret()
}

// dot writes dot<ISA>x<rows>(k int, a *float32, lda int, x, c *float32,
// ldc, acc int), the kernel of products with few columns: for i < rows it
// computes d_i = sum_p a[i*lda+p] x[p] with two accumulators per row, and
// stores c[i*ldc] = d_i, or adds d_i to it when acc != 0. The AVX-512
// kernels sum over all p < k, the last k mod 16 under a lane mask; the AVX2
// kernels over the largest multiple of 8 not above k.
func (g *gen) dot(s isa, rows int) {
	r := s.r
	vb := s.lanes * 4
	name := fmt.Sprintf("dot%sx%d", s.name, rows)
	g.p("")
	g.p("// func %s(k int, a *float32, lda int, x, c *float32, ldc, acc int)", name)
	g.text("TEXT ·%s(SB), NOSPLIT, $0-56", name)
	g.i("MOVQ k+0(FP), CX")
	g.i("MOVQ a+8(FP), AX")
	g.i("MOVQ lda+16(FP), R8")
	g.i("SHLQ $2, R8")
	g.i("LEAQ (R8)(R8*2), R9")
	g.i("MOVQ x+24(FP), BX")
	g.i("MOVQ c+32(FP), DI")
	g.i("MOVQ ldc+40(FP), DX")
	g.i("SHLQ $2, DX")
	for i := 0; i < 2*rows; i++ {
		g.i("%s", s.zero(r(i)))
	}
	rowAddrK := func(i, disp int) string {
		return rowAddr(i, disp)
	}
	// Pairs of vectors while they last, then one.
	g.i("SHRQ $%d, CX", log2(s.lanes))
	g.p("loop2:")
	g.i("CMPQ CX, $2")
	g.i("JLT one")
	g.i("VMOVUPS (BX), %s", r(2*rows))
	g.i("VMOVUPS %d(BX), %s", vb, r(2*rows+1))
	for i := 0; i < rows; i++ {
		g.i("VFMADD231PS %s, %s, %s", rowAddrK(i, 0), r(2*rows), r(2*i))
		g.i("VFMADD231PS %s, %s, %s", rowAddrK(i, vb), r(2*rows+1), r(2*i+1))
	}
	g.i("ADDQ $%d, AX", 2*vb)
	g.i("ADDQ $%d, BX", 2*vb)
	g.i("SUBQ $2, CX")
	g.i("JMP loop2")
	g.p("one:")
	g.i("TESTQ CX, CX")
	g.i("JZ tail")
	g.i("VMOVUPS (BX), %s", r(2*rows))
	for i := 0; i < rows; i++ {
		g.i("VFMADD231PS %s, %s, %s", rowAddrK(i, 0), r(2*rows), r(2*i))
	}
	g.i("ADDQ $%d, AX", vb)
	g.i("ADDQ $%d, BX", vb)
	g.p("tail:")
	if s.reg == "Z" {
		// The last k mod 16 products under a lane mask, which also keeps
		// the loads from reading past the rows.
		g.i("MOVQ k+0(FP), CX")
		g.i("ANDQ $%d, CX", s.lanes-1)
		g.i("JZ reduce")
		g.i("MOVQ $1, SI")
		g.i("SHLQ CX, SI")
		g.i("DECQ SI")
		g.i("KMOVW SI, K1")
		g.i("VMOVUPS.Z (BX), K1, %s", r(2*rows))
		for i := 0; i < rows; i++ {
			g.i("VFMADD231PS %s, %s, K1, %s", rowAddrK(i, 0), r(2*rows), r(2*i))
		}
	}
	g.p("reduce:")
	g.i("MOVQ acc+48(FP), CX")
	for i := 0; i < rows; i++ {
		a := 2 * i
		t := 2 * rows // scratch
		g.i("VADDPS %s, %s, %s", r(a+1), r(a), r(a))
		if s.reg == "Z" {
			g.i("VEXTRACTF64X4 $1, Z%d, Y%d", a, t)
			g.i("VADDPS Y%d, Y%d, Y%d", t, a, a)
		}
		g.i("VEXTRACTF128 $1, Y%d, X%d", a, t)
		g.i("VADDPS X%d, X%d, X%d", t, a, a)
		g.i("VMOVHLPS X%d, X%d, X%d", a, a, t)
		g.i("VADDPS X%d, X%d, X%d", t, a, a)
		g.i("VPSHUFD $1, X%d, X%d", a, t)
		g.i("VADDSS X%d, X%d, X%d", t, a, a)
		g.i("TESTQ CX, CX")
		g.i("JZ store%d", i)
		g.i("VADDSS (DI), X%d, X%d", a, a)
		g.p("store%d:", i)
		g.i("VMOVSS X%d, (DI)", a)
		if i+1 < rows {
			g.i("ADDQ DX, DI")
		}
	}
	g.i("VZEROUPPER")
	g.ret()
}
