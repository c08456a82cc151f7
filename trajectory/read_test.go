package trajectory_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/trajectory"
)

// twoTrials is a Lipson file with CRLF line ends, trailing spaces, blank
// lines, a gap in time and two trials.
const twoTrials = "%o v\r\n" +
	"  0 0.0 1.0 2.0  \r\n" +
	"  0 0.5 1.5 2.5  \r\n" +
	"\r\n" +
	"  0 1.5 2.0 3.0\r\n" +
	"  1 0.0 -1 -2 \r\n" +
	"  1 0.25 -1.5 -2.5\r\n"

// twoTrialsSet is the set that twoTrials holds.
var twoTrialsSet = &trajectory.Set{
	Names: []string{"o", "v"},
	Dim:   2,
	Trials: []trajectory.Trial{
		{T: []float64{0, 0.5, 1.5}, X: []float64{1, 2, 1.5, 2.5, 2, 3}},
		{T: []float64{0, 0.25}, X: []float64{-1, -2, -1.5, -2.5}},
	},
}

func TestSharedLipsonFiles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file   string
		rows   int
		t0, t1 float64 // first and last time
		withDX bool
	}{
		{"real_pend_h_1.txt", 556, 5, 99.5, false},
		{"pendulum_h_1.txt", 493, 0, 10, true},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			path := lipsonFile(t, tt.file)
			s, err := trajectory.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if s.Len() != tt.rows || len(s.Trials) != 1 {
				t.Errorf("%d rows in %d trials, want %d in 1", s.Len(), len(s.Trials), tt.rows)
			}
			if !slices.Equal(s.Names, []string{"o", "v"}) || s.Dim != 2 {
				t.Errorf("names %q, dim %d, want [o v], 2", s.Names, s.Dim)
			}
			tr := s.Trials[0]
			if got := [2]float64{tr.T[0], tr.T[len(tr.T)-1]}; got != [2]float64{tt.t0, tt.t1} {
				t.Errorf("time runs %v, want %v to %v", got, tt.t0, tt.t1)
			}
			if (tr.DX != nil) != tt.withDX {
				t.Fatalf("derivatives %v, want %v", tr.DX != nil, tt.withDX)
			}
			if tt.withDX {
				// In pendulum_h_1.txt, do == v exactly.
				for i := range tr.T {
					if do, v := tr.DX[2*i], tr.X[2*i+1]; do != v {
						t.Fatalf("row %d: do = %v, v = %v, want equal", i, do, v)
					}
				}
			}

			// The other formats hold the same set.
			csvSet, err := trajectory.ReadCSV(strings.NewReader(csvText(s)), "x.csv")
			if err != nil {
				t.Fatal(err)
			}
			if d := sameSet(s, csvSet); d != "" {
				t.Errorf("CSV: %s", d)
			}
			arrays := map[string]data.Array{
				"t": {Shape: []int{len(tr.T)}, Data: tr.T},
				"x": {Shape: []int{1, len(tr.T), 2}, Data: tr.X},
			}
			if tt.withDX {
				arrays["dxdt"] = data.Array{Shape: []int{1, len(tr.T), 2}, Data: tr.DX}
			}
			npzPath := filepath.Join(t.TempDir(), "x.npz")
			if err := data.WriteNPZ(npzPath, arrays); err != nil {
				t.Fatal(err)
			}
			npzSet, err := trajectory.ReadFile(npzPath)
			if err != nil {
				t.Fatal(err)
			}
			if d := sameSet(s, npzSet); d != "" {
				t.Errorf("NPZ: %s", d)
			}
		})
	}
}

func TestReadHandMade(t *testing.T) {
	t.Parallel()
	// Three trials of three rows, for the NPZ layouts.
	tShared := []float64{0, 0.5, 1.25}
	tEach := []float64{0, 0.5, 1.25, 1, 2, 4, -3, -2.5, 0}
	x := []float64{1, 2, 3, 4, 5, 6, -1, -2, -3, -4, -5, -6, 0.5, 0.25, 0.125, 2, 4, 8}
	dx := make([]float64, len(x))
	for i, v := range x {
		dx[i] = -2 * v
	}
	threeTrials := func(ts []float64, withDX bool) *trajectory.Set {
		s := &trajectory.Set{Dim: 2, Names: []string{"q", "p"}}
		for k := range 3 {
			tr := trajectory.Trial{X: x[6*k : 6*k+6]}
			if len(ts) == 3 {
				tr.T = ts
			} else {
				tr.T = ts[3*k : 3*k+3]
			}
			if withDX {
				tr.DX = dx[6*k : 6*k+6]
			}
			s.Trials = append(s.Trials, tr)
		}
		return s
	}
	// One trial of four rows of four variables.
	oneTrial := &trajectory.Set{Dim: 4, Names: []string{"q1", "q2", "p1", "p2"}, Trials: []trajectory.Trial{
		{T: []float64{0, 0.5, 1.25, 2}, X: x[:16]},
	}}
	crlfCSV := "trial,t,o,v\r\n0,0.0,1.0,2.0\r\n\r\n 0, 0.5 ,1.5,2.5\r\n0,1.5,2,3\r\n1,0,-1,-2\r\n1,0.25,-1.5,-2.5\r\n"
	dxCSV := "trial,t,q,p,dq,dp\n7,0,1,2,-2,-4\n7,0.5,3,4,-6,-8\n"
	var oneTrialRows string
	for i, ti := range oneTrial.Trials[0].T {
		oneTrialRows += strconv.FormatFloat(ti, 'g', -1, 64)
		for _, v := range x[4*i : 4*i+4] {
			oneTrialRows += "," + strconv.FormatFloat(v, 'g', -1, 64)
		}
		oneTrialRows += "\n"
	}

	tests := []struct {
		name string
		read func(t *testing.T) (*trajectory.Set, error)
		want *trajectory.Set
	}{
		{"lipson CRLF two trials", func(*testing.T) (*trajectory.Set, error) {
			return trajectory.ReadLipson(strings.NewReader(twoTrials), "two.txt")
		}, twoTrialsSet},
		{"lipson header without percent", func(*testing.T) (*trajectory.Set, error) {
			return trajectory.ReadLipson(strings.NewReader(strings.Replace(twoTrials, "%", "", 1)), "two.txt")
		}, twoTrialsSet},
		{"lipson header percent space", func(*testing.T) (*trajectory.Set, error) {
			return trajectory.ReadLipson(strings.NewReader(strings.Replace(twoTrials, "%", "% ", 1)), "two.txt")
		}, twoTrialsSet},
		{"lipson with derivatives", func(*testing.T) (*trajectory.Set, error) {
			return trajectory.ReadLipson(strings.NewReader("% q p\n7 0 1 2 -2 -4\n7 0.5 3 4 -6 -8\n"), "d.txt")
		}, &trajectory.Set{Dim: 2, Trials: []trajectory.Trial{{T: []float64{0, 0.5}, X: []float64{1, 2, 3, 4}, DX: []float64{-2, -4, -6, -8}}}}},
		{"csv CRLF two trials", func(*testing.T) (*trajectory.Set, error) {
			return trajectory.ReadCSV(strings.NewReader(crlfCSV), "two.csv")
		}, twoTrialsSet},
		{"csv with derivatives", func(*testing.T) (*trajectory.Set, error) {
			return trajectory.ReadCSV(strings.NewReader(dxCSV), "d.csv")
		}, &trajectory.Set{Dim: 2, Trials: []trajectory.Trial{{T: []float64{0, 0.5}, X: []float64{1, 2, 3, 4}, DX: []float64{-2, -4, -6, -8}}}}},
		{"csv one trial t,q,p", func(*testing.T) (*trajectory.Set, error) {
			return trajectory.ReadCSV(strings.NewReader("t,q,p\n0,1,2\n0.5,3,4\n"), "one.csv")
		}, &trajectory.Set{Dim: 2, Trials: []trajectory.Trial{{T: []float64{0, 0.5}, X: []float64{1, 2, 3, 4}}}}},
		{"csv one trial with derivatives", func(*testing.T) (*trajectory.Set, error) {
			return trajectory.ReadCSV(strings.NewReader("t,q,p,dq,dp\n0,1,2,-2,-4\n0.5,3,4,-6,-8\n"), "one.csv")
		}, &trajectory.Set{Dim: 2, Trials: []trajectory.Trial{{T: []float64{0, 0.5}, X: []float64{1, 2, 3, 4}, DX: []float64{-2, -4, -6, -8}}}}},
		{"csv one trial of four variables", func(*testing.T) (*trajectory.Set, error) {
			return trajectory.ReadCSV(strings.NewReader("t,q1,q2,p1,p2\n"+oneTrialRows), "four.csv")
		}, oneTrial},
		{"csv round trip", func(*testing.T) (*trajectory.Set, error) {
			return trajectory.ReadCSV(strings.NewReader(csvText(threeTrials(tEach, true))), "r.csv")
		}, threeTrials(tEach, true)},
		{"npz f8 t (T,)", func(t *testing.T) (*trajectory.Set, error) {
			return writeRead(t, map[string]data.Array{
				"t": {Shape: []int{3}, Data: tShared},
				"x": {Shape: []int{3, 3, 2}, Data: x},
			})
		}, threeTrials(tShared, false)},
		{"npz f8 t (K, T) with dxdt", func(t *testing.T) (*trajectory.Set, error) {
			return writeRead(t, map[string]data.Array{
				"t":    {Shape: []int{3, 3}, Data: tEach},
				"x":    {Shape: []int{3, 3, 2}, Data: x},
				"dxdt": {Shape: []int{3, 3, 2}, Data: dx},
			})
		}, threeTrials(tEach, true)},
		{"npz f8 x (T, D)", func(t *testing.T) (*trajectory.Set, error) {
			return writeRead(t, map[string]data.Array{
				"t": {Shape: []int{4}, Data: []float64{0, 0.5, 1.25, 2}},
				"x": {Shape: []int{4, 4}, Data: x[:16]},
			})
		}, oneTrial},
		{"npz f4 t (T,)", func(t *testing.T) (*trajectory.Set, error) {
			b := zipBytes(t, "t.npy", npyBytes("<f4", []int{3}, tShared), "x.npy", npyBytes("<f4", []int{3, 3, 2}, x))
			return trajectory.DecodeNPZ(bytes.NewReader(b), int64(len(b)), "f4.npz")
		}, threeTrials(tShared, false)},
		{"npz f4 t (K, T), keys without suffix, names ignored", func(t *testing.T) (*trajectory.Set, error) {
			b := zipBytes(t, "t", npyBytes("<f4", []int{3, 3}, tEach), "x", npyBytes("<f4", []int{3, 3, 2}, x),
				"dxdt", npyBytes("<f4", []int{3, 3, 2}, dx), "names.npy", []byte("not a float array"))
			return trajectory.DecodeNPZ(bytes.NewReader(b), int64(len(b)), "f4.npz")
		}, threeTrials(tEach, true)},
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
			if tt.want.Names != nil && !slices.Equal(s.Names, tt.want.Names) {
				t.Errorf("names %q, want %q", s.Names, tt.want.Names)
			}
		})
	}
}

// writeRead writes arrays to an .npz file and reads it with ReadFile.
func writeRead(t *testing.T, arrays map[string]data.Array) (*trajectory.Set, error) {
	path := filepath.Join(t.TempDir(), "x.npz")
	if err := data.WriteNPZ(path, arrays); err != nil {
		t.Fatal(err)
	}
	return trajectory.ReadFile(path)
}

func TestReadFileExtensions(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := map[string]string{
		"a.txt": twoTrials,
		"b.DAT": twoTrials,
		"c.csv": csvText(twoTrialsSet),
	}
	for name, text := range files {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := trajectory.ReadFile(path)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if d := sameSet(s, twoTrialsSet); d != "" {
			t.Errorf("%s: %s", name, d)
		}
		if s.Source != path {
			t.Errorf("%s: Source %q, want %q", name, s.Source, path)
		}
	}
	for _, tt := range []struct{ path, want string }{
		{filepath.Join(dir, "a.json"), `unknown extension ".json", expected .npz, .csv, .txt or .dat`},
		{filepath.Join(dir, "missing.txt"), "no such file"},
		{filepath.Join(dir, "missing.npz"), "no such file"},
	} {
		_, err := trajectory.ReadFile(tt.path)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ReadFile(%s): error %v, want one containing %q", tt.path, err, tt.want)
		}
	}
}

func TestRowsRoundTrip(t *testing.T) {
	t.Parallel()
	s, err := twoTrialsSet.WithDerivatives("forward")
	if err != nil {
		t.Fatal(err)
	}
	for _, set := range []*trajectory.Set{twoTrialsSet, s} {
		rows := set.Rows()
		if rows.Len() != set.Len() || rows.Len() != 5 || rows.Dim != 2 {
			t.Fatalf("Rows: %d rows of dim %d, want %d of 2", rows.Len(), rows.Dim, set.Len())
		}
		if (rows.DX != nil) != set.HasDerivatives() {
			t.Errorf("Rows: DX %v, want derivatives %v", rows.DX, set.HasDerivatives())
		}
		// Rebuild the trials from Traj and T.
		back := &trajectory.Set{Dim: rows.Dim}
		for i, k := range rows.Traj {
			if k == len(back.Trials) {
				back.Trials = append(back.Trials, trajectory.Trial{})
			}
			tr := &back.Trials[k]
			tr.T = append(tr.T, rows.T[i])
			tr.X = append(tr.X, rows.X[2*i:2*i+2]...)
			if rows.DX != nil {
				tr.DX = append(tr.DX, rows.DX[2*i:2*i+2]...)
			}
		}
		if d := sameSet(set, back); d != "" {
			t.Error(d)
		}
	}
}
