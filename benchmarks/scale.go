package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/experiment"
	"github.com/hnn-go/hnn/experiment/reproduce"
	"github.com/hnn-go/hnn/metrics"
	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/nn"
	"github.com/hnn-go/hnn/sweep"
	"github.com/hnn-go/hnn/train"
)

// ScaleReport is what -scale measures, in the build the command runs as.
type ScaleReport struct {
	BLAS    string        `json:"blas"`
	NumCPU  int           `json:"num_cpu"`
	Workers []WorkerSpeed `json:"workers"`
	// Cores and CoreModels are the steps/s against GOMAXPROCS (cores.go).
	Cores      []CoreSpeed  `json:"cores,omitempty"`
	CoreModels []CoreModel  `json:"core_models,omitempty"`
	Sweep      []SweepSpeed `json:"sweep"`
	Memory     []MemoryUse  `json:"memory"`
	// MemoryCap is the cgroup memory limit the disk-training children ran
	// under, in bytes (0: none).
	MemoryCap int64 `json:"memory_cap,omitempty"`
}

// WorkerSpeed is the training speed of the two-body HNN with its batch
// split over Workers goroutines (train.Config.Workers).
type WorkerSpeed struct {
	Batch      int     `json:"batch"`
	Workers    int     `json:"workers"`
	StepsPerS  float64 `json:"steps_per_s"`
	RowsPerS   float64 `json:"rows_per_s"`
	Speedup    float64 `json:"speedup"` // over Workers = 1, same batch
	FinalLossΔ float64 `json:"final_loss_rel_diff"`
}

// SweepSpeed is the throughput of a sweep of short runs through an
// embedded NATS server with Workers workers in this process.
type SweepSpeed struct {
	Runs       int     `json:"runs"`
	Workers    int     `json:"workers"`
	Seconds    float64 `json:"seconds"`
	RunsPerMin float64 `json:"runs_per_min"`
	Speedup    float64 `json:"speedup"`
}

// MemoryUse is the peak memory of 'train -stream' on a dataset of Copies
// copies of the two-body data, in a child process.
type MemoryUse struct {
	Copies       int     `json:"copies"`
	TrainRows    int     `json:"train_rows"`
	DatasetBytes int64   `json:"dataset_bytes"`
	PeakRSS      int64   `json:"peak_rss_bytes"`
	PeakHeap     uint64  `json:"peak_heap_bytes"`
	Steps        int     `json:"steps"`
	Seconds      float64 `json:"seconds"`
	TestLoss     float64 `json:"test_loss"`
	// CgroupPeak is the cgroup's peak usage (page cache included) when a
	// memory cap was set.
	CgroupPeak int64  `json:"cgroup_peak_bytes,omitempty"`
	Error      string `json:"error,omitempty"`
}

// runScale measures data-parallel training against Workers, sweep
// throughput against worker count, and the peak memory of training from
// disk against dataset size.
func runScale(o options, stdout, stderr io.Writer) error {
	rep := ScaleReport{BLAS: nn.BLAS, NumCPU: runtime.NumCPU()}
	if slices.Contains(o.scaleParts, "workers") {
		fmt.Fprintln(stderr, "benchmarks: training steps against -workers")
		if err := measureWorkers(&rep, o); err != nil {
			return err
		}
	}
	if slices.Contains(o.scaleParts, "cores") {
		fmt.Fprintln(stderr, "benchmarks: training steps against cores (GOMAXPROCS)")
		if err := measureCores(&rep, o); err != nil {
			return err
		}
	}
	if slices.Contains(o.scaleParts, "sweep") {
		fmt.Fprintln(stderr, "benchmarks: sweep throughput against worker count")
		if err := measureSweep(&rep); err != nil {
			return err
		}
	}
	if slices.Contains(o.scaleParts, "memory") {
		fmt.Fprintln(stderr, "benchmarks: peak memory of training from disk against dataset size")
		if err := measureMemory(&rep, o, stderr); err != nil {
			return err
		}
	}
	if err := writeJSON(o.jsonPath, rep); err != nil {
		return err
	}
	printScale(stdout, &rep)
	return nil
}

// measureWorkers times o.steps steps (after o.warmup) of the two-body HNN
// at batch 200 (the task's) and 2000 with 1, 2 and 4 workers, fastest of
// o.repeat, and the relative difference of the loss after the steps from
// one worker's.
func measureWorkers(rep *ScaleReport, o options) error {
	spec, err := experiment.NewSpec("two-body", "hnn", dataSeed, false)
	if err != nil {
		return err
	}
	ds, err := experiment.Dataset(spec)
	if err != nil {
		return err
	}
	for _, batch := range []int{200, 2000} {
		var base, baseLoss float64
		for _, w := range []int{1, 2, 4} {
			best, last := 0.0, 0.0
			for range o.repeat {
				m, err := model.New[float32](spec.Model, rand.New(rand.NewPCG(dataSeed, 2)))
				if err != nil {
					return err
				}
				c := spec.Train
				c.Batch, c.Workers, c.Average = batch, w, 0
				st, err := train.NewStepper(m, &ds.Train, c, rand.New(rand.NewPCG(dataSeed, 3)))
				if err != nil {
					return err
				}
				for range o.warmup {
					st.Step()
				}
				start := time.Now()
				for range o.steps {
					last = st.Step()
				}
				best = max(best, float64(o.steps)/time.Since(start).Seconds())
				st.Close()
			}
			if w == 1 {
				base, baseLoss = best, last
			}
			rep.Workers = append(rep.Workers, WorkerSpeed{Batch: batch, Workers: w, StepsPerS: best, RowsPerS: best * float64(batch),
				Speedup: best / base, FinalLossΔ: (last - baseLoss) / baseLoss})
		}
	}
	return nil
}

// measureSweep runs a sweep of 8 short spring runs (200 steps each)
// through an embedded server with 1, 2 and 4 workers.
func measureSweep(rep *ScaleReport) error {
	var base float64
	for _, w := range []int{1, 2, 4} {
		dir, err := os.MkdirTemp("", "hnn-bench-sweep-")
		if err != nil {
			return err
		}
		f := &sweep.File{Name: fmt.Sprintf("bench-%d", w), Options: reproduce.Options{Tasks: []string{"spring"}, Models: []string{"hnn"},
			Seeds: experiment.Set(8), Quick: true, Overrides: experiment.Overrides{Steps: experiment.Set(200)}, NoFigures: true}}
		start := time.Now()
		_, err = sweep.Run(context.Background(), f, sweep.RunOptions{Workers: w, Out: dir})
		os.RemoveAll(dir)
		if err != nil {
			return err
		}
		s := time.Since(start).Seconds()
		if w == 1 {
			base = s
		}
		rep.Sweep = append(rep.Sweep, SweepSpeed{Runs: 8, Workers: w, Seconds: s, RunsPerMin: 8 * 60 / s, Speedup: base / s})
	}
	return nil
}

// measureMemory writes two-body datasets of o.copies copies (float32) and
// trains the HNN from each in a child process (this program with
// -scale-train DIR), which reports its peak heap; the parent reads the
// child's peak resident set size. With o.memCapMB the children run in a
// cgroup limited to that memory, page cache included.
func measureMemory(rep *ScaleReport, o options, stderr io.Writer) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	var cg *cgroup
	if o.memCapMB > 0 {
		if cg, err = newCgroup(int64(o.memCapMB) << 20); err != nil {
			return err
		}
		defer cg.remove()
		rep.MemoryCap = int64(o.memCapMB) << 20
	}
	for _, copies := range o.copies {
		dir, err := os.MkdirTemp("", "hnn-bench-stream-")
		if err != nil {
			return err
		}
		u := MemoryUse{Copies: copies}
		err = experiment.WriteDataset(dir, experiment.WriteOptions{Task: "two-body", Copies: experiment.Set(copies), Float32: true})
		if err == nil {
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if info, err := e.Info(); err == nil && strings.HasPrefix(e.Name(), "train_") {
					u.DatasetBytes += info.Size()
				}
			}
			fmt.Fprintf(stderr, "benchmarks: %d copies, %.0f MB of training files\n", copies, float64(u.DatasetBytes)/1e6)
			args := []string{"-scale-train", dir, "-steps", strconv.Itoa(o.steps)}
			if cg != nil {
				cg.reset()
				args = append(args, "-cgroup", cg.dir)
			}
			cmd := exec.Command(exe, args...)
			cmd.Stderr = stderr
			var out []byte
			out, err = cmd.Output()
			if err == nil {
				var c MemoryUse
				if err = json.Unmarshal(out, &c); err == nil {
					u.TrainRows, u.PeakHeap, u.Steps, u.Seconds, u.TestLoss = c.TrainRows, c.PeakHeap, c.Steps, c.Seconds, c.TestLoss
				}
			}
			if cmd.ProcessState != nil {
				if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
					u.PeakRSS = ru.Maxrss << 10
				}
			}
			if cg != nil {
				u.CgroupPeak = cg.peak()
			}
		}
		if err != nil {
			u.Error = err.Error()
		}
		os.RemoveAll(dir)
		rep.Memory = append(rep.Memory, u)
	}
	return nil
}

// scaleTrain is the child of measureMemory: it joins the cgroup, trains
// the HNN from dir for steps steps and prints its MemoryUse as JSON.
func scaleTrain(dir string, steps int, cgroupDir string, stdout io.Writer) error {
	if cgroupDir != "" {
		if err := os.WriteFile(filepath.Join(cgroupDir, "cgroup.procs"), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
			return fmt.Errorf("joining cgroup %s: %w", cgroupDir, err)
		}
	}
	s, err := experiment.NewStreamSpec(dir, "hnn", 0, false)
	if err != nil {
		return err
	}
	s.Train.Steps, s.Train.LogEvery = steps, max(1, steps/5)
	var peak uint64
	var ms runtime.MemStats
	r, err := experiment.Train(s, "", nil, func(step int, _ float64) {
		if step%50 == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}
	})
	if err != nil {
		return err
	}
	d, err := data.OpenDiskDataset(dir)
	if err != nil {
		return err
	}
	rows := d.TrainX.Len()
	d.Close()
	return json.NewEncoder(stdout).Encode(MemoryUse{TrainRows: rows, PeakHeap: peak, Steps: steps,
		Seconds: r.Metrics.History.Seconds, TestLoss: r.Metrics.Mean(metrics.TestLoss)})
}

// cgroup is a memory cgroup (v2, or v1's memory controller) made for the
// children of measureMemory.
type cgroup struct {
	dir string
	v2  bool
}

func newCgroup(limit int64) (*cgroup, error) {
	name := fmt.Sprintf("hnn-bench-%d", os.Getpid())
	cg := &cgroup{}
	if _, err := os.Stat("/sys/fs/cgroup/cgroup.controllers"); err == nil {
		cg.dir, cg.v2 = filepath.Join("/sys/fs/cgroup", name), true
	} else {
		cg.dir = filepath.Join("/sys/fs/cgroup/memory", name)
	}
	if err := os.Mkdir(cg.dir, 0o755); err != nil {
		return nil, fmt.Errorf("-memory-cap-mb needs a writable memory cgroup: %w", err)
	}
	file, val := "memory.limit_in_bytes", strconv.FormatInt(limit, 10)
	if cg.v2 {
		file = "memory.max"
	}
	if err := os.WriteFile(filepath.Join(cg.dir, file), []byte(val), 0o644); err != nil {
		cg.remove()
		return nil, fmt.Errorf("setting %s: %w", file, err)
	}
	if !cg.v2 {
		// Without swap accounting the limit holds for memory alone.
		os.WriteFile(filepath.Join(cg.dir, "memory.memsw.limit_in_bytes"), []byte(val), 0o644)
	}
	return cg, nil
}

func (cg *cgroup) reset() {
	if !cg.v2 {
		os.WriteFile(filepath.Join(cg.dir, "memory.max_usage_in_bytes"), []byte("0"), 0o644)
	}
}

func (cg *cgroup) peak() int64 {
	file := "memory.max_usage_in_bytes"
	if cg.v2 {
		file = "memory.peak"
	}
	b, err := os.ReadFile(filepath.Join(cg.dir, file))
	if err != nil {
		return 0
	}
	v, _ := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	return v
}

func (cg *cgroup) remove() {
	// The children have exited; an empty cgroup is removed with rmdir.
	for range 10 {
		if err := os.Remove(cg.dir); err == nil || errors.Is(err, os.ErrNotExist) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func printScale(w io.Writer, r *ScaleReport) {
	fmt.Fprintf(w, "Scale-out measurements, BLAS %s, %d CPUs\n", r.BLAS, r.NumCPU)
	if len(r.Workers) > 0 {
		fmt.Fprintln(w)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "two-body HNN: batch\tworkers\tsteps/s\trows/s\tspeedup\tloss rel. diff\t")
		for _, s := range r.Workers {
			fmt.Fprintf(tw, "%d\t%d\t%.1f\t%.0f\t%.2fx\t%.1e\t\n", s.Batch, s.Workers, s.StepsPerS, s.RowsPerS, s.Speedup, s.FinalLossΔ)
		}
		tw.Flush()
	}
	if len(r.Cores) > 0 {
		printCores(w, r)
	}
	if len(r.Sweep) > 0 {
		fmt.Fprintln(w)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "sweep: runs\tworkers\tseconds\truns/min\tspeedup\t")
		for _, s := range r.Sweep {
			fmt.Fprintf(tw, "%d\t%d\t%.1f\t%.1f\t%.2fx\t\n", s.Runs, s.Workers, s.Seconds, s.RunsPerMin, s.Speedup)
		}
		tw.Flush()
	}
	if len(r.Memory) > 0 {
		fmt.Fprintln(w)
		if r.MemoryCap > 0 {
			fmt.Fprintf(w, "Training from disk under a cgroup memory cap of %d MiB (page cache included):\n", r.MemoryCap>>20)
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "stream: copies\ttrain rows\tdataset MB\tpeak RSS MB\tpeak heap MB\tcgroup peak MB\tsteps\tseconds\ttest loss\terror\t")
		for _, m := range r.Memory {
			fmt.Fprintf(tw, "%d\t%d\t%.0f\t%.1f\t%.1f\t%.0f\t%d\t%.1f\t%.2e\t%s\t\n", m.Copies, m.TrainRows, float64(m.DatasetBytes)/1e6,
				float64(m.PeakRSS)/1e6, float64(m.PeakHeap)/1e6, float64(m.CgroupPeak)/1e6, m.Steps, m.Seconds, m.TestLoss, m.Error)
		}
		tw.Flush()
	}
}
