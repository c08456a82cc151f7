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
// NAME.W0, NAME.b0, ..., NAME.Wout (weights as in x out matrices) and every
// plain array of the kind's parts as NAME, in float64.
func Save[T nn.Float](dir string, m Model[T]) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("model: %w", err)
	}
	cfg, err := json.MarshalIndent(m.Config(), "", "  ")
	if err != nil {
		return fmt.Errorf("model: %w", err)
	}
	arrays := make(map[string]data.Array)
	for _, v := range arraysOf(m.Config(), m.Params()) {
		d := make([]float64, len(v.Data))
		for i, x := range v.Data {
			d[i] = float64(x)
		}
		arrays[v.Name] = data.Array{Shape: v.Shape, Data: d}
	}
	if err := data.WriteNPZ(filepath.Join(dir, ArraysFile), arrays); err != nil {
		return fmt.Errorf("model: %w", err)
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, ConfigFile), append(cfg, '\n'), 0o644); err != nil {
		return fmt.Errorf("model: %w", err)
	}
	return nil
}

// arraysOf returns the checkpoint arrays of the parameters params of the
// model c describes, aliasing params, in the order of its kind's parts.
func arraysOf[T nn.Float](c Config, params []T) []nn.ParamView[T] {
	var out []nn.ParamView[T]
	rest := params
	for _, part := range MustLookup(c.Kind).Parts(c) {
		n := part.Len()
		piece := rest[:n:n]
		rest = rest[n:]
		if part.Sizes == nil {
			out = append(out, nn.ParamView[T]{Name: part.Name, Shape: part.Shape, Data: piece})
			continue
		}
		s := part.Sizes
		w, b := nn.FromParams(s, c.Activation, piece).Views(piece)
		for k := range w {
			out = append(out, nn.ParamView[T]{Name: weightName(part.Name, k, len(w)), Shape: []int{s[k], s[k+1]}, Data: w[k]})
			if k < len(b) {
				out = append(out, nn.ParamView[T]{Name: fmt.Sprintf("%s.b%d", part.Name, k), Shape: []int{s[k+1]}, Data: b[k]})
			}
		}
	}
	return out
}

func weightName(net string, k, n int) string {
	if k == n-1 {
		return net + ".Wout"
	}
	return fmt.Sprintf("%s.W%d", net, k)
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
	k := MustLookup(c.Kind)
	params := make([]T, k.numParams(c))
	for _, v := range arraysOf(c, params) {
		a, ok := arrays[v.Name]
		if !ok {
			return nil, fmt.Errorf("model: %s: missing array %q", path, v.Name)
		}
		if !slices.Equal(a.Shape, v.Shape) {
			return nil, fmt.Errorf("model: %s: array %q has shape %v, want %v", path, v.Name, a.Shape, v.Shape)
		}
		for i, x := range a.Data {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, fmt.Errorf("model: %s: array %q has non-finite value at %d", path, v.Name, i)
			}
			v.Data[i] = T(x)
		}
	}
	return build(k, c, params), nil
}
