package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// numbers reads results.json in dir without its timings.
func numbers(t *testing.T, dir string) any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Tasks map[string]map[string]map[string]any `json:"tasks"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	for _, tm := range r.Tasks {
		for _, mr := range tm {
			delete(mr, "seconds")
			for _, s := range mr["per_seed"].([]any) {
				delete(s.(map[string]any), "seconds")
			}
		}
	}
	return r.Tasks
}

// TestSweepCommands runs a 4-run sweep three ways, through an embedded
// server, as two shards collected from their directory, and as a
// reproduction, and requires the same numbers.
func TestSweepCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	dir := t.TempDir()
	spec := filepath.Join(dir, "cli.json")
	if err := os.WriteFile(spec, []byte(`{"name": "cli", "tasks": ["spring"], "models": ["baseline", "hnn"], "seeds": 2, "quick": true, "steps": 10, "hidden": [8]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	queue, shards, repro := filepath.Join(dir, "queue"), filepath.Join(dir, "shards"), filepath.Join(dir, "repro")
	out := mustRun(t, "sweep", "run", spec, "-out", queue, "-workers", "2", "-no-progress")
	if !strings.Contains(out, "spring") {
		t.Errorf("sweep run prints no table:\n%s", out)
	}
	mustRun(t, "sweep", "run", spec, "-shard", "0/2", "-out", shards, "-no-progress")
	t.Setenv("JOB_COMPLETION_INDEX", "1")
	mustRun(t, "sweep", "run", spec, "-shard", "/2", "-out", shards, "-no-progress")
	mustRun(t, "sweep", "collect", spec, "-from-dir", "-out", shards, "-no-figures")
	mustRun(t, "reproduce", "-tasks", "spring", "-seeds", "2", "-quick", "-steps", "10", "-hidden", "8", "-out", repro, "-no-figures", "-no-progress")
	want := numbers(t, repro)
	for _, d := range []string{queue, shards} {
		if got := numbers(t, d); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: results differ from the reproduction's:\n%v\n%v", d, got, want)
		}
	}
}

func TestScaleCommandErrors(t *testing.T) {
	t.Setenv("HNN_NATS", "")
	dir := t.TempDir()
	spec := filepath.Join(dir, "s.json")
	os.WriteFile(spec, []byte(`{"name": "s", "tasks": ["spring"]}`), 0o644)
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"name": "s", "tasks": ["nope"]}`), 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"sweep", "plan", spec}, "-nats"},
		{[]string{"sweep", "frob"}, "unknown subcommand"},
		{[]string{"sweep", "run", spec, "-shard", "2/2", "-out", dir}, "2/2"},
		{[]string{"sweep", "run", bad, "-out", dir}, "nope"},
		{[]string{"sweep", "run", spec}, "-out"},
		{[]string{"sweep", "collect", spec, "-out", dir}, "-from-dir"},
		{[]string{"sweep", "collect", spec, "-from-dir", "-out", dir}, "spring-baseline-seed0"},
		{[]string{"worker"}, "-nats"},
		{[]string{"data", "nope", "-out", dir}, "nope"},
		{[]string{"data", "spring", "-out", dir, "-copies", "0"}, "-copies"},
		{[]string{"train", "-stream", filepath.Join(dir, "none"), "-out", dir}, "none"},
		{[]string{"train", "-stream", dir, "-data", spec, "-out", dir}, "exclude"},
		{[]string{"train", "spring", "-workers", "-1", "-out", dir}, "-workers -1: want an integer in [0, "},
		{[]string{"worker", "-nats", "nats://127.0.0.1:1", "-jobs", "-1"}, "-jobs -1"},
		{[]string{"worker", "-nats", "nats://127.0.0.1:1", "-idle-exit", "-1s"}, "-idle-exit -1s"},
		{[]string{"sweep", "run", spec, "-shard", "0/2", "-workers", "-1", "-out", dir}, "-workers -1"},
	} {
		code, _, e := hnn(c.args...)
		if code == 0 || !strings.Contains(e, c.want) {
			t.Errorf("hnn %s: exit %d, stderr %q; want an error containing %q", strings.Join(c.args, " "), code, e, c.want)
		}
		if strings.Count(strings.TrimSpace(e), "\n") > 0 && code == 1 {
			t.Errorf("hnn %s: error is not one line: %q", strings.Join(c.args, " "), e)
		}
	}
}

// TestDataAndStream writes a dataset directory and trains from it; with one
// copy the run equals the in-memory run of the same seed.
func TestDataAndStream(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ds := filepath.Join(dir, "ds")
	mustRun(t, "data", "spring", "-seed", "2", "-out", ds)
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	mustRun(t, "train", "-stream", ds, "-seed", "2", "-steps", "20", "-hidden", "8,8", "-quick", "-out", a, "-no-progress")
	mustRun(t, "train", "spring", "-seed", "2", "-steps", "20", "-hidden", "8,8", "-quick", "-out", b, "-no-progress")
	read := func(d string) map[string]any {
		var m map[string]any
		raw, err := os.ReadFile(filepath.Join(d, "metrics.json"))
		if err != nil {
			t.Fatal(err)
		}
		json.Unmarshal(raw, &m)
		delete(m, "seconds")
		delete(m["history"].(map[string]any), "seconds")
		return m
	}
	if ma, mb := read(a), read(b); !reflect.DeepEqual(ma, mb) {
		t.Errorf("streamed run's metrics differ from the in-memory run's:\n%v\n%v", ma, mb)
	}
	out := mustRun(t, "evaluate", a)
	if !strings.Contains(out, "spring") {
		t.Errorf("evaluate of a streamed run: %s", out)
	}
	csv := filepath.Join(dir, "traj.csv")
	var sb strings.Builder
	sb.WriteString("trial,t,q,p\n")
	for i := range 40 {
		x := float64(i) * 0.1
		sb.WriteString("0," + ftoa(x) + "," + ftoa(1-x*x/2) + "," + ftoa(-x) + "\n")
	}
	os.WriteFile(csv, []byte(sb.String()), 0o644)
	conv := filepath.Join(dir, "conv")
	mustRun(t, "data", "-convert", csv, "-out", conv)
	mustRun(t, "train", "-stream", conv, "-steps", "10", "-hidden", "8", "-workers", "2", "-out", filepath.Join(dir, "c"), "-no-progress")
}

func ftoa(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
