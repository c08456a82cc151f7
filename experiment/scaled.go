package experiment

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/fit"
	"github.com/hnn-go/hnn/internal/atomicfile"
	"github.com/hnn-go/hnn/metrics"
	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/nn"
	"github.com/hnn-go/hnn/ode"
)

// ScaleFile holds, in the checkpoint of a model trained on standardised
// data, the data.Scale from the data's units to the model's (see
// WrapScaled).
const ScaleFile = "scale.json"

// scaled is a model trained in the scaled units of sc, seen in the data's
// units: its field takes states in the data's units and returns their
// derivatives in the data's units, its energy (and dissipation) is the
// learned one divided by sc.Energy(), so every metric, rollout and figure
// is in the data's units.
type scaled[T nn.Float] struct {
	trained[T]
	sc data.Scale
}

// WrapScaled returns m, trained on data scaled by sc, as a Trained in the
// data's units. It panics if sc does not have m's dimension.
func WrapScaled[T nn.Float](m model.Model[T], sc data.Scale) Trained {
	if err := sc.Validate(m.Config().Dim); err != nil {
		panic("experiment: " + err.Error())
	}
	return scaled[T]{trained[T]{m}, sc}
}

func (s scaled[T]) FieldFunc() func() ode.Func {
	inner := s.trained.FieldFunc()
	d := s.m.Config().Dim
	return func() ode.Func {
		f, y := inner(), make([]float64, d)
		return func(dst []float64, t float64, x []float64) {
			s.sc.State(y, x)
			f(dst, t/s.sc.Time, y)
			s.sc.Unrate(dst, dst)
		}
	}
}

func (s scaled[T]) BatchFieldFunc(rows int) ode.BatchFunc {
	inner := s.trained.BatchFieldFunc(rows)
	d := s.m.Config().Dim
	y, ty := make([]float64, rows*d), make([]float64, rows)
	return func(dst, t, x []float64) {
		for r := range rows {
			s.sc.State(y[r*d:(r+1)*d], x[r*d:(r+1)*d])
			ty[r] = t[r] / s.sc.Time
		}
		inner(dst, ty, y)
		for r := range rows {
			s.sc.Unrate(dst[r*d:(r+1)*d], dst[r*d:(r+1)*d])
		}
	}
}

// scalarOf returns f of the scaled state divided by the energy factor, or
// nil if f is nil.
func (s scaled[T]) scalarOf(f func([]float64) float64) func([]float64) float64 {
	if f == nil {
		return nil
	}
	y, e := make([]float64, s.m.Config().Dim), s.sc.Energy()
	return func(x []float64) float64 {
		s.sc.State(y, x)
		return f(y) / e
	}
}

func (s scaled[T]) Energy() func([]float64) float64 { return s.scalarOf(s.trained.Energy()) }

func (s scaled[T]) Dissipation() func([]float64) float64 {
	return s.scalarOf(s.trained.Dissipation())
}

func (s scaled[T]) Parts() func(cons, diss, x []float64) {
	p := s.trained.Parts()
	if p == nil {
		return nil
	}
	y := make([]float64, s.m.Config().Dim)
	return func(cons, diss, x []float64) {
		s.sc.State(y, x)
		p(cons, diss, y)
		s.sc.Unrate(cons, cons)
		s.sc.Unrate(diss, diss)
	}
}

func (s scaled[T]) RowErrors(set *data.Set) []float64 {
	return metrics.RowErrors(func(rows int) metrics.Fielder[T] {
		return &scaledFielder[T]{ws: s.m.NewWorkspace(rows, false), sc: s.sc, x: make([]T, rows*set.Dim)}
	}, set)
}

func (s scaled[T]) Save(dir string) error {
	if err := model.Save(dir, s.m); err != nil {
		return err
	}
	b, err := json.MarshalIndent(s.sc, "", "  ")
	if err != nil {
		return fmt.Errorf("experiment: %w", err)
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, ScaleFile), append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("experiment: %w", err)
	}
	return nil
}

// scaledFielder evaluates a workspace's field in the data's units.
type scaledFielder[T nn.Float] struct {
	ws model.Workspace[T]
	sc data.Scale
	x  []T
}

func (f *scaledFielder[T]) Field(dst, x []T) {
	d := len(f.sc.Factor)
	for i, v := range x {
		j := i % d
		f.x[i] = T(f.sc.Factor[j] * (float64(v) - f.sc.Mean[j]))
	}
	f.ws.Field(dst, f.x)
	for i, v := range dst {
		dst[i] = T(float64(v) / (f.sc.Time * f.sc.Factor[i%d]))
	}
}

// readScale returns the scale saved in the checkpoint dir, or nil if it
// has none (a model trained in the data's units).
func readScale(dir string, dim int) (*data.Scale, error) {
	path := filepath.Join(dir, ScaleFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("experiment: %w", err)
	}
	var sc data.Scale
	if err := json.Unmarshal(b, &sc); err != nil {
		return nil, fmt.Errorf("experiment: %s: %w", path, err)
	}
	if err := sc.Validate(dim); err != nil {
		return nil, fmt.Errorf("experiment: %s: %w", path, err)
	}
	return &sc, nil
}

func (s scaled[T]) FitStart(c fit.Config, ts, x []float64) []float64 {
	d := len(s.sc.Factor)
	st, sx := make([]float64, len(ts)), make([]float64, len(x))
	for i, v := range ts {
		st[i] = v / s.sc.Time
	}
	for i := 0; i < len(x); i += d {
		s.sc.State(sx[i:i+d], x[i:i+d])
	}
	x0 := s.trained.FitStart(c, st, sx)
	s.sc.Unstate(x0, x0)
	return x0
}
