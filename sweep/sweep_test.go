package sweep

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// testTimeout bounds every wait of a test; the tests take a few seconds.
const testTimeout = 60 * time.Second

func startServer(t testing.TB) *Server {
	t.Helper()
	s, err := StartServer(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Shutdown)
	return s
}

func connect(t testing.TB, s *Server) *Client {
	t.Helper()
	c, err := Connect(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// makeJobs returns n jobs of the sweep with specs {"x": ...}.
func makeJobs(sweep string, n int) []Job {
	jobs := make([]Job, n)
	for i := range jobs {
		jobs[i] = Job{
			Sweep: sweep,
			Index: i,
			Name:  fmt.Sprintf("run-%02d", i),
			Spec:  json.RawMessage(fmt.Sprintf(`{"x":%g}`, 0.1+0.25*float64(i))),
		}
	}
	return jobs
}

// seriesExec returns a deterministic executor that evaluates a Fourier
// series at the spec's x, writes it to out.txt and logs/x.txt, returns it as
// the payload and counts its runs per job index in runs.
func seriesExec(runs *counts) Executor {
	return func(ctx context.Context, job Job, dir string) (json.RawMessage, error) {
		runs.add(job.Index)
		var spec struct{ X float64 }
		if err := json.Unmarshal(job.Spec, &spec); err != nil {
			return nil, err
		}
		y := 0.0
		for k := 1; k <= 2000; k++ {
			y += math.Sin(float64(k)*spec.X) / float64(k)
		}
		out := strconv.FormatFloat(y, 'g', -1, 64)
		if err := os.WriteFile(filepath.Join(dir, "out.txt"), []byte(out+"\n"), 0o644); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Join(dir, "logs"), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, "logs", "x.txt"), job.Spec, 0o644); err != nil {
			return nil, err
		}
		return json.Marshal(map[string]any{"name": job.Name, "y": y})
	}
}

// counts counts executions per job index.
type counts struct {
	mu sync.Mutex
	n  map[int]int
}

func (c *counts) add(i int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = make(map[int]int)
	}
	c.n[i]++
}

func (c *counts) get(i int) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[i]
}

func (c *counts) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := 0
	for _, n := range c.n {
		t += n
	}
	return t
}

type workerRun struct {
	n   int
	err error
}

// startWorkers runs count workers, each with its own client, and returns a
// function that waits for them.
func startWorkers(t *testing.T, ctx context.Context, s *Server, count int, exec Executor, o WorkerOptions) func() []workerRun {
	t.Helper()
	runs := make([]workerRun, count)
	var wg sync.WaitGroup
	for k := range count {
		c := connect(t, s)
		o := o
		o.ID = fmt.Sprintf("w%d", k)
		o.Dir = t.TempDir()
		wg.Go(func() {
			runs[k].n, runs[k].err = c.Work(ctx, exec, o)
		})
	}
	return func() []workerRun { wg.Wait(); return runs }
}

// checkWorkers checks that the workers returned no error and completed want
// jobs in all.
func checkWorkers(t *testing.T, runs []workerRun, want int) {
	t.Helper()
	total := 0
	for k, r := range runs {
		if r.err != nil {
			t.Errorf("worker %d: %v", k, r.err)
		}
		total += r.n
	}
	if total != want {
		t.Errorf("workers completed %d jobs, want %d", total, want)
	}
}

// checkOnce checks that results has one result per job, in index order.
func checkOnce(t *testing.T, results []Result, jobs []Job) {
	t.Helper()
	if len(results) != len(jobs) {
		t.Fatalf("got %d results, want %d", len(results), len(jobs))
	}
	for i, r := range results {
		if r.Index != i || r.Name != jobs[i].Name || r.Sweep != jobs[i].Sweep {
			t.Errorf("result %d is of job %s/%d (%s)", i, r.Sweep, r.Index, r.Name)
		}
	}
}

func TestSweepMatchesSequential(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c := connect(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	jobs := makeJobs("seq", 8)
	if err := c.Plan(ctx, jobs); err != nil {
		t.Fatal(err)
	}
	var runs counts
	exec := seriesExec(&runs)
	var log bytes.Buffer
	var logMu sync.Mutex
	wait := startWorkers(t, ctx, s, 3, exec, WorkerOptions{
		AckWait:  2 * time.Second,
		IdleExit: time.Second,
		Log:      lockedWriter{&logMu, &log},
	})
	dir := t.TempDir()
	results, err := c.Collect(ctx, "seq", dir)
	if err != nil {
		t.Fatal(err)
	}
	checkWorkers(t, wait(), len(jobs))
	checkOnce(t, results, jobs)
	if got := runs.total(); got != len(jobs) {
		t.Errorf("%d executions, want %d", got, len(jobs))
	}
	if n := strings.Count(log.String(), "\n"); n != 2*len(jobs) {
		t.Errorf("%d log lines, want %d:\n%s", n, 2*len(jobs), &log)
	}

	for i, j := range jobs {
		ref := filepath.Join(t.TempDir(), j.Name)
		if err := os.MkdirAll(ref, 0o755); err != nil {
			t.Fatal(err)
		}
		payload, err := exec(ctx, j, ref)
		if err != nil {
			t.Fatal(err)
		}
		r := results[i]
		if r.Error != "" || r.Attempt != 1 || !strings.HasPrefix(r.Worker, "w") {
			t.Errorf("job %d: error %q, attempt %d, worker %q", i, r.Error, r.Attempt, r.Worker)
		}
		if !bytes.Equal(r.Payload, payload) {
			t.Errorf("job %d: payload %s, want %s", i, r.Payload, payload)
		}
		if want := []string{"logs/x.txt", "out.txt"}; !slices.Equal(r.Files, want) {
			t.Errorf("job %d: files %q, want %q", i, r.Files, want)
		}
		for _, f := range r.Files {
			got, err := os.ReadFile(filepath.Join(dir, j.Name, f))
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(filepath.Join(ref, f))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("job %d: file %s is %q, want %q", i, f, got, want)
			}
		}
	}

	// A repeated plan after the sweep is done enqueues nothing.
	if err := c.Plan(ctx, jobs); err != nil {
		t.Fatal(err)
	}
	st, err := c.Status(ctx, "seq")
	if err != nil {
		t.Fatal(err)
	}
	if want := (Status{Sweep: "seq", Planned: 8, Done: 8}); st != want || !st.Complete() {
		t.Errorf("status %+v, want %+v", st, want)
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.w.Write(p)
}

// TestWorkerKilled kills a worker after its executor returned and before it
// stored the result: another worker must run the job again after AckWait.
func TestWorkerKilled(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c := connect(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	jobs := makeJobs("kill", 8)
	if err := c.Plan(ctx, jobs); err != nil {
		t.Fatal(err)
	}
	var runs counts
	exec := seriesExec(&runs)
	o := WorkerOptions{Sweep: "kill", AckWait: time.Second, IdleExit: 4 * time.Second}

	kctx, kill := context.WithCancel(ctx)
	defer kill()
	killed := -1
	ko := o
	ko.ID, ko.Dir = "doomed", t.TempDir()
	ko.AfterRun = func(j Job) { killed = j.Index; kill() }
	n, err := connect(t, s).Work(kctx, exec, ko)
	if n != 0 || !errors.Is(err, context.Canceled) {
		t.Fatalf("killed worker: %d jobs, error %v; want 0 jobs and context.Canceled", n, err)
	}
	if killed < 0 {
		t.Fatal("killed worker ran no job")
	}

	wait := startWorkers(t, ctx, s, 2, exec, o)
	results, err := c.Collect(ctx, "kill", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	checkWorkers(t, wait(), len(jobs))
	checkOnce(t, results, jobs)
	if got, want := runs.total(), len(jobs)+1; got != want {
		t.Errorf("%d executions, want %d", got, want)
	}
	if got := runs.get(killed); got != 2 {
		t.Errorf("killed job %d ran %d times, want 2", killed, got)
	}
	if r := results[killed]; r.Attempt != 2 || r.Worker == "doomed" || r.Error != "" {
		t.Errorf("killed job %d: attempt %d by %q, error %q; want attempt 2 by another worker", killed, r.Attempt, r.Worker, r.Error)
	}
}

// TestWorkerKilledAfterPublish kills a worker after it published the result
// and before it acknowledged the job: the job must not run again, and a
// duplicate result must be dropped by Collect.
func TestWorkerKilledAfterPublish(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c := connect(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	jobs := makeJobs("late", 4)
	if err := c.Plan(ctx, jobs); err != nil {
		t.Fatal(err)
	}
	var runs counts
	exec := seriesExec(&runs)
	o := WorkerOptions{Sweep: "late", AckWait: time.Second, IdleExit: 3 * time.Second}

	kctx, kill := context.WithCancel(ctx)
	defer kill()
	killed := -1
	ko := o
	ko.ID, ko.Dir = "doomed", t.TempDir()
	ko.afterPublish = func(j Job) { killed = j.Index; kill() }
	n, err := connect(t, s).Work(kctx, exec, ko)
	if n != 1 || !errors.Is(err, context.Canceled) || killed < 0 {
		t.Fatalf("killed worker: %d jobs, error %v; want 1 job and context.Canceled", n, err)
	}

	wait := startWorkers(t, ctx, s, 1, exec, o)
	results, err := c.Collect(ctx, "late", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	checkWorkers(t, wait(), len(jobs)-1)
	checkOnce(t, results, jobs)
	if got := runs.total(); got != len(jobs) {
		t.Errorf("%d executions, want %d", got, len(jobs))
	}
	if r := results[killed]; r.Worker != "doomed" || r.Attempt != 1 {
		t.Errorf("killed job %d: result by %q at attempt %d, want by doomed at attempt 1", killed, r.Worker, r.Attempt)
	}

	// A result published again without the message ID is stored, counted
	// as a duplicate and dropped by Collect.
	dup := results[killed]
	dup.Worker, dup.Attempt = "impostor", 9
	data, err := json.Marshal(dup)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.js.Publish(ctx, resultSubject("late", killed), data); err != nil {
		t.Fatal(err)
	}
	st, err := c.Status(ctx, "late")
	if err != nil {
		t.Fatal(err)
	}
	if want := (Status{Sweep: "late", Planned: 4, Done: 4, Duplicates: 1}); st != want {
		t.Errorf("status %+v, want %+v", st, want)
	}
	again, err := c.Collect(ctx, "late", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if again[killed].Worker != "doomed" {
		t.Errorf("Collect kept the result of %q, want the first one", again[killed].Worker)
	}
}

func TestFailingJob(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c := connect(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	jobs := makeJobs("fail", 8)
	if err := c.Plan(ctx, jobs); err != nil {
		t.Fatal(err)
	}
	const bad = 3
	var runs counts
	good := seriesExec(&runs)
	exec := func(ctx context.Context, job Job, dir string) (json.RawMessage, error) {
		if job.Index == bad {
			runs.add(job.Index)
			return nil, errors.New("diverged")
		}
		return good(ctx, job, dir)
	}
	wait := startWorkers(t, ctx, s, 2, exec, WorkerOptions{
		Sweep:      "fail",
		AckWait:    time.Second,
		MaxDeliver: 3,
		RetryDelay: 50 * time.Millisecond,
		IdleExit:   time.Second,
	})
	results, err := c.Collect(ctx, "fail", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	checkWorkers(t, wait(), len(jobs))
	checkOnce(t, results, jobs)
	if got := runs.get(bad); got != 3 {
		t.Errorf("failing job ran %d times, want 3", got)
	}
	for i, r := range results {
		failed := r.Error != ""
		if failed != (i == bad) {
			t.Errorf("job %d: error %q", i, r.Error)
		}
	}
	if r := results[bad]; r.Error != "diverged" || r.Attempt != 3 || r.Payload != nil || r.Files != nil {
		t.Errorf("failed job: %+v", r)
	}
	st, err := c.Status(ctx, "fail")
	if err != nil {
		t.Fatal(err)
	}
	if want := (Status{Sweep: "fail", Planned: 8, Done: 7, Failed: 1}); st != want {
		t.Errorf("status %+v, want %+v", st, want)
	}
}

func TestPlan(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c := connect(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()

	jobs := makeJobs("p", 8)
	for range 2 {
		if err := c.Plan(ctx, jobs); err != nil {
			t.Fatal(err)
		}
	}
	// The same plan in another order and spacing is the same plan.
	same := slices.Clone(jobs)
	slices.Reverse(same)
	same[0].Spec = json.RawMessage(" " + string(same[0].Spec) + " ")
	if err := c.Plan(ctx, same); err != nil {
		t.Errorf("same plan reordered: %v", err)
	}
	st, err := c.Status(ctx, "p")
	if err != nil {
		t.Fatal(err)
	}
	if want := (Status{Sweep: "p", Planned: 8, Pending: 8}); st != want {
		t.Errorf("status after repeated plans: %+v, want %+v", st, want)
	}
	m, err := c.Manifest(ctx, "p")
	if err != nil {
		t.Fatal(err)
	}
	if m.Count != 8 || m.Names[7] != "run-07" {
		t.Errorf("manifest %+v", m)
	}
	if sweeps, err := c.Sweeps(ctx); err != nil || !slices.Equal(sweeps, []string{"p"}) {
		t.Errorf("Sweeps: %q, %v", sweeps, err)
	}

	conflicts := map[string][]Job{
		"fewer jobs": makeJobs("p", 7),
		"other name": func() []Job { j := makeJobs("p", 8); j[2].Name = "other"; return j }(),
		"other spec": func() []Job { j := makeJobs("p", 8); j[2].Spec = json.RawMessage(`{"x": 7}`); return j }(),
	}
	for name, jobs := range conflicts {
		if err := c.Plan(ctx, jobs); err == nil || !strings.Contains(err.Error(), "conflicts") {
			t.Errorf("%s: error %v, want a conflict", name, err)
		}
	}

	bad := []struct {
		name string
		jobs []Job
		want string
	}{
		{"no jobs", nil, "no jobs"},
		{"empty sweep", makeJobs("", 2), "invalid sweep name"},
		{"dotted sweep", makeJobs("a.b", 2), "invalid sweep name"},
		{"spaced sweep", makeJobs("a b", 2), "invalid sweep name"},
		{"wildcard sweep", makeJobs("a*", 2), "invalid sweep name"},
		{"mixed sweeps", append(makeJobs("q", 1), Job{Sweep: "r", Index: 1, Name: "b"}), "in a plan of sweep"},
		{"index gap", []Job{{Sweep: "q", Index: 0, Name: "a"}, {Sweep: "q", Index: 2, Name: "b"}}, "out of range"},
		{"negative index", []Job{{Sweep: "q", Index: -1, Name: "a"}}, "out of range"},
		{"duplicate index", []Job{{Sweep: "q", Index: 0, Name: "a"}, {Sweep: "q", Index: 0, Name: "b"}}, "duplicate job index"},
		{"duplicate name", []Job{{Sweep: "q", Index: 0, Name: "a"}, {Sweep: "q", Index: 1, Name: "a"}}, "same name"},
		{"empty name", []Job{{Sweep: "q", Index: 0, Name: ""}}, "invalid name"},
		{"slash name", []Job{{Sweep: "q", Index: 0, Name: "a/b"}}, "invalid name"},
		{"dot-dot name", []Job{{Sweep: "q", Index: 0, Name: ".."}}, "invalid name"},
		{"bad spec", []Job{{Sweep: "q", Index: 0, Name: "a", Spec: json.RawMessage("{")}}, "not valid JSON"},
	}
	for _, tt := range bad {
		err := c.Plan(ctx, tt.jobs)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one containing %q", tt.name, err, tt.want)
		}
	}
	if _, err := c.Status(ctx, "q"); err == nil {
		t.Error("a rejected plan was stored")
	}
}

func TestWorkOptionErrors(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c := connect(t, s)
	exec := func(context.Context, Job, string) (json.RawMessage, error) { return nil, nil }
	for _, o := range []WorkerOptions{{}, {Dir: t.TempDir(), Sweep: "a.b"}} {
		if _, err := c.Work(context.Background(), exec, o); err == nil {
			t.Errorf("Work with %+v: no error", o)
		}
	}
	if _, err := c.Collect(context.Background(), "missing", t.TempDir()); err == nil {
		t.Error("Collect of an unplanned sweep: no error")
	}
	// With no jobs, a worker returns after IdleExit.
	n, err := c.Work(context.Background(), exec, WorkerOptions{Dir: t.TempDir(), IdleExit: 100 * time.Millisecond})
	if n != 0 || err != nil {
		t.Errorf("idle worker: %d jobs, %v", n, err)
	}
}

func TestCollectContext(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c := connect(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	jobs := makeJobs("wait", 3)
	if err := c.Plan(ctx, jobs); err != nil {
		t.Fatal(err)
	}
	var runs counts
	n, err := c.Work(ctx, seriesExec(&runs), WorkerOptions{Dir: t.TempDir(), Jobs: 2})
	if n != 2 || err != nil {
		t.Fatalf("worker: %d jobs, %v; want 2 jobs", n, err)
	}
	short, cancelShort := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancelShort()
	results, err := c.Collect(short, "wait", t.TempDir())
	if !errors.Is(err, context.DeadlineExceeded) || len(results) != 2 {
		t.Errorf("Collect: %d results, error %v; want 2 results and a deadline error", len(results), err)
	}
}

// TestWorkAnySweep runs two sweeps with workers that take jobs of any sweep.
func TestWorkAnySweep(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c := connect(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	a, b := makeJobs("a", 3), makeJobs("b", 4)
	for _, jobs := range [][]Job{a, b} {
		if err := c.Plan(ctx, jobs); err != nil {
			t.Fatal(err)
		}
	}
	var runs counts
	wait := startWorkers(t, ctx, s, 2, seriesExec(&runs), WorkerOptions{IdleExit: 500 * time.Millisecond})
	checkWorkers(t, wait(), len(a)+len(b))
	for _, jobs := range [][]Job{a, b} {
		results, err := c.Collect(ctx, jobs[0].Sweep, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		checkOnce(t, results, jobs)
	}
}

// TestAbandonedJob checks that a job whose workers all died is reported as
// failed once it was delivered MaxDeliver times.
func TestAbandonedJob(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c := connect(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	jobs := makeJobs("lost", 1)
	if err := c.Plan(ctx, jobs); err != nil {
		t.Fatal(err)
	}
	var runs counts
	o := WorkerOptions{Sweep: "lost", Dir: t.TempDir(), AckWait: time.Second, MaxDeliver: 1}
	kctx, kill := context.WithCancel(ctx)
	defer kill()
	ko := o
	ko.AfterRun = func(Job) { kill() }
	if _, err := c.Work(kctx, seriesExec(&runs), ko); !errors.Is(err, context.Canceled) {
		t.Fatalf("killed worker: %v", err)
	}
	o.Jobs = 1
	if n, err := c.Work(ctx, seriesExec(&runs), o); n != 1 || err != nil {
		t.Fatalf("worker: %d jobs, %v", n, err)
	}
	results, err := c.Collect(ctx, "lost", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if r := results[0]; r.Attempt != 2 || !strings.Contains(r.Error, "abandoned") || runs.total() != 1 {
		t.Errorf("result %+v after %d runs, want an abandoned job at attempt 2 after 1 run", r, runs.total())
	}
}
