package sweep

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/hnn-go/hnn/internal/check"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Executor runs a job, writing its output files into dir, a fresh empty
// directory WorkerOptions.Dir/<sweep>/<name> created for it, and returns the
// result payload, which must be empty or valid JSON. It should return
// promptly once ctx is done.
type Executor func(ctx context.Context, job Job, dir string) (json.RawMessage, error)

// WorkerOptions are the settings of Work. The zero value of each field
// except Dir means the documented default.
type WorkerOptions struct {
	// ID identifies the worker in results and logs (default
	// "<hostname>-<pid>").
	ID string
	// Dir is the local root of the run directories (required).
	Dir string
	// Sweep restricts the worker to the jobs of one sweep; if empty, the
	// worker takes jobs of every planned sweep.
	Sweep string
	// AckWait is the deadline after which an unacknowledged job is
	// delivered again (default 1 minute). While a job runs, the worker
	// tells the server every AckWait/3 that it is still in progress, so a
	// long job is not redelivered, but the job of a dead worker is
	// redelivered after AckWait. AckWait is a setting of the consumer that
	// the workers of a sweep share, so they should all use the same value.
	AckWait time.Duration
	// MaxDeliver is the number of attempts of a job (default 3). A job
	// whose executor fails is delivered again after RetryDelay until its
	// MaxDeliver-th attempt fails; then it is reported with Error set. A
	// job delivered more than MaxDeliver times, because the workers that
	// took it died, is reported with Error set without running it again.
	MaxDeliver int
	// RetryDelay is the delay before a job whose executor failed is
	// delivered again (default AckWait/10).
	RetryDelay time.Duration
	// IdleExit makes Work return once no job has arrived for this long
	// (0 = run until ctx is done).
	IdleExit time.Duration
	// Jobs makes Work return after completing this many jobs (0 = no
	// limit).
	Jobs int
	// Log receives one line per job started and finished (nil = silent).
	Log io.Writer
	// KeepDir leaves the directory of a redelivered job as an earlier
	// attempt left it, instead of emptying it, for an executor that
	// resumes from what it finds there (RunExecutor): with a Dir that the
	// workers share, the job of a worker that died continues from its
	// last checkpoint; with a local Dir the directory is new (or holds
	// this worker's own earlier attempt) and the job starts afresh.
	KeepDir bool

	// AfterRun, if not nil, is called after the executor returns and
	// before the run's files and result are stored. Tests use it to kill
	// a worker midway by cancelling the context of Work.
	AfterRun func(Job)
	// afterPublish is like AfterRun, called after the result is
	// published and before the job is acknowledged.
	afterPublish func(Job)
	// beforeRun, if not nil, is called before the executor starts.
	beforeRun func(Job)
}

// Validate returns a *check.FieldError naming the first setting of o out
// of range (a negative duration or count), by the name of its hnn worker
// flag with '_' for '-', or an error for an invalid sweep name.
func (o WorkerOptions) Validate() error {
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"ack_wait", o.AckWait}, {"retry_delay", o.RetryDelay}, {"idle_exit", o.IdleExit}} {
		if d.v < 0 {
			return &check.FieldError{Field: d.name, Value: d.v, Want: "a duration >= 0 (0 for the default)"}
		}
	}
	if err := check.Count("jobs", o.Jobs, 0, math.MaxInt); err != nil {
		return err
	}
	if err := check.Count("max_deliver", o.MaxDeliver, 0, math.MaxInt); err != nil {
		return err
	}
	if o.Sweep != "" && !ValidSweepName(o.Sweep) {
		return fmt.Errorf("sweep: worker: invalid sweep name %s: want [A-Za-z0-9_-]+", check.Quote(o.Sweep))
	}
	return nil
}

const (
	maxPoll    = time.Second      // longest single wait for a job
	ackTimeout = 10 * time.Second // longest wait for an acknowledgement's confirmation
)

// Work pulls jobs from the durable pull consumer of each sweep, shared by all
// workers, and runs them one at a time. For each job it runs exec in a fresh
// run directory; syncs and uploads every regular file in the run directory to
// the object store; publishes the Result with message ID "<sweep>/<index>";
// and only then acknowledges the job message, waiting for the server's
// confirmation. A job that already has a result is acknowledged without
// running it.
//
// If ctx is done while a job runs, Work returns an error wrapping ctx.Err()
// without acknowledging the job, as a worker that dies would, so the job is
// delivered to another worker after AckWait. If ctx is done between jobs, or
// IdleExit or Jobs stop the worker, Work returns a nil error. Work returns
// the number of jobs this worker completed, that is, whose result it
// published, failed ones included.
//
// Work panics if exec is nil or a duration or count in o is negative (see
// Validate).
func (c *Client) Work(ctx context.Context, exec Executor, o WorkerOptions) (int, error) {
	if exec == nil {
		panic("sweep: nil Executor")
	}
	if o.AckWait < 0 || o.MaxDeliver < 0 || o.RetryDelay < 0 || o.IdleExit < 0 || o.Jobs < 0 {
		panic("sweep: negative WorkerOptions setting")
	}
	if o.Dir == "" {
		return 0, errors.New("sweep: worker: no run directory (WorkerOptions.Dir)")
	}
	if err := o.Validate(); err != nil {
		return 0, err
	}
	if o.ID == "" {
		host, err := os.Hostname()
		if err != nil {
			host = "worker"
		}
		o.ID = host + "-" + strconv.Itoa(os.Getpid())
	}
	if o.AckWait == 0 {
		o.AckWait = time.Minute
	}
	if o.MaxDeliver == 0 {
		o.MaxDeliver = 3
	}
	if o.RetryDelay == 0 {
		o.RetryDelay = o.AckWait / 10
	}
	w := &worker{c: c, exec: exec, o: o, consumers: make(map[string]jetstream.Consumer)}
	return w.run(ctx)
}

type worker struct {
	c         *Client
	exec      Executor
	o         WorkerOptions
	consumers map[string]jetstream.Consumer
	next      int // rotates the sweep polled first
}

func (w *worker) run(ctx context.Context) (int, error) {
	done := 0
	idleSince := time.Now()
	for {
		if w.o.Jobs > 0 && done >= w.o.Jobs || ctx.Err() != nil {
			return done, nil
		}
		wait := maxPoll
		if w.o.IdleExit > 0 {
			left := w.o.IdleExit - time.Since(idleSince)
			if left <= 0 {
				return done, nil
			}
			wait = min(wait, left)
		}
		wait = max(wait, 50*time.Millisecond)
		msg, err := w.fetch(ctx, wait)
		if err != nil {
			return done, err
		}
		if msg == nil {
			continue
		}
		reported, err := w.handle(ctx, msg)
		if reported {
			done++
		}
		if err != nil {
			return done, err
		}
		idleSince = time.Now()
	}
}

// consumer returns the durable pull consumer of the sweep's jobs, creating
// or updating it.
func (w *worker) consumer(ctx context.Context, sweep string) (jetstream.Consumer, error) {
	if cons, ok := w.consumers[sweep]; ok {
		return cons, nil
	}
	cons, err := w.c.js.CreateOrUpdateConsumer(ctx, JobsStream, jetstream.ConsumerConfig{
		Durable:       consumerName(sweep),
		Description:   "hnn sweep workers of " + sweep,
		FilterSubject: "hnn.jobs." + sweep + ".*",
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       w.o.AckWait,
		MaxDeliver:    -1, // attempts are counted by the workers
	})
	if err != nil {
		return nil, fmt.Errorf("sweep %s: worker %s: consumer: %w", sweep, w.o.ID, err)
	}
	w.consumers[sweep] = cons
	return cons, nil
}

// fetch returns the next job message, or nil if none arrived within about
// wait or ctx is done.
func (w *worker) fetch(ctx context.Context, wait time.Duration) (jetstream.Msg, error) {
	sweeps := []string{w.o.Sweep}
	if w.o.Sweep == "" {
		var err error
		sweeps, err = w.c.Sweeps(ctx)
		if err != nil {
			return nil, w.fetchErr(ctx, err)
		}
	}
	if len(sweeps) == 1 {
		cons, err := w.consumer(ctx, sweeps[0])
		if err != nil {
			return nil, w.fetchErr(ctx, err)
		}
		pctx, cancel := context.WithTimeout(ctx, wait)
		defer cancel()
		msg, err := cons.Next(jetstream.FetchContext(pctx))
		if err != nil {
			return nil, w.fetchErr(ctx, err)
		}
		return msg, nil
	}
	for k := range sweeps {
		sweep := sweeps[(w.next+k)%len(sweeps)]
		cons, err := w.consumer(ctx, sweep)
		if err != nil {
			return nil, w.fetchErr(ctx, err)
		}
		batch, err := cons.FetchNoWait(1)
		if err != nil {
			return nil, w.fetchErr(ctx, err)
		}
		if msg := <-batch.Messages(); msg != nil {
			w.next = (w.next + k + 1) % len(sweeps)
			return msg, nil
		}
		if err := batch.Error(); err != nil {
			return nil, w.fetchErr(ctx, err)
		}
	}
	select {
	case <-ctx.Done():
	case <-time.After(wait):
	}
	return nil, nil
}

// fetchErr decides whether an error while waiting for a job stops the
// worker: only if the connection is closed. Timeouts and transient errors
// (a server restarting) are retried after a pause.
func (w *worker) fetchErr(ctx context.Context, err error) error {
	if ctx.Err() != nil || errors.Is(err, nats.ErrTimeout) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, jetstream.ErrNoMessages) {
		return nil
	}
	if w.c.nc.IsClosed() {
		return fmt.Errorf("sweep: worker %s: %w", w.o.ID, err)
	}
	w.logf("waiting for jobs: %v", err)
	select {
	case <-ctx.Done():
	case <-time.After(maxPoll):
	}
	return nil
}

func (w *worker) logf(format string, args ...any) {
	if w.o.Log != nil {
		fmt.Fprintf(w.o.Log, "worker %s: "+format+"\n", append([]any{w.o.ID}, args...)...)
	}
}

// handle processes one job message. It reports whether it published a
// result for the job.
func (w *worker) handle(ctx context.Context, msg jetstream.Msg) (bool, error) {
	meta, err := msg.Metadata()
	if err != nil {
		return false, fmt.Errorf("sweep: worker %s: job message on %s: %w", w.o.ID, msg.Subject(), err)
	}
	attempt := int(meta.NumDelivered)
	var job Job
	if err := json.Unmarshal(msg.Data(), &job); err != nil || !ValidSweepName(job.Sweep) || !ValidJobName(job.Name) ||
		msg.Subject() != jobSubject(job.Sweep, job.Index) {
		// Not published by Plan: nobody waits for it.
		w.logf("discarding malformed job message on %s", msg.Subject())
		return false, w.settle(msg.Term(), job, "terminate")
	}
	label := fmt.Sprintf("%s/%d (%s)", job.Sweep, job.Index, job.Name)

	ok, err := hasMsg(ctx, w.c.results, resultSubject(job.Sweep, job.Index))
	if err != nil {
		return false, fmt.Errorf("sweep: worker %s: job %s: %w", w.o.ID, label, err)
	}
	if ok {
		w.logf("job %s already has a result; acknowledging it", label)
		return false, w.settle(msg.DoubleAck(ctx), job, "acknowledge")
	}
	if attempt > w.o.MaxDeliver {
		r := Result{Sweep: job.Sweep, Index: job.Index, Name: job.Name, Worker: w.o.ID, Attempt: attempt,
			Error: fmt.Sprintf("abandoned after %d deliveries without a result", attempt-1)}
		w.logf("job %s failed: %s", label, r.Error)
		return w.fail(ctx, msg, r)
	}

	hb := startHeartbeat(msg, w.o.AckWait/3)
	defer hb.stop()

	dir := filepath.Join(w.o.Dir, job.Sweep, job.Name)
	if !w.o.KeepDir || attempt == 1 {
		if err := os.RemoveAll(dir); err != nil {
			return false, fmt.Errorf("sweep: worker %s: job %s: %w", w.o.ID, label, err)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return false, fmt.Errorf("sweep: worker %s: job %s: %w", w.o.ID, label, err)
	}
	w.logf("job %s started (attempt %d)", label, attempt)
	if w.o.beforeRun != nil {
		w.o.beforeRun(job)
	}
	start := time.Now()
	payload, runErr := w.exec(ctx, job, dir)
	if runErr == nil && len(payload) > 0 && !json.Valid(payload) {
		runErr = errors.New("executor returned a payload that is not valid JSON")
	}
	if w.o.AfterRun != nil {
		w.o.AfterRun(job)
	}
	if err := ctx.Err(); err != nil {
		// Another worker may take it at once (best effort: a worker
		// that dies without saying so leaves it to AckWait).
		msg.Nak()
		w.logf("job %s abandoned: %v", label, err)
		return false, fmt.Errorf("sweep: worker %s: job %s abandoned: %w", w.o.ID, label, err)
	}
	if runErr != nil {
		hb.stop()
		if attempt < w.o.MaxDeliver {
			w.logf("job %s failed (attempt %d of %d), will retry: %v", label, attempt, w.o.MaxDeliver, runErr)
			return false, w.settle(msg.NakWithDelay(w.o.RetryDelay), job, "reject")
		}
		r := Result{Sweep: job.Sweep, Index: job.Index, Name: job.Name, Worker: w.o.ID, Attempt: attempt,
			Error: runErr.Error()}
		w.logf("job %s failed (attempt %d of %d): %v", label, attempt, w.o.MaxDeliver, runErr)
		return w.fail(ctx, msg, r)
	}

	files, err := w.c.upload(ctx, job, dir)
	if err != nil {
		return false, fmt.Errorf("sweep: worker %s: job %s: %w", w.o.ID, label, err)
	}
	r := Result{Sweep: job.Sweep, Index: job.Index, Name: job.Name, Worker: w.o.ID, Attempt: attempt,
		Payload: payload, Files: files}
	if err := w.c.publish(ctx, r); err != nil {
		return false, fmt.Errorf("sweep: worker %s: job %s: %w", w.o.ID, label, err)
	}
	if w.o.afterPublish != nil {
		w.o.afterPublish(job)
		if err := ctx.Err(); err != nil {
			return true, fmt.Errorf("sweep: worker %s: job %s abandoned: %w", w.o.ID, label, err)
		}
	}
	hb.stop()
	// The result is stored: acknowledge the job even if ctx is done now,
	// sparing another worker its redelivery.
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ackTimeout)
	defer cancel()
	if err := w.settle(msg.DoubleAck(actx), job, "acknowledge"); err != nil {
		return true, err
	}
	w.logf("job %s done in %v (%d files)", label, time.Since(start).Round(time.Millisecond), len(files))
	return true, nil
}

// fail publishes the failed result r and terminates the job message.
func (w *worker) fail(ctx context.Context, msg jetstream.Msg, r Result) (bool, error) {
	if err := w.c.publish(ctx, r); err != nil {
		return false, fmt.Errorf("sweep: worker %s: job %s/%d: %w", w.o.ID, r.Sweep, r.Index, err)
	}
	return true, w.settle(msg.Term(), Job{Sweep: r.Sweep, Index: r.Index}, "terminate")
}

// settle wraps the error of acknowledging, rejecting or terminating a job.
func (w *worker) settle(err error, job Job, what string) error {
	if err != nil {
		return fmt.Errorf("sweep: worker %s: %s job %s/%d: %w", w.o.ID, what, job.Sweep, job.Index, err)
	}
	return nil
}

// publish publishes the result r with its message ID.
func (c *Client) publish(ctx context.Context, r Result) error {
	data, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("publish result: %w", err)
	}
	_, err = c.js.Publish(ctx, resultSubject(r.Sweep, r.Index), data, jetstream.WithMsgID(msgID(r.Sweep, r.Index)))
	if err != nil {
		return fmt.Errorf("publish result: %w", err)
	}
	return nil
}

// upload syncs and stores every regular file under dir in the object store
// and returns their slash-separated names relative to dir, sorted.
func (c *Client) upload(ctx context.Context, job Job, dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		files = append(files, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list run files: %w", err)
	}
	slices.Sort(files)
	for _, name := range files {
		if err := c.uploadFile(ctx, objectName(job.Sweep, job.Name, name), filepath.Join(dir, filepath.FromSlash(name))); err != nil {
			return nil, fmt.Errorf("upload %s: %w", name, err)
		}
	}
	return files, nil
}

func (c *Client) uploadFile(ctx context.Context, object, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return err
	}
	_, err = c.runs.Put(ctx, jetstream.ObjectMeta{Name: object}, f)
	return err
}

// heartbeat tells the server periodically that a job is in progress.
type heartbeat struct {
	done chan struct{}
	wg   sync.WaitGroup
	once sync.Once
}

func startHeartbeat(msg jetstream.Msg, every time.Duration) *heartbeat {
	hb := &heartbeat{done: make(chan struct{})}
	hb.wg.Go(func() {
		t := time.NewTicker(max(every, 10*time.Millisecond))
		defer t.Stop()
		for {
			select {
			case <-hb.done:
				return
			case <-t.C:
				// A lost heartbeat at worst lets the job be redelivered.
				_ = msg.InProgress()
			}
		}
	})
	return hb
}

// stop stops the heartbeats and waits until none is being sent. It may be
// called more than once.
func (hb *heartbeat) stop() {
	hb.once.Do(func() { close(hb.done) })
	hb.wg.Wait()
}
