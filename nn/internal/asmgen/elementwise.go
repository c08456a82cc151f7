package main

import (
	"fmt"
	"math"
)

// constant is a float32 (or int32 bit pattern) replicated over 16 lanes in
// read-only data, so that both AVX2 and AVX-512 instructions can take it as
// a memory operand.
type constant struct {
	name string
	bits uint32
}

func f32(name string, v float64) constant { return constant{name, math.Float32bits(float32(v))} }

// The constants of tanh, the same as nn/tanh32.go's.
var constants = []constant{
	{"absmask", 0x7fffffff},
	{"signmask", 0x80000000},
	f32("nine", 9),
	f32("mtwo", -2),
	f32("log2e", 1.44269504088896338700),
	f32("round", 0x1.8p23),
	f32("ln2hi", 0.693145751953125),
	f32("ln2lo", 1.428606765330187045e-06),
	f32("c6", 1.0/720),
	f32("c5", 1.0/120),
	f32("c4", 1.0/24),
	f32("c3", 1.0/6),
	f32("c2", 1.0/2),
	f32("one", 1),
	f32("two", 2),
	// expbias turns the bits of round+k into the bits of 2^k before the
	// shift: (bits(round) + k + expbias) << 23 = (k + 127) << 23.
	{"expbias", 1<<32 + 127 - 0x4B400000},
}

func (g *gen) constants() {
	for _, c := range append(append(constants, logisticConstants...), sinConstants...) {
		g.p("")
		for l := 0; l < 16; l++ {
			g.p("DATA %s<>+%d(SB)/4, $0x%08x", c.name, 4*l, c.bits)
		}
		g.p("GLOBL %s<>(SB), RODATA|NOPTR, $64", c.name)
	}
}

func cref(name string) string { return name + "<>(SB)" }

// and, or return the bitwise instruction for the ISA: AVX-512F has only the
// integer forms on 512-bit registers.
func (s isa) and() string {
	if s.reg == "Z" {
		return "VPANDD"
	}
	return "VANDPS"
}

func (s isa) or() string {
	if s.reg == "Z" {
		return "VPORD"
	}
	return "VORPS"
}

// tanhLayout is how the tanh kernel spends its registers: it computes
// chains vectors at once, in interleaved instructions (one vector's
// operations form a chain of about 25 dependent instructions, and the
// scheduler holds too few of them to overlap consecutive vectors), each
// chain in regs registers. With five a chain keeps its input's sign in
// the fifth from the start and the constant 9 has a register of its own;
// with four the sign is taken from the input, read again, at the end, and
// each chain loads 9 into a register of its own before its VMINPS. The
// registers left hold the most used constants (tanhRegConsts), which
// would otherwise be memory operands. AVX2 (16 registers): four chains of
// four, no constant in a register (the activation of 125 x 200 values
// with its copy, on a Zen 3 core: 12.7-13.5 us, against 12.9-14.8 us with
// three chains of five and 17.1-17.8 us with two chains of five and five
// constants);
// AVX-512: three chains of five and all constants.
type tanhLayout struct{ chains, regs int }

func tanhLayoutOf(s isa) tanhLayout {
	if s.regs > 16 {
		return tanhLayout{3, 5}
	}
	return tanhLayout{4, 4}
}

// tanhRegConsts are tanh's constants in the order they get registers.
var tanhRegConsts = []string{"one", "round", "mtwo", "two", "log2e", "c2", "c3", "c4", "c5", "c6",
	"ln2hi", "ln2lo", "expbias", "absmask", "signmask"}

// tanh writes tanh<ISA>(z, s1, s2 *float32, n int), the vector form of
// nn's tanh32 with FMAs and a corrected reciprocal instead of the
// division: for i < n (a multiple of the lane count) it overwrites z[i]
// with tanh(z[i]), writes s1[i] = 1 - tanh^2 and, if s2 is not nil, s2[i] =
// -2 tanh (1 - tanh^2). It runs tanhLayoutOf(s).chains vectors at a time, then one at
// a time; every vector goes through the same instructions.
func (g *gen) tanh(s isa) {
	vb := s.lanes * 4
	lay := tanhLayoutOf(s)
	chains := lay.chains
	g.p("")
	g.p("// func tanh%s(z, s1, s2 *float32, n int)", s.name)
	g.text("TEXT ·tanh%s(SB), NOSPLIT, $0-32", s.name)
	g.i("MOVQ z+0(FP), SI")
	g.i("MOVQ s1+8(FP), DI")
	g.i("MOVQ s2+16(FP), DX")
	g.i("MOVQ n+24(FP), CX")
	g.i("SHRQ $%d, CX", log2(s.lanes))
	g.i("JZ done")
	// With five registers a chain, the register after the chains holds 9
	// (VMINPS takes it as its first source, so that a NaN in its second,
	// |x|, propagates), the next ones constants.
	next := lay.regs * chains
	nine := ""
	if lay.regs == 5 {
		nine = s.r(next)
		g.i("VMOVUPS %s, %s", cref("nine"), nine)
		next++
	}
	regs := map[string]string{}
	for i, name := range tanhRegConsts {
		r := next + i
		if r >= s.regs {
			break
		}
		regs[name] = s.r(r)
		g.i("VMOVUPS %s, %s", cref(name), s.r(r))
	}
	g.p("chains:")
	g.i("CMPQ CX, $%d", chains)
	g.i("JLT one")
	g.tanhBody(s, lay, chains, nine, regs)
	g.i("ADDQ $%d, SI", chains*vb)
	g.i("ADDQ $%d, DI", chains*vb)
	g.i("SUBQ $%d, CX", chains)
	g.i("JMP chains")
	g.p("one:")
	g.i("TESTQ CX, CX")
	g.i("JZ done")
	g.tanhBody(s, lay, 1, nine, regs)
	g.i("ADDQ $%d, SI", vb)
	g.i("ADDQ $%d, DI", vb)
	g.i("DECQ CX")
	g.i("JMP one")
	g.p("done:")
	g.i("VZEROUPPER")
	g.ret()
}

// tanhBody writes the tanh of chains vectors at SI, SI+vb, ..., storing
// into SI, DI and, when DX is not zero, DX (advanced past them); chain c
// uses registers lay.regs*c onwards (t0..t3, and the sign sg with five),
// nine holds the constant 9 with five registers a chain, and regs the
// constants kept in registers. Either layout computes the same values.
func (g *gen) tanhBody(s isa, lay tanhLayout, chains int, nine string, regs map[string]string) {
	vb := s.lanes * 4
	// c is a constant as an operand; load sets a register to one.
	c := func(name string) string {
		if r, ok := regs[name]; ok {
			return r
		}
		return cref(name)
	}
	load := func(name, dst string) string {
		if r, ok := regs[name]; ok {
			return fmt.Sprintf("VMOVAPS %s, %s", r, dst)
		}
		return fmt.Sprintf("VMOVUPS %s, %s", cref(name), dst)
	}
	// Each line is one instruction with the chain's registers t0..t3 and
	// sg for %[1]s..%[5]s and its offset for %[6]d.
	emit := func(lines ...string) {
		for _, l := range lines {
			for ch := 0; ch < chains; ch++ {
				r := func(i int) string {
					if i >= lay.regs {
						return ""
					}
					return s.r(lay.regs*ch + i)
				}
				g.i(l, r(0), r(1), r(2), r(3), r(4), ch*vb)
			}
		}
	}
	emit("VMOVUPS %[6]d(SI), %[1]s")
	if lay.regs == 5 {
		emit(s.and() + " " + c("signmask") + ", %[1]s, %[5]s")
	}
	emit(s.and() + " " + c("absmask") + ", %[1]s, %[1]s")
	if lay.regs == 5 {
		emit("VMINPS %[1]s, " + nine + ", %[1]s")
	} else {
		emit("VMOVUPS "+cref("nine")+", %[2]s", "VMINPS %[1]s, %[2]s, %[1]s")
	}
	emit("VMULPS " + c("mtwo") + ", %[1]s, %[1]s")
	emit(load("round", "%[2]s"))
	emit("VFMADD231PS " + c("log2e") + ", %[1]s, %[2]s")
	emit("VSUBPS " + c("round") + ", %[2]s, %[3]s")
	emit("VFNMADD231PS " + c("ln2hi") + ", %[3]s, %[1]s")
	emit("VFNMADD231PS " + c("ln2lo") + ", %[3]s, %[1]s")
	emit(load("c6", "%[3]s"))
	for _, k := range []string{"c5", "c4", "c3", "c2", "one", "one"} {
		emit("VFMADD213PS " + c(k) + ", %[1]s, %[3]s")
	}
	emit("VPADDD " + c("expbias") + ", %[2]s, %[2]s")
	emit("VPSLLD $23, %[2]s, %[2]s")
	// t2 = 1 - 2^k e = -expm1(-2|x|); tanh|x| = t2 / (2 - t2).
	emit("VFNMADD213PS " + c("one") + ", %[2]s, %[3]s")
	emit(load("two", "%[2]s"))
	emit("VSUBPS %[3]s, %[2]s, %[2]s")
	// t2 / t1 without a division: y = rcp(t1) (relative error below
	// 2^-14 for VRCP14PS, 1.5 2^-12 for VRCPPS), q = t2 y, and one
	// correction q += y (t2 - t1 q) with the residual from an FMA.
	if s.reg == "Z" {
		emit("VRCP14PS %[2]s, %[1]s")
	} else {
		emit("VRCPPS %[2]s, %[1]s")
	}
	emit("VMULPS %[1]s, %[3]s, %[4]s")
	emit("VFNMADD231PS %[4]s, %[2]s, %[3]s")
	emit("VFMADD231PS %[3]s, %[1]s, %[4]s")
	if lay.regs == 5 {
		emit(s.or() + " %[5]s, %[4]s, %[4]s")
	} else {
		// The sign of the input, read again into t0 (y is used up).
		emit("VMOVUPS %[6]d(SI), %[1]s", s.and()+" "+c("signmask")+", %[1]s, %[1]s", s.or()+" %[1]s, %[4]s, %[4]s")
	}
	emit(load("one", "%[2]s"))
	emit("VFNMADD231PS %[4]s, %[4]s, %[2]s")
	emit("VMOVUPS %[4]s, %[6]d(SI)")
	emit("VMOVUPS %[2]s, %[6]d(DI)")
	label := fmt.Sprintf("nos2x%d", chains)
	g.i("TESTQ DX, DX")
	g.i("JZ %s", label)
	emit("VMULPS %[4]s, %[2]s, %[3]s")
	emit("VMULPS " + c("mtwo") + ", %[3]s, %[3]s")
	emit("VMOVUPS %[3]s, %[6]d(DX)")
	g.i("ADDQ $%d, DX", chains*vb)
	g.p("%s:", label)
}

// mulTo writes mulTo<ISA>(dst, a, b *float32, n int): dst[i] = a[i]*b[i]
// for i < n, a multiple of twice the lane count; dst may be a (a *= b).
func (g *gen) mulTo(s isa) {
	r := s.r
	vb := s.lanes * 4
	g.p("")
	g.p("// func mulTo%s(dst, a, b *float32, n int)", s.name)
	g.text("TEXT ·mulTo%s(SB), NOSPLIT, $0-32", s.name)
	g.i("MOVQ dst+0(FP), DI")
	g.i("MOVQ a+8(FP), SI")
	g.i("MOVQ b+16(FP), DX")
	g.i("MOVQ n+24(FP), CX")
	g.i("SHRQ $%d, CX", log2(2*s.lanes))
	g.i("JZ done")
	g.p("loop:")
	g.i("VMOVUPS (SI), %s", r(0))
	g.i("VMOVUPS %d(SI), %s", vb, r(1))
	g.i("VMULPS (DX), %s, %s", r(0), r(0))
	g.i("VMULPS %d(DX), %s, %s", vb, r(1), r(1))
	g.i("VMOVUPS %s, (DI)", r(0))
	g.i("VMOVUPS %s, %d(DI)", r(1), vb)
	g.i("ADDQ $%d, DI", 2*vb)
	g.i("ADDQ $%d, SI", 2*vb)
	g.i("ADDQ $%d, DX", 2*vb)
	g.i("DECQ CX")
	g.i("JNZ loop")
	g.p("done:")
	g.i("VZEROUPPER")
	g.ret()
}

// mulAdd writes mulAdd<ISA>(dst, x, y *float32, n int): dst[i] += x[i]*y[i]
// for i < n, a multiple of twice the lane count.
func (g *gen) mulAdd(s isa) {
	r := s.r
	vb := s.lanes * 4
	g.p("")
	g.p("// func mulAdd%s(dst, x, y *float32, n int)", s.name)
	g.text("TEXT ·mulAdd%s(SB), NOSPLIT, $0-32", s.name)
	g.i("MOVQ dst+0(FP), DI")
	g.i("MOVQ x+8(FP), SI")
	g.i("MOVQ y+16(FP), DX")
	g.i("MOVQ n+24(FP), CX")
	g.i("SHRQ $%d, CX", log2(2*s.lanes))
	g.i("JZ done")
	g.p("loop:")
	g.i("VMOVUPS (SI), %s", r(0))
	g.i("VMOVUPS %d(SI), %s", vb, r(1))
	g.i("VMOVUPS (DI), %s", r(2))
	g.i("VMOVUPS %d(DI), %s", vb, r(3))
	g.i("VFMADD231PS (DX), %s, %s", r(0), r(2))
	g.i("VFMADD231PS %d(DX), %s, %s", vb, r(1), r(3))
	g.i("VMOVUPS %s, (DI)", r(2))
	g.i("VMOVUPS %s, %d(DI)", r(3), vb)
	g.i("ADDQ $%d, DI", 2*vb)
	g.i("ADDQ $%d, SI", 2*vb)
	g.i("ADDQ $%d, DX", 2*vb)
	g.i("DECQ CX")
	g.i("JNZ loop")
	g.p("done:")
	g.i("VZEROUPPER")
	g.ret()
}

func log2(n int) int {
	l := 0
	for 1<<l < n {
		l++
	}
	return l
}

// secondOrder writes secondOrder<ISA>(mk, ek, pi, s1, u, s2 *float32, n
// int), the element-wise terms of the second-order backward pass: for i < n
// (a multiple of the lane count) ek[i] = pi[i]*u[i]*s2[i] (in that order)
// and, unless mk is nil, mk[i] = pi[i]*s1[i].
func (g *gen) secondOrder(s isa) {
	r := s.r
	vb := s.lanes * 4
	g.p("")
	g.p("// func secondOrder%s(mk, ek, pi, s1, u, s2 *float32, n int)", s.name)
	g.text("TEXT ·secondOrder%s(SB), NOSPLIT, $0-56", s.name)
	g.i("MOVQ mk+0(FP), DI")
	g.i("MOVQ ek+8(FP), DX")
	g.i("MOVQ pi+16(FP), SI")
	g.i("MOVQ s1+24(FP), R8")
	g.i("MOVQ u+32(FP), R9")
	g.i("MOVQ s2+40(FP), R10")
	g.i("MOVQ n+48(FP), CX")
	g.i("SHRQ $%d, CX", log2(s.lanes))
	g.i("JZ done")
	g.p("loop:")
	g.i("VMOVUPS (SI), %s", r(0))
	g.i("VMULPS (R9), %s, %s", r(0), r(1))
	g.i("VMULPS (R10), %s, %s", r(1), r(1))
	g.i("VMOVUPS %s, (DX)", r(1))
	g.i("TESTQ DI, DI")
	g.i("JZ next")
	g.i("VMULPS (R8), %s, %s", r(0), r(2))
	g.i("VMOVUPS %s, (DI)", r(2))
	g.i("ADDQ $%d, DI", vb)
	g.p("next:")
	for _, reg := range []string{"DX", "SI", "R8", "R9", "R10"} {
		g.i("ADDQ $%d, %s", vb, reg)
	}
	g.i("DECQ CX")
	g.i("JNZ loop")
	g.p("done:")
	g.i("VZEROUPPER")
	g.ret()
}

// colSum writes colSum<ISA>x<v>(d, a *float32, lda, rows int): for j <
// v times the lane count, d[j] += a[i*lda+j] for i = 0, 1, ..., rows-1 in
// that order (each row's values added in turn), with the sums held in v
// registers across the rows. With exact it writes colSumExact<ISA>x<v>,
// which leaves MXCSR as Go has it: IEEE additions with subnormals, the
// bits of Go's float32 loop.
func (g *gen) colSum(s isa, v int, exact bool) {
	r := s.r
	vb := s.lanes * 4
	name := "colSum"
	if exact {
		name = "colSumExact"
	}
	g.ieee = exact
	defer func() { g.ieee = false }()
	g.p("")
	g.p("// func %s%sx%d(d, a *float32, lda, rows int)", name, s.name, v)
	g.text("TEXT ·%s%sx%d(SB), NOSPLIT, $0-32", name, s.name, v)
	g.i("MOVQ d+0(FP), DI")
	g.i("MOVQ a+8(FP), SI")
	g.i("MOVQ lda+16(FP), DX")
	g.i("SHLQ $2, DX")
	g.i("MOVQ rows+24(FP), CX")
	for k := range v {
		g.i("VMOVUPS %d(DI), %s", k*vb, r(k))
	}
	g.i("TESTQ CX, CX")
	g.i("JZ done")
	g.p("loop:")
	for k := range v {
		g.i("VADDPS %d(SI), %s, %s", k*vb, r(k), r(k))
	}
	g.i("ADDQ DX, SI")
	g.i("DECQ CX")
	g.i("JNZ loop")
	g.p("done:")
	for k := range v {
		g.i("VMOVUPS %s, %d(DI)", r(k), k*vb)
	}
	g.i("VZEROUPPER")
	g.ret()
}

// relu writes relu<ISA>(z, s1, s2 *float32, n int): for i < n (a multiple
// of the lane count) z[i] stays where z[i] > 0 and becomes +0 elsewhere
// (NaN included), s1[i] = 1 or 0 likewise and, unless s2 is nil, s2[i] =
// 0: the ReLU of nn's activate, bit for bit.
func (g *gen) relu(s isa) {
	r := s.r
	vb := s.lanes * 4
	g.p("")
	g.p("// func relu%s(z, s1, s2 *float32, n int)", s.name)
	g.text("TEXT ·relu%s(SB), NOSPLIT, $0-32", s.name)
	g.i("MOVQ z+0(FP), SI")
	g.i("MOVQ s1+8(FP), DI")
	g.i("MOVQ s2+16(FP), DX")
	g.i("MOVQ n+24(FP), CX")
	g.i("SHRQ $%d, CX", log2(s.lanes))
	g.i("JZ done")
	g.i("%s", s.zero(r(3)))
	g.p("loop:")
	g.i("VMOVUPS (SI), %s", r(0))
	// Predicate 0x1e: greater than, ordered, quiet.
	if s.reg == "Z" {
		g.i("VCMPPS $0x1e, %s, %s, K1", r(3), r(0))
		g.i("VMOVUPS.Z %s, K1, %s", r(0), r(1))
		g.i("VMOVUPS.Z %s, K1, %s", cref("one"), r(2))
	} else {
		g.i("VCMPPS $0x1e, %s, %s, %s", r(3), r(0), r(4))
		g.i("VANDPS %s, %s, %s", r(4), r(0), r(1))
		g.i("VANDPS %s, %s, %s", cref("one"), r(4), r(2))
	}
	g.i("VMOVUPS %s, (SI)", r(1))
	g.i("VMOVUPS %s, (DI)", r(2))
	g.i("TESTQ DX, DX")
	g.i("JZ next")
	g.i("VMOVUPS %s, (DX)", r(3))
	g.i("ADDQ $%d, DX", vb)
	g.p("next:")
	g.i("ADDQ $%d, SI", vb)
	g.i("ADDQ $%d, DI", vb)
	g.i("DECQ CX")
	g.i("JNZ loop")
	g.p("done:")
	g.i("VZEROUPPER")
	g.ret()
}

// adam writes adam<ISA>(params, grad, m, v *float32, n int, c *[8]float32),
// one Adam update of n parameters (a multiple of the lane count) with the
// float32 constants c = {wd, b1, 1-b1, b2, 1-b2, stepSize, rbc2, eps}, in
// the order and with the roundings of nn's Go loop (no FMA):
// g = grad + wd p; m = b1 m + (1-b1) g; v = b2 v + ((1-b2) g) g;
// p -= (stepSize m) / (sqrt(v) rbc2 + eps).
func (g *gen) adam(s isa) {
	r := s.r
	vb := s.lanes * 4
	const (
		wd = 8 + iota
		b1
		c1
		b2
		c2
		ss
		rbc2
		eps
	)
	g.p("")
	g.p("// func adam%s(params, grad, m, v *float32, n int, c *[8]float32)", s.name)
	g.text("TEXT ·adam%s(SB), NOSPLIT, $0-48", s.name)
	g.i("MOVQ params+0(FP), DI")
	g.i("MOVQ grad+8(FP), SI")
	g.i("MOVQ m+16(FP), R8")
	g.i("MOVQ v+24(FP), R9")
	g.i("MOVQ n+32(FP), CX")
	g.i("MOVQ c+40(FP), AX")
	g.i("SHRQ $%d, CX", log2(s.lanes))
	g.i("JZ done")
	for i := 0; i < 8; i++ {
		g.i("VBROADCASTSS %d(AX), %s", 4*i, r(wd+i))
	}
	g.p("loop:")
	g.i("VMOVUPS (DI), %s", r(0))
	g.i("VMULPS %s, %s, %s", r(0), r(wd), r(2))
	g.i("VADDPS (SI), %s, %s", r(2), r(1)) // g
	g.i("VMULPS (R8), %s, %s", r(b1), r(3))
	g.i("VMULPS %s, %s, %s", r(1), r(c1), r(4))
	g.i("VADDPS %s, %s, %s", r(4), r(3), r(3)) // m
	g.i("VMOVUPS %s, (R8)", r(3))
	g.i("VMULPS (R9), %s, %s", r(b2), r(5))
	g.i("VMULPS %s, %s, %s", r(1), r(c2), r(6))
	g.i("VMULPS %s, %s, %s", r(1), r(6), r(6))
	g.i("VADDPS %s, %s, %s", r(6), r(5), r(5)) // v
	g.i("VMOVUPS %s, (R9)", r(5))
	g.i("VSQRTPS %s, %s", r(5), r(7))
	g.i("VMULPS %s, %s, %s", r(rbc2), r(7), r(7))
	g.i("VADDPS %s, %s, %s", r(eps), r(7), r(7))
	g.i("VMULPS %s, %s, %s", r(3), r(ss), r(4))
	g.i("VDIVPS %s, %s, %s", r(7), r(4), r(4))
	g.i("VSUBPS %s, %s, %s", r(4), r(0), r(0))
	g.i("VMOVUPS %s, (DI)", r(0))
	for _, reg := range []string{"DI", "SI", "R8", "R9"} {
		g.i("ADDQ $%d, %s", vb, reg)
	}
	g.i("DECQ CX")
	g.i("JNZ loop")
	g.p("done:")
	g.i("VZEROUPPER")
	g.ret()
}

// The constants of the logistic kernels: the clamp that keeps 2^k normal
// in exp(-|x|), and 1/(2j+1) for the series of log(1+e).
var logisticConstants = []constant{
	f32("expmax", 87),
	f32("third", 1.0/3),
	f32("fifth", 1.0/5),
	f32("seventh", 1.0/7),
	f32("ninth", 1.0/9),
	f32("eleventh", 1.0/11),
	f32("thirteenth", 1.0/13),
}

// logistic writes sigmoid<ISA> or softplus<ISA>(z, s1, s2 *float32, n int):
// for i < n (a multiple of the lane count), with e = exp(-|x|) from
// tanh's range reduction and polynomial, and sg = 1/(1+e) for x >= 0,
// e/(1+e) below,
//
//	sigmoid:  z = sg, s1 = sg (1-sg), s2 = s1 (1 - 2 sg)
//	softplus: z = max(x, 0) + log(1+e), s1 = sg, s2 = sg (1-sg)
//
// (s2 only if not nil), with log(1+e) = 2 atanh(t) = 2 t (1 + t^2/3 + ...
// + t^12/13), t = e/(2+e) <= 1/3. NaN propagates.
func (g *gen) logistic(s isa, softplus bool) {
	r := s.r
	vb := s.lanes * 4
	name := "sigmoid"
	if softplus {
		name = "softplus"
	}
	g.p("")
	g.p("// func %s%s(z, s1, s2 *float32, n int)", name, s.name)
	g.text("TEXT ·%s%s(SB), NOSPLIT, $0-32", name, s.name)
	g.i("MOVQ z+0(FP), SI")
	g.i("MOVQ s1+8(FP), DI")
	g.i("MOVQ s2+16(FP), DX")
	g.i("MOVQ n+24(FP), CX")
	g.i("SHRQ $%d, CX", log2(s.lanes))
	g.i("JZ done")
	g.p("loop:")
	g.i("VMOVUPS (SI), %s", r(0))
	g.i("%s %s, %s, %s", s.and(), cref("absmask"), r(0), r(1))
	g.i("VMOVUPS %s, %s", cref("expmax"), r(9))
	g.i("VMINPS %s, %s, %s", r(1), r(9), r(1))
	// y = -|x|; e = 2^k p(r) as in tanh.
	g.i("%s", s.zero(r(9)))
	g.i("VSUBPS %s, %s, %s", r(1), r(9), r(1))
	g.i("VMOVUPS %s, %s", cref("round"), r(2))
	g.i("VFMADD231PS %s, %s, %s", cref("log2e"), r(1), r(2))
	g.i("VSUBPS %s, %s, %s", cref("round"), r(2), r(3))
	g.i("VFNMADD231PS %s, %s, %s", cref("ln2hi"), r(3), r(1))
	g.i("VFNMADD231PS %s, %s, %s", cref("ln2lo"), r(3), r(1))
	g.i("VMOVUPS %s, %s", cref("c6"), r(4))
	for _, c := range []string{"c5", "c4", "c3", "c2", "one", "one"} {
		g.i("VFMADD213PS %s, %s, %s", cref(c), r(1), r(4))
	}
	g.i("VPADDD %s, %s, %s", cref("expbias"), r(2), r(2))
	g.i("VPSLLD $23, %s, %s", r(2), r(2))
	g.i("VMULPS %s, %s, %s", r(2), r(4), r(4))        // r4 = e
	g.i("VADDPS %s, %s, %s", cref("one"), r(4), r(5)) // r5 = 1+e
	g.i("VMOVUPS %s, %s", cref("one"), r(6))
	g.i("VDIVPS %s, %s, %s", r(5), r(6), r(6)) // r6 = 1/(1+e)
	g.i("VMULPS %s, %s, %s", r(6), r(4), r(7)) // r7 = e/(1+e)
	// sg = x < 0 ? r7 : r6 (predicate 0x11: less than, ordered, quiet).
	if s.reg == "Z" {
		g.i("VCMPPS $0x11, %s, %s, K1", r(9), r(0))
		g.i("VBLENDMPS %s, %s, K1, %s", r(7), r(6), r(6))
	} else {
		g.i("VCMPPS $0x11, %s, %s, %s", r(9), r(0), r(8))
		g.i("VBLENDVPS %s, %s, %s, %s", r(8), r(7), r(6), r(6))
	}
	// r8 = sg (1 - sg).
	g.i("VMOVUPS %s, %s", cref("one"), r(8))
	g.i("VSUBPS %s, %s, %s", r(6), r(8), r(8))
	g.i("VMULPS %s, %s, %s", r(8), r(6), r(8))
	if !softplus {
		g.i("VMOVUPS %s, (SI)", r(6))
		g.i("VMOVUPS %s, (DI)", r(8))
		g.i("TESTQ DX, DX")
		g.i("JZ next")
		// s2 = s1 (1 - 2 sg) = s1 (1 + (-2) sg).
		g.i("VMOVUPS %s, %s", cref("one"), r(7))
		g.i("VFMADD231PS %s, %s, %s", cref("mtwo"), r(6), r(7))
		g.i("VMULPS %s, %s, %s", r(7), r(8), r(7))
		g.i("VMOVUPS %s, (DX)", r(7))
	} else {
		// t = e / (2 + e); log(1+e) = 2 t P(t^2).
		g.i("VADDPS %s, %s, %s", cref("two"), r(4), r(7))
		g.i("VDIVPS %s, %s, %s", r(7), r(4), r(4)) // r4 = t
		g.i("VMULPS %s, %s, %s", r(4), r(4), r(5)) // r5 = t^2
		g.i("VMOVUPS %s, %s", cref("thirteenth"), r(7))
		for _, c := range []string{"eleventh", "ninth", "seventh", "fifth", "third", "one"} {
			g.i("VFMADD213PS %s, %s, %s", cref(c), r(5), r(7))
		}
		g.i("VMULPS %s, %s, %s", r(4), r(7), r(7))
		g.i("VADDPS %s, %s, %s", r(7), r(7), r(7))
		// max(x, 0) with x second, so that a NaN propagates.
		g.i("VMAXPS %s, %s, %s", r(0), r(9), r(1))
		g.i("VADDPS %s, %s, %s", r(7), r(1), r(1))
		g.i("VMOVUPS %s, (SI)", r(1))
		g.i("VMOVUPS %s, (DI)", r(6))
		g.i("TESTQ DX, DX")
		g.i("JZ next")
		g.i("VMOVUPS %s, (DX)", r(8))
	}
	g.i("ADDQ $%d, DX", vb)
	g.p("next:")
	g.i("ADDQ $%d, SI", vb)
	g.i("ADDQ $%d, DI", vb)
	g.i("DECQ CX")
	g.i("JNZ loop")
	g.p("done:")
	g.i("VZEROUPPER")
	g.ret()
}

// The constants of sin: 2/pi, pi/2 in three parts (the first two with
// trailing zeros, so that j * part is exact for |j| < 2^10), the reach of
// the reduction, and the Taylor coefficients of sin and cos on |r| <= pi/4.
var sinConstants = []constant{
	f32("twoopi", 2/math.Pi),
	f32("pio2a", 1.5703125),
	f32("pio2b", 4.837512969970703125e-4),
	f32("pio2c", 7.54978995489188216e-8),
	f32("sinmax", 1024),
	f32("s3", -1.0/6),
	f32("s5", 1.0/120),
	f32("s7", -1.0/5040),
	f32("s9", 1.0/362880),
	f32("k2", -1.0/2),
	f32("k4", 1.0/24),
	f32("k6", -1.0/720),
	f32("k8", 1.0/40320),
	{"quad1", 1},
	{"quad2", 2},
}

// sin writes sin<ISA>(z, s1, s2 *float32, n int) int: for i < n (a
// multiple of the lane count) z[i] = sin(x), s1[i] = cos(x) and, unless s2
// is nil, s2[i] = -sin(x), from x = j pi/2 + r (Cody-Waite, three parts)
// and polynomials of degree 9 and 8 in r. It stops before the first vector
// holding an |x| of 1024 or more (or an infinity), whose reduction would
// lose accuracy, and returns the number of values done.
func (g *gen) sin(s isa) {
	r := s.r
	vb := s.lanes * 4
	g.p("")
	g.p("// func sin%s(z, s1, s2 *float32, n int) int", s.name)
	g.text("TEXT ·sin%s(SB), NOSPLIT, $0-40", s.name)
	g.i("MOVQ z+0(FP), SI")
	g.i("MOVQ s1+8(FP), DI")
	g.i("MOVQ s2+16(FP), DX")
	g.i("MOVQ n+24(FP), CX")
	g.i("SHRQ $%d, CX", log2(s.lanes))
	g.i("XORQ BX, BX")
	g.i("TESTQ CX, CX")
	g.i("JZ done")
	g.p("loop:")
	g.i("VMOVUPS (SI), %s", r(0))
	// Stop at |x| >= 1024 (predicate 0x1d: greater or equal, ordered, quiet).
	g.i("%s %s, %s, %s", s.and(), cref("absmask"), r(0), r(1))
	if s.reg == "Z" {
		g.i("VCMPPS $0x1d, %s, %s, K1", cref("sinmax"), r(1))
		g.i("KORTESTW K1, K1")
		g.i("JNZ done")
	} else {
		g.i("VCMPPS $0x1d, %s, %s, %s", cref("sinmax"), r(1), r(1))
		g.i("VMOVMSKPS %s, AX", r(1))
		g.i("TESTL AX, AX")
		g.i("JNZ done")
	}
	// j = round(x 2/pi): kr = x 2/pi + round, jf = kr - round.
	g.i("VMOVUPS %s, %s", cref("round"), r(2))
	g.i("VFMADD231PS %s, %s, %s", cref("twoopi"), r(0), r(2))
	g.i("VSUBPS %s, %s, %s", cref("round"), r(2), r(3))
	g.i("VMOVUPS %s, %s", r(0), r(1))
	g.i("VFNMADD231PS %s, %s, %s", cref("pio2a"), r(3), r(1))
	g.i("VFNMADD231PS %s, %s, %s", cref("pio2b"), r(3), r(1))
	g.i("VFNMADD231PS %s, %s, %s", cref("pio2c"), r(3), r(1)) // r1 = r
	g.i("VMULPS %s, %s, %s", r(1), r(1), r(3))                // r3 = r^2
	// r4 = sin r = r + r^3 (s3 + r^2 (s5 + r^2 (s7 + r^2 s9))).
	g.i("VMOVUPS %s, %s", cref("s9"), r(4))
	for _, c := range []string{"s7", "s5", "s3"} {
		g.i("VFMADD213PS %s, %s, %s", cref(c), r(3), r(4))
	}
	g.i("VMULPS %s, %s, %s", r(3), r(4), r(4))
	g.i("VFMADD213PS %s, %s, %s", r(1), r(1), r(4))
	// r5 = cos r = 1 + r^2 (k2 + r^2 (k4 + r^2 (k6 + r^2 k8))).
	g.i("VMOVUPS %s, %s", cref("k8"), r(5))
	for _, c := range []string{"k6", "k4", "k2", "one"} {
		g.i("VFMADD213PS %s, %s, %s", cref(c), r(3), r(5))
	}
	// Quadrant q = j mod 4 from the low bits of kr: odd q swaps sin and
	// cos; sin x is negative for q = 2, 3 and cos x for q = 1, 2.
	if s.reg == "Z" {
		g.i("VPTESTMD %s, %s, K1", cref("quad1"), r(2))
		g.i("VBLENDMPS %s, %s, K1, %s", r(5), r(4), r(6)) // sin x up to sign
		g.i("VBLENDMPS %s, %s, K1, %s", r(4), r(5), r(7)) // cos x up to sign
	} else {
		g.i("%s %s, %s, %s", s.pand(), cref("quad1"), r(2), r(8))
		g.i("VPCMPEQD %s, %s, %s", cref("quad1"), r(8), r(8))
		g.i("VBLENDVPS %s, %s, %s, %s", r(8), r(5), r(4), r(6))
		g.i("VBLENDVPS %s, %s, %s, %s", r(8), r(4), r(5), r(7))
	}
	// Sign of sin: bit 1 of q; of cos: bit 1 of q+1. Shift them to bit 31.
	g.i("%s %s, %s, %s", s.pand(), cref("quad2"), r(2), r(8))
	g.i("VPSLLD $30, %s, %s", r(8), r(8))
	g.i("VPADDD %s, %s, %s", cref("quad1"), r(2), r(9))
	g.i("%s %s, %s, %s", s.pand(), cref("quad2"), r(9), r(9))
	g.i("VPSLLD $30, %s, %s", r(9), r(9))
	if s.reg == "Z" {
		g.i("VPXORD %s, %s, %s", r(8), r(6), r(6))
		g.i("VPXORD %s, %s, %s", r(9), r(7), r(7))
	} else {
		g.i("VXORPS %s, %s, %s", r(8), r(6), r(6))
		g.i("VXORPS %s, %s, %s", r(9), r(7), r(7))
	}
	g.i("VMOVUPS %s, (SI)", r(6))
	g.i("VMOVUPS %s, (DI)", r(7))
	g.i("TESTQ DX, DX")
	g.i("JZ next")
	g.i("%s %s, %s, %s", s.xor(), cref("signmask"), r(6), r(6))
	g.i("VMOVUPS %s, (DX)", r(6))
	g.i("ADDQ $%d, DX", vb)
	g.p("next:")
	g.i("ADDQ $%d, SI", vb)
	g.i("ADDQ $%d, DI", vb)
	g.i("ADDQ $%d, BX", s.lanes)
	g.i("DECQ CX")
	g.i("JNZ loop")
	g.p("done:")
	g.i("MOVQ BX, ret+32(FP)")
	g.i("VZEROUPPER")
	g.ret()
}

func (s isa) xor() string {
	if s.reg == "Z" {
		return "VPXORD"
	}
	return "VXORPS"
}

// pand returns the integer and of the ISA.
func (s isa) pand() string {
	if s.reg == "Z" {
		return "VPANDD"
	}
	return "VPAND"
}

// average writes the kernel of averageVec: avg[i] = beta*avg[i] + a*p[i]
// over n floats, n a multiple of the vector width:
// two products and a sum, each rounded, as the Go loop of nn.Average.
func (g *gen) average(s isa) {
	r := s.r
	vb := s.lanes * 4
	g.p("")
	g.p("// func average%s(avg, p *float32, n int, beta, a float32)", s.name)
	g.text("TEXT ·average%s(SB), NOSPLIT, $0-32", s.name)
	g.i("MOVQ avg+0(FP), DI")
	g.i("MOVQ p+8(FP), SI")
	g.i("MOVQ n+16(FP), CX")
	g.i("VBROADCASTSS beta+24(FP), %s", r(4))
	g.i("VBROADCASTSS a+28(FP), %s", r(5))
	g.i("SHRQ $%d, CX", log2(s.lanes))
	g.i("JZ done")
	g.p("loop:")
	g.i("VMULPS (DI), %s, %s", r(4), r(0))
	g.i("VMULPS (SI), %s, %s", r(5), r(1))
	g.i("VADDPS %s, %s, %s", r(1), r(0), r(0))
	g.i("VMOVUPS %s, (DI)", r(0))
	g.i("ADDQ $%d, DI", vb)
	g.i("ADDQ $%d, SI", vb)
	g.i("DECQ CX")
	g.i("JNZ loop")
	g.p("done:")
	g.i("VZEROUPPER")
	g.ret()
}
