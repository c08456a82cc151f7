package sweep_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strconv"

	"github.com/hnn-go/hnn/sweep"
)

// This example plans a sweep of three jobs on an embedded server, runs them
// with one worker and collects the results and files.
func Example() {
	srv, err := sweep.StartServer("") // temporary store
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Shutdown()
	c, err := sweep.Connect(srv.URL())
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()

	var jobs []sweep.Job
	for i, n := range []int{3, 4, 12} {
		jobs = append(jobs, sweep.Job{
			Sweep: "squares",
			Index: i,
			Name:  fmt.Sprintf("n%d", n),
			Spec:  json.RawMessage(fmt.Sprintf(`{"n":%d}`, n)),
		})
	}
	if err := c.Plan(ctx, jobs); err != nil {
		log.Fatal(err)
	}

	// The executor squares n, writes it to square.txt and reports it.
	square := func(ctx context.Context, job sweep.Job, dir string) (json.RawMessage, error) {
		var spec struct{ N int }
		if err := json.Unmarshal(job.Spec, &spec); err != nil {
			return nil, err
		}
		sq := spec.N * spec.N
		if err := os.WriteFile(filepath.Join(dir, "square.txt"), []byte(strconv.Itoa(sq)), 0o644); err != nil {
			return nil, err
		}
		return json.Marshal(map[string]int{"square": sq})
	}
	work, err := os.MkdirTemp("", "worker")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(work)
	n, err := c.Work(ctx, square, sweep.WorkerOptions{ID: "w1", Dir: work, Sweep: "squares", Jobs: len(jobs)})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("worker completed", n, "jobs")

	out, err := os.MkdirTemp("", "collect")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(out)
	results, err := c.Collect(ctx, "squares", out)
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range results {
		file, err := os.ReadFile(filepath.Join(out, r.Name, "square.txt"))
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%d %s: payload %s, files %v, square.txt %s\n", r.Index, r.Name, r.Payload, r.Files, file)
	}
	st, err := c.Status(ctx, "squares")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("planned %d, pending %d, done %d, failed %d\n", st.Planned, st.Pending, st.Done, st.Failed)
	// Output:
	// worker completed 3 jobs
	// 0 n3: payload {"square":9}, files [square.txt], square.txt 9
	// 1 n4: payload {"square":16}, files [square.txt], square.txt 16
	// 2 n12: payload {"square":144}, files [square.txt], square.txt 144
	// planned 3, pending 0, done 3, failed 0
}

func ExampleParseShard() {
	env := map[string]string{sweep.ShardIndexEnv: "2"}
	for _, flag := range []string{"1/4", "/4", "4/4"} {
		i, n, err := sweep.ParseShard(flag, func(k string) string { return env[k] })
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("shard %d of %d takes %v of 10 jobs\n", i, n, sweep.Shard(10, i, n))
	}
	// Output:
	// shard 1 of 4 takes [1 5 9] of 10 jobs
	// shard 2 of 4 takes [2 6] of 10 jobs
	// -shard "4/4": shard index "4" is not an integer in [0, 4)
}
