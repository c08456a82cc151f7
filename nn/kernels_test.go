package nn

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// forLevels runs f once for every kernel level the CPU supports (generic,
// then avx2 and avx512 where present), switching the package's level. The
// subtests are sequential: the level is package state.
func forLevels(t *testing.T, f func(t *testing.T, l kernelLevel)) {
	for _, l := range supportedLevels() {
		t.Run(levelNames[l], func(t *testing.T) {
			defer setKernelLevel(l)()
			f(t, l)
		})
	}
}

// gemmCase is one product C = alpha op(A) op(B) + beta C with its storage.
type gemmCase struct {
	tA, tB        bool
	m, n, k       int
	lda, ldb, ldc int
	alpha, beta   float32
}

func (g gemmCase) String() string {
	return fmt.Sprintf("tA=%v,tB=%v,m=%d,n=%d,k=%d,ld=%d/%d/%d,alpha=%g,beta=%g",
		g.tA, g.tB, g.m, g.n, g.k, g.lda, g.ldb, g.ldc, g.alpha, g.beta)
}

// dims returns the stored shapes of A and B.
func (g gemmCase) dims() (ar, ac, br, bc int) {
	ar, ac = g.m, g.k
	if g.tA {
		ar, ac = g.k, g.m
	}
	br, bc = g.k, g.n
	if g.tB {
		br, bc = g.n, g.k
	}
	return
}

const canaries = 5

// gemmData returns A, B and C for g, seeded: the values in the used region,
// NaN in every padding column and in canaries values after each slice. C is
// NaN where beta is 0, which the product must overwrite.
func gemmData(g gemmCase, rng *rand.Rand) (a, b, c []float32) {
	fill := func(r, cols, ld int, nan bool) []float32 {
		x := make([]float32, max(0, (r-1)*ld+cols)+canaries)
		for i := range x {
			x[i] = float32(math.NaN())
		}
		for i := 0; i < r; i++ {
			for j := 0; j < cols; j++ {
				if !nan {
					x[i*ld+j] = float32(rng.NormFloat64())
				}
			}
		}
		return x
	}
	ar, ac, br, bc := g.dims()
	return fill(ar, ac, g.lda, false), fill(br, bc, g.ldb, false), fill(g.m, g.n, g.ldc, g.beta == 0)
}

// checkGemm runs g at the current level and checks every element of C
// against a float64 loop: |C - C64| <= 2 k 2^-24 sum_p |a_ip b_pj| +
// 2^-23 |beta c_ij| (the error bound of a float32 dot product of length k
// with one rounding per addition, with a factor 2 of slack), and that the
// padding and canaries of C are untouched.
func checkGemm(t *testing.T, g gemmCase, rng *rand.Rand) {
	t.Helper()
	a, b, c := gemmData(g, rng)
	c0 := append([]float32(nil), c...)
	at := func(i, p int) float64 {
		if g.tA {
			return float64(a[p*g.lda+i])
		}
		return float64(a[i*g.lda+p])
	}
	bt := func(p, j int) float64 {
		if g.tB {
			return float64(b[j*g.ldb+p])
		}
		return float64(b[p*g.ldb+j])
	}
	gemm(g.tA, g.tB, g.m, g.n, g.k, g.alpha, a, g.lda, b, g.ldb, g.beta, c, g.ldc)
	u := math.Ldexp(1, -24)
	bad := 0
	for i := 0; i < g.m; i++ {
		for j := 0; j < g.n; j++ {
			var s, abs float64
			for p := 0; p < g.k; p++ {
				v := at(i, p) * bt(p, j)
				s += v
				abs += math.Abs(v)
			}
			s *= float64(g.alpha)
			abs *= math.Abs(float64(g.alpha))
			var cb float64
			if g.beta != 0 {
				cb = float64(g.beta) * float64(c0[i*g.ldc+j])
			}
			want := s + cb
			tol := 2*float64(g.k)*u*abs + 2*u*math.Abs(cb) + 1e-30
			got := float64(c[i*g.ldc+j])
			if !(math.Abs(got-want) <= tol) {
				if bad++; bad <= 3 {
					t.Errorf("%v: C[%d,%d] = %g, want %g within %.3g", g, i, j, got, want, tol)
				}
			}
		}
	}
	for i := range c {
		if i < (g.m-1)*g.ldc+g.n && i%g.ldc < g.n && g.m > 0 {
			continue
		}
		if math.Float32bits(c[i]) != math.Float32bits(c0[i]) {
			t.Fatalf("%v: C[%d] outside the matrix changed from %g to %g", g, i, c0[i], c[i])
		}
	}
}

// cases returns g with its leading dimensions set to the widths (pad 0)
// or above them.
func withLD(g gemmCase, pad int) gemmCase {
	ar, ac, br, bc := g.dims()
	_, _ = ar, br
	g.lda, g.ldb, g.ldc = max(1, ac)+pad, max(1, bc)+2*pad, max(1, g.n)+3*pad
	return g
}

var transposes = []struct{ tA, tB bool }{{false, false}, {false, true}, {true, false}, {true, true}}

// TestGemmRemainders covers every remainder of the register blocks of all
// levels (mr = 6 and 14 rows, nr = 16 and 32 columns) in m and n, every
// transpose case and the depths the issue lists, with padded leading
// dimensions and NaN canaries.
func TestGemmRemainders(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 1))
	ks := []int{1, 2, 3, 7, 200, 1500}
	forLevels(t, func(t *testing.T, l kernelLevel) {
		for _, tr := range transposes {
			for _, k := range ks {
				// m across 1..2*14+1 rows at a width with a full and a
				// partial panel; n across 1..2*32+1 at a height with a full
				// and a partial strip.
				for m := 1; m <= 29; m++ {
					if k == 1500 && m%3 != 0 {
						continue
					}
					checkGemm(t, withLD(gemmCase{tA: tr.tA, tB: tr.tB, m: m, n: 45, k: k, alpha: 1, beta: 0}, m%2), rng)
				}
				for n := 1; n <= 65; n++ {
					if k == 1500 && n%5 != 0 {
						continue
					}
					checkGemm(t, withLD(gemmCase{tA: tr.tA, tB: tr.tB, m: 17, n: n, k: k, alpha: 1, beta: 1}, n%2), rng)
				}
			}
		}
	})
}

// TestGemmShapes covers the products of an HNN step of the reference
// network (batch 750, widths 2-200-200-1), with alpha and beta away from 0
// and 1.
func TestGemmShapes(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 2))
	cases := []gemmCase{
		{m: 750, n: 200, k: 200, alpha: 1},            // Z W
		{m: 750, n: 200, k: 2, alpha: 1, beta: 1},     // X W_1 onto the biases
		{m: 750, n: 1, k: 200, alpha: 1},              // Z w_o
		{tB: true, m: 750, n: 200, k: 200, alpha: 1},  // Abar W^T
		{tB: true, m: 750, n: 2, k: 200, alpha: 1},    // Delta_1 W_1^T
		{tA: true, m: 200, n: 200, k: 1500, alpha: 1}, // [Z; M]^T [Abar; Delta]
		{tA: true, m: 2, n: 200, k: 1500, alpha: 1},   // [X; P]^T [Abar; Delta]
		{tA: true, tB: true, m: 200, n: 200, k: 750, alpha: 0.5, beta: -0.25},
		{m: 750, n: 200, k: 200, alpha: -2, beta: 0.5},
		{tB: true, m: 1, n: 200, k: 200, alpha: 1},             // one state's Abar W^T
		{tB: true, m: 3, n: 200, k: 200, alpha: -0.5, beta: 1}, // a few states, accumulated
		{tB: true, m: 4, n: 200, k: 7, alpha: 2, beta: -0.25},
		{m: 0, n: 3, k: 2, alpha: 1},
		{m: 3, n: 4, k: 0, alpha: 1, beta: 0.5},
	}
	forLevels(t, func(t *testing.T, l kernelLevel) {
		for _, g := range cases {
			checkGemm(t, withLD(g, 0), rng)
			checkGemm(t, withLD(g, 5), rng)
		}
	})
}

// TestGemmPanics checks that impossible arguments panic at every level.
func TestGemmPanics(t *testing.T) {
	forLevels(t, func(t *testing.T, l kernelLevel) {
		a := make([]float32, 12)
		for _, f := range []func(){
			func() { gemm(false, false, 3, 4, 4, 1, a, 4, a, 4, 0, a[:11], 4) },
			func() { gemm(false, false, 3, 4, 4, 1, a, 3, a, 4, 0, a, 4) },
			func() { gemm(true, false, 3, 4, 5, 1, a, 3, a, 4, 0, a, 4) },
		} {
			func() {
				defer func() {
					if recover() == nil {
						t.Error("no panic")
					}
				}()
				f()
			}()
		}
	})
}

// FuzzGemm checks products of fuzzed shapes, transposes, paddings and
// scalars at every level against the float64 loop.
func FuzzGemm(f *testing.F) {
	f.Add(uint8(15), uint8(33), uint16(7), uint8(0), uint8(1), int64(1))
	f.Add(uint8(1), uint8(1), uint16(1), uint8(3), uint8(0), int64(2))
	f.Add(uint8(29), uint8(17), uint16(300), uint8(1), uint8(4), int64(3))
	f.Fuzz(func(t *testing.T, m, n uint8, k uint16, tr, pad uint8, seed int64) {
		rng := rand.New(rand.NewPCG(uint64(seed), 3))
		g := gemmCase{tA: tr&1 != 0, tB: tr&2 != 0, m: int(m % 64), n: int(n % 80), k: int(k % 700), alpha: 1}
		switch tr >> 2 % 3 {
		case 1:
			g.beta = 1
		case 2:
			g.alpha, g.beta = 0.75, -1.5
		}
		g = withLD(g, int(pad%4))
		for _, l := range supportedLevels() {
			restore := setKernelLevel(l)
			checkGemm(t, g, rng)
			restore()
		}
	})
}

// TestTanhKernels checks the fused tanh at every level against math.Tanh
// (absolute error at most 3e-7, the bound tanh32 documents) and its
// derivatives against those of the returned value, over lengths that leave
// every remainder of the vector width, with NaN and the infinities
// propagated.
func TestTanhKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 4))
	forLevels(t, func(t *testing.T, l kernelLevel) {
		for _, n := range []int{0, 1, 7, 8, 15, 16, 17, 33, 1000} {
			for _, second := range []bool{false, true} {
				x := make([]float32, n)
				for i := range x {
					x[i] = float32(3 * rng.NormFloat64())
					switch i % 97 {
					case 3:
						x[i] = float32(math.NaN())
					case 5:
						x[i] = float32(math.Inf(-1))
					case 7:
						x[i] = 0
					case 11:
						x[i] = float32(20 * rng.NormFloat64())
					}
				}
				z := append([]float32(nil), x...)
				s1 := make([]float32, n+1)
				var s2 []float32
				if second {
					s2 = make([]float32, n+1)
					s2[n] = 42
				}
				s1[n] = 42
				tanhAct32(z, s1[:n], s2[:min(len(s2), n)])
				if s1[n] != 42 || (second && s2[n] != 42) {
					t.Fatalf("n=%d: wrote past the end", n)
				}
				if !second {
					s2 = nil
				}
				for i, v := range x {
					want := math.Tanh(float64(v))
					if math.IsNaN(want) {
						if !math.IsNaN(float64(z[i])) || !math.IsNaN(float64(s1[i])) {
							t.Errorf("tanh(NaN) = %g, %g", z[i], s1[i])
						}
						continue
					}
					if d := math.Abs(float64(z[i]) - want); !(d <= 3e-7) {
						t.Errorf("n=%d: tanh(%g) = %g, want %g (error %.3g)", n, v, z[i], want, d)
					}
					tt := z[i]
					if d := 1 - tt*tt; math.Abs(float64(s1[i]-d)) > 1e-7 {
						t.Errorf("s1(%g) = %g, want %g", v, s1[i], d)
					}
					if s2 != nil {
						if d := -2 * tt * (1 - tt*tt); math.Abs(float64(s2[i]-d)) > 2e-7 {
							t.Errorf("s2(%g) = %g, want %g", v, s2[i], d)
						}
					}
				}
			}
		}
	})
}

// TestElementwiseKernels checks mulInto and mulAddInto at every level
// against the scalar loops (to one float32 rounding of the product).
func TestElementwiseKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 5))
	forLevels(t, func(t *testing.T, l kernelLevel) {
		for _, n := range []int{0, 1, 15, 16, 31, 32, 33, 64, 100, 1000} {
			a, b, c := make([]float32, n+1), make([]float32, n), make([]float32, n)
			for i := range b {
				a[i], b[i], c[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64()), float32(rng.NormFloat64())
			}
			a[n] = 42
			a0 := append([]float32(nil), a...)
			mulInto(a[:n], b)
			for i := range b {
				if a[i] != a0[i]*b[i] {
					t.Fatalf("n=%d: mulInto[%d] = %g, want %g", n, i, a[i], a0[i]*b[i])
				}
			}
			copy(a, a0)
			mulAddInto(a[:n], b, c)
			for i := range b {
				want := float64(a0[i]) + float64(b[i])*float64(c[i])
				if d := math.Abs(float64(a[i]) - want); d > 1e-6*(1+math.Abs(want)) {
					t.Fatalf("n=%d: mulAddInto[%d] = %g, want %g", n, i, a[i], want)
				}
			}
			if a[n] != 42 {
				t.Fatalf("n=%d: wrote past the end", n)
			}
		}
	})
}

// TestSecondOrderKernels checks secondOrderTerms and colSum at every level
// against the scalar loops; both keep the scalar roundings, so the results
// are equal.
func TestSecondOrderKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 6))
	forLevels(t, func(t *testing.T, l kernelLevel) {
		for _, n := range []int{0, 1, 15, 16, 17, 33, 100, 1000} {
			v := make([][]float32, 4)
			for i := range v {
				v[i] = make([]float32, n)
				for j := range v[i] {
					v[i][j] = float32(rng.NormFloat64())
				}
			}
			pi, s1, u, s2 := v[0], v[1], v[2], v[3]
			for _, withM := range []bool{false, true} {
				mk, ek := make([]float32, n+1), make([]float32, n+1)
				mk[n], ek[n] = 42, 42
				var m []float32
				if withM {
					m = mk[:n]
				}
				secondOrderTerms(m, ek[:n], pi, s1, u, s2)
				for i, p := range pi {
					if ek[i] != p*u[i]*s2[i] || (withM && mk[i] != p*s1[i]) || (!withM && mk[i] != 0) {
						t.Fatalf("n=%d: terms[%d] = %g, %g", n, i, mk[i], ek[i])
					}
				}
				if mk[n] != 42 || ek[n] != 42 {
					t.Fatalf("n=%d: wrote past the end", n)
				}
			}
			for _, r := range []int{1, 3} {
				if n%r != 0 {
					continue
				}
				cols := n / r
				dst := make([]float32, cols+1)
				dst[cols] = 42
				colSum(dst, pi, r, cols)
				for j := 0; j < cols; j++ {
					var want float32
					for i := 0; i < r; i++ {
						want += pi[i*cols+j]
					}
					if dst[j] != want {
						t.Fatalf("colSum[%d] = %g, want %g", j, dst[j], want)
					}
				}
				if dst[cols] != 42 {
					t.Fatal("colSum wrote past the end")
				}
			}
		}
	})
}

// TestKernelEnv checks that HNN_KERNEL lowers the level the CPU supports
// and never raises it, whatever that level, and that a name of no level is
// an error naming every valid level that leaves the CPU's best.
func TestKernelEnv(t *testing.T) {
	for best := levelGeneric; best <= levelAVX512; best++ {
		for _, tc := range []struct {
			env  string
			want kernelLevel
			bad  bool
		}{
			{"", best, false},
			{"generic", levelGeneric, false},
			{"avx2", min(levelAVX2, best), false},
			{"avx512", best, false},
			{"sse", best, true},
			{"AVX2", best, true},
			{" avx2", best, true},
		} {
			got, err := lowerLevel(best, tc.env)
			if got != tc.want || (err != nil) != tc.bad {
				t.Errorf("CPU level %s, HNN_KERNEL=%q: level %s, error %v; want level %s, error %t",
					levelNames[best], tc.env, levelNames[got], err, levelNames[tc.want], tc.bad)
			}
			if err == nil {
				continue
			}
			for _, name := range []string{"HNN_KERNEL", tc.env, "generic", "avx2", "avx512"} {
				if !strings.Contains(err.Error(), name) {
					t.Errorf("HNN_KERNEL=%q: error %q does not name %q", tc.env, err, name)
				}
			}
		}
	}
	t.Setenv("HNN_KERNEL", "sse")
	if l, err := detectLevel(); err == nil || l != cpuLevel() {
		t.Errorf("HNN_KERNEL=sse: detectLevel = %s, %v; want %s and an error", levelNames[l], err, levelNames[cpuLevel()])
	}
	t.Setenv("HNN_KERNEL", "generic")
	if l, err := detectLevel(); err != nil || l != levelGeneric {
		t.Errorf("HNN_KERNEL=generic: detectLevel = %s, %v; want generic and no error", levelNames[l], err)
	}
}

// TestCheckKernelEnv checks that CheckKernelEnv reports the value the
// process started with: an error exactly when it names no level. It runs
// itself again as a process started with HNN_KERNEL=sse.
func TestCheckKernelEnv(t *testing.T) {
	env := os.Getenv(KernelEnv)
	_, bad := lowerLevel(levelAVX512, env)
	if err := CheckKernelEnv(); (err != nil) != (bad != nil) {
		t.Fatalf("%s=%q: CheckKernelEnv() = %v", KernelEnv, env, err)
	}
	if os.Getenv("NN_TEST_CHILD") != "" {
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestCheckKernelEnv$")
	cmd.Env = append(os.Environ(), KernelEnv+"=sse", "NN_TEST_CHILD=1")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err != nil && !errors.As(err, &exit):
		// Under an emulator (qemu-user) the test binary may not start
		// as a process of its own.
		t.Skipf("cannot run the test binary again: %v", err)
	case err != nil:
		t.Errorf("with %s=sse: %v\n%s", KernelEnv, err, out)
	}
}

// TestPeak checks that the FMA loop reports a rate exactly where there are
// assembly kernels.
func TestPeak(t *testing.T) {
	forLevels(t, func(t *testing.T, l kernelLevel) {
		if p := PeakGFLOPS(0); (p > 0) != (l != levelGeneric) {
			t.Errorf("PeakGFLOPS = %g at level %s", p, levelNames[l])
		}
	})
}

// TestReLUKernels checks the float32 ReLU at every level against the
// scalar definition bit for bit: x where x > 0, +0 elsewhere (NaN and -0
// included), first derivative 1 or 0, second derivative 0.
func TestReLUKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 7))
	forLevels(t, func(t *testing.T, l kernelLevel) {
		for _, n := range []int{0, 1, 8, 15, 16, 17, 100} {
			x := make([]float32, n)
			for i := range x {
				x[i] = float32(rng.NormFloat64())
				switch i % 7 {
				case 2:
					x[i] = float32(math.NaN())
				case 3:
					x[i] = float32(math.Copysign(0, -1))
				case 4:
					x[i] = float32(math.Inf(1))
				}
			}
			z := append([]float32(nil), x...)
			s1, s2 := make([]float32, n+1), make([]float32, n+1)
			for i := range s2 {
				s1[i], s2[i] = 7, 7
			}
			activate(ReLU, z, s1[:n], s2[:n])
			for i, v := range x {
				want, d := float32(0), float32(0)
				if v > 0 {
					want, d = v, 1
				}
				if math.Float32bits(z[i]) != math.Float32bits(want) || s1[i] != d || s2[i] != 0 {
					t.Fatalf("n=%d: relu(%g) = %g, %g, %g", n, v, z[i], s1[i], s2[i])
				}
			}
			if s1[n] != 7 || s2[n] != 7 {
				t.Fatal("wrote past the end")
			}
		}
	})
}

// TestAdamKernels checks that the float32 Adam update gives the generic
// level's values bit for bit at every level, over several steps and
// lengths that leave every remainder of the vector width.
func TestAdamKernels(t *testing.T) {
	for _, n := range []int{1, 15, 16, 17, 40, 1001} {
		rng := rand.New(rand.NewPCG(13, uint64(n)))
		p0 := make([]float32, n)
		grads := make([][]float32, 5)
		for i := range p0 {
			p0[i] = float32(rng.NormFloat64())
		}
		for s := range grads {
			grads[s] = make([]float32, n)
			for i := range grads[s] {
				grads[s][i] = float32(rng.NormFloat64()) * float32(math.Pow(10, float64(i%7-3)))
			}
		}
		run := func() []float32 {
			p := append([]float32(nil), p0...)
			opt := NewAdam[float32](n, 1e-3, 1e-4)
			for _, g := range grads {
				opt.Step(p, g)
			}
			m, v, _ := opt.State()
			return append(append(p, m...), v...)
		}
		restore := setKernelLevel(levelGeneric)
		want := run()
		restore()
		forLevels(t, func(t *testing.T, l kernelLevel) {
			got := run()
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("n=%d: value %d = %g, want %g", n, i, got[i], want[i])
				}
			}
		})
	}
}

// TestLogisticKernels checks the float32 sigmoid and softplus with their
// derivatives at every level against the float64 definitions: within 3e-7
// plus 2^-22 of the value (a few float32 units), NaN propagated.
func TestLogisticKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 8))
	forLevels(t, func(t *testing.T, l kernelLevel) {
		for _, act := range []Activation{Sigmoid, Softplus} {
			for _, n := range []int{1, 15, 16, 17, 1000} {
				x := make([]float32, n)
				for i := range x {
					x[i] = float32(4 * rng.NormFloat64())
					switch i % 31 {
					case 3:
						x[i] = float32(math.NaN())
					case 5:
						x[i] = float32(100 * rng.NormFloat64())
					case 7:
						x[i] = 0
					}
				}
				z := append([]float32(nil), x...)
				s1, s2 := make([]float32, n), make([]float32, n)
				activate(act, z, s1, s2)
				for i, v := range x {
					xf := float64(v)
					sg := 1 / (1 + math.Exp(-xf))
					want := [3]float64{sg, sg * (1 - sg), sg * (1 - sg) * (1 - 2*sg)}
					if act == Softplus {
						want = [3]float64{math.Max(xf, 0) + math.Log1p(math.Exp(-math.Abs(xf))), sg, sg * (1 - sg)}
					}
					for j, got := range [3]float32{z[i], s1[i], s2[i]} {
						if math.IsNaN(xf) {
							if !math.IsNaN(float64(got)) {
								t.Fatalf("%v(NaN) part %d = %g", act, j, got)
							}
							continue
						}
						if d := math.Abs(float64(got) - want[j]); !(d <= 3e-7+math.Ldexp(math.Abs(want[j]), -22)) {
							t.Fatalf("%v(%g) part %d = %g, want %g (error %.3g)", act, v, j, got, want[j], d)
						}
					}
				}
			}
		}
	})
}

// TestSinKernels checks the float32 sin activation at every level against
// math.Sincos (absolute error at most 3e-7), including values beyond the
// kernels' reach (|x| >= 1024, infinities), which go through Go, and NaN.
func TestSinKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 9))
	forLevels(t, func(t *testing.T, l kernelLevel) {
		for _, n := range []int{1, 15, 16, 17, 1000} {
			x := make([]float32, n)
			for i := range x {
				x[i] = float32(5 * rng.NormFloat64())
				switch i % 97 {
				case 3:
					x[i] = float32(math.NaN())
				case 50:
					x[i] = float32(1000 * rng.NormFloat64())
				case 90:
					x[i] = float32(math.Inf(1))
				}
			}
			z := append([]float32(nil), x...)
			s1, s2 := make([]float32, n), make([]float32, n)
			activate(Sin, z, s1, s2)
			for i, v := range x {
				sn, cs := math.Sincos(float64(v))
				for j, p := range [][2]float64{{float64(z[i]), sn}, {float64(s1[i]), cs}, {float64(s2[i]), -sn}} {
					if math.IsNaN(p[1]) {
						if !math.IsNaN(p[0]) {
							t.Fatalf("sin(%g) part %d = %g, want NaN", v, j, p[0])
						}
						continue
					}
					if d := math.Abs(p[0] - p[1]); !(d <= 3e-7) {
						t.Fatalf("sin(%g) part %d = %g, want %g (error %.3g)", v, j, p[0], p[1], d)
					}
				}
			}
		}
	})
}

// TestSubnormalsFlushed checks that the assembly kernels read subnormal
// inputs as zero (DAZ) and write no subnormal results (FTZ), while the
// generic level keeps them, and that the flags do not outlive a kernel:
// Go arithmetic after one still produces a subnormal.
func TestSubnormalsFlushed(t *testing.T) {
	const m, n, k = 14, 32, 8
	tiny := math.Float32frombits(1 << 20) // about 1.5e-39, subnormal
	forLevels(t, func(t *testing.T, l kernelLevel) {
		a := make([]float32, m*k)
		b := make([]float32, k*n)
		c := make([]float32, m*n)
		for i := range a {
			a[i] = tiny
		}
		for i := range b {
			b[i] = 1
		}
		gemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n)
		want := float32(k) * tiny
		if l != levelGeneric {
			want = 0
		}
		for i, v := range c {
			if v != want {
				t.Fatalf("c[%d] = %g, want %g", i, v, want)
			}
		}
		half := float32(0.5)
		if got := tiny * half; got == 0 {
			t.Fatalf("after a product, Go arithmetic flushes subnormals: %g * 0.5 = 0", tiny)
		}
	})
}

// TestAverageKernels checks that the weight average gives, at every
// level, bit for bit the generic Go loop's values, over lengths around the
// vector widths.
func TestAverageKernels(t *testing.T) {
	for _, n := range []int{0, 1, 7, 8, 15, 16, 17, 40, 1001} {
		rng := rand.New(rand.NewPCG(17, uint64(n)))
		a0 := make([]float32, n)
		steps := make([][]float32, 4)
		for i := range a0 {
			a0[i] = float32(rng.NormFloat64())
		}
		for s := range steps {
			steps[s] = make([]float32, n)
			for i := range steps[s] {
				steps[s][i] = float32(rng.NormFloat64()) * float32(math.Pow(10, float64(i%5-2)))
			}
		}
		run := func() []float32 {
			avg := append([]float32(nil), a0...)
			for _, p := range steps {
				Average(avg, p, 0.99)
			}
			return avg
		}
		restore := setKernelLevel(levelGeneric)
		want := run()
		restore()
		forLevels(t, func(t *testing.T, l kernelLevel) {
			got := run()
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("n=%d: value %d = %g, want %g", n, i, got[i], want[i])
				}
			}
		})
	}
}

// TestActivationPositionFree checks that a float32 activation gives a value
// the same bits wherever it stands in a slice: the last values, short of a
// whole vector, go through the same kernel as the rest, so a row of a batch
// is activated as the row alone.
func TestActivationPositionFree(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 1))
	z0 := make([]float32, 37)
	for i := range z0 {
		z0[i] = float32(3 * rng.NormFloat64())
	}
	forLevels(t, func(t *testing.T, l kernelLevel) {
		for _, act := range []Activation{Tanh, ReLU, Sigmoid, Softplus, Sin} {
			z, s1, s2 := append([]float32(nil), z0...), make([]float32, len(z0)), make([]float32, len(z0))
			activate(act, z, s1, s2)
			for i, x := range z0 {
				one, d1, d2 := []float32{x}, []float32{0}, []float32{0}
				activate(act, one, d1, d2)
				if math.Float32bits(one[0]) != math.Float32bits(z[i]) || math.Float32bits(d1[0]) != math.Float32bits(s1[i]) ||
					math.Float32bits(d2[0]) != math.Float32bits(s2[i]) {
					t.Fatalf("activation %d at %d: alone (%g, %g, %g), in the slice (%g, %g, %g)", act, i, one[0], d1[0], d2[0], z[i], s1[i], s2[i])
				}
			}
		}
	})
}

// TestColSumKernel checks the column sums of every kernel level (the
// register-held sums of colSumVec and the Go loop after them) against
// the rows added in order in float32 by a plain loop, bit for bit, for
// widths around the kernels' 1, 2, 4 and 8 vectors, column offsets and
// beta; the exact sums (colSumAdd's) also on subnormal values, which
// they keep as the plain loop does.
func TestColSumKernel(t *testing.T) {
	forLevels(t, func(t *testing.T, l kernelLevel) {
		rng := rand.New(rand.NewPCG(9, uint64(l)))
		for _, c := range []struct {
			r, n, lo, w int
			tiny        bool // values of about 1e-39: subnormal float32
		}{
			{1, 7, 0, 7, false}, {3, 16, 0, 16, false}, {750, 200, 0, 200, false}, {750, 200, 32, 32, false},
			{5, 300, 13, 257, false}, {0, 40, 0, 40, false}, {200, 129, 64, 65, false}, {200, 200, 8, 56, false},
			{9, 200, 100, 24, false}, {200, 1568, 0, 1568, true}, {7, 100, 3, 90, true},
		} {
			a := make([]float32, c.r*c.n)
			scale := 1.0
			if c.tiny {
				scale = 1e-39
			}
			for i := range a {
				a[i] = float32(scale * rng.NormFloat64())
			}
			for _, exact := range []bool{false, true} {
				if c.tiny && !exact {
					continue // flushed to zero by design
				}
				for _, beta := range []float32{0, 1, 0.5} {
					d := make([]float32, c.w)
					for j := range d {
						d[j] = float32(scale * rng.NormFloat64())
					}
					want := slices.Clone(d)
					for j := range want {
						if want[j] *= beta; beta == 0 {
							want[j] = 0 // cleared, as colSum does
						}
						for i := range c.r {
							want[j] += a[i*c.n+c.lo+j]
						}
					}
					colSumCols(d, a, c.r, c.n, beta, c.lo, exact)
					if k := sameBits(d, want); k >= 0 {
						t.Errorf("%+v exact %v beta %v: d[%d] = %v, want %v", c, exact, beta, k, d[k], want[k])
					}
				}
			}
		}
	})
}

// TestPackKernels compares packPanels with the level's packing kernels
// and without them, bit for bit: full and partial panels, blocks of k
// with and without a remainder of the transposes' 8, alpha 1 and not,
// panels packed from a middle column and B read in place.
func TestPackKernels(t *testing.T) {
	forLevels(t, func(t *testing.T, l kernelLevel) {
		ks := kernelSets[l]
		if ks == nil {
			t.Skip("no kernels at this level")
		}
		plain := *ks
		plain.packRows, plain.transpose8 = [5]packKernel{}, nil
		rng := rand.New(rand.NewPCG(10, uint64(l)))
		nr := ks.nr
		for _, c := range []struct{ k, n, p0, kb int }{
			{8, 8, 0, 8}, {256, 200, 0, 256}, {300, 200, 256, 44}, {17, 3 * nr, 0, 17},
			{64, nr + 5, 8, 50}, {9, nr / 2, 1, 7}, {100, 2*nr + nr/2, 3, 97}, {40, 4, 0, 40},
		} {
			for _, tB := range []bool{false, true} {
				for _, alpha := range []float32{1, -0.75} {
					for _, inPlace := range []bool{false, true} {
						br, bc := c.k, c.n
						if tB {
							br, bc = c.n, c.k
						}
						ldb := bc + 3
						b := make([]float32, br*ldb)
						for i := range b {
							b[i] = float32(rng.NormFloat64())
						}
						npad := (c.n + nr - 1) / nr * nr
						panels := (c.n + nr - 1) / nr
						for _, j1 := range []int{0, (panels / 2) * nr} {
							got := make([]float32, c.kb*npad)
							want := make([]float32, c.kb*npad)
							for i := range got {
								got[i], want[i] = 7, 7 // untouched where in place
							}
							packPanels(ks, got, tB, b, ldb, c.p0, c.kb, c.n, nr, alpha, inPlace, j1, c.n)
							packPanels(&plain, want, tB, b, ldb, c.p0, c.kb, c.n, nr, alpha, inPlace, j1, c.n)
							if k := sameBits(got, want); k >= 0 {
								t.Fatalf("%+v tB %v alpha %v in place %v from %d: packed[%d] = %v, want %v", c, tB, alpha, inPlace, j1, k, got[k], want[k])
							}
						}
					}
				}
			}
		}
	})
}

// TestPackStrip checks the strip packing (packRows[stripVecs] with ldd =
// mr) against its definition (each row's first ldd values ldd apart, the
// last row's extra values after them, nothing beyond), and that packing a
// transposed A's strips leaves every product bit for bit as reading A in
// place does: full and partial strips, the last strip of a matrix too
// short to read a whole vector past it, depths across a block of kc,
// alpha, beta, lda > m, and on two goroutines.
func TestPackStrip(t *testing.T) {
	ignoringLoad(t)
	forLevels(t, func(t *testing.T, l kernelLevel) {
		ks := kernelSets[l]
		if ks == nil || ks.packRows[ks.stripVecs] == nil {
			t.Skip("no strip packing at this level")
		}
		pack := ks.packRows[ks.stripVecs]
		rng := rand.New(rand.NewPCG(11, uint64(l)))
		sw := 8 * ks.stripVecs
		for _, rows := range []int{0, 1, 2, 3, 8, 257} {
			lds := sw + 5
			src := make([]float32, max(0, (rows-1)*lds+sw))
			for i := range src {
				src[i] = float32(rng.NormFloat64())
			}
			dst := make([]float32, rows*ks.mr+sw+canaries)
			for i := range dst {
				dst[i] = -1
			}
			if rows > 0 {
				pack(&dst[0], &src[0], lds, ks.mr, rows)
			}
			for i := range rows {
				for j := range ks.mr {
					if got, want := dst[i*ks.mr+j], src[i*lds+j]; got != want {
						t.Fatalf("rows %d: dst[%d] = %v, want %v", rows, i*ks.mr+j, got, want)
					}
				}
			}
			end := rows * ks.mr
			if rows > 0 {
				end += sw - ks.mr
				for j := ks.mr; j < sw; j++ {
					if got, want := dst[(rows-1)*ks.mr+j], src[(rows-1)*lds+j]; got != want {
						t.Fatalf("rows %d: extra value %d = %v, want %v", rows, j, got, want)
					}
				}
			}
			for i := end; i < len(dst); i++ {
				if dst[i] != -1 {
					t.Fatalf("rows %d: dst[%d] written past the strip", rows, i)
				}
			}
		}
		plain := *ks
		plain.stripVecs = 0 // packRows[0] is nil: no strip packing
		mr, nr := ks.mr, ks.nr
		for _, c := range []struct{ m, n, k, pad int }{
			{mr, nr + 1, 5, 0}, {2 * mr, 3 * nr, 7, 0}, {2*mr + 1, 2 * nr, 300, 3},
			{200, 200, 400, 0}, {13, nr + nr/2, 1, 0}, {mr - 1, 4 * nr, 9, 0}, {100, 1568 % (4 * nr), 260, 2},
		} {
			for _, procs := range []int{1, 2} {
				for _, ab := range [][2]float32{{1, 0}, {1, 1}, {-0.5, 0.25}} {
					g := gemmCase{tA: true, m: c.m, n: c.n, k: c.k, lda: c.m + c.pad, ldb: c.n, ldc: c.n, alpha: ab[0], beta: ab[1]}
					a, b, c0 := gemmData(g, rng)
					got, want := slices.Clone(c0), slices.Clone(c0)
					old := runtime.GOMAXPROCS(procs)
					gemm(true, false, g.m, g.n, g.k, g.alpha, a, g.lda, b, g.ldb, g.beta, got, g.ldc)
					kernelSets[l] = &plain
					gemm(true, false, g.m, g.n, g.k, g.alpha, a, g.lda, b, g.ldb, g.beta, want, g.ldc)
					kernelSets[l] = ks
					runtime.GOMAXPROCS(old)
					if k := sameBits(got, want); k >= 0 {
						t.Errorf("%v on %d goroutines: C[%d] = %v packed, %v in place", g, procs, k, got[k], want[k])
					}
				}
			}
		}
	})
}

// TestKernelPanels checks that one call of a wide micro-kernel over
// several panels of B, packed or read in place, leaves C bit for bit as
// one call per panel does, and writes nothing beyond its panels: every row
// count, depths around the unrolled loops' 4, A in place, transposed and
// as a packed strip, storing and adding.
func TestKernelPanels(t *testing.T) {
	forLevels(t, func(t *testing.T, l kernelLevel) {
		ks := kernelSets[l]
		if ks == nil {
			t.Skip("no kernels at this level")
		}
		rng := rand.New(rand.NewPCG(12, uint64(l)))
		nr := ks.nr
		for r := 1; r <= ks.mr; r++ {
			for _, k := range []int{1, 3, 4, 9, 256} {
				for _, layout := range []string{"in place", "transposed", "strip"} {
					const panels, lda = 3, 300
					a := make([]float32, k*lda+r*lda)
					for i := range a {
						a[i] = float32(rng.NormFloat64())
					}
					rs, kstep := lda, 1
					switch layout {
					case "transposed":
						rs, kstep = 1, lda
					case "strip":
						rs, kstep = 1, r
					}
					b := make([]float32, panels*k*nr)
					for i := range b {
						b[i] = float32(rng.NormFloat64())
					}
					// B in place: k rows of panels*nr+3 values.
					const ldb = panels*4*16 + 3
					bIn := make([]float32, k*ldb)
					for i := range bIn {
						bIn[i] = float32(rng.NormFloat64())
					}
					const ldc = 4*16*3 + 5
					for _, acc := range []int{0, 1} {
						c0 := make([]float32, r*ldc)
						for i := range c0 {
							c0[i] = float32(rng.NormFloat64())
						}
						one, all := slices.Clone(c0), slices.Clone(c0)
						oneIn, allIn := slices.Clone(c0), slices.Clone(c0)
						for p := range panels {
							ks.wide[r-1](k, &a[0], rs, kstep, &b[p*k*nr], nr, &one[p*nr], ldc, acc, 0xffff, 1)
							ks.wide[r-1](k, &a[0], rs, kstep, &bIn[p*nr], ldb, &oneIn[p*nr], ldc, acc, 0xffff, 1)
						}
						ks.wide[r-1](k, &a[0], rs, kstep, &b[0], nr, &all[0], ldc, acc, 0xffff, panels)
						ks.wide[r-1](k, &a[0], rs, kstep, &bIn[0], ldb, &allIn[0], ldc, acc, 0xffff, panels)
						if i := sameBits(all, one); i >= 0 {
							t.Fatalf("%d rows, k %d, A %s, acc %d: C[%d] = %v in one call, %v in one per panel", r, k, layout, acc, i, all[i], one[i])
						}
						if i := sameBits(allIn, oneIn); i >= 0 {
							t.Fatalf("%d rows, k %d, A %s, acc %d, B in place: C[%d] = %v in one call, %v in one per panel", r, k, layout, acc, i, allIn[i], oneIn[i])
						}

						for i := range r {
							for j := panels * nr; j < ldc; j++ {
								if math.Float32bits(all[i*ldc+j]) != math.Float32bits(c0[i*ldc+j]) || math.Float32bits(allIn[i*ldc+j]) != math.Float32bits(c0[i*ldc+j]) {
									t.Fatalf("%d rows, k %d: C[%d][%d] written beyond the panels", r, k, i, j)
								}
							}
						}
					}
				}
			}
		}
	})
}

// TestNarrowPair checks that products whose last panel is a full half
// panel give the same bits with the two-strip half-panel kernel as with
// one narrow call per strip: odd and even strip counts, a last partial
// strip, B packed and in place, stored and added, on two goroutines too.
func TestNarrowPair(t *testing.T) {
	ignoringLoad(t)
	forLevels(t, func(t *testing.T, l kernelLevel) {
		ks := kernelSets[l]
		if ks == nil || ks.narrowPair == nil {
			t.Skip("no two-strip half-panel kernel at this level")
		}
		plain := *ks
		plain.narrowPair = nil
		rng := rand.New(rand.NewPCG(13, uint64(l)))
		mr, nr := ks.mr, ks.nr
		for _, c := range []gemmCase{
			{m: 2 * mr, n: nr / 2, k: 7, lda: 7, ldb: nr / 2, ldc: nr / 2, alpha: 1},
			{m: 750, n: 200, k: 200, lda: 200, ldb: 200, ldc: 200, alpha: 1},
			{tB: true, m: 5*mr + 1, n: 3*nr + nr/2, k: 300, lda: 300, ldb: 300, ldc: 3*nr + nr/2 + 1, alpha: 1, beta: 1},
			{m: 3 * mr, n: 2*nr + nr/2, k: 9, lda: 9, ldb: 2*nr + nr/2, ldc: 2*nr + nr/2, alpha: 1},
			{m: 200, n: 200, k: 400, lda: 400, ldb: 200, ldc: 200, alpha: -0.5, beta: 1},
		} {
			for _, procs := range []int{1, 2} {
				a, b, c0 := gemmData(c, rng)
				got, want := slices.Clone(c0), slices.Clone(c0)
				old := runtime.GOMAXPROCS(procs)
				gemm(c.tA, c.tB, c.m, c.n, c.k, c.alpha, a, c.lda, b, c.ldb, c.beta, got, c.ldc)
				kernelSets[l] = &plain
				gemm(c.tA, c.tB, c.m, c.n, c.k, c.alpha, a, c.lda, b, c.ldb, c.beta, want, c.ldc)
				kernelSets[l] = ks
				runtime.GOMAXPROCS(old)
				if i := sameBits(got, want); i >= 0 {
					t.Errorf("%v on %d goroutines: C[%d] = %v with the pair kernel, %v without", c, procs, i, got[i], want[i])
				}
			}
		}
	})
}
