package train_test

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/train"
)

func TestParseEvery(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in   string
		want train.Every
		bad  bool
	}{
		{"0", train.Every{Off: true}, false},
		{"off", train.Every{Off: true}, false},
		{"500", train.Every{Steps: 500}, false},
		{"30s", train.Every{Interval: 30 * time.Second}, false},
		{"2m", train.Every{Interval: 2 * time.Minute}, false},
		{"-3", train.Every{}, true},
		{"-1s", train.Every{}, true},
		{"soon", train.Every{}, true},
	} {
		got, err := train.ParseEvery(c.in)
		if (err != nil) != c.bad || got != c.want {
			t.Errorf("ParseEvery(%q) = %+v, %v; want %+v, error %v", c.in, got, err, c.want, c.bad)
		}
		if !c.bad {
			if back, _ := train.ParseEvery(got.String()); back != got {
				t.Errorf("ParseEvery(%q).String() = %q reads back as %+v", c.in, got.String(), back)
			}
		}
	}
}

// trainStopped trains an HNN on the spring data for 60 minibatch steps
// with a moving average and a cosine schedule (which a resumed run must
// continue where it stopped), saving its state into dir every 5 steps, stopped
// after step stopAt (0: not stopped), resumed from dir if resume is set.
func trainStopped(t *testing.T, dir string, stopAt int, resume bool) ([]float32, train.History, error) {
	t.Helper()
	ds := springData(t, 1)
	m, err := model.New[float32](model.Config{Kind: "hnn", Dim: 2, Hidden: []int{8}}, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	pcg := rand.NewPCG(1, 3)
	stop := make(chan struct{})
	c := train.Config{Steps: 60, Batch: 16, LogEvery: 7, Average: 0.9, LRSchedule: "cosine",
		Checkpoint: &train.Checkpoint{Dir: dir, Every: train.Every{Steps: 5}, Stop: stop, RNG: pcg, Resume: resume}}
	h, err := train.Train(m, &ds.Train, &ds.Test, c, rand.New(pcg), func(step int, _ float64) {
		if step == stopAt {
			close(stop)
		}
	})
	return m.Params(), h, err
}

// TestStopAndResume stops a run after step 23, resumes it, and requires
// the parameters and log of an uninterrupted run, bit for bit; a damaged
// checkpoint, one of another format or of other settings is refused with
// an error naming the file.
func TestStopAndResume(t *testing.T) {
	t.Parallel()
	want, wh, err := trainStopped(t, "", 0, false)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, _, err := trainStopped(t, dir, 23, false); !errors.Is(err, train.ErrInterrupted) {
		t.Fatalf("stopped run: %v, want ErrInterrupted", err)
	}
	if n, err := train.CheckpointStep(dir); err != nil || n != 23 {
		t.Fatalf("checkpoint of step %d (%v), want 23", n, err)
	}
	index, err := os.ReadFile(filepath.Join(dir, train.ResumeFile))
	if err != nil {
		t.Fatal(err)
	}
	arrays, _ := filepath.Glob(filepath.Join(dir, "resume-*.npz"))
	if len(arrays) != 1 || filepath.Base(arrays[0]) != "resume-000000023.npz" {
		t.Fatalf("arrays files %v, want resume-000000023.npz", arrays)
	}
	good, err := os.ReadFile(arrays[0])
	if err != nil {
		t.Fatal(err)
	}
	got, gh, err := trainStopped(t, dir, 0, true)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Error("resumed parameters differ from the uninterrupted run's")
	}
	if !slices.Equal(gh.Log, wh.Log) || gh.Steps != wh.Steps {
		t.Errorf("resumed log %+v, want %+v", gh.Log, wh.Log)
	}

	// Bad checkpoints.
	for _, c := range []struct {
		name         string
		index, array []byte
		want         string
	}{
		{"format", []byte(strings.Replace(string(index), `"format": 1`, `"format": 9`, 1)), good, "format 9"},
		{"index", index[:len(index)/2], good, "damaged checkpoint"},
		{"arrays", index, good[:len(good)-40], "damaged checkpoint"},
		{"settings", []byte(strings.Replace(string(index), `"batch": 16`, `"batch": 17`, 1)), good, "another batch"},
	} {
		d := t.TempDir()
		os.WriteFile(filepath.Join(d, train.ResumeFile), c.index, 0o644)
		os.WriteFile(filepath.Join(d, filepath.Base(arrays[0])), c.array, 0o644)
		_, _, err := trainStopped(t, d, 0, true)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %v, want one line with %q", c.name, err, c.want)
		}
		if c.name != "settings" && train.CheckCheckpoint(d) == nil {
			t.Errorf("%s: CheckCheckpoint passes", c.name)
		}
	}
}

// stateOnly is a stepper whose steps cost nothing and whose state is n
// float32 parameters with an average and two optimiser moments, as a
// model of n parameters has: a loop over it saving every step times the
// saves alone.
type stateOnly struct{ p, avg, m, v []float32 }

func newStateOnly(n int) *stateOnly {
	return &stateOnly{make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)}
}

func (s *stateOnly) Step() float64      { return 1 }
func (s *stateOnly) Params() []float32  { return s.p }
func (s *stateOnly) Average() []float32 { return s.avg }
func (s *stateOnly) SaveState(st *train.State) {
	train.PutArray(st, "params", s.p)
	train.PutArray(st, "average", s.avg)
	train.PutArray(st, "m", s.m)
	train.PutArray(st, "v", s.v)
}
func (s *stateOnly) LoadState(st *train.State) error { return nil }

// BenchmarkCheckpointSave times one save of the training state of a model
// of about the two-body HNN's parameters (42k) and of the pixel
// pendulum's latent model (1.1M): its cost divided by the checkpoint
// interval (train.DefaultCheckpointInterval) is the overhead.
func BenchmarkCheckpointSave(b *testing.B) {
	for _, n := range []int{42_000, 1_100_000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			st, dir := newStateOnly(n), b.TempDir()
			c := train.Config{Steps: 1 << 30, LogEvery: 1 << 30,
				Checkpoint: &train.Checkpoint{Dir: dir, Every: train.Every{Steps: 1}}}
			stop := make(chan struct{})
			c.Checkpoint.Stop = stop
			k := 0
			b.ResetTimer()
			train.Loop[float32](st, c, nil, func(int, float64) {
				if k++; k > b.N {
					close(stop)
				}
			})
		})
	}
}
