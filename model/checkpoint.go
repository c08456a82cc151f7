package model

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
	"github.com/hnn-go/hnn/nn"
)

// Checkpoint file names inside a checkpoint directory.
const (
	ConfigFile = "model.json"
	ArraysFile = "model.npz"
)

// Save writes m's configuration to dir/model.json and its parameters to
// dir/model.npz, both atomically. Every network's layers are stored as
// NAME.W0, NAME.b0, ..., NAME.Wout (weights as in x out matrices), in
// float64.
func Save[T nn.Float](dir string, m Model[T]) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("model: %w", err)
	}
	cfg, err := json.MarshalIndent(m.Config(), "", "  ")
	if err != nil {
		return fmt.Errorf("model: %w", err)
	}
	arrays := make(map[string]data.Array)
	for _, n := range m.Networks() {
		w, b := n.MLP.Views(n.MLP.Params)
		s := n.MLP.Sizes
		for k := range w {
			arrays[weightName(n.Name, k, len(w))] = toArray([]int{s[k], s[k+1]}, w[k])
			if k < len(b) {
				arrays[fmt.Sprintf("%s.b%d", n.Name, k)] = toArray([]int{s[k+1]}, b[k])
			}
		}
	}
	if err := data.WriteNPZ(filepath.Join(dir, ArraysFile), arrays); err != nil {
		return fmt.Errorf("model: %w", err)
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, ConfigFile), append(cfg, '\n'), 0o644); err != nil {
		return fmt.Errorf("model: %w", err)
	}
	return nil
}

func weightName(net string, k, n int) string {
	if k == n-1 {
		return net + ".Wout"
	}
	return fmt.Sprintf("%s.W%d", net, k)
}

func toArray[T nn.Float](shape []int, v []T) data.Array {
	d := make([]float64, len(v))
	for i, x := range v {
		d[i] = float64(x)
	}
	return data.Array{Shape: shape, Data: d}
}

// ReadConfig reads and validates dir/model.json.
func ReadConfig(dir string) (Config, error) {
	path := filepath.Join(dir, ConfigFile)
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return Config{}, fmt.Errorf("model: %s: no checkpoint there (missing %s)", dir, ConfigFile)
		}
		return Config{}, fmt.Errorf("model: %w", err)
	}
	var c Config
	if err := json.Unmarshal(b, &c); err != nil {
		return Config{}, fmt.Errorf("model: %s: %w", path, err)
	}
	c = c.WithDefaults()
	if err := c.Validate(); err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// Load reads a checkpoint written by Save into a model with element type T.
// Every array must be present with the shape the configuration implies and
// hold finite values; errors name the file and the array.
func Load[T nn.Float](dir string) (Model[T], error) {
	c, err := ReadConfig(dir)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, ArraysFile)
	arrays, err := data.ReadNPZ(path)
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	m := build(c, make([]T, numParams(c)))
	for _, n := range m.Networks() {
		w, b := n.MLP.Views(n.MLP.Params)
		s := n.MLP.Sizes
		fill := func(name string, shape []int, dst []T) error {
			a, ok := arrays[name]
			if !ok {
				return fmt.Errorf("model: %s: missing array %q", path, name)
			}
			if !slices.Equal(a.Shape, shape) {
				return fmt.Errorf("model: %s: array %q has shape %v, want %v", path, name, a.Shape, shape)
			}
			for i, v := range a.Data {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return fmt.Errorf("model: %s: array %q has non-finite value at %d", path, name, i)
				}
				dst[i] = T(v)
			}
			return nil
		}
		for k := range w {
			if err := fill(weightName(n.Name, k, len(w)), []int{s[k], s[k+1]}, w[k]); err != nil {
				return nil, err
			}
			if k < len(b) {
				if err := fill(fmt.Sprintf("%s.b%d", n.Name, k), []int{s[k+1]}, b[k]); err != nil {
					return nil, err
				}
			}
		}
	}
	return m, nil
}
