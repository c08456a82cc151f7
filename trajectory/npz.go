package trajectory

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"math"
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
	// The layout's arrays: positions, velocities (v or qdot) or momenta,
	// in place of x, and the indices of the positions that are angles.
	keyQ      = "q"
	keyV      = "v"
	keyQdot   = "qdot"
	keyP      = "p"
	keyAngles = "angles"
)

// npzKeys are the arrays an .npz trajectory file may hold.
var npzKeys = []string{keyT, keyX, keyDX, keyU, keyQ, keyV, keyQdot, keyP, keyAngles}

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
		if !slices.Contains(npzKeys, key) {
			continue
		}
		if _, ok := arrays[key]; ok {
			return nil, sourceErrorf(name, "entry %s: array %s appears twice", check.Quote(f.Name), key)
		}
		a, err := decodeEntry(f)
		if err != nil && key == keyAngles {
			return nil, sourceErrorf(name, "entry %s: %w (write the angles' indices as floats: numpy.array([0, 1], dtype=float))", check.Quote(f.Name), err)
		}
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
	lr, err := lr.npzLayout(arrays)
	if err != nil {
		return nil, s.errorf("%v", err)
	}
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
	layout, err := lr.resolve(nil, nil, d+m)
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

// npzLayout returns lr with the layout that the arrays of an .npz file
// declare, and x, the states without their inputs, made from the arrays q
// and v, qdot or p when the file holds those instead of x: positions and
// velocities (v or qdot) or momenta, of equal shapes (K, T, n) or (T, n);
// the number of inputs is the last dimension of u; angles, if present,
// lists the positions that are angles (a float array of indices in [0, n),
// as numpy.array([0, 1], dtype=float) writes them). For the zero Reader
// these declare the layout; a declared layout must agree with them. A file
// with x and no u or angles declares nothing: canonical states. Errors
// name the array and what was expected, in one line.
func (lr Reader) npzLayout(arrays map[string]data.Array) (Reader, error) {
	q, withQ := arrays[keyQ]
	var second string
	for _, k := range []string{keyV, keyQdot, keyP} {
		if _, ok := arrays[k]; !ok {
			continue
		}
		if second != "" {
			return lr, fmt.Errorf("arrays %s and %s, expected one of v, qdot (velocities) or p (momenta)", second, k)
		}
		second = k
	}
	_, withX := arrays[keyX]
	switch {
	case withQ && withX:
		return lr, errors.New("arrays x and q, expected the states as x or as q with v, qdot or p, not both")
	case withQ && second == "":
		return lr, errors.New("array q without v, qdot or p, expected the velocities (v or qdot) or momenta (p) beside the positions")
	case !withQ && second != "":
		return lr, fmt.Errorf("array %s without q, expected the positions q beside it", second)
	}
	named := data.Layout{}
	if withQ {
		v := arrays[second]
		if len(q.Shape) < 2 || len(q.Shape) > 3 {
			return lr, fmt.Errorf("q has shape %s, expected (K, T, n) for K trials of T rows or (T, n) for one trial", data.ShapeString(q.Shape))
		}
		if !slices.Equal(v.Shape, q.Shape) {
			return lr, fmt.Errorf("%s has shape %s, expected %s like q", second, data.ShapeString(v.Shape), data.ShapeString(q.Shape))
		}
		n := q.Shape[len(q.Shape)-1]
		rows := len(q.Data) / max(n, 1)
		x := data.Array{Shape: slices.Clone(q.Shape), Data: make([]float64, 0, 2*len(q.Data))}
		x.Shape[len(x.Shape)-1] = 2 * n
		for r := range rows {
			x.Data = append(x.Data, q.Data[r*n:(r+1)*n]...)
			x.Data = append(x.Data, v.Data[r*n:(r+1)*n]...)
		}
		arrays[keyX] = x
		named.Positions, named.Velocities = n, second != keyP
	}
	x, ok := arrays[keyX]
	if !ok || len(x.Shape) < 2 {
		return lr, nil // npzSet names the missing or misshapen x
	}
	if named.Positions == 0 {
		named.Positions = x.Shape[len(x.Shape)-1] / 2
	}
	if u, ok := arrays[keyU]; ok && len(u.Shape) > 0 {
		named.Inputs = u.Shape[len(u.Shape)-1]
	}
	a, withAngles := arrays[keyAngles]
	if withAngles {
		if len(a.Shape) != 1 {
			return lr, fmt.Errorf("angles has shape %s, expected (k,): the indices of the positions that are angles", data.ShapeString(a.Shape))
		}
		n := named.Positions
		for i, v := range a.Data {
			if v != math.Trunc(v) || v < 0 || v >= float64(n) {
				return lr, fmt.Errorf("angles[%d] = %v, expected the index of a position in [0, %d): only positions can be angles, not velocities, momenta or inputs", i, v, n)
			}
			if slices.Contains(named.Angles, int(v)) {
				return lr, fmt.Errorf("angles[%d] = %v, listed twice", i, v)
			}
			named.Angles = append(named.Angles, int(v))
		}
		slices.Sort(named.Angles)
	}
	if !lr.declared() {
		if withQ || named.Inputs > 0 || withAngles {
			lr.Layout = named
		}
		return lr, nil
	}
	if !withQ && !withAngles {
		return lr, nil // the declared layout says what x and u are
	}
	l, err := lr.Layout.Resolve(2*named.Positions + named.Inputs)
	if err != nil {
		return lr, fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "data: "))
	}
	if !withAngles {
		named.Angles = l.Angles
	}
	if !withQ {
		named.Velocities = l.Velocities
	}
	if !sameLayout(l, named) {
		return lr, fmt.Errorf("the arrays declare %s, the reader's layout %s", layoutWords(named), layoutWords(l))
	}
	return lr, nil
}
