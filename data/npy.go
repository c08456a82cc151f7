package data

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hnn-go/hnn/internal/atomicfile"
	"github.com/hnn-go/hnn/internal/check"
)

// Array is an n-dimensional float64 array in row-major (C) order.
type Array struct {
	// Shape holds the length of every dimension. An empty Shape is a
	// scalar, which holds one value.
	Shape []int
	// Data holds the Len() values of the array, the last index varying
	// fastest.
	Data []float64
	// Float32 makes the writers store the values as little-endian float32
	// ('<f4'), half the size, rounding them; the readers set it for a
	// float32 file.
	Float32 bool
}

// Len returns the number of values an array of shape a.Shape holds: the
// product of the dimensions, 1 for a scalar. It does not look at a.Data.
// Len panics if a dimension is negative or the product overflows int.
func (a Array) Len() int {
	n, err := shapeLen(a.Shape)
	if err != nil {
		panic("data: " + err.Error())
	}
	return n
}

// CheckFinite returns an error if a value of a is NaN or infinite, and nil
// otherwise. The error names name, typically the file a was read from, and
// the index of the first such value.
func (a Array) CheckFinite(name string) error {
	for i, v := range a.Data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("data: %s: value at index %s is %v, expected a finite number", name, a.index(i), v)
		}
	}
	return nil
}

// index returns the position of a.Data[i] as a NumPy index, like "(1, 2)",
// or as "[i]" if a.Data does not match a.Shape.
func (a Array) index(i int) string {
	n, err := shapeLen(a.Shape)
	if err != nil || n != len(a.Data) {
		return "[" + strconv.Itoa(i) + "]"
	}
	idx := make([]int, len(a.Shape))
	for k := len(a.Shape) - 1; k >= 0; k-- {
		idx[k] = i % a.Shape[k]
		i /= a.Shape[k]
	}
	return ShapeString(idx)
}

// check returns an error if a.Shape is invalid or does not match len(a.Data).
func (a Array) check() error {
	n, err := shapeLen(a.Shape)
	if err != nil {
		return err
	}
	if n != len(a.Data) {
		return fmt.Errorf("shape %s holds %d values, Data has %d", ShapeString(a.Shape), n, len(a.Data))
	}
	return nil
}

// shapeLen returns the number of values of an array of the given shape.
func shapeLen(shape []int) (int, error) {
	for _, d := range shape {
		if d < 0 {
			return 0, fmt.Errorf("shape %s has a negative dimension", ShapeString(shape))
		}
	}
	if slices.Contains(shape, 0) {
		return 0, nil
	}
	n := 1
	for _, d := range shape {
		if n > math.MaxInt/d {
			return 0, fmt.Errorf("shape %s has too many values", ShapeString(shape))
		}
		n *= d
	}
	return n, nil
}

// ShapeString formats shape as Python writes a tuple: (), (3,), (2, 3).
func ShapeString(shape []int) string {
	var b strings.Builder
	b.WriteByte('(')
	for i, d := range shape {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(d))
	}
	if len(shape) == 1 {
		b.WriteByte(',')
	}
	b.WriteByte(')')
	return b.String()
}

// NumPy file format constants; see numpy.lib.format.
const (
	npyMagic = "\x93NUMPY"
	// npyAlign is the alignment of the start of the array data.
	npyAlign = 64
	// npyGrowthDigits is the number of digits numpy reserves in the header
	// for the first dimension, so that the array can grow in place.
	npyGrowthDigits = 21
	// maxHeaderLen bounds the header length that the decoders accept.
	maxHeaderLen = 1 << 20
	// chunkSize is the number of bytes read or written at once.
	chunkSize = 1 << 16
)

// EncodeNPY writes a to w in NumPy .npy format as little-endian float64
// in C order, byte for byte as numpy.save of NumPy 2 writes it: format
// version 1.0 and a header padded with spaces so that the data start at a
// multiple of 64 bytes. It returns an error if a.Shape is invalid or does
// not match len(a.Data), or if writing fails.
func EncodeNPY(w io.Writer, a Array) error {
	if err := a.check(); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	return encodeNPY(w, a)
}

// encodeNPY writes a, which must have passed a.check, to w.
func encodeNPY(w io.Writer, a Array) error {
	if _, err := w.Write(npyHeader(a.Shape, a.Float32)); err != nil {
		return err
	}
	buf := make([]byte, 0, min(8*len(a.Data), chunkSize))
	for _, v := range a.Data {
		if a.Float32 {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(float32(v)))
		} else {
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
		}
		if len(buf) == cap(buf) {
			if _, err := w.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	if len(buf) > 0 {
		_, err := w.Write(buf)
		return err
	}
	return nil
}

// npyHeader returns the magic string, version, header length and header of
// a little-endian float64 (or float32) C-order array of the given shape,
// padded like numpy pads it.
func npyHeader(shape []int, f32 bool) []byte {
	descr := "<f8"
	if f32 {
		descr = "<f4"
	}
	dict := "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + ShapeString(shape) + ", }"
	if len(shape) > 0 {
		dict += strings.Repeat(" ", max(0, npyGrowthDigits-len(strconv.Itoa(shape[0]))))
	}
	hlen := len(dict) + 1 // With the final newline.
	major, lenSize := byte(1), 2
	pad := npyAlign - (len(npyMagic)+2+lenSize+hlen)%npyAlign
	if hlen+pad > math.MaxUint16 {
		// Like numpy, switch to version 2.0, whose header length has 4 bytes.
		major, lenSize = 2, 4
		pad = npyAlign - (len(npyMagic)+2+lenSize+hlen)%npyAlign
	}
	b := make([]byte, 0, len(npyMagic)+2+lenSize+hlen+pad)
	b = append(b, npyMagic...)
	b = append(b, major, 0)
	if major == 1 {
		b = binary.LittleEndian.AppendUint16(b, uint16(hlen+pad))
	} else {
		b = binary.LittleEndian.AppendUint32(b, uint32(hlen+pad))
	}
	b = append(b, dict...)
	for range pad {
		b = append(b, ' ')
	}
	return append(b, '\n')
}

// DecodeNPY reads an array in NumPy .npy format from r, which must hold
// nothing after the array data. It accepts format versions 1.0, 2.0 and
// 3.0 and float32 or float64 values of either byte order in C order;
// float32 values are converted to float64. Other dtypes and arrays in
// Fortran order are errors. Values are returned as they are, NaN and
// infinities included; see Array.CheckFinite.
func DecodeNPY(r io.Reader) (Array, error) {
	a, err := decodeNPY(r, -1, false)
	if err != nil {
		return Array{}, fmt.Errorf("data: %w", err)
	}
	return a, nil
}

// npyDtype is a float dtype of a .npy file.
type npyDtype struct {
	size  int // bytes per value: 4 or 8
	order binary.ByteOrder
}

// npyHead is the parsed header of a .npy stream.
type npyHead struct {
	npyHeaderDict
	dt  npyDtype
	n   int   // number of values of the shape
	off int64 // offset of the data: the header's length
}

// readNPYHead reads and checks the header of the .npy stream r, which
// holds size bytes, or an unknown number if size < 0: the magic string,
// format version, header dictionary, a float dtype, C order and a shape
// whose values fit in memory. It leaves r at the start of the data.
func readNPYHead(r io.Reader, size int64) (npyHead, error) {
	var pre [12]byte
	if n, err := io.ReadFull(r, pre[:len(npyMagic)+2]); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return npyHead{}, fmt.Errorf("not a .npy file: %d bytes, expected at least %d", n, len(npyMagic)+4)
		}
		return npyHead{}, fmt.Errorf("reading header: %w", err)
	}
	if string(pre[:len(npyMagic)]) != npyMagic {
		return npyHead{}, fmt.Errorf("not a .npy file: magic string %s, expected %q", check.Quote(string(pre[:len(npyMagic)])), npyMagic)
	}
	major, minor := pre[len(npyMagic)], pre[len(npyMagic)+1]
	var lenSize int
	switch {
	case major == 1 && minor == 0:
		lenSize = 2
	case (major == 2 || major == 3) && minor == 0:
		lenSize = 4
	default:
		return npyHead{}, fmt.Errorf("format version %d.%d, expected 1.0, 2.0 or 3.0", major, minor)
	}
	prefix := len(npyMagic) + 2 + lenSize
	if _, err := io.ReadFull(r, pre[len(npyMagic)+2:prefix]); err != nil {
		return npyHead{}, truncated("header", err)
	}
	var hlen int64
	if lenSize == 2 {
		hlen = int64(binary.LittleEndian.Uint16(pre[prefix-2 : prefix]))
	} else {
		hlen = int64(binary.LittleEndian.Uint32(pre[prefix-4 : prefix]))
	}
	if hlen > maxHeaderLen {
		return npyHead{}, fmt.Errorf("header length %d, expected at most %d", hlen, maxHeaderLen)
	}
	if size >= 0 && int64(prefix)+hlen > size {
		return npyHead{}, fmt.Errorf("truncated header: %d bytes, expected %d", size-int64(prefix), hlen)
	}
	hdr := make([]byte, hlen)
	if _, err := io.ReadFull(r, hdr); err != nil {
		return npyHead{}, truncated("header", err)
	}
	h, err := parseNPYHeader(hdr)
	if err != nil {
		return npyHead{}, fmt.Errorf("header: %w", err)
	}
	dt, ok := parseDtype(h.descr)
	if !ok {
		return npyHead{}, fmt.Errorf("dtype %s, expected float32 or float64", check.Quote(h.descr))
	}
	if h.fortran {
		return npyHead{}, errors.New("fortran_order is True, expected False (C order)")
	}
	n, err := shapeLen(h.shape)
	if err != nil {
		return npyHead{}, err
	}
	if n > math.MaxInt/8 {
		return npyHead{}, fmt.Errorf("shape %s has too many values", ShapeString(h.shape))
	}
	return npyHead{npyHeaderDict: h, dt: dt, n: n, off: int64(prefix) + hlen}, nil
}

// decodeNPY reads a .npy array from r, which holds size bytes, or an
// unknown number if size < 0. If prealloc is true, size is known to be
// right, and decodeNPY allocates the values at once; otherwise it grows
// them as data arrives, so that a lying header or size cannot make it
// allocate more memory than the data warrant.
func decodeNPY(r io.Reader, size int64, prealloc bool) (Array, error) {
	h, err := readNPYHead(r, size)
	if err != nil {
		return Array{}, err
	}
	n, dt := h.n, h.dt
	need := int64(n) * int64(dt.size)
	if size >= 0 {
		have := size - h.off
		if have < need {
			return Array{}, fmt.Errorf("truncated data: shape %s of %s needs %d bytes, found %d",
				ShapeString(h.shape), h.descr, need, have)
		}
		if have > need {
			return Array{}, fmt.Errorf("%d bytes after the array data, expected none", have-need)
		}
	}
	capacity := n
	if !prealloc {
		capacity = min(n, chunkSize/dt.size)
	}
	a := Array{Shape: h.shape, Data: make([]float64, 0, capacity), Float32: dt.size == 4}
	buf := make([]byte, min(need, chunkSize))
	for rem := need; rem > 0; {
		chunk := buf[:min(rem, int64(len(buf)))]
		got, err := io.ReadFull(r, chunk)
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return Array{}, fmt.Errorf("truncated data: shape %s of %s needs %d bytes, found %d",
					ShapeString(h.shape), h.descr, need, need-rem+int64(got))
			}
			return Array{}, fmt.Errorf("reading data: %w", err)
		}
		for b := chunk; len(b) > 0; b = b[dt.size:] {
			if dt.size == 8 {
				a.Data = append(a.Data, math.Float64frombits(dt.order.Uint64(b)))
			} else {
				a.Data = append(a.Data, float64(math.Float32frombits(dt.order.Uint32(b))))
			}
		}
		rem -= int64(len(chunk))
	}
	// Reading to the end also lets a zip entry verify its checksum.
	var pre [1]byte
	switch got, err := r.Read(pre[:]); {
	case got > 0:
		return Array{}, errors.New("bytes after the array data, expected none")
	case err != nil && err != io.EOF:
		return Array{}, fmt.Errorf("reading data: %w", err)
	}
	return a, nil
}

// truncated returns the error for a read of part that failed with err.
func truncated(part string, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("truncated " + part)
	}
	return fmt.Errorf("reading %s: %w", part, err)
}

// parseDtype returns the float dtype that descr describes, and whether it
// is one.
func parseDtype(descr string) (npyDtype, bool) {
	var order binary.ByteOrder = binary.NativeEndian
	if descr != "" {
		switch descr[0] {
		case '<':
			order, descr = binary.LittleEndian, descr[1:]
		case '>':
			order, descr = binary.BigEndian, descr[1:]
		case '=':
			descr = descr[1:]
		}
	}
	switch descr {
	case "f8", "d":
		return npyDtype{size: 8, order: order}, true
	case "f4", "f":
		return npyDtype{size: 4, order: order}, true
	}
	return npyDtype{}, false
}

// npyHeaderDict holds the fields of a .npy header dictionary.
type npyHeaderDict struct {
	descr   string
	fortran bool
	shape   []int
}

// parseNPYHeader parses the Python dictionary literal of a .npy header,
// such as "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }",
// followed by spaces and a newline.
func parseNPYHeader(b []byte) (npyHeaderDict, error) {
	p := &pyParser{b: b}
	var h npyHeaderDict
	seen := make(map[string]bool)
	p.space()
	if err := p.expect('{'); err != nil {
		return h, err
	}
	for {
		p.space()
		if p.peek() == '}' {
			p.i++
			break
		}
		key, err := p.str()
		if err != nil {
			return h, err
		}
		if seen[key] {
			return h, fmt.Errorf("key %s appears twice", strconv.Quote(key))
		}
		seen[key] = true
		p.space()
		if err := p.expect(':'); err != nil {
			return h, err
		}
		p.space()
		switch key {
		case "descr":
			h.descr, err = p.str()
		case "fortran_order":
			h.fortran, err = p.boolean()
		case "shape":
			h.shape, err = p.tuple()
		default:
			return h, fmt.Errorf("unexpected key %s, expected 'descr', 'fortran_order' and 'shape'", strconv.Quote(key))
		}
		if err != nil {
			return h, fmt.Errorf("%s: %w", key, err)
		}
		p.space()
		if p.peek() == ',' {
			p.i++
			continue
		}
		if err := p.expect('}'); err != nil {
			return h, err
		}
		break
	}
	p.space()
	if p.i != len(p.b) {
		return h, fmt.Errorf("unexpected %q at offset %d after the dictionary", p.b[p.i], p.i)
	}
	for _, k := range []string{"descr", "fortran_order", "shape"} {
		if !seen[k] {
			return h, fmt.Errorf("missing key '%s'", k)
		}
	}
	return h, nil
}

// pyParser parses the subset of Python literals that .npy headers use.
type pyParser struct {
	b []byte
	i int
}

// peek returns the next byte, or 0 at the end.
func (p *pyParser) peek() byte {
	if p.i < len(p.b) {
		return p.b[p.i]
	}
	return 0
}

// space skips white space.
func (p *pyParser) space() {
	for p.i < len(p.b) && strings.IndexByte(" \t\r\n", p.b[p.i]) >= 0 {
		p.i++
	}
}

// found describes the next byte for an error message.
func (p *pyParser) found() string {
	if p.i >= len(p.b) {
		return "end of header"
	}
	return fmt.Sprintf("%q at offset %d", p.b[p.i], p.i)
}

// expect consumes the byte c.
func (p *pyParser) expect(c byte) error {
	if p.i >= len(p.b) || p.b[p.i] != c {
		return fmt.Errorf("expected %q, found %s", c, p.found())
	}
	p.i++
	return nil
}

// str consumes a string literal in single or double quotes, without
// escape sequences.
func (p *pyParser) str() (string, error) {
	q := p.peek()
	if q != '\'' && q != '"' {
		return "", fmt.Errorf("expected a string, found %s", p.found())
	}
	end := bytes.IndexByte(p.b[p.i+1:], q)
	if end < 0 {
		return "", fmt.Errorf("unterminated string at offset %d", p.i)
	}
	s := string(p.b[p.i+1 : p.i+1+end])
	if strings.IndexByte(s, '\\') >= 0 {
		return "", fmt.Errorf("escape sequence in string at offset %d", p.i)
	}
	p.i += end + 2
	return s, nil
}

// boolean consumes True or False.
func (p *pyParser) boolean() (bool, error) {
	for _, lit := range []string{"True", "False"} {
		if bytes.HasPrefix(p.b[p.i:], []byte(lit)) {
			p.i += len(lit)
			return lit == "True", nil
		}
	}
	return false, fmt.Errorf("expected True or False, found %s", p.found())
}

// tuple consumes a tuple of integers such as (), (3,) or (2, 3). It also
// accepts (3) and Python 2 long integers such as 3L.
func (p *pyParser) tuple() ([]int, error) {
	if err := p.expect('('); err != nil {
		return nil, err
	}
	dims := []int{}
	for {
		p.space()
		if p.peek() == ')' {
			p.i++
			return dims, nil
		}
		start := p.i
		if c := p.peek(); c == '-' || c == '+' {
			p.i++
		}
		for p.i < len(p.b) && '0' <= p.b[p.i] && p.b[p.i] <= '9' {
			p.i++
		}
		d, err := strconv.Atoi(string(p.b[start:p.i]))
		if err != nil {
			p.i = start
			return nil, fmt.Errorf("expected an integer, found %s", p.found())
		}
		dims = append(dims, d)
		if p.peek() == 'L' {
			p.i++
		}
		p.space()
		if p.peek() == ',' {
			p.i++
			continue
		}
		if err := p.expect(')'); err != nil {
			return nil, err
		}
		return dims, nil
	}
}

// ReadNPY reads the .npy file at path, as DecodeNPY does. Errors name the
// file and what is wrong with it.
func ReadNPY(path string) (Array, error) {
	f, err := os.Open(path)
	if err != nil {
		return Array{}, fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	size := int64(-1)
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		size = fi.Size()
	}
	a, err := decodeNPY(bufio.NewReader(f), size, size >= 0)
	if err != nil {
		return Array{}, fmt.Errorf("data: %s: %w", path, err)
	}
	return a, nil
}

// DecodeNPZ reads every array of an .npz archive, as written by
// numpy.savez or numpy.savez_compressed, from r, which holds size bytes.
// Map keys are the archive's entry names without the ".npy" suffix.
// Every entry is decoded as DecodeNPY does.
func DecodeNPZ(r io.ReaderAt, size int64) (map[string]Array, error) {
	m, err := decodeNPZ(r, size)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	return m, nil
}

func decodeNPZ(r io.ReaderAt, size int64) (map[string]Array, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, fmt.Errorf("not an .npz file: %w", err)
	}
	arrays := make(map[string]Array, len(zr.File))
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "/") {
			continue // A directory.
		}
		key := strings.TrimSuffix(f.Name, ".npy")
		if _, ok := arrays[key]; ok {
			return nil, fmt.Errorf("entry %s: key %s appears twice", check.Quote(f.Name), check.Quote(key))
		}
		a, err := decodeNPZEntry(f)
		if err != nil {
			return nil, fmt.Errorf("entry %s: %w", check.Quote(f.Name), err)
		}
		arrays[key] = a
	}
	return arrays, nil
}

func decodeNPZEntry(f *zip.File) (Array, error) {
	rc, err := f.Open()
	if err != nil {
		return Array{}, err
	}
	defer rc.Close()
	size := int64(-1)
	if f.UncompressedSize64 <= math.MaxInt64 {
		size = int64(f.UncompressedSize64)
	}
	// The archive's sizes are checked as the entry is read, not before,
	// so they are no ground for allocation.
	return decodeNPY(rc, size, false)
}

// ReadNPZ reads every array of the .npz file at path, as DecodeNPZ does.
// Errors name the file, the entry and what is wrong with it.
func ReadNPZ(path string) (map[string]Array, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	m, err := decodeNPZ(f, fi.Size())
	if err != nil {
		return nil, fmt.Errorf("data: %s: %w", path, err)
	}
	return m, nil
}

// WriteNPY writes a to the file at path in .npy format, as EncodeNPY does.
// It returns an error, and writes nothing, if a.Shape is invalid or does
// not match len(a.Data). The file is replaced atomically: on error, any previous file at path is
// left as it was.
func WriteNPY(path string, a Array) error {
	if err := a.check(); err != nil {
		return fmt.Errorf("data: %s: %w", path, err)
	}
	f, err := atomicfile.Create(path)
	if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	defer f.Abort()
	if err := encodeNPY(f, a); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	if err := f.Commit(); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	return nil
}

// npzTime is the modification time of .npz entries, fixed so that equal
// arrays give equal files.
var npzTime = time.Date(1980, time.January, 1, 0, 0, 0, 0, time.UTC)

// WriteNPZ writes arrays to the file at path as an uncompressed .npz
// archive, like numpy.savez: the array with key KEY is the entry KEY.npy,
// encoded as EncodeNPY does, and entries are in sorted key order. It
// returns an error, and writes nothing, if an array's Shape is invalid or
// does not match its Data. The file is replaced atomically:
// on error, any previous file at path is left as it was.
func WriteNPZ(path string, arrays map[string]Array) error {
	keys := slices.Sorted(maps.Keys(arrays))
	for _, k := range keys {
		if err := arrays[k].check(); err != nil {
			return fmt.Errorf("data: %s: array %s: %w", path, check.Quote(k), err)
		}
	}
	f, err := atomicfile.Create(path)
	if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	defer f.Abort()
	zw := zip.NewWriter(f)
	for _, k := range keys {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: k + ".npy", Method: zip.Store, Modified: npzTime})
		if err != nil {
			return fmt.Errorf("data: %s: array %s: %w", path, check.Quote(k), err)
		}
		if err := encodeNPY(w, arrays[k]); err != nil {
			return fmt.Errorf("data: %w", err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	if err := f.Commit(); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	return nil
}
