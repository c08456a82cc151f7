package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hnn-go/hnn/experiment"
	"github.com/hnn-go/hnn/train"
)

// asCommand is the environment variable that makes the test binary run
// as the hnn command (see TestMain), so that tests can start, signal and
// kill hnn processes without building it.
const asCommand = "HNN_TEST_AS_COMMAND"

func TestMain(m *testing.M) {
	if os.Getenv(asCommand) == "1" {
		os.Exit(mainErr(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// hnnProcess returns an hnn process (the test binary as the command) with
// args, its output in out.
func hnnProcess(t *testing.T, out *bytes.Buffer, args ...string) *exec.Cmd {
	t.Helper()
	c := exec.Command(os.Args[0], args...)
	c.Env = append(os.Environ(), asCommand+"=1")
	c.Stdout, c.Stderr = out, out
	return c
}

// runDirFiles returns the files of a run directory, metrics.json without
// its timings.
func runDirFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if rel == experiment.MetricsFile {
			var m map[string]any
			if err := json.Unmarshal(b, &m); err != nil {
				return err
			}
			delete(m, "seconds")
			if h, ok := m["history"].(map[string]any); ok {
				delete(h, "seconds")
			}
			b, _ = json.Marshal(m)
		}
		files[rel] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestKillAndResume kills (SIGKILL) training processes at random steps,
// resumes each, and requires the files of an uninterrupted run, bit for
// bit: every fit mode's loop (the derivative fit, the rollout fit with
// fitted starts), minibatches over two workers, and a pixel run; 22 kill
// points in all, of which one per case may miss (the process finished
// first) on a loaded machine. The processes save their state every step, so that a
// kill often lands in the middle of a save.
func TestKillAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	t.Setenv("HNN_CACHE_DIR", t.TempDir())
	cases := []struct {
		name  string
		args  []string
		kills int
	}{
		{"spring derivative", []string{"spring", "-quick", "-steps", "150", "-hidden", "16,16"}, 7},
		{"spring-chain rollout fitted starts", []string{"spring-chain", "-quick", "-steps", "100", "-hidden", "16", "-fit", "rollout", "-fit-starts"}, 6},
		{"two-body workers 2", []string{"two-body", "-quick", "-steps", "150", "-hidden", "16,16", "-workers", "2"}, 6},
		{"pixel-pendulum-frames", []string{"pixel-pendulum-frames", "-quick", "-steps", "20", "-batch", "20"}, 3},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			ref, dir := filepath.Join(root, "ref"), filepath.Join(root, "run")
			args := append([]string{"train"}, c.args...)
			args = append(args, "-model", "hnn", "-no-progress", "-checkpoint-every", "1")
			var out bytes.Buffer
			if err := hnnProcess(t, &out, append(args, "-out", ref)...).Run(); err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			steps := 0
			fmt.Sscan(c.args[slices.Index(c.args, "-steps")+1], &steps)
			rng := rand.New(rand.NewPCG(uint64(i), 23))
			at := rng.Perm(steps - 1)[:c.kills]
			slices.Sort(at)
			cmd := append(args, "-out", dir)
			killed := 0
			for _, k := range at {
				out.Reset()
				p := hnnProcess(t, &out, cmd...)
				if err := p.Start(); err != nil {
					t.Fatal(err)
				}
				exited := make(chan error, 1)
				go func() { exited <- p.Wait() }()
				// Kill the process once it has saved step k+1 or later.
				poll := time.NewTicker(time.Millisecond)
			wait:
				for {
					select {
					case err := <-exited:
						t.Logf("finished before the kill at step %d (%v)", k+1, err)
						break wait
					case <-poll.C:
						if n, err := train.CheckpointStep(dir); err == nil && n > k {
							p.Process.Kill()
							<-exited
							killed++
							break wait
						}
					}
				}
				poll.Stop()
				cmd = []string{"train", "-resume", dir, "-no-progress", "-checkpoint-every", "1"}
			}
			out.Reset()
			if err := hnnProcess(t, &out, cmd...).Run(); err != nil {
				t.Fatalf("resume: %v\n%s", err, out.String())
			}
			if killed < c.kills-1 {
				t.Errorf("%d of %d kills landed", killed, c.kills)
			}
			want, got := runDirFiles(t, ref), runDirFiles(t, dir)
			for name, w := range want {
				if got[name] != w {
					t.Errorf("%s differs from the uninterrupted run's", name)
				}
			}
			for name := range got {
				if _, ok := want[name]; !ok {
					t.Errorf("%s left in the run directory", name)
				}
			}
			if t.Failed() {
				t.Logf("last output:\n%s", strings.TrimSpace(out.String()))
			}
		})
	}
}

// TestReproduceResume stops a reproduction with SIGINT while its second
// run trains, runs it again with the same output directory, and requires
// the numbers of an uninterrupted reproduction, having kept the complete
// run, resumed the stopped one and trained the rest.
func TestReproduceResume(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	root := t.TempDir()
	ref, dir := filepath.Join(root, "ref"), filepath.Join(root, "run")
	args := []string{"reproduce", "-tasks", "spring", "-seeds", "2", "-quick", "-steps", "200", "-hidden", "8",
		"-workers", "1", "-no-figures", "-no-progress", "-checkpoint-every", "1"}
	var out bytes.Buffer
	if err := hnnProcess(t, &out, append(args, "-out", ref)...).Run(); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	out.Reset()
	p := hnnProcess(t, &out, append(args, "-out", dir)...)
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- p.Wait() }()
	// Signal once one run is complete and another has saved step 20.
	poll := time.NewTicker(time.Millisecond)
	defer poll.Stop()
	signalled := false
	for !signalled {
		select {
		case err := <-exited:
			t.Fatalf("finished before the signal (%v)\n%s", err, out.String())
		case <-poll.C:
			runs, _ := filepath.Glob(filepath.Join(dir, "runs", "*"))
			complete, partial := 0, 0
			for _, r := range runs {
				if _, err := os.Stat(filepath.Join(r, experiment.MetricsFile)); err == nil {
					complete++
				} else if n, err := train.CheckpointStep(r); err == nil && n >= 20 {
					partial++
				}
			}
			if complete >= 1 && partial >= 1 {
				p.Process.Signal(os.Interrupt)
				signalled = true
			}
		}
	}
	err := <-exited
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
		t.Fatalf("after SIGINT: %v, want exit status 130\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "run again with -out") {
		t.Errorf("the message does not say how to continue:\n%s", out.String())
	}
	out.Reset()
	if err := hnnProcess(t, &out, append(args, "-out", dir)...).Run(); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "runs: 1 kept, 1 resumed, 2 trained") {
		t.Errorf("want 1 kept, 1 resumed, 2 trained:\n%s", out.String())
	}
	if got, want := numbers(t, dir), numbers(t, ref); !reflect.DeepEqual(got, want) {
		t.Errorf("resumed reproduction's numbers differ:\n%v\nwant\n%v", got, want)
	}
	out.Reset()
	if err := hnnProcess(t, &out, append(args, "-out", dir)...).Run(); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "runs: 4 kept, 0 resumed, 0 trained") {
		t.Errorf("a third invocation trains again:\n%s", out.String())
	}
}
