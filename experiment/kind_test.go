package experiment

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/hnn-go/hnn/task"
)

// TestUnregisteredKindPanics checks that a task of a kind without
// behaviour fails loudly instead of running as some other kind.
func TestUnregisteredKindPanics(t *testing.T) {
	t.Parallel()
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "no behaviour registered") {
			t.Errorf("recovered %v, want a panic naming the missing kind", r)
		}
	}()
	KindOf(Spec{}, &task.Task{Name: "x", Kind: "sensor"})
}

// TestLoadModelReadsNoData checks that loading a run on a data file reads
// only its spec and checkpoint: the data file may be gone.
func TestLoadModelReadsNoData(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	csv := filepath.Join(dir, "one.csv")
	var b strings.Builder
	b.WriteString("t,q,p\n")
	for i := range 20 {
		x := float64(i) / 10
		b.WriteString(strings.Join([]string{ftoa(x), ftoa(1 - x*x/2), ftoa(-x)}, ",") + "\n")
	}
	if err := os.WriteFile(csv, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := NewFileSpec(task.DataSource{Path: csv}, "hnn", 0, true)
	if err != nil {
		t.Fatal(err)
	}
	Overrides{Steps: Set(5), Hidden: Set([]int{4})}.Apply(&s)
	run := filepath.Join(dir, "run")
	if _, err := Train(s, run, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(csv); err != nil {
		t.Fatal(err)
	}
	r, err := LoadModel(run)
	if err != nil {
		t.Fatalf("LoadModel without the data file: %v", err)
	}
	if r.Model == nil || r.Model.Config().Dim != 2 {
		t.Errorf("loaded %+v", r)
	}
	if _, err := Evaluate(run, false); err == nil || !strings.Contains(err.Error(), "one.csv") {
		t.Errorf("Evaluate without the data file: %v, want an error naming it", err)
	}
}

func ftoa(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
