package latent

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestMonomials checks the count of monomials of each size, C(n+d, d).
func TestMonomials(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ n, d, want int }{{1, 3, 4}, {2, 3, 10}, {2, 5, 21}, {4, 2, 15}} {
		e := monomials(c.n, c.d)
		if len(e) != c.want {
			t.Errorf("n %d, d %d: %d monomials, want %d", c.n, c.d, len(e), c.want)
		}
		seen := map[[4]int]bool{}
		for _, m := range e {
			var k [4]int
			s := 0
			for i, v := range m {
				k[i], s = v, s+v
			}
			if seen[k] || s > c.d || len(m) != c.n {
				t.Errorf("n %d, d %d: monomial %v repeated or of wrong degree", c.n, c.d, m)
			}
			seen[k] = true
		}
	}
}

// mapCase is a map from R^2 to R^2 with its analytic Jacobian.
type mapCase struct {
	name string
	f    func(z0, z1 float64) (float64, float64)
	jac  func(z0, z1 float64) [4]float64
}

var symMaps = []mapCase{
	// A shear: det 1 everywhere, canonical.
	{"shear", func(a, b float64) (float64, float64) { return a + 0.3*b*b, b },
		func(a, b float64) [4]float64 { return [4]float64{1, 0.6 * b, 0, 1} }},
	// A shear scaled by 2 in q: det 2 everywhere, canonical up to scale.
	{"scaled shear", func(a, b float64) (float64, float64) { return 2*a + 0.5*b*b*b, b },
		func(a, b float64) [4]float64 { return [4]float64{2, 1.5 * b * b, 0, 1} }},
	// A rotation by 0.7 composed with a kick p -> p - 0.4 q^2: canonical.
	{"rotation and kick", func(a, b float64) (float64, float64) {
		c, s := math.Cos(0.7), math.Sin(0.7)
		q, p := c*a+s*b, -s*a+c*b
		return q, p - 0.4*q*q
	}, func(a, b float64) [4]float64 {
		c, s := math.Cos(0.7), math.Sin(0.7)
		q := c*a + s*b
		return [4]float64{c, s, -s - 0.8*q*c, c - 0.8*q*s}
	}},
	// A stretch of q that grows with p: det 1 + 0.5 b^2, not canonical.
	{"varying stretch", func(a, b float64) (float64, float64) { return a * (1 + 0.5*b*b), b },
		func(a, b float64) [4]float64 { return [4]float64{1 + 0.5*b*b, a * b, 0, 1} }},
	// A radial squash: det varies with the radius, not canonical.
	{"radial", func(a, b float64) (float64, float64) { r := 1 + 0.3*(a*a+b*b); return a * r, b * r },
		func(a, b float64) [4]float64 {
			r := 1 + 0.3*(a*a+b*b)
			return [4]float64{r + 0.6*a*a, 0.6 * a * b, 0.6 * a * b, r + 0.6*b*b}
		}},
}

// closedForm returns the symplecticity score of 2x2 Jacobians from their
// determinants: A = det(J) E, so A A^T = det^2 I and the score is the mean
// of (det^2 / mean(det^2) - 1)^2.
func closedForm(jacs []float64) float64 {
	n := len(jacs) / 4
	d2 := make([]float64, n)
	var m float64
	for i := range n {
		j := jacs[4*i : 4*i+4]
		d := j[0]*j[3] - j[1]*j[2]
		d2[i] = d * d
		m += d2[i] / float64(n)
	}
	var s float64
	for _, v := range d2 {
		s += (v/m - 1) * (v/m - 1)
	}
	return s / float64(n)
}

// TestSymplecticity checks the score on analytic Jacobians against its
// closed form in two dimensions: about 0 for the canonical maps, above
// 0.01 for the others; and on a linear symplectic map of R^4 (0) against
// one that is not.
func TestSymplecticity(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 1))
	for _, c := range symMaps {
		jacs := make([]float64, 0, 4*500)
		for range 500 {
			j := c.jac(2*rng.Float64()-1, 2*rng.Float64()-1)
			jacs = append(jacs, j[:]...)
		}
		got, want := Symplecticity(jacs, 2), closedForm(jacs)
		canonical := c.name != "varying stretch" && c.name != "radial"
		// Sums of a few hundred terms in float64: 1e-12 absolute.
		if math.Abs(got-want) > 1e-12 || (canonical && got > 1e-12) || (!canonical && !(got > 0.01)) {
			t.Errorf("%s: score %.3g, closed form %.3g, canonical %v", c.name, got, want, canonical)
		}
	}
	// In R^4: S = [[I, B], [0, I]] with B symmetric is symplectic; the
	// same with a diagonal stretch of one coordinate varying per point is
	// not.
	var sym, not []float64
	for i := range 50 {
		b := []float64{0.3, 0.1, 0.1, -0.2}
		s := []float64{
			1, 0, b[0], b[1],
			0, 1, b[2], b[3],
			0, 0, 1, 0,
			0, 0, 0, 1,
		}
		sym = append(sym, s...)
		s2 := append([]float64(nil), s...)
		s2[0] = 1 + 0.02*float64(i)
		not = append(not, s2...)
	}
	if s := Symplecticity(sym, 4); s > 1e-12 {
		t.Errorf("symplectic 4x4 map: score %.3g, want 0", s)
	}
	if s := Symplecticity(not, 4); !(s > 0.01) {
		t.Errorf("non-symplectic 4x4 map: score %.3g, want above 0.01", s)
	}
}

// TestFitPolynomial fits each map of TestSymplecticity, from points of a
// shifted and scaled box, by a cubic: the polynomial maps (every one but
// the rotation and kick, whose kick is quadratic after a linear map, and
// so also cubic) are recovered exactly, R^2 = 1, the Jacobian matches the
// analytic one, and the score of the fitted map at held-out points
// separates the canonical maps from the others. Unrelated targets give
// R^2 near 0 on held-out points.
func TestFitPolynomial(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(2, 1))
	draw := func(n int) []float64 {
		z := make([]float64, 2*n)
		for i := range n {
			z[2*i], z[2*i+1] = 3+0.5*(2*rng.Float64()-1), -1+0.8*(2*rng.Float64()-1)
		}
		return z
	}
	apply := func(c mapCase, z []float64) []float64 {
		y := make([]float64, len(z))
		for i := 0; i < len(z); i += 2 {
			y[i], y[i+1] = c.f(z[i], z[i+1])
		}
		return y
	}
	for _, c := range symMaps {
		ztr, zte := draw(300), draw(200)
		p, err := FitPolynomial(ztr, apply(c, ztr), 2, 2, 3, 0)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		yte := apply(c, zte)
		pred := make([]float64, len(yte))
		p.Apply(pred, zte)
		// An exact fit of a cubic in float64 normal equations: R^2
		// within 1e-9 of 1, Jacobians within 1e-6.
		if r2 := RSquared(yte, pred, 2); !(r2 > 1-1e-9) {
			t.Errorf("%s: held-out R^2 %.12f, want 1", c.name, r2)
		}
		jacs := make([]float64, 4*200)
		for i := range 200 {
			j := jacs[4*i : 4*i+4]
			p.Jacobian(j, zte[2*i:2*i+2])
			want := c.jac(zte[2*i], zte[2*i+1])
			for k := range 4 {
				if math.Abs(j[k]-want[k]) > 1e-6 {
					t.Fatalf("%s: Jacobian %v at %v, want %v", c.name, j, zte[2*i:2*i+2], want)
				}
			}
		}
		s := Symplecticity(jacs, 2)
		canonical := c.name != "varying stretch" && c.name != "radial"
		if (canonical && s > 1e-8) || (!canonical && !(s > 1e-3)) {
			t.Errorf("%s: fitted map's score %.3g, canonical %v", c.name, s, canonical)
		}
	}
	ztr, zte := draw(300), draw(300)
	noise := func(n int) []float64 {
		y := make([]float64, 2*n)
		for i := range y {
			y[i] = rng.NormFloat64()
		}
		return y
	}
	p, err := FitPolynomial(ztr, noise(300), 2, 2, 3, 1e-3)
	if err != nil {
		t.Fatal(err)
	}
	pred := make([]float64, 600)
	p.Apply(pred, zte)
	// Ten coefficients fitted to 300 noise points: held-out R^2 is
	// slightly negative, far below the 0.9 of a real fit.
	if r2 := RSquared(noise(300), pred, 2); !(r2 < 0.1) {
		t.Errorf("noise: held-out R^2 %.3f, want about 0", r2)
	}
}

// TestFitPolynomialErrors checks the errors a user's data can cause.
func TestFitPolynomialErrors(t *testing.T) {
	t.Parallel()
	if _, err := FitPolynomial(make([]float64, 2*5), make([]float64, 2*5), 2, 2, 3, 0); err == nil {
		t.Error("5 points for 10 monomials: no error")
	}
	z := make([]float64, 2*50)
	for i := range 50 {
		z[2*i] = float64(i)
	}
	if _, err := FitPolynomial(z, make([]float64, 2*50), 2, 2, 3, 0); err == nil {
		t.Error("a constant input: no error")
	}
}
