package metrics

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
)

// A Metric declares one number that runs report: its key in metrics.json
// and results.json, how the seeds of a model combine it, how it is
// formatted, and the report section and column it appears in. The run
// evaluation that computes it stores it with Values.Set (see Register for
// the list of metrics and where each is computed).
type Metric struct {
	// Key is the metric's JSON key in metrics.json, evaluation.json and
	// results.json (per model and per seed), such as "test_loss".
	Key string
	// Column is the heading of its column in the report and the terminal
	// tables, such as "test loss".
	Column string
	// Section is the report section its column is in.
	Section *Section
	// Scalar marks a metric a run records as a plain number in
	// metrics.json (the mean alone) rather than a Summary.
	Scalar bool
	// SamplesKey, if not empty, is the key under which a run's
	// metrics.json keeps the values its summary is of (one per start, say),
	// which Aggregate pools over seeds.
	SamplesKey string
	// RowsArray, if not empty, names the array of a run's rows.npz that
	// keeps the values its summary is of (one per data row), which
	// Aggregate pools over seeds. At most one of SamplesKey and RowsArray
	// is set.
	RowsArray string
	// Aggregate combines the seeds of one model on one task.
	Aggregate func(Seeds) Summary
	// Verb is the fmt verb of the value and of its error bar in the
	// report and the tables ("%.4f"); empty means Summary.String's.
	Verb string
	// Median, if not empty, is the heading of a further report column
	// with the median of the values.
	Median string
}

// A Section is a part of the report: a table with one row per task and
// model that has any of its metrics, and one column per metric.
type Section struct {
	// Title is the section's heading; the main table, the first of the
	// report, has none.
	Title string
	// Text explains the section's numbers; it precedes the table.
	Text string
}

// Seeds is what Aggregate combines: one model's runs on one task.
type Seeds struct {
	// Runs are the seeds' own values of the metric, in seed order.
	Runs []Summary
	// Samples are the values behind them (see Metric.SamplesKey and
	// Metric.RowsArray), all seeds' pooled in seed order; nil for a metric
	// without samples.
	Samples []float64
	// Chunks is the number of chunks of the error bar of the task's
	// energy protocol.
	Chunks int
	// KeepOwn is set when a single seed keeps its own error bars, which
	// are then over time along its rollouts (runs on measured test
	// segments).
	KeepOwn bool
}

// own returns the single seed's own value when s keeps it.
func (s Seeds) own() (Summary, bool) {
	if s.KeepOwn && len(s.Runs) == 1 {
		return s.Runs[0], true
	}
	return Summary{}, false
}

// Pooled combines seeds by the mean ± std/sqrt(n) of all their samples
// pooled (the losses: the rows of all seeds).
func Pooled(s Seeds) Summary { return MeanSEM(s.Samples) }

// PooledChunks combines seeds by the mean of all their samples pooled ±
// the paper's chunked error bar (ChunkSEM) with the protocol's chunks, at
// least 5; a single seed that keeps its own error bars keeps its value.
func PooledChunks(s Seeds) Summary {
	if v, ok := s.own(); ok {
		return v
	}
	return ChunkSEM(s.Samples, max(s.Chunks, 5))
}

// SeedMeans combines seeds by the mean of each seed's mean ±
// std/sqrt(seeds); a single seed that keeps its own error bars keeps its
// value.
func SeedMeans(s Seeds) Summary {
	if v, ok := s.own(); ok {
		return v
	}
	means := make([]float64, len(s.Runs))
	for i, r := range s.Runs {
		means[i] = r.Mean
	}
	return MeanSEM(means)
}

var registry []*Metric

// Register adds m to the metrics that runs report, after those registered
// before it (the order of the columns and sections), and returns it. It
// panics if the key is empty or taken, if m has no Column, Section or
// Aggregate, or if both SamplesKey and RowsArray are set; call it from a
// package-level variable declaration.
func Register(m Metric) *Metric {
	switch {
	case m.Key == "" || m.Column == "" || m.Section == nil || m.Aggregate == nil:
		panic("metrics: Register: key, column, section and aggregate are required")
	case m.SamplesKey != "" && m.RowsArray != "":
		panic("metrics: Register: " + m.Key + " has both samples in JSON and rows")
	case Lookup(m.Key) != nil:
		panic("metrics: Register: " + m.Key + " registered twice")
	}
	p := &m
	registry = append(registry, p)
	return p
}

// All returns the registered metrics in their order.
func All() []*Metric { return slices.Clone(registry) }

// Lookup returns the metric with the given key, or nil.
func Lookup(key string) *Metric {
	for _, m := range registry {
		if m.Key == key {
			return m
		}
	}
	return nil
}

// Sections returns the sections of the registered metrics in the order of
// their first metric, each with its metrics.
func Sections() []*Section {
	var out []*Section
	for _, m := range registry {
		if !slices.Contains(out, m.Section) {
			out = append(out, m.Section)
		}
	}
	return out
}

// In returns the registered metrics of section sec, in their order.
func In(sec *Section) []*Metric {
	var out []*Metric
	for _, m := range registry {
		if m.Section == sec {
			out = append(out, m)
		}
	}
	return out
}

// Text formats v for a table: Summary.Text with m's Verb; a Scalar metric
// of a single run (level Run) is its mean alone.
func (m *Metric) Text(v Summary, level Level) string {
	if level == Run && m.Scalar {
		return fmt.Sprintf("%.3g", v.Mean)
	}
	return v.Text(m.Verb, true)
}

// SeedsText formats v, the value of m combined over seeds seeds of one
// model (level Model), for a table: as Text, except that a single seed's
// value whose standard error is exactly 0 is its mean alone. That is the
// error bar of a metric whose seeds are combined by their means
// (SeedMeans): one seed has no spread, and "± 0.0e+00" would claim one.
// A single seed's error bar over its own samples (Pooled, PooledChunks,
// a seed that keeps its own) is not 0 and stays.
func (m *Metric) SeedsText(v Summary, seeds int) string {
	if seeds == 1 && v.SEM == 0 {
		return v.Text(m.Verb, false)
	}
	return m.Text(v, Model)
}

// Values holds metrics by key: a run's, a seed's or a model's.
type Values map[string]Summary

// Get returns the value of m, and whether there is one.
func (v Values) Get(m *Metric) (Summary, bool) {
	s, ok := v[m.Key]
	return s, ok
}

// Set sets the value of m, allocating the map if needed.
func (v *Values) Set(m *Metric, s Summary) {
	if *v == nil {
		*v = Values{}
	}
	(*v)[m.Key] = s
}

// Samples holds, by metric key, the values behind a run's metrics (see
// Metric.SamplesKey and Metric.RowsArray).
type Samples map[string][]float64

// Level says whose metrics a JSON object holds, which decides how each is
// written.
type Level int

const (
	// Run is a run's metrics.json: each metric a Summary (its mean alone
	// for a Scalar metric), followed by its samples under SamplesKey.
	Run Level = iota
	// Seed is one seed's entry in results.json: each metric's mean alone.
	Seed
	// Model is a model's aggregate in results.json: each metric a
	// Summary.
	Model
)

// MarshalObject returns the JSON object of the registered metrics in v
// (and, at level Run, the samples in JSON of s) followed by the members of
// rest, the JSON object of the other fields. Keys follow the registry's
// order. It returns an error if a value cannot be encoded (NaN), and
// panics if rest is not a JSON object.
func MarshalObject(level Level, v Values, s Samples, rest []byte) ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	add := func(key string, val any) error {
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(key)
		b.Write(k)
		b.WriteByte(':')
		j, err := json.Marshal(val)
		if err != nil {
			return fmt.Errorf("metrics: %s: %w", key, err)
		}
		b.Write(j)
		return nil
	}
	for _, m := range registry {
		if val, ok := v[m.Key]; ok {
			var err error
			if level == Seed || (level == Run && m.Scalar) {
				err = add(m.Key, val.Mean)
			} else {
				err = add(m.Key, val)
			}
			if err != nil {
				return nil, err
			}
		}
		if level == Run && m.SamplesKey != "" && s[m.Key] != nil {
			if err := add(m.SamplesKey, s[m.Key]); err != nil {
				return nil, err
			}
		}
	}
	rest = bytes.TrimSpace(rest)
	if len(rest) < 2 || rest[0] != '{' || rest[len(rest)-1] != '}' {
		panic("metrics: MarshalObject: rest is not a JSON object")
	}
	if inner := bytes.TrimSpace(rest[1 : len(rest)-1]); len(inner) > 0 {
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		b.Write(inner)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalObject reads the registered metrics (and, at level Run, their
// samples in JSON) from the JSON object b, written by MarshalObject at the
// same level; other members are left to the caller. It returns nil maps
// where there are none.
func UnmarshalObject(b []byte, level Level) (Values, Samples, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, nil, fmt.Errorf("metrics: %w", err)
	}
	var v Values
	var s Samples
	for _, m := range registry {
		if r, ok := raw[m.Key]; ok && string(r) != "null" {
			var val Summary
			var err error
			if level == Seed || (level == Run && m.Scalar) {
				err = json.Unmarshal(r, &val.Mean)
			} else {
				err = json.Unmarshal(r, &val)
			}
			if err != nil {
				return nil, nil, fmt.Errorf("metrics: %s: %w", m.Key, err)
			}
			v.Set(m, val)
		}
		if level != Run || m.SamplesKey == "" {
			continue
		}
		if r, ok := raw[m.SamplesKey]; ok && string(r) != "null" {
			var val []float64
			if err := json.Unmarshal(r, &val); err != nil {
				return nil, nil, fmt.Errorf("metrics: %s: %w", m.SamplesKey, err)
			}
			if s == nil {
				s = Samples{}
			}
			s[m.Key] = val
		}
	}
	return v, s, nil
}

// Mean returns the mean of m's value, or NaN if there is none.
func (v Values) Mean(m *Metric) float64 {
	if s, ok := v[m.Key]; ok {
		return s.Mean
	}
	return math.NaN()
}
