package task

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/internal/check"
	"github.com/hnn-go/hnn/train"
	"github.com/hnn-go/hnn/trajectory"
)

// Segment is a stretch of measured trajectory that models are rolled out
// over: times T (strictly increasing) and states X (len(T) x D). Rollouts
// start at X's first row and are compared with the rest.
type Segment struct {
	T, X []float64
}

// DataSource describes a task made from a trajectory file (hnn train
// -data FILE): the file, the fraction of each trial's rows (at its end)
// held out for testing, and the finite-difference method for derivatives
// the file does not have.
type DataSource struct {
	// Path is the trajectory file (.txt or .dat in the Schmidt & Lipson
	// format, .csv or .npz; see package trajectory).
	Path string `json:"path"`
	// TestFraction is the fraction of each trial, at its end, used for
	// testing; zero means trajectory.DefaultTestFraction (0.2).
	TestFraction float64 `json:"test_fraction"`
	// Derivatives is "central" (default) or "forward"; see
	// trajectory.Set.WithDerivatives. Derivatives in the file are used as
	// they are.
	Derivatives string `json:"derivatives,omitempty"`
	// Raw, if set, trains in the file's units. By default states and
	// times are standardised first, by a change of units that keeps the
	// canonical structure (data.FitScale), and the model is reported back
	// in the file's units.
	Raw bool `json:"raw,omitempty"`
}

// Validate returns a *check.FieldError naming the first field of src out
// of range (it does not read the file).
func (src DataSource) Validate() error {
	if f := src.TestFraction; !(f >= 0 && f < 1) {
		return &check.FieldError{Field: "test_fraction", Value: f, Want: "a fraction in (0, 1), or 0 for 0.2"}
	}
	switch src.Derivatives {
	case "", "central", "forward":
	default:
		return &check.FieldError{Field: "derivatives", Value: check.Quote(src.Derivatives), Want: "central or forward"}
	}
	return nil
}

// FileTaskName is the task name recorded for runs on a data file.
const FileTaskName = "data"

// FromFile returns a task that trains on the trajectories of a file: each
// trial's rows are split chronologically (the last TestFraction of each
// trial is test), derivatives are taken from the file or estimated by
// finite differences within each trial, and the test part of every trial is
// a Segment that models are rolled out over. The file is read and checked
// here, so a bad file fails at once with a one-line error naming the file
// and what is wrong; a bad src field fails first with src.Validate's
// error.
//
// Its training settings follow the reference's real-pendulum run: Adam
// 1e-3, 2000 steps, weight decay 1e-5, full batch up to 5000 training rows
// and minibatches of 1000 beyond; quick: 400 steps. Measured data have no
// known energy, so there is no energy MSE, only the derivative losses and
// the rollout MSE along the test segments.
func FromFile(src DataSource) (*Task, error) {
	if src.Path == "" {
		return nil, errors.New("task: no data file given")
	}
	if err := src.Validate(); err != nil {
		return nil, err
	}
	trainSet, testSet, err := readSplit(src)
	if err != nil {
		return nil, err
	}
	rows := trainSet.Len()
	batch := 0
	if rows > 5000 {
		batch = 1000
	}
	segments := segmentsOf(testSet)
	return &Task{
		Name:   FileTaskName,
		Kind:   KindMeasured,
		Title:  filepath.Base(src.Path),
		Dim:    trainSet.Dim,
		Layout: trainSet.Layout,
		// The file was read and checked above; its rows do not depend on
		// the seed.
		Generate: func(*rand.Rand) (*data.Dataset, error) {
			return &data.Dataset{Train: trainSet.Rows(), Test: testSet.Rows()}, nil
		},
		Segments:    func() ([]Segment, error) { return segments, nil },
		TrainRows:   rows,
		Train:       train.Config{Steps: 2000, LR: 1e-3, WeightDecay: 1e-5, Batch: batch, LogEvery: 100},
		QuickTrain:  train.Config{Steps: 400, LR: 1e-3, WeightDecay: 1e-5, Batch: batch, LogEvery: 50},
		Bounds:      boundsOf(trainSet, testSet),
		Source:      &src,
		Standardise: !src.Raw,
	}, nil
}

// readSplit reads src's file, fills in derivatives and splits it.
func readSplit(src DataSource) (trainSet, testSet *trajectory.Set, err error) {
	s, err := trajectory.ReadFile(src.Path)
	if err != nil {
		return nil, nil, err
	}
	method := src.Derivatives
	if method == "" {
		method = "central"
	}
	if s, err = s.WithDerivatives(method); err != nil {
		return nil, nil, err
	}
	frac := src.TestFraction
	if frac == 0 {
		frac = trajectory.DefaultTestFraction
	}
	return s.Split(frac)
}

// segmentsOf returns every trial of s as a Segment.
func segmentsOf(s *trajectory.Set) []Segment {
	out := make([]Segment, len(s.Trials))
	for i, tr := range s.Trials {
		out[i] = Segment{T: tr.T, X: tr.X}
	}
	return out
}

// boundsOf returns the ranges of the first position and its velocity or
// momentum over both parts, padded by 10%, for phase-space figures.
func boundsOf(sets ...*trajectory.Set) [4]float64 {
	b := [4]float64{math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)}
	for _, s := range sets {
		n := s.Dim / 2
		if s.Layout.Positions > 0 {
			n = s.Layout.Positions // positions, then velocities or momenta, then inputs
		}
		for _, tr := range s.Trials {
			for i := 0; i < len(tr.X); i += s.Dim {
				q, p := tr.X[i], tr.X[i+n]
				b[0], b[1] = min(b[0], q), max(b[1], q)
				b[2], b[3] = min(b[2], p), max(b[3], p)
			}
		}
	}
	for k := 0; k < 4; k += 2 {
		pad := 0.1 * (b[k+1] - b[k])
		if pad == 0 {
			pad = 1
		}
		b[k], b[k+1] = b[k]-pad, b[k+1]+pad
	}
	return b
}

// LipsonEnv is the environment variable that names the directory holding
// the Schmidt & Lipson files (real_pend_h_1.txt).
const LipsonEnv = "HNN_LIPSON_DIR"

// LipsonDir returns the directory of the Schmidt & Lipson data files: the
// value of $HNN_LIPSON_DIR if set, else the first directory
// shared/data/lipson found beside the working directory or one of its
// parents (for a checkout at /work/main, /work/shared/data/lipson). It
// returns an error saying where to put the files if there is none.
func LipsonDir() (string, error) {
	if d := os.Getenv(LipsonEnv); d != "" {
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			return "", fmt.Errorf("task: $%s = %s is not a directory", LipsonEnv, check.Quote(d))
		}
		return d, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("task: %w", err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		cand := filepath.Join(dir, "shared", "data", "lipson")
		if st, err := os.Stat(cand); err == nil && st.IsDir() {
			return cand, nil
		}
		if filepath.Dir(dir) == dir {
			break
		}
	}
	return "", fmt.Errorf("task: the Schmidt & Lipson data directory was not found: put real_pend_h_1.txt in ../shared/data/lipson beside the checkout, or set $%s (or -lipson DIR)", LipsonEnv)
}
