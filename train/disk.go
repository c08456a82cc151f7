package train

import (
	"fmt"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/nn"
)

// DiskSource is a Source over a pair of row files, the states and their
// derivatives (a data.DiskDataset's TrainX and TrainDX, or TestX and
// TestDX), read row by row so that only the rows asked for are in memory.
// Values are converted from the files' type to T as they are read, so a
// float32 file gives a float32 model the same numbers as a data.Set
// converted to float32. Like the files, a DiskSource is not safe for
// concurrent use.
type DiskSource[T nn.Float] struct {
	x, dx *data.RowFile
}

// NewDiskSource returns a Source over the rows of x and dx. It returns an
// error if the files differ in their rows or columns. Closing the files is
// left to the caller, after the Stepper reading them is closed.
func NewDiskSource[T nn.Float](x, dx *data.RowFile) (*DiskSource[T], error) {
	if x.Len() != dx.Len() || x.Cols() != dx.Cols() {
		return nil, fmt.Errorf("train: %s has %d rows of %d values but %s %d of %d", x.Path(), x.Len(), x.Cols(), dx.Path(), dx.Len(), dx.Cols())
	}
	return &DiskSource[T]{x: x, dx: dx}, nil
}

// Len returns the number of rows.
func (s *DiskSource[T]) Len() int { return s.x.Len() }

// Dim returns the state dimension, the files' columns.
func (s *DiskSource[T]) Dim() int { return s.x.Cols() }

// Gather reads the rows into bx and by with data.ReadRows. It returns the
// files' errors, which name the file and the rows, and allocates nothing
// once it has read a request of len(rows). It panics if len(bx) or len(by)
// differs from len(rows)*Dim() or a row is out of range.
func (s *DiskSource[T]) Gather(bx, by []T, rows []int) error {
	if err := data.ReadRows(s.x, bx, rows); err != nil {
		return err
	}
	return data.ReadRows(s.dx, by, rows)
}
