package trajectory_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/trajectory"
)

// TestFileLayout reads files that carry their layout (column names, angle
// marks, the arrays q, v, qdot, p, u and angles) with the zero Reader: the
// layout and the states are the file's.
func TestFileLayout(t *testing.T) {
	t.Parallel()
	pend := data.Layout{Positions: 1, Velocities: true, Inputs: 1, Angles: []int{0}}
	f8 := func(shape []int, vals ...float64) []byte { return npyBytes("<f8", shape, vals) }
	npz := func(entries ...any) func(*testing.T) (*trajectory.Set, error) {
		return func(t *testing.T) (*trajectory.Set, error) {
			b := zipBytes(t, entries...)
			return trajectory.DecodeNPZ(bytes.NewReader(b), int64(len(b)), "f.npz")
		}
	}
	csv := func(s string) func(*testing.T) (*trajectory.Set, error) {
		return func(*testing.T) (*trajectory.Set, error) { return trajectory.ReadCSV(strings.NewReader(s), "f.csv") }
	}
	lipson := func(s string) func(*testing.T) (*trajectory.Set, error) {
		return func(*testing.T) (*trajectory.Set, error) { return trajectory.ReadLipson(strings.NewReader(s), "f.txt") }
	}
	two := []float64{1, 2, 2, 3, 4, 2} // rows (q, v, u) at t = 0, 1
	for _, c := range []struct {
		name   string
		read   func(*testing.T) (*trajectory.Set, error)
		layout data.Layout
		x      []float64 // the first trial's states
		dx     []float64 // its derivatives, nil if estimated
	}{
		{"csv q,v,u angle", csv("t,q:angle,v,u\n0,1,2,2\n1,3,4,2\n"), pend, two, nil},
		{"csv qdot numbered", csv("t,q1:angle,qdot1,u1\n0,1,2,2\n1,3,4,2\n"), pend, two, nil},
		{"csv spaces and derivatives", csv("trial, t, q :angle, v, u, dq, dv\n0,0,1,2,2,5,6\n0,1,3,4,2,7,8\n"), pend, two, []float64{5, 6, 0, 7, 8, 0}},
		{"csv no angles", csv("t,q,v,u\n0,1,2,2\n1,3,4,2\n"), data.Layout{Positions: 1, Velocities: true, Inputs: 1}, two, nil},
		{"csv momenta and inputs", csv("t,q,p,u\n0,1,2,2\n1,3,4,2\n"), data.Layout{Positions: 1, Inputs: 1}, two, nil},
		{"csv velocities, no inputs", csv("t,q1,q2:angle,v1,v2\n0,1,2,3,4\n1,1,2,3,4\n"), data.Layout{Positions: 2, Velocities: true, Angles: []int{1}}, []float64{1, 2, 3, 4, 1, 2, 3, 4}, nil},
		{"csv canonical names", csv("t,q1,q2,p1,p2\n0,1,2,3,4\n1,1,2,3,4\n"), data.Layout{}, []float64{1, 2, 3, 4, 1, 2, 3, 4}, nil},
		{"csv two inputs", csv("t,q,v,u1,u2\n0,1,2,3,4\n1,1,2,3,4\n"), data.Layout{Positions: 1, Velocities: true, Inputs: 2}, []float64{1, 2, 3, 4, 1, 2, 3, 4}, nil},
		{"lipson", lipson("% q:angle v u\n0 0 1 2 2\n0 1 3 4 2\n"), pend, two, nil},
		{"lipson o v stays canonical", lipson("% o v\n0 0 1 2\n0 1 3 4\n"), data.Layout{}, []float64{1, 2, 3, 4}, nil},
		{"npz q v u angles", npz("t", f8([]int{2}, 0, 1), "q", f8([]int{2, 1}, 1, 3), "v", f8([]int{2, 1}, 2, 4), "u", f8([]int{1}, 2), "angles", f8([]int{1}, 0)), pend, two, nil},
		{"npz qdot, u per row", npz("t", f8([]int{2}, 0, 1), "q", f8([]int{1, 2, 1}, 1, 3), "qdot", f8([]int{1, 2, 1}, 2, 4), "u", f8([]int{1, 2, 1}, 2, 2)), data.Layout{Positions: 1, Velocities: true, Inputs: 1}, two, nil},
		{"npz q p", npz("t", f8([]int{2}, 0, 1), "q", f8([]int{2, 1}, 1, 3), "p", f8([]int{2, 1}, 2, 4)), data.Layout{Positions: 1}, []float64{1, 2, 3, 4}, nil},
		{"npz x u", npz("t", f8([]int{2}, 0, 1), "x", f8([]int{2, 2}, 1, 2, 3, 4), "u", f8([]int{1}, 2)), data.Layout{Positions: 1, Inputs: 1}, two, nil},
		{"npz x angles", npz("t", f8([]int{2}, 0, 1), "x", f8([]int{2, 2}, 1, 2, 3, 4), "angles", f8([]int{1}, 0)), data.Layout{Positions: 1, Angles: []int{0}}, []float64{1, 2, 3, 4}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s, err := c.read(t)
			if err != nil {
				t.Fatal(err)
			}
			want := c.layout
			if want.Positions == 0 {
				want = data.Layout{}
			}
			if l := s.Layout; l.Positions != want.Positions || l.Velocities != want.Velocities || l.Inputs != want.Inputs || !slices.Equal(l.Angles, want.Angles) {
				t.Errorf("layout %+v, want %+v", l, want)
			}
			if !slices.Equal(s.Trials[0].X, c.x) {
				t.Errorf("states %v, want %v", s.Trials[0].X, c.x)
			}
			if c.dx != nil && !slices.Equal(s.Trials[0].DX, c.dx) {
				t.Errorf("derivatives %v, want %v", s.Trials[0].DX, c.dx)
			}
			if err := s.Validate(); err != nil {
				t.Errorf("Validate: %v", err)
			}
			rows := s.Rows()
			if _, err := data.FitScale(&rows); err != nil {
				t.Errorf("FitScale: %v", err)
			}
		})
	}
}

// TestFileLayoutErrors checks the one-line errors for files whose
// declared layout is wrong: each names the file and what was expected.
func TestFileLayoutErrors(t *testing.T) {
	t.Parallel()
	f8 := func(shape []int, vals ...float64) []byte { return npyBytes("<f8", shape, vals) }
	tm := f8([]int{2}, 0, 1)
	q := f8([]int{2, 1}, 1, 3)
	for _, c := range []struct {
		name, file string
		read       func(*testing.T) error
		want       string
	}{
		{"angle on a velocity", "f.csv", csvErr("t,q,v:angle,u\n0,1,2,3\n"), `column "v:angle" is marked as an angle, but it is a velocity: only positions can be angles`},
		{"angle on a momentum", "f.csv", csvErr("t,q,p:angle\n0,1,2\n"), "but it is a momentum"},
		{"angle on an input", "f.csv", csvErr("t,q,v,u:angle\n0,1,2,3\n"), "but it is an input"},
		{"angle on time", "f.csv", csvErr("t:angle,q,v\n0,1,2\n"), `column 1 ("t:angle") is marked as an angle, expected the mark on position columns only`},
		{"missing velocity", "f.csv", csvErr("t,q1,q2,v1,u\n0,1,2,3,4\n"), "state column 4 is \"u\", expected velocity 2 of 2, v2"},
		{"extra input named wrong", "f.csv", csvErr("t,q,v,u,w\n0,1,2,3,4\n"), `column "w" does not name a layout column`},
		{"input before state", "f.csv", csvErr("t,q,u,v\n0,1,2,3\n"), "follows the 1 position, expected a velocity v or qdot or a momentum p"},
		{"zero-based", "f.csv", csvErr("t,q0,qdot0,u0\n0,1,2,3\n"), `state column 1 is "q0", expected position 1 of 1, q (or q1)`},
		{"misnumbered", "f.csv", csvErr("t,q1,q2,qdot2,qdot1\n0,1,2,3,4\n"), `state column 3 is "qdot2", expected velocity 1 of 2, qdot1`},
		{"mixed v and p", "f.csv", csvErr("t,q1,q2,v1,p2,u\n0,1,2,3,4,5\n"), `state column 4 is "p2", expected velocity 2 of 2, v2`},
		{"velocities first", "f.csv", csvErr("t,v,q,u\n0,1,2,3\n"), `the state columns start with "v", expected the positions q first`},
		{"positions alone", "f.csv", csvErr("t,q1,q2,u\n0,1,2,3\n"), "2 positions without as many velocities or momenta"},
		{"lipson angle on velocity", "f.txt", func(*testing.T) error {
			_, err := trajectory.ReadLipson(strings.NewReader("% q v:angle u\n0 0 1 2 3\n"), "f.txt")
			return err
		}, "only positions can be angles"},
		{"npz x and q", "f.npz", npzErr("t", tm, "x", f8([]int{2, 2}, 1, 2, 3, 4), "q", q, "v", q), "arrays x and q, expected the states as x or as q with v, qdot or p, not both"},
		{"npz q alone", "f.npz", npzErr("t", tm, "q", q), "array q without v, qdot or p"},
		{"npz v alone", "f.npz", npzErr("t", tm, "v", q), "array v without q"},
		{"npz v and p", "f.npz", npzErr("t", tm, "q", q, "v", q, "p", q), "arrays v and p, expected one of v, qdot (velocities) or p (momenta)"},
		{"npz shapes differ", "f.npz", npzErr("t", tm, "q", q, "v", f8([]int{1, 2}, 1, 2)), "v has shape (1, 2), expected (2, 1) like q"},
		{"npz angle on a velocity", "f.npz", npzErr("t", tm, "q", q, "v", q, "angles", f8([]int{1}, 1)), "angles[0] = 1, expected the index of a position in [0, 1): only positions can be angles"},
		{"npz angle twice", "f.npz", npzErr("t", tm, "q", f8([]int{2, 2}, 1, 2, 3, 4), "v", f8([]int{2, 2}, 1, 2, 3, 4), "angles", f8([]int{2}, 1, 1)), "angles[1] = 1, listed twice"},
		{"npz int angles", "f.npz", npzErr("t", tm, "q", q, "v", q, "angles", npyBytes("<i8", []int{1}, nil)), "write the angles' indices as floats"},
		{"npz inputs wrong length", "f.npz", npzErr("t", tm, "q", q, "v", q, "u", f8([]int{3, 1}, 1, 2, 3)), "u has shape (3, 1), expected (1,) (constant) or (2, 1) (one value per row)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			wantError(t, c.read(t), c.file, c.want)
		})
	}
}

func csvErr(s string) func(*testing.T) error {
	return func(*testing.T) error {
		_, err := trajectory.ReadCSV(strings.NewReader(s), "f.csv")
		return err
	}
}

func npzErr(entries ...any) func(*testing.T) error {
	return func(t *testing.T) error {
		b := zipBytes(t, entries...)
		_, err := trajectory.DecodeNPZ(bytes.NewReader(b), int64(len(b)), "f.npz")
		return err
	}
}

// TestFileLayoutAgainstReader checks that a file's layout and a reader's
// declared one must agree.
func TestFileLayoutAgainstReader(t *testing.T) {
	t.Parallel()
	r := trajectory.Reader{Layout: data.Layout{Velocities: true, Inputs: 1}}
	if _, err := r.ReadCSV(strings.NewReader("t,q:angle,v,u\n0,1,2,3\n"), "f.csv"); err == nil || !strings.Contains(err.Error(), "the header declares 1 position (angles: [0]), 1 velocity, 1 input, the reader's layout 1 position, 1 velocity, 1 input") {
		t.Errorf("angle marked, none declared: %v", err)
	}
	if _, err := r.ReadCSV(strings.NewReader("t,q,p,u\n0,1,2,3\n"), "f.csv"); err == nil || !strings.Contains(err.Error(), "the header declares 1 position, 1 momentum, 1 input, the reader's layout 1 position, 1 velocity, 1 input") {
		t.Errorf("momenta against velocities: %v", err)
	}
	s, err := r.ReadCSV(strings.NewReader("t,q,v,u\n0,1,2,3\n1,1,2,3\n"), "f.csv")
	if err != nil || s.Layout.Inputs != 1 {
		t.Errorf("agreeing layouts: %v", err)
	}
}

func FuzzReadCSVFileLayout(f *testing.F) {
	for _, s := range []string{
		"t,q:angle,v,u\n0,1,2,2\n1,3,4,2\n",
		"trial,t,q1,q2:angle,qdot1,qdot2,u1,u2,dq1,dq2,dqdot1,dqdot2\n0,0,1,2,3,4,5,6,7,8,9,10\n",
		"t,q,p,u\n0,1,2,3\n",
		"t,q,v:angle\n0,1,2\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := trajectory.ReadCSV(bytes.NewReader(b), "fuzz.csv")
		checkFuzzResult(t, s, err)
		if err == nil {
			if _, err := s.Layout.Resolve(s.Dim); err != nil {
				t.Fatalf("layout %+v of %d columns: %v", s.Layout, s.Dim, err)
			}
		}
	})
}

func FuzzDecodeNPZFileLayout(f *testing.F) {
	f8 := func(shape []int, vals ...float64) []byte { return npyBytes("<f8", shape, vals) }
	f.Add(zipBytes(f, "t", f8([]int{2}, 0, 1), "q", f8([]int{2, 1}, 1, 3), "v", f8([]int{2, 1}, 2, 4), "u", f8([]int{1}, 2), "angles", f8([]int{1}, 0)))
	f.Add(zipBytes(f, "t", f8([]int{2}, 0, 1), "x", f8([]int{2, 2}, 1, 2, 3, 4), "u", f8([]int{2, 1}, 2, 2)))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := trajectory.DecodeNPZ(bytes.NewReader(b), int64(len(b)), "fuzz.npz")
		checkFuzzResult(t, s, err)
	})
}
