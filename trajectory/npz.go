package trajectory

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/internal/check"
)

// NPZ array keys.
const (
	keyT  = "t"
	keyX  = "x"
	keyDX = "dxdt"
	keyU  = "u"
)

// ReadNPZ reads trajectories from the .npz file at path, as DecodeNPZ
// does, naming path in errors.
func ReadNPZ(path string) (*Set, error) { return Reader{}.ReadNPZ(path) }

// ReadNPZ reads trajectories from the .npz file at path as the package's
// ReadNPZ does, with lr's layout.
func (lr Reader) ReadNPZ(path string) (*Set, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("trajectory: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("trajectory: %w", err)
	}
	return lr.DecodeNPZ(f, fi.Size(), path)
}

// DecodeNPZ reads trajectories from an .npz archive, as numpy.savez or
// numpy.savez_compressed write it, from r, which holds size bytes. The
// name of the file, for error messages, is name.
//
// The archive holds the arrays (as entries with or without the ".npy"
// suffix, float32 or float64, as data.DecodeNPY reads them):
//
//   - x, the states: shape (K, T, D) for K trials of T rows, or (T, D) for
//     one trial; D is even, first half q, second half p;
//   - t, the times: shape (T,), shared by all trials, or (K, T);
//   - dxdt, optional, the time derivatives of x, of x's shape.
//
// Other entries, such as an array of variable names, are ignored. The
// variables are named q and p if D = 2, and q1, ..., qn, p1, ..., pn
// otherwise (with a Reader's layout, as data.Layout.ColumnNames names
// them: v for velocities, u for inputs). The result passes Set.Validate; otherwise the error names
// name, the array and index and what was expected there. An array u holds
// inputs, which only a Reader with a layout that declares them reads.
func DecodeNPZ(r io.ReaderAt, size int64, name string) (*Set, error) {
	return Reader{}.DecodeNPZ(r, size, name)
}

// DecodeNPZ reads trajectories from an .npz archive as the package's
// DecodeNPZ does, with lr's layout: x holds the positions and velocities
// or momenta, and u, if the layout declares inputs, the inputs (see
// Reader).
func (lr Reader) DecodeNPZ(r io.ReaderAt, size int64, name string) (*Set, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, sourceErrorf(name, "not an .npz file: %w", err)
	}
	arrays := make(map[string]data.Array, 4)
	for _, f := range zr.File {
		key := strings.TrimSuffix(f.Name, ".npy")
		if key != keyT && key != keyX && key != keyDX && key != keyU {
			continue
		}
		if _, ok := arrays[key]; ok {
			return nil, sourceErrorf(name, "entry %s: array %s appears twice", check.Quote(f.Name), key)
		}
		a, err := decodeEntry(f)
		if err != nil {
			return nil, sourceErrorf(name, "entry %s: %w", check.Quote(f.Name), err)
		}
		arrays[key] = a
	}
	return lr.npzSet(arrays, name)
}

// decodeEntry decodes the .npy array of zip entry f.
func decodeEntry(f *zip.File) (data.Array, error) {
	rc, err := f.Open()
	if err != nil {
		return data.Array{}, err
	}
	defer rc.Close()
	return data.DecodeNPY(rc)
}

// npzSet builds a Set from the arrays t, x, dxdt and u of the .npz file
// name.
func (lr Reader) npzSet(arrays map[string]data.Array, name string) (*Set, error) {
	s := &Set{Source: name}
	x, ok := arrays[keyX]
	if !ok {
		return nil, s.errorf("no array x, expected the states as x of shape (K, T, D) or (T, D)")
	}
	var k, n, d int
	switch len(x.Shape) {
	case 3:
		k, n, d = x.Shape[0], x.Shape[1], x.Shape[2]
	case 2:
		k, n, d = 1, x.Shape[0], x.Shape[1]
	default:
		return nil, s.errorf("x has shape %s, expected (K, T, D) for K trials of T rows or (T, D) for one trial", data.ShapeString(x.Shape))
	}
	m := max(lr.Layout.Inputs, 0)
	u, withU := arrays[keyU]
	switch {
	case withU && m == 0:
		return nil, s.errorf("array u holds inputs, but the layout declares none")
	case !withU && m > 0:
		return nil, s.errorf("no array u, expected the layout's %s as u of shape %s", plural(m, "input"), uShapes(x.Shape, m))
	}
	layout, err := lr.resolve(nil, d+m)
	if err != nil {
		return nil, s.errorf("x has shape %s: %v", data.ShapeString(x.Shape), err)
	}
	// perRow says u has a value per row, not one per trial.
	var perRow bool
	if m > 0 {
		switch {
		case len(u.Shape) == len(x.Shape) && slices.Equal(u.Shape[:len(u.Shape)-1], x.Shape[:len(x.Shape)-1]) && u.Shape[len(u.Shape)-1] == m:
			perRow = true
		case len(u.Shape) == len(x.Shape)-1 && slices.Equal(u.Shape[:len(u.Shape)-1], x.Shape[:len(x.Shape)-2]) && u.Shape[len(u.Shape)-1] == m:
		default:
			return nil, s.errorf("u has shape %s, expected %s for the layout's %s and x of shape %s",
				data.ShapeString(u.Shape), uShapes(x.Shape, m), plural(m, "input"), data.ShapeString(x.Shape))
		}
	}
	if k == 0 {
		return nil, s.errorf("x has shape %s, expected at least one trial", data.ShapeString(x.Shape))
	}
	t, ok := arrays[keyT]
	if !ok {
		return nil, s.errorf("no array t, expected the times as t of shape (%d,) or (%d, %d)", n, k, n)
	}
	switch {
	case len(t.Shape) == 1 && t.Shape[0] == n:
	case len(t.Shape) == 2 && t.Shape[0] == k && t.Shape[1] == n:
	default:
		return nil, s.errorf("t has shape %s, expected (%d,) or (%d, %d) to match x of shape %s",
			data.ShapeString(t.Shape), n, k, n, data.ShapeString(x.Shape))
	}
	dx, withDX := arrays[keyDX]
	if withDX && !slices.Equal(dx.Shape, x.Shape) {
		return nil, s.errorf("dxdt has shape %s, expected %s like x", data.ShapeString(dx.Shape), data.ShapeString(x.Shape))
	}
	s.Dim, s.Layout = d+m, layout
	s.Names = defaultNames(d)
	if lr.declared() {
		s.Names = layout.ColumnNames()
	}
	s.Trials = make([]Trial, k)
	for i := range s.Trials {
		tr := &s.Trials[i]
		if len(t.Shape) == 1 {
			tr.T = t.Data[:n:n]
		} else {
			tr.T = t.Data[i*n : (i+1)*n : (i+1)*n]
		}
		tr.X = x.Data[i*n*d : (i+1)*n*d : (i+1)*n*d]
		if withDX {
			tr.DX = dx.Data[i*n*d : (i+1)*n*d : (i+1)*n*d]
		}
		if m == 0 {
			continue
		}
		// Rows (x, u), derivatives (dxdt, 0).
		xs := make([]float64, 0, n*(d+m))
		var dxs []float64
		if withDX {
			dxs = make([]float64, 0, n*(d+m))
		}
		for j := range n {
			xs = append(xs, tr.X[j*d:(j+1)*d]...)
			if perRow {
				xs = append(xs, u.Data[(i*n+j)*m:(i*n+j+1)*m]...)
			} else {
				xs = append(xs, u.Data[i*m:(i+1)*m]...)
			}
			if withDX {
				dxs = append(dxs, tr.DX[j*d:(j+1)*d]...)
				for range m {
					dxs = append(dxs, 0)
				}
			}
		}
		tr.X, tr.DX = xs, dxs
	}
	d += m
	loc := func(s *Set, trial, row, col int) string {
		var idx []int
		var arr string
		switch {
		case col == colRow || col == colTime:
			arr, idx = keyT, []int{trial, row}
			if len(t.Shape) == 1 {
				idx = idx[1:]
			}
			if col == colRow {
				return "row " + arr + index(idx)
			}
		case col%d >= d-m: // an input (derivatives of inputs are zero)
			arr, idx = keyU, []int{trial, row, col%d - (d - m)}
			if !perRow {
				idx = []int{trial, idx[2]}
			}
			if len(x.Shape) == 2 {
				idx = idx[1:]
			}
		default:
			arr, idx = keyX, []int{trial, row, col % d}
			if col >= d {
				arr = keyDX
			}
			if len(x.Shape) == 2 {
				idx = idx[1:]
			}
		}
		return arr + index(idx) + " (" + colName(s, col) + ")"
	}
	if err := s.validate(loc); err != nil {
		return nil, err
	}
	if len(t.Shape) == 1 && k > 1 {
		// Give every trial its own times, so that changing one changes
		// no other.
		for i := 1; i < k; i++ {
			s.Trials[i].T = append([]float64(nil), s.Trials[i].T...)
		}
	}
	return s, nil
}

// uShapes returns the shapes that an input array u of m inputs may have
// beside x of shape xs: one value per trial or one per row.
func uShapes(xs []int, m int) string {
	if len(xs) == 3 {
		return fmt.Sprintf("(%d, %d) (constant per trial) or (%d, %d, %d) (one value per row)", xs[0], m, xs[0], xs[1], m)
	}
	if len(xs) == 2 {
		return fmt.Sprintf("(%d,) (constant) or (%d, %d) (one value per row)", m, xs[0], m)
	}
	return fmt.Sprintf("(K, %d) or (K, T, %d)", m, m)
}

// defaultNames returns names for a state of d variables: q and p if d is
// 2, and q1, ..., qn, p1, ..., pn otherwise.
func defaultNames(d int) []string {
	if d == 2 {
		return []string{"q", "p"}
	}
	names := make([]string, d)
	for j := range d / 2 {
		names[j] = "q" + strconv.Itoa(j+1)
		names[d/2+j] = "p" + strconv.Itoa(j+1)
	}
	return names
}

// index formats idx as a NumPy index, like [1, 2].
func index(idx []int) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, v := range idx {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(v))
	}
	b.WriteByte(']')
	return b.String()
}
