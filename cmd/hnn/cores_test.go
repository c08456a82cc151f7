package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// TestCoresBitIdentical trains one short run of every task kind (a
// generated system full batch and in minibatches, measured data from a
// file, a dataset streamed from disk, the rollout fit with fitted starts,
// the pixel task, driven systems with symoden and lnn) under GOMAXPROCS
// 1, 2 and 4 and checks that the run's
// files are the same bytes: the checkpoint, the per-row losses and the
// metrics (training log, test loss, energy and rollout metrics) and the
// settings, apart from the wall-clock seconds and the GOMAXPROCS recorded. The networks are wide enough for the products
// of the steps and of the evaluation to be cut into chunks that run on as
// many goroutines as GOMAXPROCS allows. Not parallel: it changes
// GOMAXPROCS.
func TestCoresBitIdentical(t *testing.T) {
	dir := t.TempDir()
	ds := filepath.Join(dir, "ds")
	mustRun(t, "data", "spring", "-seed", "3", "-out", ds)
	var csv strings.Builder
	csv.WriteString("trial,t,q,p\n")
	ts, xs := oscillatorTrials()
	for rep := range 4 {
		for r := range ts {
			fmt.Fprintf(&csv, "%d,%g,%.12g,%.12g\n", rep*3+r/40, ts[r], xs[2*r]*(1+0.1*float64(rep)), xs[2*r+1]*(1+0.1*float64(rep)))
		}
	}
	file := filepath.Join(dir, "osc.csv")
	if err := os.WriteFile(file, []byte(csv.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	runs := []struct {
		name string
		args []string
	}{
		{"system-full", []string{"spring", "-hidden", "64,64"}},
		{"system-minibatch", []string{"two-body", "-quick", "-hidden", "128,128"}},
		{"measured", []string{"-data", file, "-hidden", "128,128"}},
		{"stream", []string{"-stream", ds, "-seed", "3", "-hidden", "64,64"}},
		{"rollout-fit-starts", []string{"spring", "-fit", "rollout", "-fit-starts", "-batch", "750", "-hidden", "96,96"}},
		{"pixels", []string{"pixel-pendulum", "-quick", "-steps", "2"}},
		{"driven-symoden", []string{"pendulum-embed", "-quick", "-model", "symoden", "-hidden", "96,96"}},
		{"driven-lnn", []string{"double-pendulum", "-quick", "-model", "lnn", "-hidden", "96,96"}},
	}
	for _, r := range runs {
		t.Run(r.name, func(t *testing.T) {
			var want map[string][]byte
			for _, p := range []int{1, 2, 4} {
				out := filepath.Join(dir, fmt.Sprintf("%s-%d", r.name, p))
				args := append([]string{"train"}, r.args...)
				if !slices.Contains(r.args, "-model") {
					args = append(args, "-model", "hnn")
				}
				args = append(args, "-out", out, "-no-progress")
				if !strings.Contains(strings.Join(r.args, " "), "-steps") {
					args = append(args, "-steps", "6")
				}
				old := runtime.GOMAXPROCS(p)
				mustRun(t, args...)
				runtime.GOMAXPROCS(old)
				got := runFiles(t, out)
				if want == nil {
					want = got
					continue
				}
				for name, b := range want {
					if !bytes.Equal(got[name], b) {
						t.Errorf("GOMAXPROCS %d: %s differs from GOMAXPROCS 1's", p, name)
					}
				}
			}
		})
	}
}

// runFiles returns the files of the run directory dir, its subdirectories
// included, by relative path, with every "seconds" field of the JSON files
// dropped (and GOMAXPROCS itself); it fails the test if dir has no checkpoint arrays.
func runFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	npz := false
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if strings.HasSuffix(rel, ".npz") {
			npz = true
		}
		if strings.HasSuffix(rel, ".json") {
			var v any
			if err := json.Unmarshal(b, &v); err != nil {
				return fmt.Errorf("%s: %w", rel, err)
			}
			if b, err = json.Marshal(dropSeconds(v)); err != nil {
				return err
			}
		}
		files[rel] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !npz {
		t.Fatalf("%s: no .npz arrays among %d files", dir, len(files))
	}
	return files
}

// dropSeconds removes every "seconds" key from a decoded JSON value, and
// the "gomaxprocs" that config.json records with the build.
func dropSeconds(v any) any {
	switch v := v.(type) {
	case map[string]any:
		delete(v, "seconds")
		delete(v, "gomaxprocs")
		for k, x := range v {
			v[k] = dropSeconds(x)
		}
	case []any:
		for i, x := range v {
			v[i] = dropSeconds(x)
		}
	}
	return v
}
