package trajectory_test

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hnn-go/hnn/trajectory"
)

// lipsonDir is the directory of the shared Schmidt & Lipson files,
// relative to this package's directory.
var lipsonDir = filepath.Join("..", "..", "shared", "data", "lipson")

// lipsonFile returns the path of the shared Lipson file name, skipping the
// test if it is absent.
func lipsonFile(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join(lipsonDir, name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared data file %s absent: %v", p, err)
	}
	return p
}

// csvText returns s in the CSV format of ReadCSV.
func csvText(s *trajectory.Set) string {
	var b strings.Builder
	b.WriteString("trial,t")
	withDX := s.HasDerivatives()
	for _, n := range s.Names {
		b.WriteString("," + n)
	}
	if withDX {
		for _, n := range s.Names {
			b.WriteString(",d" + n)
		}
	}
	b.WriteString("\n")
	for k, tr := range s.Trials {
		for i, t := range tr.T {
			fmt.Fprintf(&b, "%d,%v", k, t)
			for _, v := range tr.X[i*s.Dim : (i+1)*s.Dim] {
				fmt.Fprintf(&b, ",%v", v)
			}
			if withDX {
				for _, v := range tr.DX[i*s.Dim : (i+1)*s.Dim] {
					fmt.Fprintf(&b, ",%v", v)
				}
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

// npyBytes returns a .npy file of the given dtype descr ('<f4' or '<f8'),
// shape and values.
func npyBytes(descr string, shape []int, vals []float64) []byte {
	sh := make([]string, len(shape))
	for i, d := range shape {
		sh[i] = fmt.Sprint(d)
	}
	tuple := "(" + strings.Join(sh, ", ")
	if len(shape) == 1 {
		tuple += ","
	}
	tuple += ")"
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, tuple)
	hlen := len(dict) + 1
	pad := 64 - (10+hlen)%64
	b := []byte("\x93NUMPY\x01\x00")
	b = binary.LittleEndian.AppendUint16(b, uint16(hlen+pad))
	b = append(b, dict...)
	b = append(b, strings.Repeat(" ", pad)...)
	b = append(b, '\n')
	for _, v := range vals {
		if descr == "<f4" {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(v)))
		} else {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
		}
	}
	return b
}

// zipBytes returns a zip archive of the given entries, names and contents
// alternating.
func zipBytes(t testing.TB, entries ...any) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i < len(entries); i += 2 {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: entries[i].(string), Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(entries[i+1].([]byte)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sameSet reports the first difference between sets a and b, ignoring
// Source and Names, or "" if there is none.
func sameSet(a, b *trajectory.Set) string {
	if a.Dim != b.Dim || len(a.Trials) != len(b.Trials) {
		return fmt.Sprintf("dim %d, %d trials vs dim %d, %d trials", a.Dim, len(a.Trials), b.Dim, len(b.Trials))
	}
	eq := func(x, y []float64) bool {
		if len(x) != len(y) || (x == nil) != (y == nil) {
			return false
		}
		for i := range x {
			if x[i] != y[i] {
				return false
			}
		}
		return true
	}
	for k := range a.Trials {
		ta, tb := a.Trials[k], b.Trials[k]
		switch {
		case !eq(ta.T, tb.T):
			return fmt.Sprintf("trial %d: T %v vs %v", k, ta.T, tb.T)
		case !eq(ta.X, tb.X):
			return fmt.Sprintf("trial %d: X %v vs %v", k, ta.X, tb.X)
		case !eq(ta.DX, tb.DX):
			return fmt.Sprintf("trial %d: DX %v vs %v", k, ta.DX, tb.DX)
		}
	}
	return ""
}
