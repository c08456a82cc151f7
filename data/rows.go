package data

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"slices"
	"strconv"

	"github.com/hnn-go/hnn/internal/atomicfile"
)

// Float is the element types rows can be read into.
type Float interface{ ~float32 | ~float64 }

// RowFile is an open 2-D .npy file of float32 or float64 values in C
// order, read by rows with positioned reads, so that only the rows asked
// for are ever in memory. Row i holds the Cols() values of the i-th
// element of the file's first dimension.
//
// A RowFile is not safe for concurrent use.
type RowFile struct {
	path     string
	f        *os.File
	rows     int
	cols     int
	size     int   // bytes per value: 4 or 8
	big      bool  // the values are big-endian
	off      int64 // offset of the first value
	rowBytes int   // cols*size

	// Scratch of ReadRows, grown to the largest request.
	refs []rowRef
	buf  []byte
}

// rowRef is a row asked for by ReadRows and its place in the request.
type rowRef struct {
	row, k int
}

// OpenRowFile opens the .npy file at path for reading by rows. The file
// must hold a 2-D array with at least one column of float32 or float64
// values in C order ('<f4' or '<f8'; big-endian files are read too), and
// nothing after the array data. Only the header is read. Errors name the
// file and what was expected.
func OpenRowFile(path string) (*RowFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("data: %w", err)
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("data: %s: not a regular file", path)
	}
	rf, err := openRowFile(f, fi.Size())
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("data: %s: %w", path, err)
	}
	rf.path = path
	return rf, nil
}

// openRowFile reads the header of the .npy file f, which holds size bytes,
// and checks that the rest of the file is the data of a 2-D float array.
func openRowFile(f *os.File, size int64) (*RowFile, error) {
	h, err := readNPYHead(io.NewSectionReader(f, 0, size), size)
	if err != nil {
		return nil, err
	}
	dt, n := h.dt, h.n
	if len(h.shape) != 2 {
		return nil, fmt.Errorf("shape %s, expected 2 dimensions (rows, columns)", ShapeString(h.shape))
	}
	rows, cols := h.shape[0], h.shape[1]
	if cols == 0 {
		return nil, fmt.Errorf("shape %s has no columns, expected at least 1", ShapeString(h.shape))
	}
	if cols > math.MaxInt/8 {
		return nil, fmt.Errorf("shape %s has too many values", ShapeString(h.shape))
	}
	need := int64(n) * int64(dt.size)
	if have := size - h.off; have != need {
		if have < need {
			return nil, fmt.Errorf("truncated data: shape %s of %s needs %d bytes, found %d",
				ShapeString(h.shape), h.descr, need, have)
		}
		return nil, fmt.Errorf("%d bytes after the array data, expected none", have-need)
	}
	return &RowFile{
		f:        f,
		rows:     rows,
		cols:     cols,
		size:     dt.size,
		big:      dt.order.Uint16([]byte{0, 1}) == 1,
		off:      h.off,
		rowBytes: cols * dt.size,
	}, nil
}

// Path returns the path f was opened with.
func (f *RowFile) Path() string { return f.path }

// Len returns the number of rows of f.
func (f *RowFile) Len() int { return f.rows }

// Cols returns the number of values in a row of f.
func (f *RowFile) Cols() int { return f.cols }

// Float32 reports whether f stores float32 values, rather than float64.
func (f *RowFile) Float32() bool { return f.size == 4 }

// Close closes the file. ReadRows returns an error after Close.
func (f *RowFile) Close() error {
	if err := f.f.Close(); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	return nil
}

// ReadRows reads the rows of f with indices rows into dst, row rows[k]
// into dst[k*f.Cols():(k+1)*f.Cols()], converting the values from the
// file's type to T. Indices may come in any order and repeat. ReadRows
// reads every run of consecutive indices with one positioned read, and
// allocates nothing once its scratch has grown to the largest request.
//
// ReadRows returns an error naming the file and the row if reading fails
// or a value is NaN or infinite, or becomes infinite as a T; dst is then
// partly written. It panics if len(dst) != len(rows)*f.Cols() or an index
// is outside [0, f.Len()).
func ReadRows[T Float](f *RowFile, dst []T, rows []int) error {
	cols := f.cols
	if len(dst) != len(rows)*cols {
		panic("data: ReadRows: len(dst) != len(rows)*Cols()")
	}
	refs := f.refs[:0]
	for k, r := range rows {
		if r < 0 || r >= f.rows {
			panic("data: ReadRows: row " + strconv.Itoa(r) + " out of range [0, " + strconv.Itoa(f.rows) + ")")
		}
		refs = append(refs, rowRef{row: r, k: k})
	}
	f.refs = refs
	slices.SortFunc(refs, compareRowRefs)
	rb := f.rowBytes
	if need := len(rows) * rb; cap(f.buf) < need {
		f.buf = make([]byte, need)
	}
	for i := 0; i < len(refs); {
		first, last := refs[i].row, refs[i].row
		j := i + 1
		for j < len(refs) && refs[j].row <= last+1 {
			last = refs[j].row
			j++
		}
		b := f.buf[:(last-first+1)*rb]
		if n, err := f.f.ReadAt(b, f.off+int64(first)*int64(rb)); n < len(b) {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return fmt.Errorf("data: %s: reading rows %d to %d: %w", f.path, first, last, err)
		}
		for _, ref := range refs[i:j] {
			src := b[(ref.row-first)*rb:][:rb]
			out := dst[ref.k*cols:][:cols]
			if !decodeRow(out, src, f.size, f.big) {
				return rowError(f, out, src, ref.row)
			}
		}
		i = j
	}
	return nil
}

// compareRowRefs orders row references by row, then by place.
func compareRowRefs(a, b rowRef) int {
	if c := cmp.Compare(a.row, b.row); c != 0 {
		return c
	}
	return cmp.Compare(a.k, b.k)
}

// decodeRow converts the values of size bytes in src to dst, and reports
// whether they are all finite as T.
func decodeRow[T Float](dst []T, src []byte, size int, big bool) bool {
	bad := false
	switch {
	case size == 8 && !big:
		src = src[:8*len(dst)]
		for i := range dst {
			x := T(math.Float64frombits(binary.LittleEndian.Uint64(src[8*i:])))
			if x-x != 0 {
				bad = true
			}
			dst[i] = x
		}
	case size == 4 && !big:
		src = src[:4*len(dst)]
		for i := range dst {
			x := T(math.Float32frombits(binary.LittleEndian.Uint32(src[4*i:])))
			if x-x != 0 {
				bad = true
			}
			dst[i] = x
		}
	case size == 8:
		src = src[:8*len(dst)]
		for i := range dst {
			x := T(math.Float64frombits(binary.BigEndian.Uint64(src[8*i:])))
			if x-x != 0 {
				bad = true
			}
			dst[i] = x
		}
	default:
		src = src[:4*len(dst)]
		for i := range dst {
			x := T(math.Float32frombits(binary.BigEndian.Uint32(src[4*i:])))
			if x-x != 0 {
				bad = true
			}
			dst[i] = x
		}
	}
	return !bad
}

// rowError returns the error for row, read from src into dst, which holds
// a value that is not finite.
func rowError[T Float](f *RowFile, dst []T, src []byte, row int) error {
	for c, x := range dst {
		if x-x == 0 {
			continue
		}
		var v float64
		switch {
		case f.size == 8 && !f.big:
			v = math.Float64frombits(binary.LittleEndian.Uint64(src[8*c:]))
		case f.size == 4 && !f.big:
			v = float64(math.Float32frombits(binary.LittleEndian.Uint32(src[4*c:])))
		case f.size == 8:
			v = math.Float64frombits(binary.BigEndian.Uint64(src[8*c:]))
		default:
			v = float64(math.Float32frombits(binary.BigEndian.Uint32(src[4*c:])))
		}
		if v-v == 0 {
			return fmt.Errorf("data: %s: row %d, column %d: value %v overflows %T", f.path, row, c, v, x)
		}
		return fmt.Errorf("data: %s: row %d, column %d: value %v, expected a finite number", f.path, row, c, v)
	}
	return nil
}

// RowWriter writes a 2-D .npy file row by row, without holding the rows
// in memory. It writes to a temporary file next to the destination, whose
// header has room for any number of rows; Close writes the final row
// count into the header, syncs the file and renames it to the
// destination, so that a crash never leaves a partial file there.
//
// The file is like the ones numpy.save writes: format version 1.0, values
// little-endian float64 ('<f8') or float32 ('<f4') in C order, starting at
// a multiple of 64 bytes.
//
// A RowWriter is not safe for concurrent use.
type RowWriter struct {
	path string
	f    *atomicfile.File
	cols int
	f32  bool
	hlen int    // length of the header
	rows int    // rows written
	buf  []byte // encoded values not yet written
	err  error  // first write error; sticky
	done bool   // Close or Abort has been called
}

// CreateRowFile starts writing a .npy file at path with cols values a
// row, float32 values if float32 is true and float64 values otherwise.
// Nothing appears at path until Close. It panics if cols < 1.
func CreateRowFile(path string, cols int, float32 bool) (*RowWriter, error) {
	if cols < 1 {
		panic("data: CreateRowFile: cols < 1")
	}
	f, err := atomicfile.Create(path)
	if err != nil {
		return nil, fmt.Errorf("data: %s: %w", path, unwrapPathError(err))
	}
	w := &RowWriter{path: path, f: f, cols: cols, f32: float32}
	hdr := npyHeader([]int{0, cols}, float32)
	w.hlen = len(hdr)
	w.buf = append(make([]byte, 0, chunkSize), hdr...)
	return w, nil
}

// unwrapPathError returns the error inside err if err is an
// *fs.PathError, so that messages name the file once.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Len returns the number of rows appended so far.
func (w *RowWriter) Len() int { return w.rows }

// Append appends the rows of rows, len(rows)/cols of them, to the file.
// It returns an error naming the file and the row, and appends nothing, if
// a value is NaN or infinite or overflows float32 in a float32 file. Once
// writing has failed, Append returns that error. Append panics if
// len(rows) is not a multiple of cols or after Close or Abort.
func (w *RowWriter) Append(rows []float64) error {
	if len(rows)%w.cols != 0 {
		panic("data: RowWriter.Append: len(rows) is not a multiple of cols")
	}
	if err := w.check(rows); err != nil {
		return err
	}
	return w.write(rows)
}

// check returns an error if a value of rows, which would be appended
// next, cannot be stored.
func (w *RowWriter) check(rows []float64) error {
	for i, v := range rows {
		bad := v-v != 0
		if w.f32 && !bad {
			x := float32(v)
			bad = x-x != 0
		}
		if bad {
			row, col := w.rows+i/w.cols, i%w.cols
			if v-v == 0 {
				return fmt.Errorf("data: %s: row %d, column %d: value %v overflows float32", w.path, row, col, v)
			}
			return fmt.Errorf("data: %s: row %d, column %d: value %v, expected a finite number", w.path, row, col, v)
		}
	}
	return nil
}

// write appends rows, which passed check, to the file.
func (w *RowWriter) write(rows []float64) error {
	if w.done {
		panic("data: RowWriter.Append after Close or Abort")
	}
	if w.err != nil {
		return w.err
	}
	for _, v := range rows {
		if len(w.buf)+8 > cap(w.buf) {
			if err := w.flush(); err != nil {
				return err
			}
		}
		if w.f32 {
			w.buf = binary.LittleEndian.AppendUint32(w.buf, math.Float32bits(float32(v)))
		} else {
			w.buf = binary.LittleEndian.AppendUint64(w.buf, math.Float64bits(v))
		}
	}
	w.rows += len(rows) / w.cols
	return nil
}

// flush writes the buffered bytes to the file.
func (w *RowWriter) flush() error {
	if w.err != nil {
		return w.err
	}
	if _, err := w.f.Write(w.buf); err != nil {
		w.err = fmt.Errorf("data: %s: %w", w.path, unwrapPathError(err))
		return w.err
	}
	w.buf = w.buf[:0]
	return nil
}

// Close writes the buffered rows and the final header, syncs the file and
// renames it to the destination path, replacing any file there. If a step
// fails, or an earlier write failed, Close removes the temporary file,
// leaves the destination as it was and returns the error. Close returns an
// error if Close or Abort has been called before.
func (w *RowWriter) Close() error {
	if w.done {
		return fmt.Errorf("data: %s: %w", w.path, fs.ErrClosed)
	}
	err := w.commit()
	w.done = true
	if err != nil {
		w.f.Abort()
		return err
	}
	return nil
}

// commit does the work of Close.
func (w *RowWriter) commit() error {
	if err := w.flush(); err != nil {
		return err
	}
	hdr := npyHeader([]int{w.rows, w.cols}, w.f32)
	if len(hdr) != w.hlen {
		// npyHeader leaves room for any int in the first dimension.
		panic("data: RowWriter: header length changed")
	}
	if _, err := w.f.WriteAt(hdr, 0); err != nil {
		return fmt.Errorf("data: %s: %w", w.path, unwrapPathError(err))
	}
	if err := w.f.Commit(); err != nil {
		return fmt.Errorf("data: %s: %w", w.path, unwrapPathError(err))
	}
	return nil
}

// Abort closes and removes the temporary file, leaving the destination as
// it was. It does nothing if Close or Abort has been called before, so it
// may be deferred right after CreateRowFile. It returns an error if the
// temporary file cannot be removed.
func (w *RowWriter) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	if err := w.f.Abort(); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	return nil
}
