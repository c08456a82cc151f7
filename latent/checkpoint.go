package latent

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/internal/atomicfile"
	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/nn"
)

// Checkpoint file names inside a checkpoint directory: the configuration
// and the autoencoder's arrays; the latent dynamics are a model checkpoint
// (model.Save) in the subdirectory DynamicsDir.
const (
	ConfigFile  = "latent.json"
	ArraysFile  = "latent.npz"
	DynamicsDir = "dynamics"
)

// named returns the autoencoder's parameter arrays by checkpoint name: the
// encoder's "enc.W0", "enc.b0", ..., "enc.Wout", "enc.bout" and the
// decoder's "dec.*" (weights as in x out matrices).
func (m *Model[T]) named() map[string]nn.ParamView[T] {
	out := map[string]nn.ParamView[T]{}
	for _, v := range m.Enc.ParamViews(m.Enc.Params) {
		out["enc."+v.Name] = v
	}
	for _, v := range m.Dec.ParamViews(m.Dec.Params) {
		out["dec."+v.Name] = v
	}
	return out
}

// Save writes m's configuration to dir/latent.json, its autoencoder's
// parameters to dir/latent.npz (float64 arrays) and its latent dynamics as
// a model checkpoint into dir/dynamics, all atomically.
func Save[T nn.Float](dir string, m *Model[T]) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("latent: %w", err)
	}
	arrays := map[string]data.Array{}
	for name, v := range m.named() {
		d := make([]float64, len(v.Data))
		for i, x := range v.Data {
			d[i] = float64(x)
		}
		arrays[name] = data.Array{Shape: v.Shape, Data: d}
	}
	if err := data.WriteNPZ(filepath.Join(dir, ArraysFile), arrays); err != nil {
		return fmt.Errorf("latent: %w", err)
	}
	if err := model.Save(filepath.Join(dir, DynamicsDir), m.Dyn); err != nil {
		return fmt.Errorf("latent: %w", err)
	}
	cfg, err := json.MarshalIndent(m.cfg, "", "  ")
	if err != nil {
		return fmt.Errorf("latent: %w", err)
	}
	return atomicfile.WriteFile(filepath.Join(dir, ConfigFile), append(cfg, '\n'), 0o644)
}

// Load reads a checkpoint written by Save. Every array must be present with
// the shape the configuration implies and hold finite values, and the
// dynamics checkpoint must describe the configuration's latent dynamics;
// errors name the file and the array. Loading never runs code.
func Load[T nn.Float](dir string) (*Model[T], error) {
	path := filepath.Join(dir, ConfigFile)
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("latent: %s: no checkpoint there (missing %s)", dir, ConfigFile)
		}
		return nil, fmt.Errorf("latent: %w", err)
	}
	var c Config
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("latent: %s: %w", path, err)
	}
	c = c.WithDefaults()
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	apath := filepath.Join(dir, ArraysFile)
	arrays, err := data.ReadNPZ(apath)
	if err != nil {
		return nil, fmt.Errorf("latent: %w", err)
	}
	m := FromParams[T](c, nil)
	for name, v := range m.named() {
		a, ok := arrays[name]
		if !ok {
			return nil, fmt.Errorf("latent: %s: missing array %q", apath, name)
		}
		if !slices.Equal(a.Shape, v.Shape) {
			return nil, fmt.Errorf("latent: %s: array %q has shape %v, want %v", apath, name, a.Shape, v.Shape)
		}
		for i, x := range a.Data {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, fmt.Errorf("latent: %s: array %q has a non-finite value at %d", apath, name, i)
			}
			v.Data[i] = T(x)
		}
	}
	ddir := filepath.Join(dir, DynamicsDir)
	dyn, err := model.Load[T](ddir)
	if err != nil {
		return nil, fmt.Errorf("latent: %w", err)
	}
	got, want := dyn.Config(), m.Dyn.Config()
	if got.Kind != want.Kind || got.Dim != want.Dim || got.Activation != want.Activation || !slices.Equal(got.Hidden, want.Hidden) {
		return nil, fmt.Errorf("latent: %s: dynamics checkpoint holds a %s model of dimension %d, hidden %v, %v; %s says %s, %d, %v, %v",
			ddir, got.Kind, got.Dim, got.Hidden, got.Activation, path, want.Kind, want.Dim, want.Hidden, want.Activation)
	}
	copy(m.Dyn.Params(), dyn.Params())
	return m, nil
}
