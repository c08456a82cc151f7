package data_test

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"log"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hnn-go/hnn/data"
)

// npyBytes returns a .npy file with format version major.0, the header
// dictionary dict padded as numpy pads it, and the given data bytes.
func npyBytes(major byte, dict string, body []byte) []byte {
	lenSize := 2
	if major > 1 {
		lenSize = 4
	}
	hlen := len(dict) + 1
	pad := 64 - (8+lenSize+hlen)%64
	b := append([]byte("\x93NUMPY"), major, 0)
	if lenSize == 2 {
		b = binary.LittleEndian.AppendUint16(b, uint16(hlen+pad))
	} else {
		b = binary.LittleEndian.AppendUint32(b, uint32(hlen+pad))
	}
	b = append(b, dict...)
	b = append(b, strings.Repeat(" ", pad)...)
	b = append(b, '\n')
	return append(b, body...)
}

// f64 returns the float64 values vs in byte order bo.
func f64(bo binary.AppendByteOrder, vs ...float64) []byte {
	var b []byte
	for _, v := range vs {
		b = bo.AppendUint64(b, math.Float64bits(v))
	}
	return b
}

// f32 returns the float32 values vs in byte order bo.
func f32(bo binary.AppendByteOrder, vs ...float32) []byte {
	var b []byte
	for _, v := range vs {
		b = bo.AppendUint32(b, math.Float32bits(v))
	}
	return b
}

// sameArray reports whether a and b have the same shape and bit-identical
// values, so that NaN payloads and signed zeros count.
func sameArray(a, b data.Array) bool {
	return slices.Equal(a.Shape, b.Shape) && slices.EqualFunc(a.Data, b.Data, func(x, y float64) bool {
		return math.Float64bits(x) == math.Float64bits(y)
	})
}

// testArrays returns arrays of several shapes, filled from a seeded source,
// with special values that must survive a round trip unchanged.
func testArrays() map[string]data.Array {
	rnd := rand.New(rand.NewPCG(1, 2))
	arrays := make(map[string]data.Array)
	for _, shape := range [][]int{{3}, {2, 3}, {2, 3, 4}, {}, {0, 3}, {1, 1, 1, 1}} {
		a := data.Array{Shape: shape, Data: make([]float64, data.Array{Shape: shape}.Len())}
		for i := range a.Data {
			a.Data[i] = rnd.NormFloat64()
		}
		arrays[fmt.Sprint(shape)] = a
	}
	arrays["special"] = data.Array{Shape: []int{6}, Data: []float64{
		math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1), math.SmallestNonzeroFloat64, math.MaxFloat64,
	}}
	return arrays
}

func TestWriteReadNPY(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, want := range testArrays() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(dir, name+".npy")
			if err := data.WriteNPY(path, want); err != nil {
				t.Fatalf("WriteNPY: %v", err)
			}
			got, err := data.ReadNPY(path)
			if err != nil {
				t.Fatalf("ReadNPY: %v", err)
			}
			if !sameArray(got, want) {
				t.Errorf("read %v, wrote %v", got, want)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if hlen := len(b) - 8*len(want.Data); hlen%64 != 0 {
				t.Errorf("header is %d bytes long, want a multiple of 64", hlen)
			}
		})
	}
}

func TestWriteReadNPZ(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "arrays.npz")
	want := testArrays()
	if err := data.WriteNPZ(path, want); err != nil {
		t.Fatalf("WriteNPZ: %v", err)
	}
	got, err := data.ReadNPZ(path)
	if err != nil {
		t.Fatalf("ReadNPZ: %v", err)
	}
	if len(got) != len(want) {
		t.Errorf("read %d arrays, wrote %d", len(got), len(want))
	}
	for k, w := range want {
		if g, ok := got[k]; !ok || !sameArray(g, w) {
			t.Errorf("array %q: read %v, wrote %v", k, g, w)
		}
	}

	// The archive is like numpy.savez writes it: stored entries named
	// KEY.npy in sorted order.
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if f.Method != zip.Store {
			t.Errorf("entry %s has method %d, want %d (stored)", f.Name, f.Method, zip.Store)
		}
	}
	var wantNames []string
	for _, k := range slices.Sorted(maps.Keys(want)) {
		wantNames = append(wantNames, k+".npy")
	}
	if !slices.Equal(names, wantNames) {
		t.Errorf("entries %q, want %q", names, wantNames)
	}
}

// TestNumPyHeader checks the encoder against the bytes numpy.save writes
// for np.arange(6.0).reshape(2, 3): format 1.0, a header of 118 bytes
// (0x76) holding the dictionary, then spaces and a newline so that the data
// start at offset 128, a multiple of 64.
func TestNumPyHeader(t *testing.T) {
	t.Parallel()
	dict := "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }"
	want := "\x93NUMPY\x01\x00\x76\x00" + dict + strings.Repeat(" ", 58) + "\n"
	body, err := hex.DecodeString("0000000000000000" + "000000000000f03f" + "0000000000000040" +
		"0000000000000840" + "0000000000001040" + "0000000000001440")
	if err != nil {
		t.Fatal(err)
	}
	want += string(body)
	if len(want) != 128+48 {
		t.Fatalf("test file is %d bytes, want 176", len(want))
	}

	arange := data.Array{Shape: []int{2, 3}, Data: []float64{0, 1, 2, 3, 4, 5}}
	var buf bytes.Buffer
	if err := data.EncodeNPY(&buf, arange); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); got != want {
		t.Errorf("EncodeNPY wrote\n%q\nwant\n%q", got, want)
	}
	got, err := data.DecodeNPY(strings.NewReader(want))
	if err != nil {
		t.Fatalf("DecodeNPY: %v", err)
	}
	if !sameArray(got, arange) {
		t.Errorf("DecodeNPY read %v, want %v", got, arange)
	}
}

func TestDecodeNPY(t *testing.T) {
	t.Parallel()
	le, be := binary.LittleEndian, binary.BigEndian
	for _, tc := range []struct {
		name string
		file []byte
		want data.Array
	}{
		{
			name: "float32 little endian",
			file: npyBytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", f32(le, 1.5, -2, 0.1)),
			want: data.Array{Shape: []int{3}, Data: []float64{1.5, -2, float64(float32(0.1))}},
		},
		{
			name: "float32 big endian",
			file: npyBytes(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (2, 1), }", f32(be, 3, 4)),
			want: data.Array{Shape: []int{2, 1}, Data: []float64{3, 4}},
		},
		{
			name: "float64 big endian",
			file: npyBytes(1, "{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }", f64(be, 1, math.Pi)),
			want: data.Array{Shape: []int{2}, Data: []float64{1, math.Pi}},
		},
		{
			name: "scalar",
			file: npyBytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (), }", f64(le, 7)),
			want: data.Array{Shape: []int{}, Data: []float64{7}},
		},
		{
			name: "empty",
			file: npyBytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (0, 5), }", nil),
			want: data.Array{Shape: []int{0, 5}, Data: []float64{}},
		},
		{
			name: "version 2.0",
			file: npyBytes(2, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", f64(le, 2)),
			want: data.Array{Shape: []int{1}, Data: []float64{2}},
		},
		{
			name: "version 3.0",
			file: npyBytes(3, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", f64(le, 2)),
			want: data.Array{Shape: []int{1}, Data: []float64{2}},
		},
		{
			name: "other key order, double quotes, no trailing comma",
			file: npyBytes(1, `{"shape": (1, 2), "fortran_order": False, "descr": "<f8"}`, f64(le, 1, 2)),
			want: data.Array{Shape: []int{1, 2}, Data: []float64{1, 2}},
		},
		{
			name: "Python 2 long integers",
			file: npyBytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1L, 2L), }", f64(le, 1, 2)),
			want: data.Array{Shape: []int{1, 2}, Data: []float64{1, 2}},
		},
		{
			name: "NaN is returned as is",
			file: npyBytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", f64(le, math.Inf(-1))),
			want: data.Array{Shape: []int{1}, Data: []float64{math.Inf(-1)}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := data.DecodeNPY(bytes.NewReader(tc.file))
			if err != nil {
				t.Fatalf("DecodeNPY: %v", err)
			}
			if !sameArray(got, tc.want) {
				t.Errorf("DecodeNPY read %v, want %v", got, tc.want)
			}
			path := filepath.Join(t.TempDir(), "a.npy")
			if err := os.WriteFile(path, tc.file, 0o644); err != nil {
				t.Fatal(err)
			}
			got, err = data.ReadNPY(path)
			if err != nil {
				t.Fatalf("ReadNPY: %v", err)
			}
			if !sameArray(got, tc.want) {
				t.Errorf("ReadNPY read %v, want %v", got, tc.want)
			}
		})
	}
}

func TestReadNPYError(t *testing.T) {
	t.Parallel()
	le := binary.LittleEndian
	good := npyBytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", f64(le, 0, 1, 2, 3, 4, 5))
	hdr := func(dict string, body []byte) []byte { return npyBytes(1, dict, body) }
	for _, tc := range []struct {
		name string
		file []byte
		want string // The error after "data: PATH: ".
	}{
		{"empty file", nil, "not a .npy file: 0 bytes, expected at least 10"},
		{"wrong magic", append([]byte("\x89PNG\r\n"), good[6:]...), `not a .npy file: magic string "\x89PNG\r\n", expected "\x93NUMPY"`},
		{"wrong version", append([]byte("\x93NUMPY\x04\x00"), good[8:]...), "format version 4.0, expected 1.0, 2.0 or 3.0"},
		{"truncated length", good[:9], "truncated header"},
		{"truncated header", good[:100], "truncated header: 90 bytes, expected 118"},
		{"truncated data", good[:len(good)-8], "truncated data: shape (2, 3) of <f8 needs 48 bytes, found 40"},
		{"trailing data", append(slices.Clone(good), 0), "1 bytes after the array data, expected none"},
		{"integer dtype", hdr("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", f64(le, 0, 0)),
			`dtype "<i8", expected float32 or float64`},
		{"structured dtype", hdr("{'descr': [('x', '<f8')], 'fortran_order': False, 'shape': (1,), }", f64(le, 0)),
			"header: descr: expected a string, found '[' at offset 10"},
		{"Fortran order", hdr("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 1), }", f64(le, 0, 0)),
			"fortran_order is True, expected False (C order)"},
		{"negative dimension", hdr("{'descr': '<f8', 'fortran_order': False, 'shape': (2, -1), }", nil),
			"shape (2, -1) has a negative dimension"},
		{"too many values", hdr("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", nil),
			"shape (4294967296, 4294967296) has too many values"},
		{"missing key", hdr("{'descr': '<f8', 'shape': (2,), }", f64(le, 0, 0)), "header: missing key 'fortran_order'"},
		{"unknown key", hdr("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 1}", f64(le, 0)),
			`header: unexpected key "x", expected 'descr', 'fortran_order' and 'shape'`},
		{"duplicate key", hdr("{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (1,)}", f64(le, 0)),
			`header: key "descr" appears twice`},
		{"bad shape", hdr("{'descr': '<f8', 'fortran_order': False, 'shape': (2; 3), }", nil),
			"header: shape: expected ')', found ';' at offset 52"},
		{"not a dictionary", hdr("[]", nil), "header: expected '{', found '[' at offset 0"},
		{"text after dictionary", hdr("{'descr': '<f8', 'fortran_order': False, 'shape': (), } x", f64(le, 0)),
			"header: unexpected 'x' at offset 56 after the dictionary"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "states.npy")
			if err := os.WriteFile(path, tc.file, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := data.ReadNPY(path)
			if want := "data: " + path + ": " + tc.want; err == nil || err.Error() != want {
				t.Errorf("ReadNPY: got error\n%v\nwant\n%s", err, want)
			}
			if _, err := data.DecodeNPY(bytes.NewReader(tc.file)); err == nil {
				t.Errorf("DecodeNPY: no error, want one like %q", tc.want)
			}
		})
	}
}

func TestReadNPYMissing(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "missing.npy")
	_, err := data.ReadNPY(path)
	if err == nil || !os.IsNotExist(unwrapAll(err)) || !strings.Contains(err.Error(), path) {
		t.Errorf("ReadNPY of a missing file: got %v, want a not-exist error naming %s", err, path)
	}
}

// unwrapAll returns the innermost error of err's chain.
func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return err
		}
		err = u.Unwrap()
	}
}

// zipBytes returns a zip archive of the named files, compressed with
// method.
func zipBytes(t *testing.T, method uint16, files ...[2]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f[0], Method: method})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(f[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadNPZ(t *testing.T) {
	t.Parallel()
	le := binary.LittleEndian
	one := string(npyBytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", f64(le, 1)))
	two := string(npyBytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", f32(le, 2, 3)))
	bad := string(npyBytes(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", f64(le, 0)))
	for _, tc := range []struct {
		name    string
		file    []byte
		want    map[string]data.Array
		wantErr string // The error after "data: PATH: ".
	}{
		{
			name: "savez_compressed",
			file: zipBytes(t, zip.Deflate, [2]string{"x.npy", one}, [2]string{"t.npy", two}),
			want: map[string]data.Array{
				"x": {Shape: []int{1}, Data: []float64{1}},
				"t": {Shape: []int{2}, Data: []float64{2, 3}},
			},
		},
		{
			name: "keys without .npy",
			file: zipBytes(t, zip.Store, [2]string{"x", one}, [2]string{"dir/", ""}),
			want: map[string]data.Array{"x": {Shape: []int{1}, Data: []float64{1}}},
		},
		{
			name: "empty archive",
			file: zipBytes(t, zip.Store),
			want: map[string]data.Array{},
		},
		{
			name:    "bad entry",
			file:    zipBytes(t, zip.Store, [2]string{"x.npy", one}, [2]string{"y.npy", bad}),
			wantErr: `entry "y.npy": dtype "<i8", expected float32 or float64`,
		},
		{
			name:    "truncated entry",
			file:    zipBytes(t, zip.Deflate, [2]string{"x.npy", one[:len(one)-1]}),
			wantErr: `entry "x.npy": truncated data: shape (1,) of <f8 needs 8 bytes, found 7`,
		},
		{
			name:    "duplicate key",
			file:    zipBytes(t, zip.Store, [2]string{"x.npy", one}, [2]string{"x", one}),
			wantErr: `entry "x": key "x" appears twice`,
		},
		{
			name:    "not a zip archive",
			file:    []byte(one),
			wantErr: "not an .npz file: zip: not a valid zip file",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "run.npz")
			if err := os.WriteFile(path, tc.file, 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := data.ReadNPZ(path)
			if tc.wantErr != "" {
				if want := "data: " + path + ": " + tc.wantErr; err == nil || err.Error() != want {
					t.Errorf("ReadNPZ: got error\n%v\nwant\n%s", err, want)
				}
				return
			}
			if err != nil {
				t.Fatalf("ReadNPZ: %v", err)
			}
			if len(got) != len(tc.want) {
				t.Errorf("read %d arrays, want %d", len(got), len(tc.want))
			}
			for k, w := range tc.want {
				if g, ok := got[k]; !ok || !sameArray(g, w) {
					t.Errorf("array %q: read %v, want %v", k, g, w)
				}
			}
		})
	}
}

func TestWriteError(t *testing.T) {
	t.Parallel()
	bad := data.Array{Shape: []int{2, 3}, Data: make([]float64, 5)}
	for _, tc := range []struct {
		name  string
		write func(path string) error
		want  string // The error after "data: PATH: ".
	}{
		{"npy", func(path string) error { return data.WriteNPY(path, bad) },
			"shape (2, 3) holds 6 values, Data has 5"},
		{"npz", func(path string) error {
			return data.WriteNPZ(path, map[string]data.Array{"a": {Data: []float64{1}}, "b": bad})
		}, `array "b": shape (2, 3) holds 6 values, Data has 5`},
		{"negative", func(path string) error { return data.WriteNPY(path, data.Array{Shape: []int{-1}}) },
			"shape (-1,) has a negative dimension"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "old")
			if err := os.WriteFile(path, []byte("old content"), 0o644); err != nil {
				t.Fatal(err)
			}
			err := tc.write(path)
			if want := "data: " + path + ": " + tc.want; err == nil || err.Error() != want {
				t.Errorf("got error\n%v\nwant\n%s", err, want)
			}
			// The old file is intact and no temporary file is left.
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != 1 {
				t.Errorf("directory holds %v, want only the old file", entries)
			}
			if b, err := os.ReadFile(path); err != nil || string(b) != "old content" {
				t.Errorf("old file holds %q, %v; want it intact", b, err)
			}
		})
	}
	if err := data.WriteNPY(filepath.Join(t.TempDir(), "missing", "a.npy"), data.Array{Data: []float64{1}}); !os.IsNotExist(unwrapAll(err)) {
		t.Errorf("WriteNPY into a missing directory: got %v, want a not-exist error", err)
	}
}

func TestLen(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		shape []int
		want  int
	}{
		{nil, 1},
		{[]int{}, 1},
		{[]int{3}, 3},
		{[]int{2, 3, 4}, 24},
		{[]int{0, 3}, 0},
		{[]int{math.MaxInt, 0}, 0},
	} {
		if got := (data.Array{Shape: tc.shape}).Len(); got != tc.want {
			t.Errorf("Len of shape %v = %d, want %d", tc.shape, got, tc.want)
		}
	}
	for _, shape := range [][]int{{2, -1}, {math.MaxInt, 2}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Len of shape %v did not panic", shape)
				}
			}()
			_ = data.Array{Shape: shape}.Len()
		}()
	}
}

func TestCheckFinite(t *testing.T) {
	t.Parallel()
	nan, inf := math.NaN(), math.Inf(1)
	for _, tc := range []struct {
		name string
		a    data.Array
		want string // Empty for no error.
	}{
		{"finite", data.Array{Shape: []int{2}, Data: []float64{1, -math.MaxFloat64}}, ""},
		{"empty", data.Array{Shape: []int{0}}, ""},
		{"NaN", data.Array{Shape: []int{2, 3}, Data: []float64{0, 1, 2, 3, 4, nan}},
			"data: x.npy: value at index (1, 2) is NaN, expected a finite number"},
		{"first of two", data.Array{Shape: []int{4}, Data: []float64{0, -inf, nan, 0}},
			"data: x.npy: value at index (1,) is -Inf, expected a finite number"},
		{"scalar", data.Array{Data: []float64{inf}},
			"data: x.npy: value at index () is +Inf, expected a finite number"},
		{"shape mismatch", data.Array{Shape: []int{2}, Data: []float64{0, 1, nan}},
			"data: x.npy: value at index [2] is NaN, expected a finite number"},
	} {
		err := tc.a.CheckFinite("x.npy")
		if got := fmt.Sprint(err); (err == nil) != (tc.want == "") || err != nil && got != tc.want {
			t.Errorf("%s: got %v, want %q", tc.name, err, tc.want)
		}
	}
}

// FuzzReadNPY checks that the .npy decoders never panic, that ReadNPY
// (which knows the file size) and DecodeNPY (which does not) agree, and
// that what they accept survives encoding and decoding again.
func FuzzReadNPY(f *testing.F) {
	le := binary.LittleEndian
	for _, a := range testArrays() {
		var buf bytes.Buffer
		if err := data.EncodeNPY(&buf, a); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
	}
	f.Add(npyBytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", f32(le, 1, 2, 3)))
	f.Add(npyBytes(2, "{'descr': '>f8', 'fortran_order': False, 'shape': (1, 1), }", f64(binary.BigEndian, 1)))
	f.Add(npyBytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999,), }", nil))
	f.Add([]byte("\x93NUMPY\x01\x00\x04\x00{}\n"))
	f.Add([]byte("\x93NUMPY"))
	f.Add([]byte{})
	path := filepath.Join(f.TempDir(), "fuzz.npy")
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := data.DecodeNPY(bytes.NewReader(b))
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		fa, ferr := data.ReadNPY(path)
		if (err == nil) != (ferr == nil) {
			t.Fatalf("DecodeNPY error %v, ReadNPY error %v", err, ferr)
		}
		if err != nil {
			return
		}
		if !sameArray(a, fa) {
			t.Fatalf("DecodeNPY read %v, ReadNPY read %v", a, fa)
		}
		if len(a.Data) != a.Len() {
			t.Fatalf("shape %v holds %d values, Data has %d", a.Shape, a.Len(), len(a.Data))
		}
		var buf bytes.Buffer
		if err := data.EncodeNPY(&buf, a); err != nil {
			t.Fatalf("EncodeNPY: %v", err)
		}
		a2, err := data.DecodeNPY(&buf)
		if err != nil {
			t.Fatalf("DecodeNPY of EncodeNPY output: %v", err)
		}
		if !sameArray(a, a2) {
			t.Fatalf("after a round trip read %v, want %v", a2, a)
		}
	})
}

// FuzzDecodeNPZ checks that the .npz decoder never panics and returns
// arrays whose data match their shape.
func FuzzDecodeNPZ(f *testing.F) {
	path := filepath.Join(f.TempDir(), "seed.npz")
	if err := data.WriteNPZ(path, testArrays()); err != nil {
		f.Fatal(err)
	}
	seed, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("x.npy")
	if err != nil {
		f.Fatal(err)
	}
	if err := data.EncodeNPY(w, data.Array{Shape: []int{2}, Data: []float64{1, 2}}); err != nil {
		f.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte("PK\x05\x06\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := data.DecodeNPZ(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		for k, a := range m {
			if len(a.Data) != a.Len() {
				t.Fatalf("array %q: shape %v holds %d values, Data has %d", k, a.Shape, a.Len(), len(a.Data))
			}
		}
	})
}

func ExampleReadNPY() {
	dir, err := os.MkdirTemp("", "npy")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "states.npy")

	x := data.Array{Shape: []int{2, 3}, Data: []float64{1, 2, 3, 4, 5, 6}}
	if err := data.WriteNPY(path, x); err != nil {
		log.Fatal(err)
	}
	y, err := data.ReadNPY(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(y.Shape, y.Len(), y.Data)
	// Output:
	// [2 3] 6 [1 2 3 4 5 6]
}

func ExampleWriteNPZ() {
	dir, err := os.MkdirTemp("", "npz")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "prediction.npz")

	err = data.WriteNPZ(path, map[string]data.Array{
		"t": {Shape: []int{3}, Data: []float64{0, 0.5, 1}},
		"x": {Shape: []int{3, 2}, Data: []float64{1, 0, 0.9, -0.5, 0.5, -0.8}},
	})
	if err != nil {
		log.Fatal(err)
	}
	arrays, err := data.ReadNPZ(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(arrays["t"].Data, arrays["x"].Shape)
	// Output:
	// [0 0.5 1] [3 2]
}

func ExampleEncodeNPY() {
	var buf bytes.Buffer
	if err := data.EncodeNPY(&buf, data.Array{Shape: []int{2, 3}, Data: make([]float64, 6)}); err != nil {
		log.Fatal(err)
	}
	header, _, _ := strings.Cut(buf.String()[10:], "}")
	fmt.Println(header + "}")
	fmt.Println(buf.Len(), "bytes")
	// Output:
	// {'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }
	// 176 bytes
}

func ExampleArray_CheckFinite() {
	a := data.Array{Shape: []int{2, 2}, Data: []float64{1, 2, math.NaN(), 4}}
	fmt.Println(a.CheckFinite("initial.npy"))
	// Output:
	// data: initial.npy: value at index (1, 0) is NaN, expected a finite number
}

// TestFloat32RoundTrip writes a float32 array and reads it back: '<f4'
// values, rounded to float32, and the flag set.
func TestFloat32RoundTrip(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "a.npz")
	a := data.Array{Shape: []int{2, 2}, Data: []float64{0.1, -2, 3.5, 1e-3}, Float32: true}
	if err := data.WriteNPZ(path, map[string]data.Array{"a": a}); err != nil {
		t.Fatal(err)
	}
	back, err := data.ReadNPZ(path)
	if err != nil {
		t.Fatal(err)
	}
	got := back["a"]
	if !got.Float32 || len(got.Data) != 4 {
		t.Fatalf("read %+v, want a float32 array of 4 values", got)
	}
	for i, v := range a.Data {
		if got.Data[i] != float64(float32(v)) {
			t.Errorf("value %d: %v, want %v", i, got.Data[i], float64(float32(v)))
		}
	}
	if st, _ := os.Stat(path); st.Size() > 400 {
		t.Errorf("file of %d bytes; float32 data should be small", st.Size())
	}
}
