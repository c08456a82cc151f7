package data

// Set is a collection of N states and their time derivatives, row-major.
type Set struct {
	// Dim is the state dimension D.
	Dim int
	// X holds the states, N*Dim values.
	X []float64
	// DX holds the time derivatives dx/dt of the states, N*Dim values.
	DX []float64
	// Traj, if not nil, holds for every row the index of the trajectory it
	// came from.
	Traj []int
	// T, if not nil, holds for every row its time within its trajectory.
	T []float64
	// Layout declares what the columns of X are; the zero value is the
	// canonical layout (q, p) of Dim/2 positions and momenta.
	Layout Layout
}

// Len returns the number of rows of s.
func (s *Set) Len() int {
	if s.Dim == 0 {
		return 0
	}
	return len(s.X) / s.Dim
}

// Row returns the state and derivative of row i as slices of s.X and s.DX.
func (s *Set) Row(i int) (x, dx []float64) {
	d := s.Dim
	return s.X[i*d : (i+1)*d], s.DX[i*d : (i+1)*d]
}

// Dataset is a train/test split of a Set.
type Dataset struct {
	Train, Test Set
}
