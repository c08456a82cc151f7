package trajectory_test

import (
	"bytes"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/trajectory"
)

// pendulumLayout is a driven pendulum's: an angle, its velocity, a torque.
var pendulumLayout = data.Layout{Velocities: true, Inputs: 1, Angles: []int{0}}

// drivenWant is the set of two trials of (q, v, u) that the hand-made
// files of TestReadLayout hold: u constant per trial, 2 then -1.
func drivenWant(withDX bool) *trajectory.Set {
	s := &trajectory.Set{Dim: 3, Trials: []trajectory.Trial{
		{T: []float64{0, 0.5, 1}, X: []float64{1, 2, 2, 3, 4, 2, 5, 6, 2}},
		{T: []float64{0, 1}, X: []float64{-1, -2, -1, -3, -4, -1}},
	}}
	if withDX {
		s.Trials[0].DX = []float64{10, 20, 0, 30, 40, 0, 50, 60, 0}
		s.Trials[1].DX = []float64{-10, -20, 0, -30, -40, 0}
	}
	return s
}

func TestReadLayout(t *testing.T) {
	t.Parallel()
	csvPlain := "trial,t,q,v,u\n0,0,1,2,2\n0,0.5,3,4,2\n0,1,5,6,2\n1,0,-1,-2,-1\n1,1,-3,-4,-1\n"
	csvDX := "trial,t,q,v,u,dq,dv\n0,0,1,2,2,10,20\n0,0.5,3,4,2,30,40\n0,1,5,6,2,50,60\n1,0,-1,-2,-1,-10,-20\n1,1,-3,-4,-1,-30,-40\n"
	lipsonDX := "% q v u\n0 0 1 2 2 10 20\n0 0.5 3 4 2 30 40\n0 1 5 6 2 50 60\n1 0 -1 -2 -1 -10 -20\n1 1 -3 -4 -1 -30 -40\n"
	// NPZ needs trials of equal length: the first two rows of each.
	x := []float64{1, 2, 3, 4, -1, -2, -3, -4}
	dx := []float64{10, 20, 30, 40, -10, -20, -30, -40}
	npzWant := func(u [][]float64, withDX bool) *trajectory.Set {
		s := &trajectory.Set{Dim: 3}
		for k := range 2 {
			tr := trajectory.Trial{T: []float64{0, 0.5}}
			for j := range 2 {
				tr.X = append(tr.X, x[4*k+2*j], x[4*k+2*j+1], u[k][j])
				if withDX {
					tr.DX = append(tr.DX, dx[4*k+2*j], dx[4*k+2*j+1], 0)
				}
			}
			s.Trials = append(s.Trials, tr)
		}
		return s
	}
	r := trajectory.Reader{Layout: pendulumLayout}
	npz := func(t *testing.T, entries ...any) (*trajectory.Set, error) {
		b := zipBytes(t, entries...)
		return r.DecodeNPZ(bytes.NewReader(b), int64(len(b)), "u.npz")
	}
	f8 := func(shape []int, vals []float64) []byte { return npyBytes("<f8", shape, vals) }
	tests := []struct {
		name  string
		read  func(t *testing.T) (*trajectory.Set, error)
		want  *trajectory.Set
		names []string
	}{
		{"csv", func(*testing.T) (*trajectory.Set, error) { return r.ReadCSV(strings.NewReader(csvPlain), "u.csv") },
			drivenWant(false), []string{"q", "v", "u"}},
		{"csv with derivatives", func(*testing.T) (*trajectory.Set, error) { return r.ReadCSV(strings.NewReader(csvDX), "u.csv") },
			drivenWant(true), nil},
		{"csv u1", func(*testing.T) (*trajectory.Set, error) {
			return r.ReadCSV(strings.NewReader(strings.Replace(csvDX, ",u,", ",u1,", 1)), "u.csv")
		}, drivenWant(true), nil},
		{"lipson with derivatives", func(*testing.T) (*trajectory.Set, error) { return r.ReadLipson(strings.NewReader(lipsonDX), "u.txt") },
			drivenWant(true), nil},
		{"npz u per trial", func(t *testing.T) (*trajectory.Set, error) {
			return npz(t, "t.npy", f8([]int{2}, []float64{0, 0.5}), "x.npy", f8([]int{2, 2, 2}, x), "u.npy", f8([]int{2, 1}, []float64{2, -1}))
		}, npzWant([][]float64{{2, 2}, {-1, -1}}, false), []string{"q", "v", "u"}},
		{"npz u per row with dxdt", func(t *testing.T) (*trajectory.Set, error) {
			return npz(t, "t.npy", f8([]int{2}, []float64{0, 0.5}), "x.npy", f8([]int{2, 2, 2}, x), "dxdt.npy", f8([]int{2, 2, 2}, dx),
				"u.npy", f8([]int{2, 2, 1}, []float64{2, 3, -1, -5}))
		}, npzWant([][]float64{{2, 3}, {-1, -5}}, true), nil},
		{"npz one trial, u constant", func(t *testing.T) (*trajectory.Set, error) {
			return npz(t, "t.npy", f8([]int{2}, []float64{0, 0.5}), "x.npy", f8([]int{2, 2}, x[:4]), "u", f8([]int{1}, []float64{7}))
		}, &trajectory.Set{Dim: 3, Trials: []trajectory.Trial{{T: []float64{0, 0.5}, X: []float64{1, 2, 7, 3, 4, 7}}}}, nil},
		{"npz one trial, u per row", func(t *testing.T) (*trajectory.Set, error) {
			return npz(t, "t.npy", f8([]int{2}, []float64{0, 0.5}), "x.npy", f8([]int{2, 2}, x[:4]), "u", f8([]int{2, 1}, []float64{7, 8}))
		}, &trajectory.Set{Dim: 3, Trials: []trajectory.Trial{{T: []float64{0, 0.5}, X: []float64{1, 2, 7, 3, 4, 8}}}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := tt.read(t)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Validate(); err != nil {
				t.Errorf("Validate: %v", err)
			}
			if d := sameSet(s, tt.want); d != "" {
				t.Error(d)
			}
			if l := s.Layout; l.Positions != 1 || !l.Velocities || l.Inputs != 1 || !slices.Equal(l.Angles, []int{0}) {
				t.Errorf("layout %+v, want the resolved pendulum layout", l)
			}
			if tt.names != nil && !slices.Equal(s.Names, tt.names) {
				t.Errorf("names %q, want %q", s.Names, tt.names)
			}
			// The layout reaches the rows, survives differencing and
			// splitting, and inputs get zero derivatives.
			d, err := s.WithDerivatives("forward")
			if err != nil {
				t.Fatal(err)
			}
			train, _, err := d.Split(0.5)
			if err != nil {
				t.Fatal(err)
			}
			rows := train.Rows()
			if rows.Layout.Inputs != 1 || !rows.Layout.Velocities || !slices.Equal(rows.Layout.Angles, []int{0}) {
				t.Errorf("rows' layout %+v", rows.Layout)
			}
			for i := range rows.Len() {
				if _, dxi := rows.Row(i); dxi[2] != 0 {
					t.Errorf("row %d: input derivative %v, want 0", i, dxi[2])
				}
			}
			if _, err := data.FitScale(&rows); err != nil {
				t.Errorf("FitScale of the rows: %v", err)
			}
		})
	}
}

// TestReadLayoutSeveralInputs reads a cart-pole-like CSV with two inputs
// u1, u2 and an angle in the second position, without a trial column.
func TestReadLayoutSeveralInputs(t *testing.T) {
	t.Parallel()
	r := trajectory.Reader{Layout: data.Layout{Positions: 2, Velocities: true, Inputs: 2, Angles: []int{1}}}
	s, err := r.ReadCSV(strings.NewReader("t,x,th,xd,thd,u1,u2\n0,1,2,3,4,5,6\n1,1,2,3,4,5,7\n"), "cp.csv")
	if err != nil {
		t.Fatal(err)
	}
	if s.Dim != 6 || s.Layout.Inputs != 2 || len(s.Trials) != 1 || s.Trials[0].X[11] != 7 {
		t.Errorf("set %+v", s)
	}
}

// TestReadLayoutLipsonFile reads the shared real pendulum with a layout
// that says what its columns are, an angle and its velocity.
func TestReadLayoutLipsonFile(t *testing.T) {
	t.Parallel()
	path := lipsonFile(t, "real_pend_h_1.txt")
	plain, err := trajectory.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := trajectory.Reader{Layout: data.Layout{Velocities: true, Angles: []int{0}}}.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if d := sameSet(plain, s); d != "" {
		t.Errorf("a layout changed the values: %s", d)
	}
	if !s.Layout.Velocities || !s.Layout.Angle(0) || s.Layout.Positions != 1 || !plain.Layout.Canonical() {
		t.Errorf("layout %+v (plain %+v)", s.Layout, plain.Layout)
	}
	if _, err := (trajectory.Reader{Layout: data.Layout{Angles: []int{1}}}).ReadFile(path); err == nil || !strings.Contains(err.Error(), "angle column 1 is one of the momenta") {
		t.Errorf("an angle on the momentum: %v", err)
	}
}

func TestReadLayoutErrors(t *testing.T) {
	t.Parallel()
	vel := data.Layout{Velocities: true}
	two := data.Layout{Velocities: true, Inputs: 2}
	for _, c := range []struct {
		name   string
		layout data.Layout
		in     string
		want   string
	}{
		{"missing input column", pendulumLayout, "t,q,v\n0,1,2\n1,1,2\n", "the layout declares 1 input, but no column is named u (inputs come last, named u, or u1, u2, ...)"},
		{"missing one of two", two, "t,q,v,u1,w\n0,1,2,3,4\n1,1,2,3,4\n", "the layout declares 2 inputs, but only 1 column (u1) named like inputs: missing input columns"},
		{"extra input column", pendulumLayout, "t,q,v,u1,u2\n0,1,2,3,4\n1,1,2,3,4\n", "the layout declares 1 input, but 2 columns (u1,u2) are named like inputs: extra input columns"},
		{"input not last", pendulumLayout, "t,q,u,v\n0,1,2,3\n1,1,2,3\n", `expected the last state column named u, found "v"`},
		{"inputs out of order", two, "t,q,v,u2,u1\n0,1,2,3,4\n1,1,2,3,4\n", `expected the last 2 state columns named u1,u2, found "u2,u1"`},
		{"layout does not match", data.Layout{Positions: 2, Velocities: true, Inputs: 1}, "t,q,v,u\n0,1,2,3\n1,1,2,3\n", "layout: 2 positions, 2 velocities and 1 inputs make 5 columns, the data have 3"},
		{"angle on a velocity", data.Layout{Velocities: true, Angles: []int{1}}, "t,q,v\n0,1,2\n1,1,2\n", "angle column 1 is one of the velocities"},
		{"angle on an input", data.Layout{Velocities: true, Inputs: 1, Angles: []int{2}}, "t,q,v,u\n0,1,2,3\n1,1,2,3\n", "angle column 2 is input 0"},
		{"undeclared input", vel, "t,q,v,u\n0,1,2,3\n1,1,2,3\n", `(column "u" looks like an input: declare the inputs in the layout)`},
		{"input beside names of no layout", data.Layout{}, "t,x,v,u\n0,1,2,3\n1,1,2,3\n", `column "x" does not name a layout column (positions q1..qn`},
		{"derivative of an input", pendulumLayout, "t,q,v,u,dq,dv,du\n0,1,2,3,4,5,6\n", "column 5 (dq) is the derivative of column 2 (q), expected a derivative column d<name> for every state column but the inputs"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := trajectory.Reader{Layout: c.layout}.ReadCSV(strings.NewReader(c.in), "bad.csv")
			wantError(t, err, "bad.csv", c.want)
		})
	}
	for _, c := range []struct {
		name, in, want string
	}{
		{"lipson missing input", "% q v\n0 0 1 2\n0 1 1 2\n", "no column is named u"},
		{"lipson derivatives of the input", "% q v u\n0 0 1 2 3 4 5 6\n", "line 2: 8 columns, expected 5 (trial, t and the 3 variables \"q v u\") or 7 (with their derivatives)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := trajectory.Reader{Layout: pendulumLayout}.ReadLipson(strings.NewReader(c.in), "bad.txt")
			wantError(t, err, "bad.txt", c.want)
		})
	}

	f8 := func(shape []int) []byte {
		n := 1
		for _, d := range shape {
			n *= d
		}
		vals := make([]float64, n)
		for i := range vals {
			vals[i] = float64(i)
		}
		return npyBytes("<f8", shape, vals)
	}
	t3, x232 := f8([]int{3}), f8([]int{2, 3, 2})
	for _, c := range []struct {
		name    string
		layout  data.Layout
		entries []any
		want    string
	}{
		{"no u", pendulumLayout, []any{"t.npy", t3, "x.npy", x232}, "no array u, expected the layout's 1 input as u of shape (2, 1) (constant per trial) or (2, 3, 1) (one value per row)"},
		{"u without inputs", vel, []any{"t.npy", t3, "x.npy", x232, "u.npy", f8([]int{2, 1})}, "array u holds inputs, but the layout declares none"},
		{"u with x of odd width", data.Layout{}, []any{"t.npy", t3, "x.npy", f8([]int{2, 3, 3}), "u.npy", f8([]int{2, 1})}, "layout: 1 positions, 1 momenta and 1 inputs make 3 columns, the data have 4"},
		{"u of the wrong width", pendulumLayout, []any{"t.npy", t3, "x.npy", x232, "u.npy", f8([]int{2, 2})}, "u has shape (2, 2), expected (2, 1) (constant per trial) or (2, 3, 1) (one value per row) for the layout's 1 input and x of shape (2, 3, 2)"},
		{"u of the wrong length", pendulumLayout, []any{"t.npy", t3, "x.npy", x232, "u.npy", f8([]int{2, 4, 1})}, "u has shape (2, 4, 1), expected"},
		{"u for other trials", pendulumLayout, []any{"t.npy", t3, "x.npy", x232, "u.npy", f8([]int{3, 1})}, "u has shape (3, 1)"},
		{"u one trial", pendulumLayout, []any{"t.npy", t3, "x.npy", f8([]int{3, 2}), "u.npy", f8([]int{3})}, "u has shape (3,), expected (1,) (constant) or (3, 1) (one value per row)"},
		{"layout does not match x", data.Layout{Positions: 2, Velocities: true, Inputs: 1}, []any{"t.npy", t3, "x.npy", x232, "u.npy", f8([]int{2, 1})}, "x has shape (2, 3, 2): layout: 2 positions, 2 velocities and 1 inputs make 5 columns, the data have 3"},
		{"angle on a velocity", data.Layout{Velocities: true, Angles: []int{1}}, []any{"t.npy", t3, "x.npy", x232}, "angle column 1 is one of the velocities"},
		{"NaN input", pendulumLayout, []any{"t.npy", t3, "x.npy", x232, "u.npy", npyBytes("<f8", []int{2, 1}, []float64{0, math.Inf(1)})}, "u[1, 0] (u): value +Inf, expected a finite number"},
		{"NaN input per row", pendulumLayout, []any{"t.npy", t3, "x.npy", x232, "u.npy", npyBytes("<f8", []int{2, 3, 1}, []float64{0, 1, 2, 3, math.Inf(1), 5})}, "u[1, 1, 0] (u): value +Inf"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := zipBytes(t, c.entries...)
			_, err := trajectory.Reader{Layout: c.layout}.DecodeNPZ(bytes.NewReader(b), int64(len(b)), "bad.npz")
			wantError(t, err, "bad.npz", c.want)
		})
	}
}

// TestReaderFile reads through Reader.ReadFile for every extension.
func TestReaderFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "u.npz")
	if err := data.WriteNPZ(path, map[string]data.Array{
		"t": {Shape: []int{2}, Data: []float64{0, 1}},
		"x": {Shape: []int{2, 2}, Data: []float64{1, 2, 3, 4}},
		"u": {Shape: []int{1}, Data: []float64{5}},
	}); err != nil {
		t.Fatal(err)
	}
	s, err := trajectory.Reader{Layout: pendulumLayout}.ReadFile(path)
	if err != nil || s.Dim != 3 || s.Trials[0].X[5] != 5 {
		t.Fatalf("ReadFile: %+v, %v", s, err)
	}
	// The file declares its input by the array u: states (q, p, u).
	if s, err := trajectory.ReadFile(path); err != nil || s.Dim != 3 || s.Layout.Inputs != 1 || s.Layout.Velocities {
		t.Errorf("plain ReadFile of a file with inputs: %+v, %v", s, err)
	}
}

func FuzzReadCSVLayout(f *testing.F) {
	for _, s := range []string{
		"trial,t,q,v,u,dq,dv\n0,0,1,2,2,10,20\n0,0.5,3,4,2,30,40\n0,1,5,6,2,50,60\n",
		"t,q,v,u\n0,1,2,3\n1,1,2,3\n2,1,2,3\n",
		"t,q,v,u1,u2\n0,1,2,3,4\n",
		"t,q,u,v\n0,1,2,3\n",
		"",
	} {
		f.Add([]byte(s))
	}
	r := trajectory.Reader{Layout: pendulumLayout}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := r.ReadCSV(bytes.NewReader(b), "fuzz.csv")
		checkFuzzResult(t, s, err)
		if err == nil && (s.Layout.Inputs != 1 || s.Dim != 3) {
			t.Fatalf("layout %+v, Dim %d", s.Layout, s.Dim)
		}
	})
}

func FuzzDecodeNPZLayout(f *testing.F) {
	f.Add(zipBytes(f, "t.npy", npyBytes("<f8", []int{3}, []float64{0, 1, 2}),
		"x.npy", npyBytes("<f8", []int{2, 3, 2}, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}),
		"u.npy", npyBytes("<f8", []int{2, 1}, []float64{1, 2})))
	f.Add(zipBytes(f, "t", npyBytes("<f4", []int{3}, []float64{0, 1, 2}),
		"x", npyBytes("<f4", []int{3, 2}, []float64{1, 2, 3, 4, 5, 6}),
		"u", npyBytes("<f4", []int{3, 1}, []float64{1, 2, 3})))
	f.Add(zipBytes(f, "t.npy", npyBytes("<f8", []int{1}, []float64{0}),
		"x.npy", npyBytes("<f8", []int{1, 1, 2}, []float64{1, 2})))
	r := trajectory.Reader{Layout: pendulumLayout}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := r.DecodeNPZ(bytes.NewReader(b), int64(len(b)), "fuzz.npz")
		checkFuzzResult(t, s, err)
	})
}

func FuzzReadLipsonLayout(f *testing.F) {
	for _, s := range []string{
		"% q v u\n0 0 1 2 2 10 20\n0 0.5 3 4 2 30 40\n0 1 5 6 2 50 60\n",
		"% q v u\n0 0 1 2 3\n0 1 1 2 3\n0 2 1 2 3\n",
		"% q v\n0 0 1 2\n",
		"",
	} {
		f.Add([]byte(s))
	}
	r := trajectory.Reader{Layout: pendulumLayout}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := r.ReadLipson(bytes.NewReader(b), "fuzz.txt")
		checkFuzzResult(t, s, err)
	})
}
