package data_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/hnn-go/hnn/data"
)

// randomRows returns n rows of cols normal values from a seeded source.
func randomRows(n, cols int, seed uint64) []float64 {
	rnd := rand.New(rand.NewPCG(seed, 1))
	v := make([]float64, n*cols)
	for i := range v {
		v[i] = rnd.NormFloat64()
	}
	return v
}

// writeRows writes vals, rows of cols values, to a new row file at path,
// appending chunk values at a time.
func writeRows(t testing.TB, path string, cols int, f32 bool, vals []float64, chunk int) {
	t.Helper()
	w, err := data.CreateRowFile(path, cols, f32)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	for len(vals) > 0 {
		n := min(chunk, len(vals))
		if err := w.Append(vals[:n]); err != nil {
			t.Fatal(err)
		}
		vals = vals[n:]
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// openRows opens the row file at path and closes it when the test ends.
func openRows(t testing.TB, path string) *data.RowFile {
	t.Helper()
	f, err := data.OpenRowFile(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// stored returns v as a file of float32 values, if f32, stores it.
func stored(v float64, f32 bool) float64 {
	if f32 {
		return float64(float32(v))
	}
	return v
}

// wantRows returns rows idx of vals, rows of cols values, as stored.
func wantRows(vals []float64, cols int, f32 bool, idx []int) []float64 {
	var want []float64
	for _, r := range idx {
		for _, v := range vals[r*cols : (r+1)*cols] {
			want = append(want, stored(v, f32))
		}
	}
	return want
}

func TestRowFileRoundTrip(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		rows, cols, chunk int
		f32               bool
	}{
		{rows: 0, cols: 3, chunk: 3},
		{rows: 1, cols: 1, chunk: 1},
		{rows: 10, cols: 4, chunk: 8},
		{rows: 10, cols: 4, chunk: 8, f32: true},
		// More than one write buffer, in chunks that do not divide it.
		{rows: 9000, cols: 3, chunk: 3 * 777},
		{rows: 9000, cols: 3, chunk: 3 * 777, f32: true},
		{rows: 3000, cols: 7, chunk: 7 * 3000},
	} {
		name := fmt.Sprintf("%dx%d/f32=%t", tc.rows, tc.cols, tc.f32)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "rows.npy")
			vals := randomRows(tc.rows, tc.cols, uint64(tc.rows*tc.cols))
			writeRows(t, path, tc.cols, tc.f32, vals, tc.chunk)

			// The file is what EncodeNPY writes, so numpy reads it too.
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var want bytes.Buffer
			if err := data.EncodeNPY(&want, data.Array{Shape: []int{tc.rows, tc.cols}, Data: vals, Float32: tc.f32}); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want.Bytes()) {
				t.Errorf("file differs from EncodeNPY's output")
			}
			a, err := data.ReadNPY(path)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(a.Shape, []int{tc.rows, tc.cols}) || a.Float32 != tc.f32 {
				t.Errorf("ReadNPY: shape %v, float32 %t, want [%d %d], %t", a.Shape, a.Float32, tc.rows, tc.cols, tc.f32)
			}
			all := make([]int, tc.rows)
			for i := range all {
				all[i] = i
			}
			if w := wantRows(vals, tc.cols, tc.f32, all); !slices.Equal(a.Data, w) {
				t.Errorf("ReadNPY: values differ")
			}

			f := openRows(t, path)
			if f.Path() != path || f.Len() != tc.rows || f.Cols() != tc.cols || f.Float32() != tc.f32 {
				t.Fatalf("Path, Len, Cols, Float32 = %q, %d, %d, %t, want %q, %d, %d, %t",
					f.Path(), f.Len(), f.Cols(), f.Float32(), path, tc.rows, tc.cols, tc.f32)
			}
			idx := rand.New(rand.NewPCG(3, 4)).Perm(tc.rows)
			want64 := wantRows(vals, tc.cols, tc.f32, idx)
			dst64 := make([]float64, len(idx)*tc.cols)
			if err := data.ReadRows(f, dst64, idx); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(dst64, want64) {
				t.Errorf("ReadRows into float64: values differ")
			}
			dst32 := make([]float32, len(idx)*tc.cols)
			if err := data.ReadRows(f, dst32, idx); err != nil {
				t.Fatal(err)
			}
			for i, v := range dst32 {
				if v != float32(want64[i]) {
					t.Fatalf("ReadRows into float32: value %d is %v, want %v", i, v, float32(want64[i]))
				}
			}
		})
	}
}

func TestReadRowsIndices(t *testing.T) {
	t.Parallel()
	const rows, cols = 50, 3
	path := filepath.Join(t.TempDir(), "rows.npy")
	vals := randomRows(rows, cols, 5)
	writeRows(t, path, cols, false, vals, len(vals))
	f := openRows(t, path)
	// myFloat checks that ReadRows takes types with a float underlying type.
	type myFloat float64
	for _, tc := range []struct {
		name string
		idx  []int
	}{
		{"empty", []int{}},
		{"nil", nil},
		{"one", []int{7}},
		{"first", []int{0}},
		{"last", []int{rows - 1}},
		{"consecutive", []int{10, 11, 12, 13, 14, 15}},
		{"all", func() []int {
			var idx []int
			for i := range rows {
				idx = append(idx, i)
			}
			return idx
		}()},
		{"reversed", []int{15, 14, 13, 12, 11, 10}},
		{"scattered", []int{40, 3, 17, 0, 49, 22}},
		{"runs", []int{30, 5, 31, 6, 32, 7, 49, 48}},
		{"repeated", []int{4, 4, 9, 4, 5, 9, 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := wantRows(vals, cols, false, tc.idx)
			dst := make([]myFloat, len(tc.idx)*cols)
			if err := data.ReadRows(f, dst, tc.idx); err != nil {
				t.Fatal(err)
			}
			for i := range dst {
				if float64(dst[i]) != want[i] {
					t.Fatalf("value %d is %v, want %v", i, dst[i], want[i])
				}
			}
		})
	}
}

func TestReadRowsAllocs(t *testing.T) {
	// Not parallel: AllocsPerRun counts the allocations of the process.
	const rows, cols, batch = 10000, 4, 200
	path := filepath.Join(t.TempDir(), "rows.npy")
	writeRows(t, path, cols, true, randomRows(rows, cols, 6), 4000)
	f := openRows(t, path)
	rnd := rand.New(rand.NewPCG(7, 8))
	idx := make([]int, batch)
	dst64 := make([]float64, batch*cols)
	dst32 := make([]float32, batch*cols)
	fill := func() {
		for i := range idx {
			idx[i] = rnd.IntN(rows)
		}
	}
	// Warm up with a full-size request; smaller ones must not allocate either.
	fill()
	if err := data.ReadRows(f, dst64, idx); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(50, func() {
		fill()
		n := 1 + rnd.IntN(batch)
		if err := data.ReadRows(f, dst64[:n*cols], idx[:n]); err != nil {
			t.Fatal(err)
		}
		if err := data.ReadRows(f, dst32[:n*cols], idx[:n]); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("ReadRows allocates %v times a call after warm-up, want 0", allocs)
	}
}

func TestReadRowsPanics(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "rows.npy")
	writeRows(t, path, 2, false, randomRows(5, 2, 9), 10)
	f := openRows(t, path)
	for _, tc := range []struct {
		name string
		dst  []float64
		idx  []int
	}{
		{"short dst", make([]float64, 3), []int{0, 1}},
		{"long dst", make([]float64, 5), []int{0, 1}},
		{"negative row", make([]float64, 4), []int{0, -1}},
		{"row past end", make([]float64, 4), []int{5, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if r == nil {
					t.Fatal("no panic")
				}
				if s, ok := r.(string); !ok || !strings.HasPrefix(s, "data: ") {
					t.Errorf("panic %v, want a string starting with \"data: \"", r)
				}
			}()
			data.ReadRows(f, tc.dst, tc.idx)
		})
	}
}

func TestOpenRowFileError(t *testing.T) {
	t.Parallel()
	le := binary.LittleEndian
	good := npyBytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", f64(le, 1, 2, 3, 4, 5, 6))
	for _, tc := range []struct {
		name string
		file []byte
		want string
	}{
		{"empty", nil, "not a .npy file"},
		{"bad magic", append([]byte("\x93NUMPZ"), good[6:]...), "magic string"},
		{"version", append([]byte("\x93NUMPY\x04\x00"), good[8:]...), "format version 4.0"},
		{"truncated header", good[:40], "truncated header"},
		{"truncated data", good[:len(good)-1], "truncated data"},
		{"size mismatch", append(slices.Clone(good), 0, 0, 0, 0, 0, 0, 0, 0), "bytes after the array data"},
		{"header syntax", npyBytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3) ", nil), "header"},
		{"dtype int", npyBytes(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (2, 3), }", f64(le, 1, 2, 3, 4, 5, 6)), `dtype "<i8"`},
		{"dtype complex", npyBytes(1, "{'descr': '<c16', 'fortran_order': False, 'shape': (1, 3), }", f64(le, 1, 2, 3, 4, 5, 6)), `dtype "<c16"`},
		{"1-D", npyBytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (6,), }", f64(le, 1, 2, 3, 4, 5, 6)), "expected 2 dimensions"},
		{"3-D", npyBytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2, 3), }", f64(le, 1, 2, 3, 4, 5, 6)), "expected 2 dimensions"},
		{"scalar", npyBytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (), }", f64(le, 1)), "expected 2 dimensions"},
		{"no columns", npyBytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 0), }", nil), "no columns"},
		{"negative", npyBytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (-1, 3), }", nil), "negative dimension"},
		{"huge", npyBytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (0, 9223372036854775807), }", nil), "too many values"},
		{"fortran order", npyBytes(1, "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", f64(le, 1, 2, 3, 4, 5, 6)), "fortran_order is True"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "bad.npy")
			if err := os.WriteFile(path, tc.file, 0o666); err != nil {
				t.Fatal(err)
			}
			f, err := data.OpenRowFile(path)
			if err == nil {
				f.Close()
				t.Fatal("no error")
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "data: "+path+": ") || !strings.Contains(msg, tc.want) || strings.Contains(msg, "\n") {
				t.Errorf("error %q, want one line starting with %q and containing %q", msg, "data: "+path+": ", tc.want)
			}
		})
	}
	t.Run("missing", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "missing.npy")
		_, err := data.OpenRowFile(path)
		if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), path) {
			t.Errorf("error %v, want fs.ErrNotExist naming %s", err, path)
		}
	})
}

func TestOpenRowFileByteOrder(t *testing.T) {
	t.Parallel()
	be, le := binary.BigEndian, binary.LittleEndian
	for _, tc := range []struct {
		descr string
		body  []byte
	}{
		{"<f8", f64(le, 1, 2, 3, 4, 5, 6)},
		{">f8", f64(be, 1, 2, 3, 4, 5, 6)},
		{"<f4", f32(le, 1, 2, 3, 4, 5, 6)},
		{">f4", f32(be, 1, 2, 3, 4, 5, 6)},
		{"=f8", f64(binary.NativeEndian, 1, 2, 3, 4, 5, 6)},
	} {
		t.Run(tc.descr, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "rows.npy")
			file := npyBytes(1, "{'descr': '"+tc.descr+"', 'fortran_order': False, 'shape': (3, 2), }", tc.body)
			if err := os.WriteFile(path, file, 0o666); err != nil {
				t.Fatal(err)
			}
			f := openRows(t, path)
			dst := make([]float64, 6)
			if err := data.ReadRows(f, dst, []int{2, 0, 1}); err != nil {
				t.Fatal(err)
			}
			if want := []float64{5, 6, 1, 2, 3, 4}; !slices.Equal(dst, want) {
				t.Errorf("got %v, want %v", dst, want)
			}
		})
	}
}

func TestReadRowsError(t *testing.T) {
	t.Parallel()
	le := binary.LittleEndian
	for _, tc := range []struct {
		name  string
		descr string
		body  []byte
		f32   bool // read into float32
		want  string
	}{
		{"NaN", "<f8", f64(le, 1, 2, 3, 4, math.NaN(), 6), false, "row 2, column 0: value NaN"},
		{"Inf", "<f4", f32(le, 1, 2, 3, float32(math.Inf(-1)), 5, 6), false, "row 1, column 1: value -Inf"},
		{"overflow", "<f8", f64(le, 1, 2, 1e300, 4, 5, 6), true, "row 1, column 0: value 1e+300 overflows float32"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "rows.npy")
			file := npyBytes(1, "{'descr': '"+tc.descr+"', 'fortran_order': False, 'shape': (3, 2), }", tc.body)
			if err := os.WriteFile(path, file, 0o666); err != nil {
				t.Fatal(err)
			}
			f := openRows(t, path)
			var err error
			if tc.f32 {
				err = data.ReadRows(f, make([]float32, 6), []int{0, 1, 2})
			} else {
				err = data.ReadRows(f, make([]float64, 6), []int{0, 1, 2})
			}
			if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one naming %s and containing %q", err, path, tc.want)
			}
			// The other rows read.
			if err := data.ReadRows(f, make([]float64, 2), []int{0}); err != nil {
				t.Errorf("row 0: %v", err)
			}
		})
	}
	t.Run("truncated after open", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "rows.npy")
		writeRows(t, path, 2, false, randomRows(10, 2, 10), 20)
		f := openRows(t, path)
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(path, fi.Size()-8); err != nil {
			t.Fatal(err)
		}
		err = data.ReadRows(f, make([]float64, 4), []int{8, 9})
		if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "rows 8 to 9") {
			t.Errorf("error %v, want one naming %s and rows 8 to 9", err, path)
		}
	})
	t.Run("closed", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "rows.npy")
		writeRows(t, path, 2, false, randomRows(10, 2, 11), 20)
		f, err := data.OpenRowFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		if err := data.ReadRows(f, make([]float64, 2), []int{1}); !errors.Is(err, fs.ErrClosed) {
			t.Errorf("error %v, want fs.ErrClosed", err)
		}
	})
}

func TestRowWriterAppendError(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		f32  bool
		bad  []float64
		want string
	}{
		{"NaN", false, []float64{1, 2, 3, math.NaN()}, "row 4, column 1: value NaN, expected a finite number"},
		{"Inf", true, []float64{math.Inf(1), 2}, "row 3, column 0: value +Inf, expected a finite number"},
		{"overflow", true, []float64{1, 2, 3, -1e39}, "row 4, column 1: value -1e+39 overflows float32"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "rows.npy")
			w, err := data.CreateRowFile(path, 2, tc.f32)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Abort()
			good := randomRows(3, 2, 12)
			if err := w.Append(good); err != nil {
				t.Fatal(err)
			}
			err = w.Append(tc.bad)
			if err == nil || err.Error() != "data: "+path+": "+tc.want {
				t.Errorf("error %v, want %q", err, "data: "+path+": "+tc.want)
			}
			if w.Len() != 3 {
				t.Errorf("Len %d after a failed Append, want 3", w.Len())
			}
			// The writer goes on.
			if err := w.Append([]float64{7, 8}); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			a, err := data.ReadNPY(path)
			if err != nil {
				t.Fatal(err)
			}
			want := append(wantRows(good, 2, tc.f32, []int{0, 1, 2}), 7, 8)
			if !slices.Equal(a.Shape, []int{4, 2}) || !slices.Equal(a.Data, want) {
				t.Errorf("file holds %v %v, want [4 2] %v", a.Shape, a.Data, want)
			}
		})
	}
}

func TestRowWriterPanics(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustPanic := func(name string, f func()) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Errorf("%s: no panic", name)
			}
		}()
		f()
	}
	mustPanic("cols 0", func() { data.CreateRowFile(filepath.Join(dir, "a.npy"), 0, false) })
	w, err := data.CreateRowFile(filepath.Join(dir, "b.npy"), 3, false)
	if err != nil {
		t.Fatal(err)
	}
	mustPanic("partial row", func() { w.Append([]float64{1, 2}) })
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	mustPanic("after Abort", func() { w.Append([]float64{1, 2, 3}) })
}

// dirNames returns the names in dir.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

func TestRowWriterAtomic(t *testing.T) {
	t.Parallel()
	t.Run("abort", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		path := filepath.Join(dir, "rows.npy")
		w, err := data.CreateRowFile(path, 2, false)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Append(randomRows(10000, 2, 13)); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("before Close: Stat error %v, want fs.ErrNotExist", err)
		}
		if names := dirNames(t, dir); len(names) != 1 || !strings.HasPrefix(names[0], ".rows.npy.tmp-") {
			t.Errorf("before Close: directory holds %q, want one temporary file", names)
		}
		if err := w.Abort(); err != nil {
			t.Fatal(err)
		}
		if names := dirNames(t, dir); len(names) != 0 {
			t.Errorf("after Abort: directory holds %q, want nothing", names)
		}
		if err := w.Abort(); err != nil {
			t.Errorf("second Abort: %v", err)
		}
		if err := w.Close(); !errors.Is(err, fs.ErrClosed) {
			t.Errorf("Close after Abort: error %v, want fs.ErrClosed", err)
		}
	})
	t.Run("replace", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		path := filepath.Join(dir, "rows.npy")
		writeRows(t, path, 1, false, []float64{1, 2}, 2)
		old, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		// An aborted writer leaves the old file.
		w, err := data.CreateRowFile(path, 1, false)
		if err != nil {
			t.Fatal(err)
		}
		w.Append([]float64{3})
		w.Abort()
		if b, err := os.ReadFile(path); err != nil || !bytes.Equal(b, old) {
			t.Errorf("after Abort: file changed (error %v)", err)
		}
		// A closed one replaces it.
		w, err = data.CreateRowFile(path, 1, false)
		if err != nil {
			t.Fatal(err)
		}
		w.Append([]float64{3})
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); !errors.Is(err, fs.ErrClosed) {
			t.Errorf("second Close: error %v, want fs.ErrClosed", err)
		}
		if err := w.Abort(); err != nil {
			t.Errorf("Abort after Close: %v", err)
		}
		a, err := data.ReadNPY(path)
		if err != nil || !slices.Equal(a.Data, []float64{3}) {
			t.Errorf("after Close: file holds %v (error %v), want [3]", a.Data, err)
		}
		if names := dirNames(t, dir); !slices.Equal(names, []string{"rows.npy"}) {
			t.Errorf("directory holds %q, want only rows.npy", names)
		}
	})
	t.Run("missing directory", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "no", "rows.npy")
		_, err := data.CreateRowFile(path, 1, false)
		if !errors.Is(err, fs.ErrNotExist) || !strings.HasPrefix(err.Error(), "data: "+path+": ") {
			t.Errorf("error %v, want fs.ErrNotExist naming %s", err, path)
		}
	})
}

func TestReadRowsMemory(t *testing.T) {
	// Not parallel, so that other tests do not move the heap.
	const rows, cols, batch = 1_000_000, 4, 1000 // 32 MB of float64
	path := filepath.Join(t.TempDir(), "big.npy")
	value := func(r, c int) float64 { return float64(r*cols + c) }
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	peak := base
	sample := func() {
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapInuse)
	}

	w, err := data.CreateRowFile(path, cols, false)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	vals := make([]float64, batch*cols)
	for start := 0; start < rows; start += batch {
		for i := range vals {
			vals[i] = value(start+i/cols, i%cols)
		}
		if err := w.Append(vals); err != nil {
			t.Fatal(err)
		}
		if start%(50*batch) == 0 {
			sample()
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	f := openRows(t, path)
	idx := make([]int, batch)
	for start := 0; start < rows; start += batch {
		for i := range idx {
			idx[i] = start + i
		}
		if err := data.ReadRows(f, vals, idx); err != nil {
			t.Fatal(err)
		}
		if got, want := vals[len(vals)-1], value(start+batch-1, cols-1); got != want {
			t.Fatalf("rows from %d: last value %v, want %v", start, got, want)
		}
		if start%(50*batch) == 0 {
			sample()
		}
	}
	sample()
	const limit = 4 << 20 // An eighth of the file.
	grow := peak - base
	t.Logf("heap in use grew by %d bytes", grow)
	if grow > limit {
		t.Errorf("heap in use grew by %d bytes streaming a %d-byte file, want at most %d", grow, rows*cols*8, limit)
	}
}

func FuzzRowFile(f *testing.F) {
	le, be := binary.LittleEndian, binary.BigEndian
	for _, seed := range [][]byte{
		npyBytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", f64(le, 1, 2, 3, 4, 5, 6)),
		npyBytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }", f32(le, 1, 2, 3, 4, 5, 6)),
		npyBytes(2, "{'descr': '>f8', 'fortran_order': False, 'shape': (1, 2), }", f64(be, 1e300, -0)),
		npyBytes(3, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 1), }", f64(le, math.NaN(), math.Inf(1))),
		npyBytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (0, 5), }", nil),
		npyBytes(1, "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 1), }", f64(le, 1, 2)),
		npyBytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", f64(le, 1, 2)),
		npyBytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", f64(le, 1, 2, 3, 4, 5)),
		[]byte("\x93NUMPY\x01\x00"),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(t.TempDir(), "fuzz.npy")
		if err := os.WriteFile(path, b, 0o666); err != nil {
			t.Fatal(err)
		}
		rf, err := data.OpenRowFile(path)
		if err != nil {
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		defer rf.Close()
		// What OpenRowFile accepts, ReadNPY reads alike.
		a, err := data.ReadNPY(path)
		if err != nil {
			t.Fatalf("OpenRowFile accepts what ReadNPY rejects: %v", err)
		}
		if !slices.Equal(a.Shape, []int{rf.Len(), rf.Cols()}) || a.Float32 != rf.Float32() {
			t.Fatalf("ReadNPY: shape %v, float32 %t; RowFile: %d x %d, float32 %t", a.Shape, a.Float32, rf.Len(), rf.Cols(), rf.Float32())
		}
		idx := make([]int, rf.Len())
		for i := range idx {
			idx[i] = rf.Len() - 1 - i
		}
		want := wantRows(a.Data, rf.Cols(), false, idx)
		dst := make([]float64, len(want))
		err = data.ReadRows(rf, dst, idx)
		finite := !slices.ContainsFunc(want, func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) })
		if finite != (err == nil) {
			t.Fatalf("all values finite: %t, ReadRows error: %v", finite, err)
		}
		if err != nil {
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		if !slices.Equal(dst, want) {
			t.Fatalf("ReadRows: %v, ReadNPY: %v", dst, want)
		}
		dst32 := make([]float32, len(want))
		err = data.ReadRows(rf, dst32, idx)
		fits := !slices.ContainsFunc(want, func(v float64) bool { return math.IsInf(float64(float32(v)), 0) })
		if fits != (err == nil) {
			t.Fatalf("all values fit float32: %t, ReadRows error: %v", fits, err)
		}
	})
}

func BenchmarkReadRows(b *testing.B) {
	const rows, cols = 1_000_000, 4
	dir := b.TempDir()
	vals := randomRows(rows, cols, 14)
	for _, f32 := range []bool{false, true} {
		path := filepath.Join(dir, fmt.Sprintf("f32=%t.npy", f32))
		writeRows(b, path, cols, f32, vals, len(vals))
		f, err := data.OpenRowFile(path)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		for _, tc := range []struct {
			name       string
			batch      int
			sequential bool
		}{
			{"random200", 200, false},
			{"random1000", 1000, false},
			{"consecutive1000", 1000, true},
		} {
			b.Run(fmt.Sprintf("%s/f32=%t", tc.name, f32), func(b *testing.B) {
				rnd := rand.New(rand.NewPCG(15, 16))
				idx := make([]int, tc.batch)
				dst := make([]float32, tc.batch*cols)
				b.SetBytes(int64(tc.batch * cols * 4))
				for b.Loop() {
					if tc.sequential {
						start := rnd.IntN(rows - tc.batch)
						for i := range idx {
							idx[i] = start + i
						}
					} else {
						for i := range idx {
							idx[i] = rnd.IntN(rows)
						}
					}
					if err := data.ReadRows(f, dst, idx); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func ExampleRowWriter() {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "x.npy")

	// Write rows of two values, a few at a time.
	w, err := data.CreateRowFile(path, 2, false)
	if err != nil {
		log.Fatal(err)
	}
	defer w.Abort()
	for i := range 3 {
		if err := w.Append([]float64{float64(i), float64(10 * i)}); err != nil {
			log.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}

	// Read rows 2 and 0.
	f, err := data.OpenRowFile(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	dst := make([]float32, 2*f.Cols())
	if err := data.ReadRows(f, dst, []int{2, 0}); err != nil {
		log.Fatal(err)
	}
	fmt.Println(f.Len(), f.Cols(), dst)
	// Output: 3 2 [2 20 0 0]
}
