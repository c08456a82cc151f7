package sweep

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hnn-go/hnn/internal/check"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// DuplicateWindow is how long the server remembers the message IDs of jobs
// and results, within which a repeated Plan or a result published twice is
// dropped.
const DuplicateWindow = 24 * time.Hour

// setupTimeout bounds the creation of the streams and buckets in Connect.
const setupTimeout = 30 * time.Second

// Client is a connection to a JetStream server with the streams and buckets
// of the sweeps. Its methods may be called from several goroutines.
type Client struct {
	nc      *nats.Conn
	js      jetstream.JetStream
	jobs    jetstream.Stream
	results jetstream.Stream
	plans   jetstream.KeyValue
	runs    jetstream.ObjectStore
}

// Connect connects to the NATS server at url and creates the streams and
// buckets of the sweeps if they are missing.
func Connect(url string) (*Client, error) {
	nc, err := nats.Connect(url, nats.Name("hnn-sweep"), nats.MaxReconnects(-1))
	if err != nil {
		return nil, fmt.Errorf("sweep: connect to %s: %w", url, err)
	}
	c := &Client{nc: nc}
	if err := c.setup(); err != nil {
		nc.Close()
		return nil, fmt.Errorf("sweep: connect to %s: %w", url, err)
	}
	return c, nil
}

func (c *Client) setup() error {
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	js, err := jetstream.New(c.nc)
	if err != nil {
		return err
	}
	c.js = js
	c.jobs, err = js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        JobsStream,
		Description: "hnn sweep jobs",
		Subjects:    []string{"hnn.jobs.*.*"},
		Retention:   jetstream.WorkQueuePolicy,
		Storage:     jetstream.FileStorage,
		Duplicates:  DuplicateWindow,
	})
	if err != nil {
		return fmt.Errorf("stream %s: %w", JobsStream, err)
	}
	c.results, err = js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        ResultsStream,
		Description: "hnn sweep results",
		Subjects:    []string{"hnn.results.*.*"},
		Retention:   jetstream.LimitsPolicy,
		Storage:     jetstream.FileStorage,
		Duplicates:  DuplicateWindow,
	})
	if err != nil {
		return fmt.Errorf("stream %s: %w", ResultsStream, err)
	}
	c.plans, err = js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      PlansBucket,
		Description: "hnn sweep manifests",
		Storage:     jetstream.FileStorage,
	})
	if err != nil {
		return fmt.Errorf("KV bucket %s: %w", PlansBucket, err)
	}
	c.runs, err = js.CreateOrUpdateObjectStore(ctx, jetstream.ObjectStoreConfig{
		Bucket:      RunsBucket,
		Description: "hnn sweep run files",
		Storage:     jetstream.FileStorage,
	})
	if err != nil {
		return fmt.Errorf("object store %s: %w", RunsBucket, err)
	}
	return nil
}

// Close closes the connection.
func (c *Client) Close() { c.nc.Close() }

// Plan stores the manifest of the sweep of jobs and enqueues one message per
// job. All jobs must have the same valid Sweep name, indices 0..len(jobs)-1
// in any order, unique valid names and a spec that is empty or valid JSON.
//
// Plan is idempotent: it returns an error if the sweep already has a
// different manifest, and it does not enqueue a job that is still in the
// queue or already has a result. Job messages carry the message ID
// "<sweep>/<index>", so concurrent Plans of one sweep do not enqueue a job
// twice either.
func (c *Client) Plan(ctx context.Context, jobs []Job) error {
	sorted, m, err := checkJobs(jobs)
	if err != nil {
		return err
	}
	data, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("sweep %s: plan: %w", m.Sweep, err)
	}
	if _, err := c.plans.Create(ctx, m.Sweep, data); err != nil {
		if !errors.Is(err, jetstream.ErrKeyExists) {
			return fmt.Errorf("sweep %s: plan: store manifest: %w", m.Sweep, err)
		}
		old, err := c.Manifest(ctx, m.Sweep)
		if err != nil {
			return fmt.Errorf("sweep %s: plan: %w", m.Sweep, err)
		}
		if !old.equal(m) {
			return fmt.Errorf("sweep %s: plan conflicts with the stored plan of %d jobs (names or specs differ)", m.Sweep, old.Count)
		}
	}
	for _, j := range sorted {
		// The result is published before the job is acknowledged, so a
		// job that has left the queue has a result when it is checked next.
		queued, err := hasMsg(ctx, c.jobs, jobSubject(j.Sweep, j.Index))
		if err != nil {
			return fmt.Errorf("sweep %s: plan job %d: %w", j.Sweep, j.Index, err)
		}
		if queued {
			continue
		}
		done, err := hasMsg(ctx, c.results, resultSubject(j.Sweep, j.Index))
		if err != nil {
			return fmt.Errorf("sweep %s: plan job %d: %w", j.Sweep, j.Index, err)
		}
		if done {
			continue
		}
		body, err := json.Marshal(j)
		if err != nil {
			return fmt.Errorf("sweep %s: plan job %d: %w", j.Sweep, j.Index, err)
		}
		_, err = c.js.Publish(ctx, jobSubject(j.Sweep, j.Index), body, jetstream.WithMsgID(msgID(j.Sweep, j.Index)))
		if err != nil {
			return fmt.Errorf("sweep %s: plan job %d: %w", j.Sweep, j.Index, err)
		}
	}
	return nil
}

// hasMsg reports whether stream s holds a message on subject.
func hasMsg(ctx context.Context, s jetstream.Stream, subject string) (bool, error) {
	_, err := s.GetLastMsgForSubject(ctx, subject)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, jetstream.ErrMsgNotFound):
		return false, nil
	default:
		return false, err
	}
}

// Manifest returns the stored manifest of the sweep.
func (c *Client) Manifest(ctx context.Context, sweep string) (Manifest, error) {
	if !ValidSweepName(sweep) {
		return Manifest{}, fmt.Errorf("sweep: invalid sweep name %s: want [A-Za-z0-9_-]+", check.Quote(sweep))
	}
	e, err := c.plans.Get(ctx, sweep)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return Manifest{}, fmt.Errorf("sweep %s: not planned", sweep)
	}
	if err != nil {
		return Manifest{}, fmt.Errorf("sweep %s: manifest: %w", sweep, err)
	}
	var m Manifest
	if err := json.Unmarshal(e.Value(), &m); err != nil {
		return Manifest{}, fmt.Errorf("sweep %s: manifest: %w", sweep, err)
	}
	if m.Count != len(m.Names) {
		return Manifest{}, fmt.Errorf("sweep %s: corrupt manifest: count %d with %d names", sweep, m.Count, len(m.Names))
	}
	return m, nil
}

// Sweeps returns the names of the planned sweeps, sorted.
func (c *Client) Sweeps(ctx context.Context) ([]string, error) {
	keys, err := c.plans.Keys(ctx)
	if errors.Is(err, jetstream.ErrNoKeysFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sweep: list sweeps: %w", err)
	}
	keys = slices.DeleteFunc(keys, func(k string) bool { return !ValidSweepName(k) })
	slices.Sort(keys)
	return keys, nil
}

// Status reports the progress of the sweep.
func (c *Client) Status(ctx context.Context, sweep string) (Status, error) {
	m, err := c.Manifest(ctx, sweep)
	if err != nil {
		return Status{}, err
	}
	st := Status{Sweep: sweep, Planned: m.Count}
	info, err := c.jobs.Info(ctx, jetstream.WithSubjectFilter("hnn.jobs."+sweep+".*"))
	if err != nil {
		return Status{}, fmt.Errorf("sweep %s: status: %w", sweep, err)
	}
	for _, n := range info.State.Subjects {
		st.Pending += int(n)
	}
	cons, err := c.js.Consumer(ctx, JobsStream, consumerName(sweep))
	switch {
	case err == nil:
		st.Running = int(cons.CachedInfo().NumAckPending)
	case !errors.Is(err, jetstream.ErrConsumerNotFound):
		return Status{}, fmt.Errorf("sweep %s: status: %w", sweep, err)
	}
	first := make([]bool, m.Count)
	err = c.scanResults(ctx, sweep, false, func(r Result) (bool, error) {
		if r.Index < 0 || r.Index >= m.Count {
			return false, nil
		}
		if first[r.Index] {
			st.Duplicates++
			return false, nil
		}
		first[r.Index] = true
		if r.Error != "" {
			st.Failed++
		} else {
			st.Done++
		}
		return false, nil
	})
	if err != nil {
		return Status{}, fmt.Errorf("sweep %s: status: %w", sweep, err)
	}
	return st, nil
}

// scanResults calls fn for each result of the sweep in the order they were
// published until fn returns true or an error. If wait is false, it stops
// at the last result stored now; otherwise it waits for more until ctx is
// done.
func (c *Client) scanResults(ctx context.Context, sweep string, wait bool, fn func(Result) (bool, error)) error {
	subject := "hnn.results." + sweep + ".*"
	if !wait {
		info, err := c.results.Info(ctx, jetstream.WithSubjectFilter(subject))
		if err != nil {
			return err
		}
		if len(info.State.Subjects) == 0 {
			return nil
		}
	}
	cons, err := c.js.OrderedConsumer(ctx, ResultsStream, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{subject},
		DeliverPolicy:  jetstream.DeliverAllPolicy,
	})
	if err != nil {
		return err
	}
	it, err := cons.Messages()
	if err != nil {
		return err
	}
	defer it.Stop()
	for {
		msg, err := it.Next(jetstream.NextContext(ctx))
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		var r Result
		if err := json.Unmarshal(msg.Data(), &r); err != nil {
			return fmt.Errorf("result on %s: %w", msg.Subject(), err)
		}
		if want := subjectIndex(msg.Subject()); r.Sweep != sweep || r.Index != want {
			return fmt.Errorf("result of job %s/%d published on %s", r.Sweep, r.Index, msg.Subject())
		}
		stop, err := fn(r)
		if err != nil || stop {
			return err
		}
		if !wait {
			meta, err := msg.Metadata()
			if err != nil {
				return err
			}
			if meta.NumPending == 0 {
				return nil
			}
		}
	}
}

// subjectIndex returns the index token at the end of a job or result
// subject, or -1.
func subjectIndex(subject string) int {
	i, err := strconv.Atoi(subject[strings.LastIndexByte(subject, '.')+1:])
	if err != nil {
		return -1
	}
	return i
}
