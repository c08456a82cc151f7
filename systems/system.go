package systems

import "github.com/hnn-go/hnn/ode"

// System is a physical system in canonical coordinates with a known energy:
// the first half of the state is q, the second half p. Most are
// Hamiltonian, their field J grad H; a dissipative system (DampedSpring)
// adds a dissipative part, and its energy decays along the field.
type System interface {
	// Name returns a short lowercase name, such as "spring".
	Name() string
	// Dim returns the state dimension D, which is even.
	Dim() int
	// Energy returns the exact Hamiltonian H(x). It panics if
	// len(x) != Dim().
	Energy(x []float64) float64
	// Field writes the exact time derivative dx/dt into dst: J grad H(x)
	// for a Hamiltonian system.
	// It panics if len(dst) != Dim() or len(x) != Dim().
	Field(dst, x []float64)
}

// Field returns sys's vector field as an ode.Func; the time argument is
// ignored since every System is autonomous.
func Field(sys System) ode.Func {
	return func(dst []float64, _ float64, x []float64) {
		sys.Field(dst, x)
	}
}

// checkLen panics with a package-prefixed message unless len(x) == d.
func checkLen(x []float64, d int) {
	if len(x) != d {
		panic("systems: length mismatch")
	}
}
