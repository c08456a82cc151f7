package experiment

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/hnn-go/hnn/internal/buildinfo"
	"github.com/hnn-go/hnn/nn"
	"github.com/hnn-go/hnn/train"
)

// Options are the settings of a training run that change none of its
// numbers.
type Options struct {
	// Energy, if not nil, holds the true rollouts of the energy protocol
	// that the runs of the task share (see NewEnergyTruth).
	Energy *EnergyTruth
	// Progress, if not nil, is called after every step.
	Progress train.Progress
	// CheckpointEvery is how often a run with a directory saves its
	// training state there (see train.Checkpoint); the zero value is
	// train.DefaultCheckpointInterval.
	CheckpointEvery train.Every
	// Stop, when closed, ends the training at the next step boundary: its
	// state is saved and TrainWith returns an error wrapping
	// train.ErrInterrupted.
	Stop <-chan struct{}
	// Resume continues from the training state saved in the run's
	// directory, if it has one; otherwise a stale state there is removed
	// and the run starts from its first step.
	Resume bool
}

// Checkpoint returns the train.Checkpoint of a loop of a run in dir whose
// minibatches are drawn from rng, with extra (if not nil) saved beside
// the loop's state; nil if the run has neither a directory nor a stop
// signal. Kinds call it when they start their loop.
func (o Options) Checkpoint(dir string, rng *rand.PCG, extra train.Resumable) *train.Checkpoint {
	if dir == "" && o.Stop == nil {
		return nil
	}
	ck := &train.Checkpoint{Dir: dir, Every: o.CheckpointEvery, Stop: o.Stop, Resume: o.Resume, Extra: extra}
	if rng != nil {
		ck.RNG = rng
	}
	return ck
}

// TrainWith generates the data of s, trains the model and computes its
// metrics, as Train does, with the options o. With a directory the run
// writes config.json first, saves its training state there as it goes
// (resume.json and resume-STEP.npz, removed when the run is complete),
// and with o.Resume continues from a saved state. A run stopped through
// o.Stop returns an error wrapping train.ErrInterrupted and no run.
func TrainWith(s Spec, dir string, o Options) (*Run, error) {
	t, err := TaskOf(s)
	if err != nil {
		return nil, err
	}
	if dir != "" {
		resuming := o.Resume && train.HasCheckpoint(dir)
		if !resuming {
			if err := train.RemoveCheckpoint(dir); err != nil {
				return nil, err
			}
		}
		if _, err := os.Stat(filepath.Join(dir, SpecFile)); !resuming || err != nil {
			if err := writeSpec(dir, s); err != nil {
				return nil, err
			}
		}
	}
	return KindOf(s, t).Train(s, t, dir, o)
}

// RunStatus is what a directory holds of a run.
type RunStatus int

const (
	// NoRun: the directory holds no run of the spec (no config.json, or
	// one of another spec or build, or a damaged one).
	NoRun RunStatus = iota
	// Partial: the run of the spec was stopped; its training state can be
	// resumed.
	Partial
	// Complete: the run of the spec finished (metrics.json).
	Complete
)

// String returns "none", "partial" or "complete".
func (r RunStatus) String() string {
	return [...]string{"none", "partial", "complete"}[r]
}

// Status returns what dir holds of the run of s trained by this build:
// Complete if its config.json records s and a build that computes the
// same numbers as this one and it has metrics.json, Partial if it has a
// training state instead, else NoRun.
func Status(dir string, s Spec) RunStatus {
	saved, build, err := ReadSpec(dir)
	if err != nil || DiffSpec(saved, s) != "" || !SameBuild(build, buildinfo.Get(nn.BLAS)) {
		return NoRun
	}
	if _, err := os.Stat(filepath.Join(dir, MetricsFile)); err == nil {
		return Complete
	}
	if train.HasCheckpoint(dir) {
		if _, err := train.CheckpointStep(dir); err == nil {
			return Partial
		}
	}
	return NoRun
}

// ReadSpec reads the spec and build recorded in dir/config.json.
func ReadSpec(dir string) (Spec, buildinfo.Info, error) {
	// Spec's UnmarshalJSON would hide the build of a specFile.
	path := filepath.Join(dir, SpecFile)
	var s Spec
	var b struct {
		Build buildinfo.Info `json:"build"`
	}
	if err := ReadJSON(path, &s); err != nil {
		return Spec{}, buildinfo.Info{}, err
	}
	if err := ReadJSON(path, &b); err != nil {
		return Spec{}, buildinfo.Info{}, err
	}
	return s, b.Build, nil
}

// SameBuild reports whether builds a and b compute the same numbers: the
// same toolchain, module version and revision, build tags, architecture,
// linear-algebra backend and kernel level (the number of CPUs does not
// matter, the workers of a run are in its spec).
func SameBuild(a, b buildinfo.Info) bool {
	a.NumCPU, a.GOMAXPROCS, a.VCSTime = 0, 0, ""
	b.NumCPU, b.GOMAXPROCS, b.VCSTime = 0, 0, ""
	return a == b
}

// DiffSpec returns the JSON path of the first setting, in the order
// config.json lists them, in which a and b differ ("train.steps",
// "model.hidden"), or "" if they are equal.
func DiffSpec(a, b Spec) string {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	if err := errors.Join(err1, err2); err != nil {
		return "config"
	}
	d := diffJSON("", ja, jb)
	if d == "." {
		return "config"
	}
	return d
}

// diffJSON returns the path of the first difference of two JSON values
// under path, "" if none: objects member by member in a's order, then
// b's other members; other values by their bytes.
func diffJSON(path string, a, b json.RawMessage) string {
	ka, ma, okA := members(a)
	kb, mb, okB := members(b)
	if !okA || !okB {
		if bytes.Equal(a, b) {
			return ""
		}
		if path == "" {
			return "."
		}
		return path
	}
	for _, k := range kb {
		if _, ok := ma[k]; !ok {
			ka = append(ka, k)
		}
	}
	for _, k := range ka {
		p := k
		if path != "" {
			p = path + "." + k
		}
		if d := diffJSON(p, ma[k], mb[k]); d != "" {
			return d
		}
	}
	return ""
}

// members returns the keys of the JSON object b in order and its
// members, or false if b is not an object.
func members(b json.RawMessage) ([]string, map[string]json.RawMessage, bool) {
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, nil, false
	}
	var keys []string
	m := map[string]json.RawMessage{}
	for dec.More() {
		t, err := dec.Token()
		k, ok := t.(string)
		if err != nil || !ok {
			return nil, nil, false
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, nil, false
		}
		keys, m[k] = append(keys, k), v
	}
	return keys, m, true
}

// CheckResumable returns an error, one line naming the file, if dir does
// not hold a run that can be resumed: no config.json (not a run), or a
// training state that cannot be read. It reads and changes nothing else.
func CheckResumable(dir string) (Spec, error) {
	if _, err := os.Stat(filepath.Join(dir, SpecFile)); err != nil {
		return Spec{}, fmt.Errorf("experiment: %s is not a run directory (no %s)", dir, SpecFile)
	}
	s, _, err := ReadSpec(dir)
	if err != nil {
		return Spec{}, err
	}
	if _, err := os.Stat(filepath.Join(dir, MetricsFile)); err == nil {
		return s, ErrFinished
	}
	if err := train.CheckCheckpoint(dir); err != nil {
		return Spec{}, err
	}
	return s, nil
}

// ErrFinished is returned by CheckResumable for a run that is complete.
var ErrFinished = errors.New("the run is complete")
