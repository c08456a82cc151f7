package trajectory

import (
	"math"
)

// DefaultTestFraction is the test fraction that Split uses when given 0.
const DefaultTestFraction = 0.2

// Split splits every trial of s chronologically: its last rows, a
// fraction testFraction of them rounded to the nearest integer, go to
// test, the rows before them to train. A testFraction of 0 means
// DefaultTestFraction. Both parts have the same trials in the same order,
// and do not share memory with s. For the 555 rows that the HNN reference
// keeps of real_pend_h_1.txt, a fraction of 0.2 gives its 444 training
// and 111 test rows.
//
// Estimate derivatives (WithDerivatives) before splitting, so that the
// rows at the boundary keep their neighbours.
//
// It returns an error if testFraction is not in (0, 1), if s is not valid
// (see Set.Validate), or if a trial is too short to give both parts at
// least one row (two for a trial without derivatives, so that both parts
// are valid).
func (s *Set) Split(testFraction float64) (train, test *Set, err error) {
	if testFraction == 0 {
		testFraction = DefaultTestFraction
	}
	if !(testFraction > 0 && testFraction < 1) {
		return nil, nil, s.errorf("test fraction %v, expected a number in (0, 1)", testFraction)
	}
	if err := s.Validate(); err != nil {
		return nil, nil, err
	}
	train, test = s.clone(), s.clone()
	d := s.Dim
	for k := range s.Trials {
		n := len(s.Trials[k].T)
		nTest := int(math.Round(testFraction * float64(n)))
		nTrain := n - nTest
		need := 1
		if s.Trials[k].DX == nil {
			need = 2
		}
		if nTest < need || nTrain < need {
			return nil, nil, s.errorf("trial %d has %d rows: a test fraction of %v gives %d training and %d test rows, expected at least %d in each",
				k, n, testFraction, nTrain, nTest, need)
		}
		a, b := &train.Trials[k], &test.Trials[k]
		a.T, b.T = a.T[:nTrain:nTrain], b.T[nTrain:]
		a.X, b.X = a.X[:nTrain*d:nTrain*d], b.X[nTrain*d:]
		if a.DX != nil {
			a.DX, b.DX = a.DX[:nTrain*d:nTrain*d], b.DX[nTrain*d:]
		}
	}
	return train, test, nil
}
