package task

import (
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/hnn-go/hnn/trajectory"
)

// TestRealPendulumSplit checks the reference's processing of
// real_pend_h_1.txt: 555 rows after forward differences, rows 444..553
// test, the first 444 and the last one train, derivatives by forward
// differences over the real time steps.
func TestRealPendulumSplit(t *testing.T) {
	tk, err := Get("real-pendulum")
	if err != nil {
		t.Fatal(err)
	}
	if err := tk.Available(); err != nil {
		t.Skip(err)
	}
	ds, err := tk.Generate(nil)
	if err != nil {
		t.Fatal(err)
	}
	if ds.Train.Len() != 445 || ds.Test.Len() != 110 || tk.TrainRows != 445 {
		t.Fatalf("split %d/%d (TrainRows %d), want 445/110", ds.Train.Len(), ds.Test.Len(), tk.TrainRows)
	}
	dir, _ := LipsonDir()
	s, err := trajectory.ReadFile(filepath.Join(dir, RealPendulumFile))
	if err != nil {
		t.Fatal(err)
	}
	tr := s.Trials[0]
	row := func(i int) []float64 { return tr.X[2*i : 2*i+2] }
	// Test row 0 is file row 444, train row 444 is file row 554.
	for _, c := range []struct {
		got  []float64
		file int
	}{{ds.Test.X[0:2], 444}, {ds.Test.X[2*109 : 2*110], 553}, {ds.Train.X[0:2], 0}, {ds.Train.X[2*444 : 2*445], 554}} {
		if w := row(c.file); c.got[0] != w[0] || c.got[1] != w[1] {
			t.Errorf("row %v, want file row %d = %v", c.got, c.file, w)
		}
	}
	// The forward difference of file row 444.
	want := (tr.X[2*445] - tr.X[2*444]) / (tr.T[445] - tr.T[444])
	if math.Abs(ds.Test.DX[0]-want) > 1e-15 {
		t.Errorf("test dq/dt[0] = %v, want %v", ds.Test.DX[0], want)
	}
	segs, err := tk.Segments()
	if err != nil || len(segs) != 1 || len(segs[0].T) != 110 || segs[0].T[0] != tr.T[444] {
		t.Errorf("segments %v (err %v), want one of 110 rows from t = %v", len(segs), err, tr.T[444])
	}
}

// TestFromFile checks a task made from a CSV file: the split per trial,
// the segments, and errors for bad files.
func TestFromFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "two.csv")
	var b strings.Builder
	b.WriteString("trial,t,q,p\n")
	for k := range 2 {
		for i := range 10 {
			tt := 0.1 * float64(i)
			b.WriteString(strings.Join([]string{itoa(k), ftoa(tt), ftoa(math.Cos(tt)), ftoa(-math.Sin(tt))}, ",") + "\n")
		}
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	tk, err := FromFile(DataSource{Path: path, TestFraction: 0.3})
	if err != nil {
		t.Fatal(err)
	}
	if raw, err := FromFile(DataSource{Path: path, Raw: true}); err != nil || !tk.Standardise || raw.Standardise {
		t.Fatalf("standardised %v, with Raw %v (err %v): want true, then false", tk.Standardise, raw != nil && raw.Standardise, err)
	}
	ds, err := tk.Generate(nil)
	if err != nil {
		t.Fatal(err)
	}
	if ds.Train.Len() != 14 || ds.Test.Len() != 6 || tk.Dim != 2 || tk.Name != FileTaskName {
		t.Errorf("split %d/%d dim %d name %s, want 14/6, 2, %s", ds.Train.Len(), ds.Test.Len(), tk.Dim, tk.Name, FileTaskName)
	}
	segs, _ := tk.Segments()
	if len(segs) != 2 || len(segs[0].T) != 3 || math.Abs(segs[0].T[0]-0.7) > 1e-12 {
		t.Errorf("segments %+v, want two of 3 rows from t = 0.7", segs)
	}
	// Central differences of cos: dq/dt = -sin t to O(h^2).
	if math.Abs(ds.Train.DX[2]-(-math.Sin(0.1))) > 2e-3 {
		t.Errorf("dq/dt at t = 0.1: %v, want about %v", ds.Train.DX[2], -math.Sin(0.1))
	}
	if _, err := FromFile(DataSource{Path: filepath.Join(dir, "none.csv")}); err == nil {
		t.Error("missing file: no error")
	}
	if _, err := FromFile(DataSource{}); err == nil {
		t.Error("no path: no error")
	}
}

func itoa(i int) string     { return strconv.Itoa(i) }
func ftoa(v float64) string { return strconv.FormatFloat(v, 'g', 15, 64) }
