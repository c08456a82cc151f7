package trajectory_test

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hnn-go/hnn/trajectory"
)

// wantError fails t unless err is a one-line error containing want and
// the source name.
func wantError(t *testing.T, err error, name, want string) {
	t.Helper()
	switch {
	case err == nil:
		t.Fatalf("no error, want one containing %q", want)
	case !strings.Contains(err.Error(), want):
		t.Fatalf("error %q, want one containing %q", err, want)
	case !strings.HasPrefix(err.Error(), "trajectory: "+name+": "):
		t.Fatalf("error %q does not start with the package and source %q", err, name)
	case strings.Contains(err.Error(), "\n"):
		t.Fatalf("error %q has several lines", err)
	}
}

func TestLipsonErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"empty", "", "empty file, expected a header line"},
		{"blank lines only", "\r\n  \r\n", "empty file"},
		{"missing header", "0 0 1 2\n0 1 1 2\n", "line 1: missing header"},
		{"header only", "%o v\r\n\r\n", "no data rows after the header"},
		{"odd dimension", "%a b c\n0 0 1 2 3\n", "state has 3 variables; canonical coordinates need an even number: first half q, second half p"},
		{"no names", "%\n0 0\n", "line 1: header names no variables"},
		{"duplicate name", "% o o\n0 0 1 2\n", `header names variable "o" twice`},
		{"too few columns", "%o v\n0 0 1\n", "line 2: 3 columns, expected 4 (trial, t and the 2 variables \"o v\") or 6 (with their derivatives)"},
		{"too many columns", "%o v\n0 0 1 2 3 4 5\n", "line 2: 7 columns, expected 4"},
		{"ragged", "%o v\n0 0 1 2\n0 1 1 2 3 4\n", "line 3: 6 columns, expected 4 like the first data row (line 2)"},
		{"ragged shorter", "%o v\n0 0 1 2 3 4\n\n0 1 1 2\n", "line 4: 4 columns, expected 6 like the first data row (line 2)"},
		{"not a number", "%o v\n0 0 1 x\n", `line 2, column 4 (v): "x" is not a number`},
		{"NaN state", "%o v\n0 0 1 2\n0 1 NaN 2\n", `line 3, column 3 (o): "NaN", expected a finite number`},
		{"Inf derivative", "%o v\n0 0 1 2 3 -Inf\n0 1 1 2 3 4\n", `line 2, column 6 (dv): "-Inf", expected a finite number`},
		{"overflow", "%o v\n0 0 1 2\n0 1 1e999 2\n", `line 3, column 3 (o): "1e999", expected a finite number`},
		{"NaN trial", "%o v\nnan 0 1 2\n", "line 2, column 1 (trial)"},
		{"NaN time", "%o v\n0 NaN 1 2\n", "line 2, column 2 (t)"},
		{"repeated time", "%o v\n0 0 1 2\n0 1 1 2\n0 1 1 2\n", "line 4, column 2 (t): time 1 does not increase from 1 at line 3; time must increase within a trial"},
		{"decreasing time", "%o v\r\n0 0 1 2\r\n0 -1 1 2\r\n", "line 3, column 2 (t): time -1 does not increase from 0"},
		{"short trial", "%o v\n0 0 1 2\n0 1 1 2\n\n1 0 1 2\n", "trial 1 (line 5) has 1 row, expected at least 2 to estimate derivatives (3 for central differences)"},
		{"binary header", "\x7fELF\x02\x01\x01\x00 \x00\x00\x00\n0 0 1 2\n", `line 1: header: variable 1 has the name "\x7fELF\x02\x01\x01\x00", expected printable text`},
		{"long name", "% " + strings.Repeat("o", 100) + " v\n0 0 1 2\n", `line 1: header: variable 1 has the name "oooooooooooooooooooooooooooooooooooooooo"..., expected printable text of at most 64 bytes`},
		{"long line", "%o v\n0 0 1 2" + strings.Repeat(" ", 2<<20) + "\n", "line 2: longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := trajectory.ReadLipson(strings.NewReader(tt.in), "bad.txt")
			wantError(t, err, "bad.txt", tt.want)
		})
	}
}

func TestCSVErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"empty", "", "empty file, expected a header row"},
		{"missing header", "0,0,1,2\n0,1,1,2\n", "line 1: missing header"},
		{"wrong first columns", "time,t,o,v\n0,0,1,2\n", `line 1: header "time,t,o,v", expected it to start with trial,t or with t`},
		{"no trial column, not a number", "t,q,p\n0,1,2\n0.5,x,4\n", `line 3, column 2 (q): "x" is not a number`},
		{"no trial column, repeated time", "t,q,p\n0,1,2\n0,1,2\n", "line 3, column 1 (t): time 0 does not increase"},
		{"no trial column, ragged", "t,q,p\n0,1,2\n1,1\n", "line 3: 2 fields, expected 3 like the header (line 1)"},
		{"no trial column, duplicate name", "t,q,q\n", `column 3: name "q" appears twice`},
		{"no trial column, NaN derivative", "t,q,p,dq,dp\n0,1,2,3,NaN\n", `line 2, column 5 (dp): "NaN", expected a finite number`},
		{"binary header", "\x7fELF\x02\x01\x01\x00" + strings.Repeat("\x00\xff", 500) + "\n", `line 1: header "\x7fELF\x02\x01\x01\x00\x00\xff`},
		{"binary name", "t,q,p\xff\n0,1,2\n", `line 1: header: variable 2 has the name "p\xff"`},
		{"header only", "trial,t,o,v\n", "no data rows after the header"},
		{"no variables", "trial,t\n0,0\n", "no state variables"},
		{"odd dimension", "trial,t,a,b,c\n0,0,1,2,3\n", "state has 3 variables; canonical coordinates need an even number"},
		{"some derivatives", "trial,t,q,p,dq,r\n0,0,1,2,3,4\n", "column 5 (dq) is the derivative of column 3 (q), expected a derivative column d<name> for every state column"},
		{"derivatives out of order", "trial,t,q,p,dp,dq\n0,0,1,2,3,4\n", "column 6 (dq) is the derivative of column 3 (q)"},
		{"empty name", "trial,t,,v\n", "column 3 has an empty name"},
		{"duplicate name", "trial,t,o,o\n", `column 4: name "o" appears twice`},
		{"ragged", "trial,t,o,v\n0,0,1,2\n0,1,1\n", "line 3: 3 fields, expected 4 like the header (line 1)"},
		{"not a number", "trial,t,o,v\n0,0,a,2\n", `line 2, column 3 (o): "a" is not a number`},
		{"empty field", "trial,t,o,v\n0,0,1,\n", `line 2, column 4 (v): "" is not a number`},
		{"NaN", "trial,t,o,v\n0,0,1,2\n0,1,1,NaN\n", `line 3, column 4 (v): "NaN", expected a finite number`},
		{"Inf derivative", "trial,t,o,v,do,dv\n0,0,1,2,+Inf,0\n", "line 2, column 5 (do)"},
		{"quote", "trial,t,o,v\n0,0,\"1,2\n", "line 2"},
		{"repeated time", "trial,t,o,v\n0,0,1,2\n0,0,1,2\n", "line 3, column 2 (t): time 0 does not increase from 0 at line 2"},
		{"short trial", "trial,t,o,v\n0,0,1,2\n1,0,1,2\n1,1,1,2\n", "trial 0 (line 2) has 1 row"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := trajectory.ReadCSV(strings.NewReader(tt.in), "bad.csv")
			wantError(t, err, "bad.csv", tt.want)
		})
	}
}

func TestNPZErrors(t *testing.T) {
	t.Parallel()
	f8 := func(shape []int, vals ...float64) []byte {
		n := 1
		for _, d := range shape {
			n *= d
		}
		for len(vals) < n {
			vals = append(vals, float64(len(vals)))
		}
		return npyBytes("<f8", shape, vals)
	}
	nan, inf := math.NaN(), math.Inf(1)
	t3 := f8([]int{3}, 0, 1, 2)
	x132 := f8([]int{1, 3, 2})
	tests := []struct {
		name    string
		entries []any // nil for a file that is not a zip archive
		want    string
	}{
		{"not a zip", nil, "not an .npz file"},
		{"no x", []any{"t.npy", t3}, "no array x, expected the states as x of shape (K, T, D) or (T, D)"},
		{"no t", []any{"x.npy", x132}, "no array t, expected the times as t of shape (3,) or (1, 3)"},
		{"x 1-d", []any{"t.npy", t3, "x.npy", f8([]int{6})}, "x has shape (6,), expected (K, T, D) for K trials of T rows or (T, D) for one trial"},
		{"odd dimension", []any{"t.npy", t3, "x.npy", f8([]int{1, 3, 3})}, "x has shape (1, 3, 3): state has 3 variables; canonical coordinates need an even number"},
		{"no trials", []any{"t.npy", t3, "x.npy", f8([]int{0, 3, 2})}, "x has shape (0, 3, 2), expected at least one trial"},
		{"t mismatch", []any{"t.npy", f8([]int{4}), "x.npy", x132}, "t has shape (4,), expected (3,) or (1, 3) to match x of shape (1, 3, 2)"},
		{"dxdt mismatch", []any{"t.npy", t3, "x.npy", x132, "dxdt.npy", f8([]int{3, 2})}, "dxdt has shape (3, 2), expected (1, 3, 2) like x"},
		{"NaN x", []any{"t.npy", t3, "x.npy", f8([]int{1, 3, 2}, 0, 1, 2, nan)}, "x[0, 1, 1] (p): value NaN, expected a finite number"},
		{"NaN x (T, D)", []any{"t.npy", t3, "x.npy", f8([]int{3, 2}, 0, 1, 2, nan)}, "x[1, 1] (p): value NaN"},
		{"Inf dxdt", []any{"t.npy", t3, "x.npy", x132, "dxdt.npy", f8([]int{1, 3, 2}, 0, 0, 0, 0, inf)}, "dxdt[0, 2, 0] (dq): derivative +Inf, expected a finite number"},
		{"Inf t", []any{"t.npy", f8([]int{3}, 0, inf, 2), "x.npy", x132}, "t[1] (t): time +Inf, expected a finite number"},
		{"time (K, T)", []any{"t.npy", f8([]int{2, 3}, 0, 1, 2, 0, 2, 1), "x.npy", f8([]int{2, 3, 2})}, "t[1, 2] (t): time 1 does not increase from 2 at row t[1, 1]"},
		{"one row", []any{"t.npy", f8([]int{1}), "x.npy", f8([]int{1, 1, 2})}, "trial 0 (row t[0]) has 1 row, expected at least 2"},
		{"no rows", []any{"t.npy", f8([]int{0}), "x.npy", f8([]int{1, 0, 2})}, "trial 0 has no rows"},
		{"dtype", []any{"t.npy", t3, "x.npy", npyBytes("<i8", []int{1, 3, 2}, make([]float64, 6))}, "entry \"x.npy\": data: dtype \"<i8\", expected float32 or float64"},
		{"duplicate", []any{"t.npy", t3, "x.npy", x132, "x", x132}, `entry "x": array x appears twice`},
		{"truncated", []any{"t.npy", t3[:len(t3)-1], "x.npy", x132}, "truncated data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := []byte("PK\x03\x04 not really")
			if tt.entries != nil {
				b = zipBytes(t, tt.entries...)
			}
			_, err := trajectory.DecodeNPZ(bytes.NewReader(b), int64(len(b)), "bad.npz")
			wantError(t, err, "bad.npz", tt.want)
		})
	}
}

func TestValidateErrors(t *testing.T) {
	t.Parallel()
	good := func() *trajectory.Set {
		return &trajectory.Set{Source: "mem", Names: []string{"q", "p"}, Dim: 2, Trials: []trajectory.Trial{
			{T: []float64{0, 1, 2}, X: []float64{1, 2, 3, 4, 5, 6}},
		}}
	}
	if err := good().Validate(); err != nil {
		t.Fatalf("valid set: %v", err)
	}
	tests := []struct {
		name   string
		change func(s *trajectory.Set)
		want   string
	}{
		{"odd dimension", func(s *trajectory.Set) { s.Dim, s.Names = 3, []string{"a", "b", "c"} }, "state has 3 variables"},
		{"zero dimension", func(s *trajectory.Set) { s.Dim, s.Names = 0, nil }, "no state variables"},
		{"names", func(s *trajectory.Set) { s.Names = s.Names[:1] }, "1 names for 2 state variables"},
		{"no trials", func(s *trajectory.Set) { s.Trials = nil }, "no trials, expected at least one"},
		{"ragged X", func(s *trajectory.Set) { s.Trials[0].X = s.Trials[0].X[:5] }, "trial 0: 5 state values for 3 rows of 2 variables, expected 6"},
		{"ragged DX", func(s *trajectory.Set) { s.Trials[0].DX = []float64{1} }, "trial 0: 1 derivative values for 3 rows of 2 variables, expected 6"},
		{"no rows", func(s *trajectory.Set) { s.Trials[0] = trajectory.Trial{} }, "trial 0 has no rows"},
		{"one row", func(s *trajectory.Set) { s.Trials[0].T, s.Trials[0].X = []float64{0}, []float64{1, 2} }, "trial 0 (trial 0, row 0) has 1 row"},
		{"NaN", func(s *trajectory.Set) { s.Trials[0].X[3] = math.NaN() }, "trial 0, row 1, p: value NaN"},
		{"time", func(s *trajectory.Set) { s.Trials[0].T[2] = 0.5 }, "trial 0, row 2, t: time 0.5 does not increase from 1 at trial 0, row 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := good()
			tt.change(s)
			wantError(t, s.Validate(), "mem", tt.want)
		})
	}
	// One row is enough where the derivative is known.
	s := good()
	s.Trials[0] = trajectory.Trial{T: []float64{0}, X: []float64{1, 2}, DX: []float64{3, 4}}
	if err := s.Validate(); err != nil {
		t.Errorf("one row with derivatives: %v", err)
	}
}

// TestBinaryFileErrors feeds binary content to every reader, as a user does
// who gives the wrong file: the error is one short line whatever the bytes.
func TestBinaryFileErrors(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	blobs := map[string][]byte{
		"elf":    append([]byte("\x7fELF\x02\x01\x01\x00"), bytes.Repeat([]byte{0, 0xff, '\n', ' ', 'a'}, 4000)...),
		"zeros":  make([]byte, 1<<16),
		"random": make([]byte, 1<<16),
		// A plausible header, then a line of binary.
		"header then binary": append([]byte("%o v\n0 0 1 2\n"), bytes.Repeat([]byte{0x93, 'N', 0, 1, ' ', 0xfe}, 3000)...),
	}
	for i := range blobs["random"] {
		blobs["random"][i] = byte(rng.Uint32())
	}
	dir := t.TempDir()
	for name, b := range blobs {
		for _, ext := range []string{".txt", ".dat", ".csv", ".npz"} {
			path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+ext)
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := trajectory.ReadFile(path)
			switch {
			case err == nil:
				t.Errorf("%s: no error", path)
			case strings.ContainsAny(err.Error(), "\n\r"):
				t.Errorf("%s: error of several lines: %q", path, err)
			case len(err.Error()) > 200+len(path):
				t.Errorf("%s: error of %d bytes, want a short one: %q", path, len(err.Error()), err)
			}
		}
	}
}
