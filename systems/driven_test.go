package systems

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/hnn-go/hnn/ode"
	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"
)

// drivenSystems are every Driven system of the package, with and without
// their optional inputs.
var drivenSystems = []Driven{
	TorquePendulum{},
	TorquePendulum{MassInv: 2, K: 1.5},
	CartPole{},
	CartPole{FullyActuated: true},
	Acrobot{},
	Acrobot{FullyActuated: true},
	DoublePendulum{},
	DoublePendulum{Torques: true},
}

// drivenState draws a state (q, q-dot, u) of sys: |q_i| < 3.5 (beyond
// pi), |q-dot_i| < 3, |u_j| < 2.
func drivenState(rng *rand.Rand, sys Driven) (q, qdot, u []float64) {
	n, m := sys.Coords(), sys.Inputs()
	q, qdot, u = make([]float64, n), make([]float64, n), make([]float64, m)
	for i := range n {
		q[i] = 7*rng.Float64() - 3.5
		qdot[i] = 6*rng.Float64() - 3
	}
	for j := range u {
		u[j] = 4*rng.Float64() - 2
	}
	return q, qdot, u
}

// mulVec returns a x for the r x c row-major matrix a.
func mulVec(a []float64, r, c int, x []float64) []float64 {
	y := make([]float64, r)
	for i := range r {
		for j := range c {
			y[i] += a[i*c+j] * x[j]
		}
	}
	return y
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// near reports whether got is within fdTol of want, relative to
// 1 + |want| + scale.
func near(got, want, scale float64) bool {
	return math.Abs(got-want) <= fdTol*(1+math.Abs(want)+scale)
}

// checkDriven checks the contract of a Driven system at random states:
// the mass matrix is symmetric positive definite; the energy's kinetic
// part is q-dot^T M q-dot / 2, and its q-dot gradient, the momentum, is
// M q-dot (finite differences); Force is the q gradient of the Lagrangian
// L = E(q, q-dot) - 2 V(q) (finite differences); Accel satisfies
// Euler-Lagrange's M q-ddot + M-dot q-dot = dL/dq + g u with M-dot from
// finite differences of Mass along q-dot; the energy changes at the rate
// q-dot . g u, the input's power; and the canonical view is Hamiltonian
// (checkSystem) with the input entering dp/dt as g u.
func checkDriven(t *testing.T, sys Driven) {
	t.Helper()
	n, m := sys.Coords(), sys.Inputs()
	if n < 1 || m < 0 || len(sys.Angles()) != n || sys.Name() == "" {
		t.Fatalf("%T: Coords %d, Inputs %d, Angles %v, Name %q", sys, n, m, sys.Angles(), sys.Name())
	}
	rng := rand.New(rand.NewPCG(1, uint64(n*10+m)))
	central := &fd.Settings{Formula: fd.Central}
	mass, g := make([]float64, n*n), make([]float64, n*m)
	force, acc := make([]float64, n), make([]float64, n)
	var canon [][]float64
	for range 20 {
		q, qdot, u := drivenState(rng, sys)
		zero := make([]float64, n)
		sys.Mass(mass, q)
		sym := mat.NewSymDense(n, nil)
		for i := range n {
			for j := range n {
				if mass[i*n+j] != mass[j*n+i] {
					t.Fatalf("%s: M(%v) = %v is not symmetric", sys.Name(), q, mass)
				}
				sym.SetSym(i, j, mass[i*n+j])
			}
		}
		var eig mat.EigenSym
		if !eig.Factorize(sym, false) || eig.Values(nil)[0] <= 0 {
			t.Fatalf("%s: M(%v) = %v is not positive definite", sys.Name(), q, mass)
		}
		p := mulVec(mass, n, n, qdot)
		if kin, want := sys.Energy(q, qdot)-sys.Energy(q, zero), dot(qdot, p)/2; !near(kin, want, 0) {
			t.Errorf("%s: at q %v, q-dot %v kinetic energy %v, q-dot^T M q-dot / 2 = %v", sys.Name(), q, qdot, kin, want)
		}
		grad := fd.Gradient(nil, func(v []float64) float64 { return sys.Energy(q, v) }, qdot, central)
		for i := range n {
			if !near(grad[i], p[i], 0) {
				t.Errorf("%s: at q %v, q-dot %v dE/dq-dot_%d = %v, (M q-dot)_%d = %v", sys.Name(), q, qdot, i, grad[i], i, p[i])
			}
		}
		lag := func(x []float64) float64 { return sys.Energy(x, qdot) - 2*sys.Energy(x, zero) }
		dLdq := fd.Gradient(nil, lag, q, central)
		sys.Force(force, q, qdot)
		for i := range n {
			if !near(force[i], dLdq[i], 0) {
				t.Errorf("%s: at q %v, q-dot %v Force_%d = %v, dL/dq_%d = %v", sys.Name(), q, qdot, i, force[i], i, dLdq[i])
			}
		}

		// Euler-Lagrange: M q-ddot + M-dot q-dot = dL/dq + g u.
		sys.Accel(acc, q, qdot, u)
		sys.InputMatrix(g, q)
		gu := mulVec(g, n, m, u)
		const h = 1e-5
		qa, qb := make([]float64, n), make([]float64, n)
		ma, mb := make([]float64, n*n), make([]float64, n*n)
		for i := range n {
			qa[i], qb[i] = q[i]+h*qdot[i], q[i]-h*qdot[i]
		}
		sys.Mass(ma, qa)
		sys.Mass(mb, qb)
		mdot := make([]float64, n*n)
		for i := range mdot {
			mdot[i] = (ma[i] - mb[i]) / (2 * h)
		}
		lhs := mulVec(mass, n, n, acc)
		md := mulVec(mdot, n, n, qdot)
		for i := range n {
			if got, want := lhs[i]+md[i], dLdq[i]+gu[i]; !near(got, want, math.Abs(lhs[i])) {
				t.Errorf("%s: at q %v, q-dot %v, u %v Euler-Lagrange residual %d: M q-ddot + M-dot q-dot = %v, dL/dq + g u = %v",
					sys.Name(), q, qdot, u, i, got, want)
			}
		}

		// Power: dE/dt = dE/dq . q-dot + dE/dq-dot . q-ddot = q-dot . g u.
		dEdq := fd.Gradient(nil, func(x []float64) float64 { return sys.Energy(x, qdot) }, q, central)
		if got, want := dot(dEdq, qdot)+dot(p, acc), dot(qdot, gu); !near(got, want, math.Abs(dot(dEdq, qdot))+math.Abs(dot(p, acc))) {
			t.Errorf("%s: at q %v, q-dot %v, u %v dE/dt = %v, input power q-dot . g u = %v", sys.Name(), q, qdot, u, got, want)
		}

		// The canonical view with this input: dq/dt = q-dot, and
		// dp/dt = -dH/dq + g u.
		c := NewCanonical(sys, u)
		x := append(append([]float64(nil), q...), p...)
		f := make([]float64, 2*n)
		c.Field(f, x)
		gradH := fd.Gradient(nil, c.Energy, x, central)
		for i := range n {
			if !near(f[i], qdot[i], 0) || !near(f[i], gradH[n+i], 0) {
				t.Errorf("%s: canonical dq_%d/dt = %v, q-dot %v, dH/dp %v", sys.Name(), i, f[i], qdot[i], gradH[n+i])
			}
			if !near(f[n+i], -gradH[i]+gu[i], 0) {
				t.Errorf("%s: canonical dp_%d/dt = %v, -dH/dq + g u = %v", sys.Name(), i, f[n+i], -gradH[i]+gu[i])
			}
		}
		v := make([]float64, n)
		c.Velocity(v, q, p)
		c.Momentum(p, q, v)
		for i := range n {
			if !near(v[i], qdot[i], 0) || !near(p[i], x[n+i], 0) {
				t.Errorf("%s: Velocity/Momentum round trip: q-dot %v -> p %v -> %v -> %v", sys.Name(), qdot, x[n:], v, p)
			}
		}
		canon = append(canon, x)
	}
	checkSystem(t, NewCanonical(sys, make([]float64, m)), canon)

	q := make([]float64, n)
	mustPanic(t, sys.Name()+" Accel short u", func() { sys.Accel(make([]float64, n), q, q, make([]float64, m+1)) })
	mustPanic(t, sys.Name()+" Accel short q", func() { sys.Accel(make([]float64, n), q[1:], q, make([]float64, m)) })
	mustPanic(t, sys.Name()+" Mass short", func() { sys.Mass(make([]float64, n*n+1), q) })
	mustPanic(t, sys.Name()+" InputMatrix long", func() { sys.InputMatrix(make([]float64, n*m+1), q) })
	mustPanic(t, sys.Name()+" Force short", func() { sys.Force(make([]float64, n-1), q, q) })
	mustPanic(t, sys.Name()+" Energy short", func() { sys.Energy(q, q[1:]) })
	mustPanic(t, sys.Name()+" NewCanonical u", func() { NewCanonical(sys, make([]float64, m+1)) })
}

func TestDrivenContract(t *testing.T) {
	t.Parallel()
	for _, sys := range drivenSystems {
		t.Run(sys.Name(), func(t *testing.T) {
			t.Parallel()
			checkDriven(t, sys)
		})
	}
}

// solveDriven integrates sys from (q, q-dot) under the constant u to the
// times ts with Dormand-Prince at rtol = atol = 1e-11 (or RK4 at step
// h if h > 0) and returns the states (q, q-dot, u) at each time.
func solveDriven(t *testing.T, sys Driven, q, qdot, u, ts []float64, h float64) [][]float64 {
	t.Helper()
	var ig ode.Integrator = ode.DormandPrince{RTol: 1e-11, ATol: 1e-11}
	if h > 0 {
		ig = ode.RK4{Step: h}
	}
	z0 := append(append(append([]float64(nil), q...), qdot...), u...)
	d := len(z0)
	dst := make([]float64, len(ts)*d)
	if err := ig.Solve(dst, DrivenField(sys), z0, ts); err != nil {
		t.Fatal(err)
	}
	out := make([][]float64, len(ts))
	for i := range ts {
		out[i] = dst[i*d : (i+1)*d]
	}
	return out
}

func linspace(a, b float64, k int) []float64 {
	ts := make([]float64, k)
	for i := range ts {
		ts[i] = a + (b-a)*float64(i)/float64(k-1)
	}
	return ts
}

// TestDrivenEnergyConserved integrates every system with u = 0 for 10
// time units from random starts, with Dormand-Prince at 1e-11 and with
// RK4 at step 1e-3: the energy must stay at its start's to 1e-8 relative
// to max(1, |E|) (the solvers' errors are far below; a field that does
// not conserve the energy drifts by order one).
func TestDrivenEnergyConserved(t *testing.T) {
	t.Parallel()
	for _, sys := range drivenSystems {
		t.Run(sys.Name(), func(t *testing.T) {
			t.Parallel()
			n, m := sys.Coords(), sys.Inputs()
			rng := rand.New(rand.NewPCG(2, uint64(n*10+m)))
			ts := linspace(0, 10, 51)
			for k := range 3 {
				q, qdot, _ := drivenState(rng, sys)
				e0 := sys.Energy(q, qdot)
				for _, h := range []float64{0, 1e-3} {
					var worst float64
					for _, z := range solveDriven(t, sys, q, qdot, make([]float64, m), ts, h) {
						worst = math.Max(worst, math.Abs(sys.Energy(z[:n], z[n:2*n])-e0)/math.Max(1, math.Abs(e0)))
					}
					if worst > 1e-8 {
						t.Errorf("start %d, RK4 step %v (0: dopri5): energy drifted by %.3g relative, start energy %v", k, h, worst, e0)
					}
				}
			}
		})
	}
}

// TestDrivenWork integrates every driven system under a constant input
// together with the work W = integral of q-dot . g(q) u dt, and checks
// E(t) - E(0) = W(t) to 1e-8 relative to max(1, |E(0)|, |W|): the
// energy balance of a forced system.
func TestDrivenWork(t *testing.T) {
	t.Parallel()
	for _, sys := range drivenSystems {
		n, m := sys.Coords(), sys.Inputs()
		if m == 0 {
			continue
		}
		t.Run(sys.Name(), func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(3, uint64(n*10+m)))
			field := DrivenField(sys)
			g := make([]float64, n*m)
			d := 2*n + m
			// z = (q, q-dot, u, W).
			f := func(dst []float64, tt float64, z []float64) {
				field(dst[:d], tt, z[:d])
				sys.InputMatrix(g, z[:n])
				var w float64
				for i := range n {
					for j := range m {
						w += z[n+i] * g[i*m+j] * z[2*n+j]
					}
				}
				dst[d] = w
			}
			ts := linspace(0, 5, 26)
			for k := range 3 {
				q, qdot, u := drivenState(rng, sys)
				z0 := append(append(append(append([]float64(nil), q...), qdot...), u...), 0)
				dst := make([]float64, len(ts)*(d+1))
				if err := (ode.DormandPrince{RTol: 1e-11, ATol: 1e-11}).Solve(dst, f, z0, ts); err != nil {
					t.Fatal(err)
				}
				e0 := sys.Energy(q, qdot)
				var worst, work float64
				for i := range ts {
					z := dst[i*(d+1) : (i+1)*(d+1)]
					work = math.Max(work, math.Abs(z[d]))
					e := sys.Energy(z[:n], z[n:2*n])
					worst = math.Max(worst, math.Abs(e-e0-z[d])/math.Max(1, math.Max(math.Abs(e0), math.Abs(z[d]))))
				}
				if work < 1e-2 {
					t.Errorf("start %d, u %v: work %v: the input did no work, the test checks nothing", k, u, work)
				}
				if worst > 1e-8 {
					t.Errorf("start %d, u %v: E(t) - E(0) differs from the work done by %.3g relative", k, u, worst)
				}
			}
		})
	}
}

// normalModes2 returns the squared angular frequencies and the modes of
// the small oscillations M0 x” = -K x of a 2-D system, the roots of
// det(K - w^2 M0) = 0 by the quadratic formula, smaller first.
func normalModes2(m0, k [4]float64) (w2 [2]float64, modes [2][2]float64) {
	a := m0[0]*m0[3] - m0[1]*m0[2]
	b := -(k[0]*m0[3] + k[3]*m0[0] - k[1]*m0[2] - k[2]*m0[1])
	c := k[0]*k[3] - k[1]*k[2]
	r := math.Sqrt(b*b - 4*a*c)
	w2 = [2]float64{(-b - r) / (2 * a), (-b + r) / (2 * a)}
	for i, l := range w2 {
		// Second row of (K - l M0) v = 0.
		modes[i] = [2]float64{k[3] - l*m0[3], -(k[2] - l*m0[2])}
		if modes[i][0] == 0 && modes[i][1] == 0 {
			modes[i] = [2]float64{k[1] - l*m0[1], -(k[0] - l*m0[0])}
		}
	}
	return w2, modes
}

// checkSmallOscillation starts sys at rest at q0 + amp mode and checks
// that, for three periods of the angular frequency sqrt(w2), q(t) stays
// at q0 + amp mode cos(sqrt(w2) t) to 1e-3 of the amplitude (with amp
// 1e-4 the anharmonic terms are of relative order 1e-8, and a frequency
// off by 0.1% already misses).
func checkSmallOscillation(t *testing.T, sys Driven, q0, mode []float64, w2 float64) {
	t.Helper()
	n := sys.Coords()
	const amp = 1e-4
	var norm float64
	for _, v := range mode {
		norm = math.Max(norm, math.Abs(v))
	}
	q := make([]float64, n)
	for i := range q {
		q[i] = q0[i] + amp*mode[i]/norm
	}
	w := math.Sqrt(w2)
	ts := linspace(0, 3*2*math.Pi/w, 61)
	for j, z := range solveDriven(t, sys, q, make([]float64, n), make([]float64, sys.Inputs()), ts, 0) {
		for i := range n {
			want := q0[i] + amp*mode[i]/norm*math.Cos(w*ts[j])
			if math.Abs(z[i]-want) > 1e-3*amp {
				t.Fatalf("%s: at t %.4g q_%d - q0 = %.6g, small-oscillation mode %v at w^2 = %v gives %.6g",
					sys.Name(), ts[j], i, z[i]-q0[i], mode, w2, want-q0[i])
			}
		}
	}
}
