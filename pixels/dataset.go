package pixels

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/hnn-go/hnn/data"
)

// Config describes a pixel-pendulum dataset. Zero fields mean the
// reference's settings (experiment-pixels/data.py).
type Config struct {
	// Trials is the number of trials (200) and Frames the frames of each
	// (103: 100 samples after the reference's offsets).
	Trials int `json:"trials"`
	Frames int `json:"frames"`
	// TestTrials is the number of trials, at the start, that are test
	// (40, the reference's first 20% of the samples).
	TestTrials int `json:"test_trials"`
	// MaxAngle bounds the start's angle from hanging down (pi/6) and
	// MaxSpeed its angular velocity (1).
	MaxAngle float64 `json:"max_angle"`
	MaxSpeed float64 `json:"max_speed"`
	// Seed selects the starts: trial k draws from rand.NewPCG(Seed, k).
	Seed uint64 `json:"seed"`
}

// WithDefaults returns c with zero fields set to the reference's settings.
func (c Config) WithDefaults() Config {
	if c.Trials == 0 {
		c.Trials = 200
	}
	if c.Frames == 0 {
		c.Frames = 103
	}
	if c.TestTrials == 0 {
		c.TestTrials = 40
	}
	if c.MaxAngle == 0 {
		c.MaxAngle = math.Pi / 6
	}
	if c.MaxSpeed == 0 {
		c.MaxSpeed = 1
	}
	return c
}

// Validate returns an error naming the first invalid setting.
func (c Config) Validate() error {
	switch {
	case c.Frames < 4:
		return fmt.Errorf("pixels: %d frames per trial, want at least 4 (one sample needs frames t-1..t+2)", c.Frames)
	case c.TestTrials < 1 || c.TestTrials >= c.Trials:
		return fmt.Errorf("pixels: %d test trials of %d, want at least one of each split", c.TestTrials, c.Trials)
	case !(c.MaxAngle >= 0) || !(c.MaxSpeed >= 0):
		return fmt.Errorf("pixels: negative or NaN start bounds %v, %v", c.MaxAngle, c.MaxSpeed)
	}
	return nil
}

// Dataset holds the frames of every trial and their true states.
type Dataset struct {
	Config Config
	// Frames holds Trials*Frames preprocessed frames (FrameSize values
	// each), trial after trial.
	Frames []float32
	// States holds the true (angle, angular velocity) of every frame, the
	// angle in the environment's convention (0 upright).
	States []float64
}

// Samples returns the first frame of every sample of the test or training
// trials, as the reference's offsets leave them: in each trial the samples
// start at frames 1, ..., Frames-3 (100 of 103), so that sample i's input is
// frames (i, i+1) and its next input frames (i+1, i+2).
func (d *Dataset) Samples(test bool) []int { return d.Windows(test, 2, 1) }

// Windows returns the first frame of every sample of the test or training
// trials whose input is window consecutive frames and which needs ahead
// further inputs, each one frame later (the last ends at frame i+window-1+
// ahead): in each trial the samples start at frames 1, ..., Frames-window-
// ahead, as the reference's offsets do for two frames and one input ahead.
// It returns none if a trial is too short, and panics if window < 1 or
// ahead < 0.
func (d *Dataset) Windows(test bool, window, ahead int) []int {
	if window < 1 || ahead < 0 {
		panic("pixels: Windows of fewer than one frame")
	}
	c := d.Config
	lo, hi := c.TestTrials, c.Trials
	if test {
		lo, hi = 0, c.TestTrials
	}
	var out []int
	for k := lo; k < hi; k++ {
		for i := 1; i+window+ahead <= c.Frames; i++ {
			out = append(out, k*c.Frames+i)
		}
	}
	return out
}

// Generate renders the dataset of c: trial k starts at angle pi + phi
// (phi ~ U[-MaxAngle, MaxAngle], from hanging down) with angular velocity
// U[-MaxSpeed, MaxSpeed], both drawn from rand.NewPCG(Seed, k), and runs
// Frames-1 zero-torque steps; every state is rendered and preprocessed.
// Trials are rendered concurrently on GOMAXPROCS goroutines; the result
// depends on the seed alone. (The reference drew gym resets until the
// angle fell within pi/6 of hanging down, which gives the same uniform
// start distribution.)
func Generate(c Config) (*Dataset, error) {
	c = c.WithDefaults()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	d := &Dataset{Config: c, Frames: make([]float32, c.Trials*c.Frames*FrameSize), States: make([]float64, c.Trials*c.Frames*2)}
	var env Env
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), c.Trials) {
		wg.Go(func() {
			r := NewRenderer()
			p := NewPreprocessor()
			for {
				k := int(next.Add(1) - 1)
				if k >= c.Trials {
					return
				}
				rng := rand.New(rand.NewPCG(c.Seed, uint64(k)))
				th := math.Pi + c.MaxAngle*(2*rng.Float64()-1)
				thdot := c.MaxSpeed * (2*rng.Float64() - 1)
				for i := range c.Frames {
					j := k*c.Frames + i
					d.States[2*j], d.States[2*j+1] = th, thdot
					p.Preprocess(d.Frames[j*FrameSize:(j+1)*FrameSize], r.Render(th))
					th, thdot = env.Step(th, thdot)
				}
			}
		})
	}
	wg.Wait()
	return d, nil
}

// cacheVersion changes whenever the rendering or preprocessing changes, so
// that old caches are not reused.
const cacheVersion = 1

// CachePath returns the cache file of c in dir: pixels-HASH.npz, HASH a
// hash of the settings (defaults filled in) and the cache version.
func CachePath(dir string, c Config) string {
	b, _ := json.Marshal(struct {
		Config
		Version int
	}{c.WithDefaults(), cacheVersion})
	h := sha256.Sum256(b)
	return filepath.Join(dir, fmt.Sprintf("pixels-%x.npz", h[:8]))
}

// Load returns the dataset of c from its cache in dir if there is one, and
// otherwise generates it and writes the cache (atomically; an empty dir
// means no cache). generated reports whether it was rendered. A cache that
// cannot be read or has the wrong shapes is rebuilt.
func Load(dir string, c Config) (d *Dataset, generated bool, err error) {
	c = c.WithDefaults()
	if err := c.Validate(); err != nil {
		return nil, false, err
	}
	if dir != "" {
		if d, err := readCache(CachePath(dir, c), c); err == nil {
			return d, false, nil
		}
	}
	d, err = Generate(c)
	if err != nil {
		return nil, false, err
	}
	if dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, true, fmt.Errorf("pixels: cache: %w", err)
		}
		frames := make([]float64, len(d.Frames))
		for i, v := range d.Frames {
			frames[i] = float64(v)
		}
		n := c.Trials * c.Frames
		err := data.WriteNPZ(CachePath(dir, c), map[string]data.Array{
			"frames": {Shape: []int{n, FrameSize}, Data: frames, Float32: true},
			"states": {Shape: []int{n, 2}, Data: d.States},
		})
		if err != nil {
			return nil, true, fmt.Errorf("pixels: cache: %w", err)
		}
	}
	return d, true, nil
}

func readCache(path string, c Config) (*Dataset, error) {
	arrays, err := data.ReadNPZ(path)
	if err != nil {
		return nil, err
	}
	n := c.Trials * c.Frames
	f, s := arrays["frames"], arrays["states"]
	if len(f.Data) != n*FrameSize || len(s.Data) != 2*n {
		return nil, errors.New("pixels: cache has the wrong shape")
	}
	d := &Dataset{Config: c, Frames: make([]float32, len(f.Data)), States: s.Data}
	for i, v := range f.Data {
		d.Frames[i] = float32(v)
	}
	return d, nil
}
