package experiment

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/fit"
	"github.com/hnn-go/hnn/train"
)

// resumeSpecs are small runs of every state-space loop: the derivative
// fit in full batch and in minibatches over two workers with a moving
// average, the midpoint fit, the rollout fit with fitted starts, and a
// run streamed from disk.
func resumeSpecs(t *testing.T) map[string]Spec {
	t.Helper()
	specs := map[string]Spec{}
	s := tiny(t, "hnn", 1)
	s.Train.Steps = 40
	specs["spring derivative"] = s

	s = tiny(t, "hnn", 2)
	s.Train.Steps, s.Train.Batch, s.Train.Workers, s.Train.Average = 40, 7, 2, 0.9
	specs["spring minibatch workers 2"] = s

	s = tiny(t, "baseline", 3)
	s.Train.Steps, s.Fit = 40, fit.Config{Mode: "midpoint"}
	specs["spring midpoint"] = s

	s = tiny(t, "hnn", 4)
	s.Train.Steps, s.Train.Batch, s.Train.Average, s.Train.LRSchedule = 40, 10, 0.8, "onecycle"
	s.Fit = fit.Config{Mode: "rollout", Horizon: 3, FitStarts: true}.WithDefaults()
	specs["spring rollout fitted starts"] = s

	// Minibatches read from disk one step ahead (train.DiskSource).
	dir := t.TempDir()
	if err := WriteDataset(dir, WriteOptions{Task: "spring", Seed: 5, Copies: Set(2)}); err != nil {
		t.Fatal(err)
	}
	s, err := NewStreamSpec(dir, "hnn", 5, true)
	if err != nil {
		t.Fatal(err)
	}
	s.Model.Hidden = []int{16, 16}
	s.Train.Steps, s.Train.LogEvery, s.Train.Batch = 40, 10, 9
	s.Energy.Starts, s.Energy.Points = 5, 20
	specs["spring streamed from disk"] = s
	return specs
}

// finalFiles returns the model arrays and the metrics of the run in dir,
// without its timings.
func finalFiles(t *testing.T, dir string) (map[string]data.Array, map[string]any) {
	t.Helper()
	arrays, err := data.ReadNPZ(filepath.Join(dir, "model.npz"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "seconds")
	if h, ok := m["history"].(map[string]any); ok {
		delete(h, "seconds")
	}
	return arrays, m
}

// TestResumeBitIdentical stops every run at random steps (three times),
// resumes it each time, and requires the final checkpoint and metrics of
// an uninterrupted run, bit for bit.
func TestResumeBitIdentical(t *testing.T) {
	t.Parallel()
	for name, s := range resumeSpecs(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ref := t.TempDir()
			if _, err := TrainWith(s, ref, Options{}); err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			rng := rand.New(rand.NewPCG(uint64(len(name)), 9))
			o := Options{CheckpointEvery: train.Every{Steps: 7}}
			// Three distinct stops in increasing order.
			var stops []int
			for _, k := range rng.Perm(s.Train.Steps - 1)[:3] {
				stops = append(stops, k+1)
			}
			slices.Sort(stops)
			for _, at := range stops {
				stop := make(chan struct{})
				o.Stop = stop
				o.Progress = func(step int, _ float64) {
					if step == at {
						close(stop)
					}
				}
				if _, err := TrainWith(s, dir, o); !errors.Is(err, train.ErrInterrupted) {
					t.Fatalf("stop at step %d: err %v, want ErrInterrupted", at, err)
				}
				if got := lastStep(t, dir); got != at {
					t.Fatalf("stopped at step %d, checkpoint of step %d", at, got)
				}
				o.Resume = true
			}
			o.Stop, o.Progress = nil, nil
			if _, err := TrainWith(s, dir, o); err != nil {
				t.Fatal(err)
			}
			if train.HasCheckpoint(dir) {
				t.Error("the training state of a complete run is still there")
			}
			wa, wm := finalFiles(t, ref)
			ga, gm := finalFiles(t, dir)
			if !reflect.DeepEqual(ga, wa) {
				t.Error("resumed parameters differ from the uninterrupted run's")
			}
			if !reflect.DeepEqual(gm, wm) {
				t.Errorf("resumed metrics differ:\n%v\nwant\n%v", gm, wm)
			}
		})
	}
}

func lastStep(t *testing.T, dir string) int {
	t.Helper()
	if !train.HasCheckpoint(dir) {
		return 0
	}
	n, err := train.CheckpointStep(dir)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
