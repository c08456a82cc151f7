package systems

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/hnn-go/hnn/data"
)

// DampedSpring is the damped mass-spring of the dissipative-HNN paper
// (Sosanya & Greydanus 2022): the conservative field of H = q^2 + p^2,
// (2p, -2q), plus the dissipative field (-Rho q, 0), the gradient of the
// Rayleigh dissipation function D = -Rho q^2 / 2, which their code puts on
// the q component. Its field is therefore (2p - Rho q, -2q), not J grad H:
// Energy is the spring's H, which decays along the flow at the rate
// dH/dt = -2 Rho q^2. States are (q, p), D = 2. The zero value has Rho = 2.
type DampedSpring struct {
	// Rho is the damping coefficient; zero means 2.
	Rho float64
}

func (s DampedSpring) rho() float64 {
	if s.Rho == 0 {
		return 2
	}
	return s.Rho
}

// Name returns "damped-spring".
func (DampedSpring) Name() string { return "damped-spring" }

// Dim returns 2.
func (DampedSpring) Dim() int { return 2 }

// Energy returns q^2 + p^2. It panics if len(x) != 2.
func (DampedSpring) Energy(x []float64) float64 {
	checkLen(x, 2)
	return x[0]*x[0] + x[1]*x[1]
}

// Field writes (2p - Rho q, -2q) into dst. It panics if len(dst) != 2 or
// len(x) != 2.
func (s DampedSpring) Field(dst, x []float64) {
	checkLen(x, 2)
	checkLen(dst, 2)
	q, p := x[0], x[1]
	dst[0] = 2*p - s.rho()*q
	dst[1] = -2 * q
}

// Parts writes the conservative part (2p, -2q) and the dissipative part
// (-Rho q, 0) of the field at x into cons and diss. It panics on length
// mismatch.
func (s DampedSpring) Parts(cons, diss, x []float64) {
	checkLen(x, 2)
	checkLen(cons, 2)
	checkLen(diss, 2)
	cons[0], cons[1] = 2*x[1], -2*x[0]
	diss[0], diss[1] = -s.rho()*x[0], 0
}

// Dissipation returns the Rayleigh function D = -Rho q^2 / 2, whose
// gradient is the dissipative part of the field. It panics if len(x) != 2.
func (s DampedSpring) Dissipation(x []float64) float64 {
	checkLen(x, 2)
	return -s.rho() * x[0] * x[0] / 2
}

// Grid describes a dataset of a 2-D system's field sampled on a regular
// grid, the dissipative-HNN paper's protocol: N x N points over
// [Lo, Hi]^2, exact derivatives, shuffled, the first TrainFraction of the
// shuffled points train and the rest test.
type Grid struct {
	N             int
	Lo, Hi        float64
	TrainFraction float64
}

// DampedSpringGrid returns the protocol of the paper's damped spring: 25 x
// 25 points over [-1.2, 1.2]^2, a shuffled 80/20 split.
func DampedSpringGrid() Grid { return Grid{N: 25, Lo: -1.2, Hi: 1.2, TrainFraction: 0.8} }

// Rows returns the number of training rows the grid makes.
func (g Grid) Rows() int { return int(g.TrainFraction * float64(g.N*g.N)) }

// GenerateGrid samples sys's field on the grid g (q varying fastest) and
// shuffles the points with rng before splitting them. It returns an error
// if sys is not 2-D, N < 2, the range is empty or not finite, or a split
// would be empty.
func GenerateGrid(sys System, g Grid, rng *rand.Rand) (*data.Dataset, error) {
	switch {
	case sys.Dim() != 2:
		return nil, fmt.Errorf("systems: %s: grid data need a 2-D system, got dimension %d", sys.Name(), sys.Dim())
	case g.N < 2:
		return nil, fmt.Errorf("systems: %s: grid of %d points per axis, want at least 2", sys.Name(), g.N)
	case !(g.Hi > g.Lo) || math.IsInf(g.Hi-g.Lo, 0):
		return nil, fmt.Errorf("systems: %s: grid range [%v, %v] is empty or not finite", sys.Name(), g.Lo, g.Hi)
	}
	n := g.N * g.N
	nTrain := g.Rows()
	if nTrain < 1 || nTrain > n-1 {
		return nil, fmt.Errorf("systems: %s: train fraction %v of %d points leaves a split empty", sys.Name(), g.TrainFraction, n)
	}
	x := make([]float64, 2*n)
	for i := range g.N {
		for j := range g.N {
			k := i*g.N + j
			x[2*k] = g.Lo + (g.Hi-g.Lo)*float64(j)/float64(g.N-1)
			x[2*k+1] = g.Lo + (g.Hi-g.Lo)*float64(i)/float64(g.N-1)
		}
	}
	perm := rng.Perm(n)
	set := func(idx []int) data.Set {
		s := data.Set{Dim: 2, X: make([]float64, 2*len(idx)), DX: make([]float64, 2*len(idx))}
		for r, k := range idx {
			copy(s.X[2*r:2*r+2], x[2*k:2*k+2])
			sys.Field(s.DX[2*r:2*r+2], s.X[2*r:2*r+2])
		}
		return s
	}
	return &data.Dataset{Train: set(perm[:nTrain]), Test: set(perm[nTrain:])}, nil
}
