// Package trajectory reads measured trajectories of a dynamical system
// from files into one validated in-memory form, estimates their time
// derivatives by finite differences where the files have none, and splits
// them chronologically into training and test parts.
//
// A Set holds one or more trials, each a sequence of rows: a time and a
// state of Dim variables, and optionally the time derivative of the state.
// The state layout is canonical: the first half of the variables are the
// coordinates q, the second half their momenta p. For the Schmidt & Lipson
// files that means angles or positions first, then velocities.
//
// Three file formats are read, all into the same Set:
//
//   - the Schmidt & Lipson (2009) text format (.txt, .dat), see ReadLipson;
//   - CSV with a header row (.csv), see ReadCSV;
//   - NumPy .npz archives with arrays t, x and optionally dxdt (.npz), see
//     DecodeNPZ.
//
// ReadFile picks the reader by the file's extension. Every reader checks
// its result as Set.Validate does, and its errors name the file, the line
// (or NPZ array index, or CSV column) and what was expected there.
//
// The usual pipeline is
//
//	s, err := trajectory.ReadFile(path)
//	s, err = s.WithDerivatives("central")
//	train, test, err := s.Split(0.2)
//	rows := train.Rows() // a data.Set for training
//
// Derivatives are estimated before splitting, so that both parts keep
// their boundary rows.
//
// # Layouts
//
// Without further notice the states are canonical (q, p). A Reader with a
// data.Layout reads states of other kinds, declared by the caller (a task
// or a command-line flag): positions and velocities instead of momenta,
// angles among the positions, and inputs u as the last columns (named u,
// or u1, u2, ..., in text files; an array u of one value per trial or per
// row in .npz files). The layout travels with the Set into its rows
// (Set.Rows gives a data.Set with the same Layout), where data.FitScale
// leaves angles unshifted and unscaled:
//
//	r := trajectory.Reader{Layout: data.Layout{Velocities: true, Inputs: 1, Angles: []int{0}}}
//	s, err := r.ReadFile("pendulum-torque.csv") // header t,q,v,u

package trajectory
