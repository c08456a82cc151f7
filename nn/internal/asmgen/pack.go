package main

// The packing kernels of the matrix product's B (nn's packPanels). They
// move values without arithmetic, so they neither set nor need MXCSR's
// flush-to-zero modes: shuffles and moves pass every bit pattern through.
// They use AVX2 registers only, which AVX-512 cores also have, so both
// levels share them.

// packRows writes packRowsAVX2x<v>(dst, src *float32, lds, ldd, rows
// int): for i < rows, in that order, the v x 8 values src[i*lds :
// i*lds+8v] are copied to dst[i*ldd : i*ldd+8v]. With ldd = 8v that packs a
// panel of 8v columns row after row; with ldd < 8v each row overwrites the
// last one's extra values, so that dst ends up holding the first ldd
// values of every row, ldd apart, and 8v-ldd more after the last: a
// transposed A's strip of ldd rows of C (mr) packed depth after depth.
func (g *gen) packRows(v int) {
	g.p("")
	g.p("// func packRowsAVX2x%d(dst, src *float32, lds, ldd, rows int)", v)
	g.p("TEXT ·packRowsAVX2x%d(SB), NOSPLIT, $0-40", v)
	g.i("MOVQ dst+0(FP), DI")
	g.i("MOVQ src+8(FP), SI")
	g.i("MOVQ lds+16(FP), DX")
	g.i("SHLQ $2, DX")
	g.i("MOVQ ldd+24(FP), BX")
	g.i("SHLQ $2, BX")
	g.i("MOVQ rows+32(FP), CX")
	g.i("TESTQ CX, CX")
	g.i("JZ done")
	g.p("loop:")
	for k := range v {
		g.i("VMOVUPS %d(SI), Y%d", 32*k, k)
	}
	for k := range v {
		g.i("VMOVUPS Y%d, %d(DI)", k, 32*k)
	}
	g.i("ADDQ DX, SI")
	g.i("ADDQ BX, DI")
	g.i("DECQ CX")
	g.i("JNZ loop")
	g.p("done:")
	g.i("VZEROUPPER")
	g.i("RET")
}

// transpose8 writes transpose8AVX2(dst, src *float32, lds, ldd, blocks
// int): for t < blocks, the 8 x 8 block of rows 0..7 and columns
// 8t..8t+7 of src (rows lds apart) is written transposed into rows
// 8t..8t+7 and columns 0..7 of dst (rows ldd apart): dst[(8t+p)*ldd+j] =
// src[j*lds+8t+p]. Each block is eight row loads, the 8 x 8 transpose of
// the unpack, shuffle and lane-permute steps, and eight row stores.
func (g *gen) transpose8() {
	g.p("")
	g.p("// func transpose8AVX2(dst, src *float32, lds, ldd, blocks int)")
	g.p("TEXT ·transpose8AVX2(SB), NOSPLIT, $0-40")
	g.i("MOVQ dst+0(FP), DI")
	g.i("MOVQ src+8(FP), SI")
	g.i("MOVQ lds+16(FP), DX")
	g.i("SHLQ $2, DX")
	g.i("MOVQ ldd+24(FP), BX")
	g.i("SHLQ $2, BX")
	g.i("MOVQ blocks+32(FP), CX")
	g.i("TESTQ CX, CX")
	g.i("JZ done")
	g.i("LEAQ (DX)(DX*2), R8")
	g.i("LEAQ (BX)(BX*2), R9")
	g.p("loop:")
	// Rows 0..7 of the block into Y0..Y7.
	g.i("MOVQ SI, R10")
	g.i("VMOVUPS (R10), Y0")
	g.i("VMOVUPS (R10)(DX*1), Y1")
	g.i("VMOVUPS (R10)(DX*2), Y2")
	g.i("VMOVUPS (R10)(R8*1), Y3")
	g.i("LEAQ (R10)(DX*4), R10")
	g.i("VMOVUPS (R10), Y4")
	g.i("VMOVUPS (R10)(DX*1), Y5")
	g.i("VMOVUPS (R10)(DX*2), Y6")
	g.i("VMOVUPS (R10)(R8*1), Y7")
	// Pairs of rows interleaved: Y8 = r0[0] r1[0] r0[1] r1[1] | r0[4] r1[4] r0[5] r1[5], ...
	for k := range 4 {
		a, b := 2*k, 2*k+1
		g.i("VUNPCKLPS Y%d, Y%d, Y%d", b, a, 8+2*k)
		g.i("VUNPCKHPS Y%d, Y%d, Y%d", b, a, 9+2*k)
	}
	// Quadruples of rows: Y0 = column 0 | column 4 of rows 0..3, Y1 =
	// columns 1 | 5, Y2 = 2 | 6, Y3 = 3 | 7; Y4..Y7 the same of rows 4..7.
	for h := range 2 {
		lo, hi := 8+4*h, 10+4*h // unpacks of rows 4h,4h+1 and 4h+2,4h+3
		g.i("VSHUFPS $0x44, Y%d, Y%d, Y%d", hi, lo, 4*h)
		g.i("VSHUFPS $0xee, Y%d, Y%d, Y%d", hi, lo, 4*h+1)
		g.i("VSHUFPS $0x44, Y%d, Y%d, Y%d", hi+1, lo+1, 4*h+2)
		g.i("VSHUFPS $0xee, Y%d, Y%d, Y%d", hi+1, lo+1, 4*h+3)
	}
	// Columns c and c+4 from the low and high lanes.
	for c := range 4 {
		g.i("VPERM2F128 $0x20, Y%d, Y%d, Y%d", 4+c, c, 8+c)
		g.i("VPERM2F128 $0x31, Y%d, Y%d, Y%d", 4+c, c, 12+c)
	}
	g.i("MOVQ DI, R11")
	g.i("VMOVUPS Y8, (R11)")
	g.i("VMOVUPS Y9, (R11)(BX*1)")
	g.i("VMOVUPS Y10, (R11)(BX*2)")
	g.i("VMOVUPS Y11, (R11)(R9*1)")
	g.i("LEAQ (R11)(BX*4), R11")
	g.i("VMOVUPS Y12, (R11)")
	g.i("VMOVUPS Y13, (R11)(BX*1)")
	g.i("VMOVUPS Y14, (R11)(BX*2)")
	g.i("VMOVUPS Y15, (R11)(R9*1)")
	g.i("ADDQ $32, SI")
	g.i("LEAQ (DI)(BX*8), DI")
	g.i("DECQ CX")
	g.i("JNZ loop")
	g.p("done:")
	g.i("VZEROUPPER")
	g.i("RET")
}
