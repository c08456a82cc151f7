package sweep

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"
)

// BenchmarkSweep measures the throughput of sweeps of small CPU-bound jobs
// (a few milliseconds each) against the number of workers, each with its
// own connection. One iteration plans a sweep, runs it and collects it; the
// jobs/s metric counts the time from starting the workers to collecting the
// last result.
func BenchmarkSweep(b *testing.B) {
	const jobsPerSweep = 32
	exec := func(ctx context.Context, job Job, dir string) (json.RawMessage, error) {
		y := 0.0
		for k := 1; k <= 400_000; k++ {
			y += math.Sin(float64(k*(job.Index+1))) / float64(k)
		}
		return json.Marshal(y)
	}
	for _, workers := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			s := startServer(b)
			c := connect(b, s)
			clients := make([]*Client, workers)
			for k := range clients {
				clients[k] = connect(b, s)
			}
			dir := b.TempDir()
			ctx := context.Background()
			iter := 0
			var busy time.Duration
			for b.Loop() {
				name := fmt.Sprintf("bench%d", iter)
				iter++
				jobs := make([]Job, jobsPerSweep)
				for i := range jobs {
					jobs[i] = Job{Sweep: name, Index: i, Name: fmt.Sprintf("j%d", i)}
				}
				if err := c.Plan(ctx, jobs); err != nil {
					b.Fatal(err)
				}
				start := time.Now()
				wctx, stop := context.WithCancel(ctx)
				var wg sync.WaitGroup
				errs := make([]error, workers)
				for k, wc := range clients {
					wg.Go(func() {
						_, errs[k] = wc.Work(wctx, exec, WorkerOptions{
							ID: fmt.Sprint("w", k), Dir: dir, Sweep: name, AckWait: 10 * time.Second,
						})
					})
				}
				_, err := c.Collect(ctx, name, dir)
				stop()
				wg.Wait()
				if err != nil {
					b.Fatal(err)
				}
				for _, err := range errs {
					// A worker stopped while its last acknowledgement or
					// publication was in flight reports context.Canceled.
					if err != nil && !errors.Is(err, context.Canceled) {
						b.Fatal(err)
					}
				}
				busy += time.Since(start)
			}
			b.ReportMetric(float64(iter*jobsPerSweep)/busy.Seconds(), "jobs/s")
		})
	}
}
