package main

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/hnn-go/hnn/experiment"
	"github.com/hnn-go/hnn/latent"
	"github.com/hnn-go/hnn/metrics"
	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/train"
)

// CoreSpeed is the training speed of one model with its step's products
// cut over Procs cores (GOMAXPROCS), the default of every training.
type CoreSpeed struct {
	Model      string  `json:"model"`
	Batch      int     `json:"batch"`
	Procs      int     `json:"procs"`
	StepsPerS  float64 `json:"steps_per_s"`
	Speedup    float64 `json:"speedup"`    // over Procs = 1
	Efficiency float64 `json:"efficiency"` // Speedup / Procs
	// Copies is the throughput of Procs independent copies of the
	// one-core training run at once (each on its own core, as a
	// reproduction runs its trainings), over Procs times the one-core
	// rate: what the machine gives to perfectly parallel work at that
	// core count (1 for Procs = 1). Relative is Efficiency / Copies.
	Copies   float64 `json:"copies"`
	Relative float64 `json:"relative_efficiency"`
}

// CoreModel is Amdahl's law fitted to one model's measurements: the
// serial fraction s that the speedup at the most cores measured implies,
// and the speedup it predicts on 16 cores, 1/(s + (1-s)/16).
type CoreModel struct {
	Model          string  `json:"model"`
	SerialFraction float64 `json:"serial_fraction"`
	Speedup16      float64 `json:"speedup_16_cores"`
}

// coreProcs returns the core counts measured: 1, 2 and all (distinct).
func coreProcs() []int {
	ps := []int{1}
	for _, p := range []int{2, runtime.NumCPU()} {
		if p <= runtime.NumCPU() && !slices.Contains(ps, p) {
			ps = append(ps, p)
		}
	}
	return ps
}

// coreWindows is the number of windows of each core count per -repeat
// round in measureCores.
const coreWindows = 8

// measureCores times the spring HNN (full batch of 750), the two-body HNN
// (minibatches of 200) and the pixel HNN (the reference's 1568-200-2
// autoencoder and 200-200 latent HNN, minibatches of 200 of random 28x28
// frames, whose speed does not depend on what they show) under GOMAXPROCS
// 1, 2 and the number of CPUs, and fits Amdahl's law to each model. The
// core counts take turns in short windows of o.steps/coreWindows steps
// (after o.warmup steps at each count), o.repeat x coreWindows windows of
// each: a virtual machine's speed drifts by tens of percent within
// minutes, so each speedup is the median of the ratios of adjacent
// windows (the same minute's one-core window), and each steps/s the
// median of its windows. Beside each core count n > 1, a window runs n
// independent copies of the model's training at once, one per core: the
// throughput the machine gives to perfectly parallel work then, which on
// a virtual machine can be well below n cores' worth (two virtual CPUs
// placed on one physical core's hyperthreads, caches shared with other
// tenants), and against which a training's own efficiency is read.
func measureCores(rep *ScaleReport, o options) error {
	type bench struct {
		name  string
		batch int
		step  func() float64
		// newStep returns the step of another, independent copy of the
		// training (the copies windows).
		newStep func() (func() float64, error)
	}
	// stateTraining returns a constructor of independent HNN trainings on
	// one dataset of the task, generated once.
	stateTraining := func(taskName string) (func() (func() float64, int, error), error) {
		spec, err := experiment.NewSpec(taskName, "hnn", dataSeed, false)
		if err != nil {
			return nil, err
		}
		ds, err := experiment.Dataset(spec)
		if err != nil {
			return nil, err
		}
		return func() (func() float64, int, error) {
			m, err := model.New[float32](spec.Model, rand.New(rand.NewPCG(dataSeed, 2)))
			if err != nil {
				return nil, 0, err
			}
			st, err := train.NewStepper(m, &ds.Train, spec.Train, rand.New(rand.NewPCG(dataSeed, 3)))
			if err != nil {
				return nil, 0, err
			}
			return st.Step, st.Batch(), nil
		}, nil
	}
	var benches []bench
	for _, name := range []string{"spring", "two-body"} {
		training, err := stateTraining(name)
		if err != nil {
			return err
		}
		step, batch, err := training()
		if err != nil {
			return err
		}
		benches = append(benches, bench{name + " HNN", batch, step, func() (func() float64, error) {
			step, _, err := training()
			return step, err
		}})
	}
	pixel, err := pixelStep(200)
	if err != nil {
		return err
	}
	benches = append(benches, bench{"pixel HNN", 200, pixel, func() (func() float64, error) { return pixelStep(200) }})
	procs := coreProcs()
	steps := max(1, o.steps/coreWindows)
	for _, b := range benches {
		rates := make([][]float64, len(procs))
		// copyRates[i] is the throughput of procs[i] copies at once.
		copyRates := make([][]float64, len(procs))
		copies := make([][]func() float64, len(procs))
		for i, p := range procs {
			old := runtime.GOMAXPROCS(p)
			for range o.warmup {
				b.step()
			}
			if p > 1 {
				for range p {
					step, err := b.newStep()
					if err != nil {
						return err
					}
					copies[i] = append(copies[i], step)
				}
				runCopies(copies[i], o.warmup)
			}
			runtime.GOMAXPROCS(old)
		}
		for range o.repeat * coreWindows {
			for i, p := range procs {
				old := runtime.GOMAXPROCS(p)
				b.step() // the first step after a change of GOMAXPROCS is not timed
				start := time.Now()
				for range steps {
					b.step()
				}
				rates[i] = append(rates[i], float64(steps)/time.Since(start).Seconds())
				if p > 1 {
					runCopies(copies[i], 1)
					start := time.Now()
					runCopies(copies[i], steps)
					copyRates[i] = append(copyRates[i], float64(p*steps)/time.Since(start).Seconds())
				}
				runtime.GOMAXPROCS(old)
			}
		}
		var ratios, copyRatios []float64
		for i, p := range procs {
			ratios, copyRatios = ratios[:0], copyRatios[:0]
			for w, r := range rates[i] {
				ratios = append(ratios, r/rates[0][w])
				if p > 1 {
					copyRatios = append(copyRatios, copyRates[i][w]/(float64(p)*rates[0][w]))
				}
			}
			s := metrics.Median(ratios)
			c := CoreSpeed{Model: b.name, Batch: b.batch, Procs: p, StepsPerS: metrics.Median(rates[i]), Speedup: s, Efficiency: s / float64(p), Copies: 1, Relative: s / float64(p)}
			if p > 1 {
				c.Copies = metrics.Median(copyRatios)
				c.Relative = c.Efficiency / c.Copies
			}
			rep.Cores = append(rep.Cores, c)
		}
		if n := len(procs) - 1; n > 0 {
			rep.CoreModels = append(rep.CoreModels, amdahl(b.name, float64(procs[n]), rep.Cores[len(rep.Cores)-1].Speedup))
		}
	}
	return nil
}

// runCopies runs n steps of each of steps at once, one goroutine each, and
// returns when all are done.
func runCopies(steps []func() float64, n int) {
	var wg sync.WaitGroup
	for _, step := range steps {
		wg.Go(func() {
			for range n {
				step()
			}
		})
	}
	wg.Wait()
}

// amdahl returns the serial fraction s that makes Amdahl's speedup
// 1/(s + (1-s)/n) equal the measured speedup on n cores (clamped to
// [0, 1]), and the speedup it predicts on 16 cores.
func amdahl(name string, n, speedup float64) CoreModel {
	s := (1/speedup - 1/n) / (1 - 1/n)
	s = math.Min(1, math.Max(0, s))
	return CoreModel{Model: name, SerialFraction: s, Speedup16: 1 / (s + (1-s)/16)}
}

// pixelStep returns the step of the pixel task's HNN (the reference's
// widths) on minibatches of batch samples of random frames.
func pixelStep(batch int) (func() float64, error) {
	rng := rand.New(rand.NewPCG(dataSeed, 4))
	m, err := latent.New[float32](latent.Config{Kind: "hnn"}, rng)
	if err != nil {
		return nil, err
	}
	const trajs, perTraj = 40, 20
	s := &latent.Samples{Frame: latent.FramePixels}
	s.Frames = make([]float32, trajs*perTraj*latent.FramePixels)
	for i := range s.Frames {
		s.Frames[i] = rng.Float32()
	}
	for k := range trajs {
		for j := range perTraj - 2 {
			s.Index = append(s.Index, k*perTraj+j)
		}
	}
	st, err := latent.NewStepper(m, s, train.Config{Batch: batch, LR: 1e-3, WeightDecay: 1e-5}, rng)
	if err != nil {
		return nil, err
	}
	return st.Step, nil
}

// printCores prints the steps/s against cores and the fitted models.
func printCores(w io.Writer, r *ScaleReport) {
	fmt.Fprintln(w)
	fmt.Fprintln(w, "cores: core counts in turn in short windows; steps/s the median window, speedup the median ratio to the adjacent one-core window;")
	fmt.Fprintln(w, "copies: as many independent one-core trainings at once as cores, their throughput over cores x one core (what the machine gives perfectly parallel work); relative: efficiency / copies")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "cores: model\tbatch\tcores\tsteps/s\tspeedup\tefficiency\tcopies\trelative\t")
	for _, c := range r.Cores {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f\t%.2fx\t%.0f%%\t%.0f%%\t%.0f%%\t\n", c.Model, c.Batch, c.Procs, c.StepsPerS, c.Speedup, 100*c.Efficiency, 100*c.Copies, 100*c.Relative)
	}
	tw.Flush()
	if len(r.CoreModels) == 0 {
		return
	}
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "Amdahl: model\tserial fraction\tspeedup on 16 cores\t")
	for _, c := range r.CoreModels {
		fmt.Fprintf(tw, "%s\t%.3f\t%.1fx\t\n", c.Model, c.SerialFraction, c.Speedup16)
	}
	tw.Flush()
}
