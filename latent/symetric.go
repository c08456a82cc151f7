package latent

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Polynomial is a polynomial map from R^In to R^Out of total degree at
// most Degree, fitted by FitPolynomial. Its inputs are standardised (each
// coordinate shifted by Mean and divided by Scale) before the monomials are
// taken, which keeps the least-squares problem well conditioned.
type Polynomial struct {
	In, Out, Degree int
	// Mean and Scale standardise the inputs (In values each).
	Mean, Scale []float64
	// Exps holds the exponents of each monomial (In values each), the
	// constant first.
	Exps [][]int
	// Coef holds, for each output, its coefficient on each monomial
	// (Out x len(Exps), row major).
	Coef []float64
}

// monomials returns the exponents of every monomial in n variables of
// total degree at most d, by degree and then lexicographically.
func monomials(n, d int) [][]int {
	var out [][]int
	var rec func(prefix []int, left int)
	rec = func(prefix []int, left int) {
		if len(prefix) == n-1 {
			out = append(out, append(append([]int(nil), prefix...), left))
			return
		}
		for e := left; e >= 0; e-- {
			rec(append(prefix, e), left-e)
		}
	}
	for deg := 0; deg <= d; deg++ {
		rec(nil, deg)
	}
	return out
}

// FitPolynomial fits a polynomial of total degree at most degree from the
// points x (N x in) to the targets y (N x out) by least squares with a
// ridge penalty ridge (>= 0) on the coefficients of the standardised
// monomials, the constant excepted. It returns an error if there are fewer
// points than monomials, an input coordinate does not vary, or the solve
// fails; it panics if the lengths do not match or in, out or degree is
// below one.
func FitPolynomial(x, y []float64, in, out, degree int, ridge float64) (*Polynomial, error) {
	if in < 1 || out < 1 || degree < 1 || ridge < 0 {
		panic("latent: FitPolynomial: invalid sizes")
	}
	n := len(x) / in
	if n*in != len(x) || n*out != len(y) {
		panic("latent: FitPolynomial length mismatch")
	}
	p := &Polynomial{In: in, Out: out, Degree: degree, Exps: monomials(in, degree),
		Mean: make([]float64, in), Scale: make([]float64, in)}
	nt := len(p.Exps)
	if n < nt {
		return nil, fmt.Errorf("latent: a polynomial of degree %d in %d variables needs at least %d points, got %d", degree, in, nt, n)
	}
	for j := range in {
		var s, s2 float64
		for i := range n {
			s += x[i*in+j]
		}
		mu := s / float64(n)
		for i := range n {
			d := x[i*in+j] - mu
			s2 += d * d
		}
		sd := math.Sqrt(s2 / float64(n))
		if !(sd > 0) || math.IsInf(sd, 0) {
			return nil, fmt.Errorf("latent: polynomial fit: input %d does not vary (std %v)", j, sd)
		}
		p.Mean[j], p.Scale[j] = mu, sd
	}
	// The normal equations (A^T A + ridge N I') c = A^T y, A the N x nt
	// design matrix; I' leaves the constant unpenalised.
	ata := mat.NewSymDense(nt, nil)
	aty := mat.NewDense(nt, out, nil)
	row := make([]float64, nt)
	u := make([]float64, in)
	for i := range n {
		p.standardise(u, x[i*in:(i+1)*in])
		p.terms(row, u)
		for a := range nt {
			for b := a; b < nt; b++ {
				ata.SetSym(a, b, ata.At(a, b)+row[a]*row[b])
			}
			for k := range out {
				aty.Set(a, k, aty.At(a, k)+row[a]*y[i*out+k])
			}
		}
	}
	for a := 1; a < nt; a++ {
		ata.SetSym(a, a, ata.At(a, a)+ridge*float64(n))
	}
	var coef mat.Dense
	if err := coef.Solve(ata, aty); err != nil {
		return nil, fmt.Errorf("latent: polynomial least squares: %w", err)
	}
	p.Coef = make([]float64, out*nt)
	for k := range out {
		for a := range nt {
			p.Coef[k*nt+a] = coef.At(a, k)
		}
	}
	return p, nil
}

// standardise writes (x - Mean) / Scale into u.
func (p *Polynomial) standardise(u, x []float64) {
	for j, v := range x {
		u[j] = (v - p.Mean[j]) / p.Scale[j]
	}
}

// terms writes the value of every monomial at the standardised point u
// into row.
func (p *Polynomial) terms(row, u []float64) {
	for a, e := range p.Exps {
		v := 1.0
		for j, k := range e {
			v *= ipow(u[j], k)
		}
		row[a] = v
	}
}

// ipow returns x^k for k >= 0 (0^0 = 1).
func ipow(x float64, k int) float64 {
	v := 1.0
	for range k {
		v *= x
	}
	return v
}

// Apply writes the polynomial's values at the points x (N x In) into y
// (N x Out). It panics if the lengths do not match.
func (p *Polynomial) Apply(y, x []float64) {
	n := len(x) / p.In
	if n*p.In != len(x) || len(y) != n*p.Out {
		panic("latent: Polynomial.Apply length mismatch")
	}
	nt := len(p.Exps)
	row := make([]float64, nt)
	u := make([]float64, p.In)
	for i := range n {
		p.standardise(u, x[i*p.In:(i+1)*p.In])
		p.terms(row, u)
		for k := range p.Out {
			var v float64
			for a, r := range row {
				v += p.Coef[k*nt+a] * r
			}
			y[i*p.Out+k] = v
		}
	}
}

// Jacobian writes the Jacobian of the polynomial at the point x (In values)
// into jac (Out x In, row major: jac[k*In+j] = dy_k/dx_j). It panics if
// the lengths do not match.
func (p *Polynomial) Jacobian(jac, x []float64) {
	if len(x) != p.In || len(jac) != p.Out*p.In {
		panic("latent: Polynomial.Jacobian length mismatch")
	}
	u := make([]float64, p.In)
	p.standardise(u, x)
	nt := len(p.Exps)
	clear(jac)
	for a, e := range p.Exps {
		for j, kj := range e {
			if kj == 0 {
				continue
			}
			// d/dx_j of prod_i u_i^e_i, with du_j/dx_j = 1/Scale_j.
			d := float64(kj) * ipow(u[j], kj-1) / p.Scale[j]
			for i, ki := range e {
				if i != j {
					d *= ipow(u[i], ki)
				}
			}
			for k := range p.Out {
				jac[k*p.In+j] += p.Coef[k*nt+a] * d
			}
		}
	}
}

// RSquared returns the coefficient of determination of the predictions
// pred of the targets y (both N x out): 1 - SS_res / SS_tot of each
// output, averaged over the outputs. It panics if the lengths differ or do
// not divide by out.
func RSquared(y, pred []float64, out int) float64 {
	n := len(y) / out
	if n*out != len(y) || len(pred) != len(y) {
		panic("latent: RSquared length mismatch")
	}
	var r2 float64
	for k := range out {
		var mu float64
		for i := range n {
			mu += y[i*out+k]
		}
		mu /= float64(n)
		var res, tot float64
		for i := range n {
			d := y[i*out+k] - pred[i*out+k]
			res += d * d
			e := y[i*out+k] - mu
			tot += e * e
		}
		r2 += 1 - res/tot
	}
	return r2 / float64(out)
}

// Symplecticity returns the SyMetric symplecticity score of the map
// (Higgins et al. 2021) whose Jacobians are jacs (N square n x n matrices,
// row major, n even, in the canonical layout (q, p)): with E = [[0, I],
// [-I, 0]] and A_i = J_i E J_i^T, the mean over the points of
// ||A_i A_i^T / c^2 - I||_F^2 / n, where c^2 = mean_i ||A_i||_F^2 / n is
// the map's mean squared area scale. A canonical map has A_i = E, and
// A_i A_i^T = I (also for an anti-canonical one, A_i = -E, time reversed).
// Canonical coordinates are defined up to a constant scale of the form
// that a scaled Hamiltonian absorbs (q, c p with energy c H obey Hamilton's
// equations as q, p with H do), so the score divides it out: 0 for a map
// that is canonical up to a constant scale, larger the more the map's
// area distortion varies over the points. It panics if the lengths do not
// match or n is odd, and returns NaN if every Jacobian is zero.
func Symplecticity(jacs []float64, n int) float64 {
	if n < 2 || n%2 != 0 || len(jacs)%(n*n) != 0 {
		panic("latent: Symplecticity: want square Jacobians of even size")
	}
	pts := len(jacs) / (n * n)
	a := make([]float64, pts*n*n)
	h := n / 2
	var c2 float64
	for i := range pts {
		j := jacs[i*n*n : (i+1)*n*n]
		ai := a[i*n*n : (i+1)*n*n]
		// (J E)[r][s] = sum_t J[r][t] E[t][s]; E[t][s] = 1 for s = t+h
		// (t < h), -1 for s = t-h (t >= h). Then A = (J E) J^T.
		for r := range n {
			for s := range n {
				var v float64
				for t := range n {
					// (J E)[r][t] times J^T[t][s] = J[s][t].
					var je float64
					if t >= h {
						je = j[r*n+t-h]
					} else {
						je = -j[r*n+t+h]
					}
					v += je * j[s*n+t]
				}
				ai[r*n+s] = v
				c2 += v * v
			}
		}
	}
	c2 /= float64(pts * n)
	if c2 == 0 {
		return math.NaN()
	}
	var score float64
	for i := range pts {
		ai := a[i*n*n : (i+1)*n*n]
		var s float64
		for r := range n {
			for u := range n {
				var v float64
				for t := range n {
					v += ai[r*n+t] * ai[u*n+t]
				}
				v /= c2
				if r == u {
					v--
				}
				s += v * v
			}
		}
		score += s / float64(n)
	}
	return score / float64(pts)
}
