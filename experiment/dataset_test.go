package experiment

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/task"
)

// TestStreamEqualsInMemory writes one copy of a task's data to disk and
// trains from it: the run must give exactly the numbers of the in-memory
// run with the same seed, since it sees the same rows in the same order.
func TestStreamEqualsInMemory(t *testing.T) {
	t.Parallel()
	for _, tn := range []string{"spring", "two-body"} {
		dir := filepath.Join(t.TempDir(), "ds")
		if err := WriteDataset(dir, WriteOptions{Task: tn, Seed: 3}); err != nil {
			t.Fatal(err)
		}
		s, err := NewStreamSpec(dir, "hnn", 3, true)
		if err != nil {
			t.Fatal(err)
		}
		m, err := NewSpec(tn, "hnn", 3, true)
		if err != nil {
			t.Fatal(err)
		}
		for _, sp := range []*Spec{&s, &m} {
			sp.Train.Steps, sp.Train.LogEvery, sp.Model.Hidden = 30, 0, []int{16, 16}
			sp.Energy.Starts, sp.Energy.Points, sp.Energy.TEnd = 2, 20, 2
		}
		a, err := Train(s, "", nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Train(m, "", nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		a.Metrics.Seconds, b.Metrics.Seconds = 0, 0
		a.Metrics.History.Seconds, b.Metrics.History.Seconds = 0, 0
		if !reflect.DeepEqual(a.Metrics, b.Metrics) {
			t.Errorf("%s: streamed run differs from the in-memory run:\n%+v\n%+v", tn, a.Metrics, b.Metrics)
		}
	}
}

func TestWriteDatasetCopies(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "ds")
	if err := WriteDataset(dir, WriteOptions{Task: "spring", Seed: 1, Copies: Set(3), Float32: true}); err != nil {
		t.Fatal(err)
	}
	d, err := data.OpenDiskDataset(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	m, err := NewSpec("spring", "hnn", 1, false)
	if err != nil {
		t.Fatal(err)
	}
	mem, err := Dataset(m)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := d.TrainX.Len(), 3*mem.Train.Len(); got != want {
		t.Errorf("%d training rows, want %d", got, want)
	}
	if got, want := d.TestX.Len(), mem.Test.Len(); got != want {
		t.Errorf("%d test rows, want %d", got, want)
	}
	ev, err := evalSet(d, data.Layout{})
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range mem.Train.X {
		if float32(v) != float32(ev.Train.X[i]) {
			t.Fatalf("row value %d: %v on disk, %v in memory", i, ev.Train.X[i], v)
		}
	}
	// The copies differ from each other.
	rows := []int{0, mem.Train.Len()}
	got := make([]float64, 2*d.Dim)
	if err := data.ReadRows(d.TrainX, got, rows); err != nil {
		t.Fatal(err)
	}
	if got[0] == got[d.Dim] && got[1] == got[d.Dim+1] {
		t.Error("copy 1 starts with copy 0's row")
	}
}

func TestStreamErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"unknown task", WriteDataset(filepath.Join(dir, "a"), WriteOptions{Task: "nope"}), "nope"},
		{"pixel task", WriteDataset(filepath.Join(dir, "b"), WriteOptions{Task: "pixel-pendulum"}), "no state-space data"},
		{"negative copies", WriteDataset(filepath.Join(dir, "c"), WriteOptions{Task: "spring", Copies: Set(-1)}), "copies -1"},
		{"zero copies", WriteDataset(filepath.Join(dir, "e"), WriteOptions{Task: "spring", Copies: Set(0)}), "copies 0"},
		{"absurd copies", WriteDataset(filepath.Join(dir, "f"), WriteOptions{Task: "spring", Copies: Set(1 << 40)}), "copies 1099511627776: want an integer in [1, "},
		{"missing file", WriteDataset(filepath.Join(dir, "d"), WriteOptions{Data: &task.DataSource{Path: filepath.Join(dir, "none.csv")}}), "none.csv"},
	} {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, c.err, c.want)
		}
	}
	if _, err := NewStreamSpec(filepath.Join(dir, "absent"), "hnn", 0, false); err == nil {
		t.Error("no error for a missing dataset directory")
	}
}
