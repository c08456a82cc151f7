package sweep

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hnn-go/hnn/experiment"
	"github.com/hnn-go/hnn/experiment/reproduce"
	"github.com/hnn-go/hnn/train"
)

// smallSweep is a sweep of 8 short runs: two tasks, two models, two seeds.
func smallSweep(name string) *File {
	return &File{Name: name, Options: reproduce.Options{Tasks: []string{"spring", "pendulum"}, Models: []string{"baseline", "hnn"},
		Seeds: experiment.Set(2), Quick: true, Overrides: experiment.Overrides{Steps: experiment.Set(20), Hidden: experiment.Set([]int{8, 8})}, NoFigures: true}}
}

// reproduced returns what Reproduce gives for the sweep's options.
func reproduced(t *testing.T, f *File) *reproduce.Results {
	t.Helper()
	o := f.Options
	o.Workers = 1
	res, err := reproduce.Reproduce(o)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestRunEqualsReproduce runs a sweep of 8 runs through an embedded server
// with 3 workers, one of which dies in the middle of its first run: every
// run is reported exactly once and the results equal Reproduce's.
func TestRunEqualsReproduce(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	f := smallSweep("eight")
	want := reproduced(t, f)
	var killed atomic.Int32
	out := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	got, err := Run(ctx, f, RunOptions{Workers: 3, Out: out, AckWait: 2 * time.Second,
		worker: func(k int, o *WorkerOptions, kill func()) {
			if k == 0 {
				o.AfterRun = func(Job) {
					if killed.Add(1) == 1 {
						kill()
					}
				}
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	if killed.Load() == 0 {
		t.Fatal("worker 0 ran no job: the kill was not exercised")
	}
	if !reflect.DeepEqual(got.Numbers(), want.Numbers()) {
		t.Errorf("sweep results differ from Reproduce's:\n%+v\n%+v", got.Numbers(), want.Numbers())
	}
	p, err := f.Plan()
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range p.Jobs {
		if _, err := os.Stat(filepath.Join(reproduce.RunDir(out, j), experiment.MetricsFile)); err != nil {
			t.Errorf("run %s not collected: %v", j.Name, err)
		}
	}
	for _, name := range []string{"results.json", "report.md"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Error(err)
		}
	}
}

// TestShardsEqualReproduce runs a sweep as 3 shards into one directory (the
// Kubernetes Indexed Job path) and collects it from there.
func TestShardsEqualReproduce(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	t.Parallel()
	f := smallSweep("shards")
	want := reproduced(t, f)
	out := t.TempDir()
	for i := range 3 {
		if err := RunShard(f, i, 3, 1, out, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	// A restarted shard keeps the runs it finished.
	var log strings.Builder
	if err := RunShard(f, 1, 3, 1, out, &log, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "done before") {
		t.Errorf("restarted shard redid its runs: %q", log.String())
	}
	got, err := CollectDir(f, out, nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Numbers(), want.Numbers()) {
		t.Errorf("sharded results differ from Reproduce's")
	}
	// Collecting an incomplete sweep names the missing run.
	p, _ := f.Plan()
	os.RemoveAll(reproduce.RunDir(out, p.Jobs[5]))
	if _, err := CollectDir(f, out, nil, time.Now()); err == nil || !strings.Contains(err.Error(), p.Jobs[5].Name) {
		t.Errorf("incomplete sweep: error %v, want one naming %s", err, p.Jobs[5].Name)
	}
}

func TestReadFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.json", `{"name": "lr", "tasks": ["spring"], "models": ["hnn"], "seeds": 2, "quick": true,
		"variants": [{"name": "lr1e-3", "lr": 1e-3}, {"name": "lr1e-2", "lr": 1e-2, "hidden": [64, 64]}]}`)
	f, err := ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	p, err := f.Plan()
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Jobs) != 4 || p.Jobs[3].Spec.Train.LR != 1e-2 || p.Jobs[3].Spec.Model.Hidden[0] != 64 {
		t.Errorf("plan of %s: %d jobs, last %+v", good, len(p.Jobs), p.Jobs[len(p.Jobs)-1].Spec)
	}
	for _, c := range []struct{ body, want string }{
		{`{"name": "a b", "tasks": ["spring"]}`, "field name"},
		{`{"name": "x", "tasks": ["nope"]}`, "nope"},
		{`{"name": "x", "taks": ["spring"]}`, "taks"},
		{`{"name": "x", "tasks": ["pixel-pendulum"], "latent_step": "rk4"}`, `field latent_step is now "latent": {"step": ...}`},
		{`{"name": "x", "tasks": ["pixel-pendulum"], "latent": {"horizon": -2}}`, "latent.horizon -2: want frames from 0"},
		{`{"name": "x", "tasks": ["pixel-pendulum"], "latent": {"horizn": 2}}`, "latent.horizn"},
		{`{"name": "x", "variants": [{"name": "v", "lr": -1}]}`, "variant 0 (v): lr -1: want a positive"},
		{`{"name": "x", "tasks": ["spring"], "seeds": 0}`, "seeds 0: want an integer in [1, "},
		{`{"name": "x", "tasks": ["spring"], "steps": 0}`, "steps 0: want an integer in [1, "},
		{`{"name": "x", "tasks": ["spring"], "hidden": [100000]}`, "hidden [100000]: want widths in [1, 65536]"},
		{`{"name": "x", "tasks": ["spring"], "variants": [{"name": "v", "batch": -1}]}`, "variant 0 (v): batch -1"},
		{`{"name": "x", "tasks": ["spring"], "activation": "relu"}`, "second derivative"},
		{`{"name": "\u0000` + strings.Repeat("x", 100) + `"}`, `field name "\x00xxx`},
		{`{"name": "x"`, "bad.json"},
	} {
		_, err := ReadFile(write("bad.json", c.body))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.body, err, c.want)
		}
	}
}

// TestKilledWorkerResumes stops a worker in the middle of a run whose
// directory the workers share: another worker takes the redelivered job
// and resumes it from its last checkpoint, so that the steps trained in
// all stay below 1.2 times the run's, and the results equal Reproduce's.
func TestKilledWorkerResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	f := &File{Name: "resume", Options: reproduce.Options{Tasks: []string{"spring"}, Models: []string{"hnn"},
		Seeds: experiment.Set(1), Quick: true, Overrides: experiment.Overrides{Steps: experiment.Set(400), Hidden: experiment.Set([]int{16, 16})},
		NoFigures: true}}
	want := reproduced(t, f)
	shared := t.TempDir()
	rn := &reproduce.Runner{CheckpointEvery: train.Every{Steps: 10}}
	var (
		mu      sync.Mutex
		kills   = map[int]func(){}
		running = -1
		killed  atomic.Bool
	)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	go func() {
		// Kill the worker running the job once it has saved step 200.
		for !killed.Load() && ctx.Err() == nil {
			time.Sleep(time.Millisecond)
			dirs, _ := filepath.Glob(filepath.Join(shared, "resume", "*"))
			for _, d := range dirs {
				if n, err := train.CheckpointStep(d); err == nil && n >= 200 {
					mu.Lock()
					if kill := kills[running]; kill != nil && killed.CompareAndSwap(false, true) {
						kill()
					}
					mu.Unlock()
				}
			}
		}
	}()
	got, err := Run(ctx, f, RunOptions{Workers: 2, Out: t.TempDir(), AckWait: 2 * time.Second, runner: rn,
		worker: func(k int, o *WorkerOptions, kill func()) {
			o.Dir = shared
			mu.Lock()
			kills[k] = kill
			mu.Unlock()
			o.beforeRun = func(Job) {
				mu.Lock()
				running = k
				mu.Unlock()
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	if !killed.Load() {
		t.Fatal("no worker was killed")
	}
	t.Logf("steps trained: %d; runs: %s", rn.Steps(), rn.Counts())
	if steps := rn.Steps(); steps >= 480 {
		t.Errorf("%d steps trained for a run of 400: the job restarted instead of resuming", steps)
	}
	if c := rn.Counts(); c.Resumed != 1 {
		t.Errorf("runs: %s, want one resumed", c)
	}
	if !reflect.DeepEqual(got.Numbers(), want.Numbers()) {
		t.Errorf("resumed sweep results differ from Reproduce's:\n%+v\n%+v", got.Numbers(), want.Numbers())
	}
}
