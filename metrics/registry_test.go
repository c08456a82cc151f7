package metrics

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
)

// TestAggregates checks each way of combining seeds against hand
// computations.
func TestAggregates(t *testing.T) {
	t.Parallel()
	own := Summary{Mean: 7, SEM: 0.5, Median: 6}
	for _, c := range []struct {
		name string
		agg  func(Seeds) Summary
		s    Seeds
		want ms
	}{
		// Rows 1, 2, 3, 4 pooled from two seeds: mean 2.5, population
		// variance 1.25, SEM sqrt(1.25)/2.
		{"pooled", Pooled, Seeds{Runs: []Summary{{Mean: 1.5}, {Mean: 3.5}}, Samples: []float64{1, 2, 3, 4}}, ms{2.5, math.Sqrt(1.25) / 2}},
		// Ten starts 1..10 in 5 chunks: chunk means 1.5, 3.5, 5.5, 7.5,
		// 9.5 (variance 8), SEM sqrt(8)/sqrt(5); the mean is 5.5.
		{"chunks", PooledChunks, Seeds{Runs: []Summary{{}, {}}, Samples: []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, Chunks: 5}, ms{5.5, math.Sqrt(8) / math.Sqrt(5)}},
		// Fewer chunks than 5 in the protocol still take 5.
		{"chunks at least 5", PooledChunks, Seeds{Runs: []Summary{{}}, Samples: []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, Chunks: 2}, ms{5.5, math.Sqrt(8) / math.Sqrt(5)}},
		// Seed means 1 and 3: mean 2, SEM 1/sqrt(2).
		{"seed means", SeedMeans, Seeds{Runs: []Summary{{Mean: 1, SEM: 9}, {Mean: 3, SEM: 9}}}, ms{2, 1 / math.Sqrt2}},
		// One seed's mean alone has no spread.
		{"one seed", SeedMeans, Seeds{Runs: []Summary{own}}, ms{7, 0}},
		// A single seed that keeps its own error bars keeps them.
		{"own seed means", SeedMeans, Seeds{Runs: []Summary{own}, KeepOwn: true}, ms{7, 0.5}},
		{"own chunks", PooledChunks, Seeds{Runs: []Summary{own}, Samples: []float64{7}, KeepOwn: true}, ms{7, 0.5}},
		// Two seeds that keep their error bars are combined as usual.
		{"two own seeds", SeedMeans, Seeds{Runs: []Summary{{Mean: 1}, {Mean: 3}}, KeepOwn: true}, ms{2, 1 / math.Sqrt2}},
	} {
		got := c.agg(c.s)
		if !near(got.Mean, c.want.Mean) || !near(got.SEM, c.want.SEM) {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

// TestRegistry checks that every registered metric is complete and found
// by its key and section.
func TestRegistry(t *testing.T) {
	t.Parallel()
	keys := map[string]bool{}
	for _, m := range All() {
		if keys[m.Key] {
			t.Errorf("%s registered twice", m.Key)
		}
		keys[m.Key] = true
		if Lookup(m.Key) != m {
			t.Errorf("Lookup(%q) does not find it", m.Key)
		}
		found := false
		for _, sec := range Sections() {
			for _, x := range In(sec) {
				found = found || x == m
			}
		}
		if !found {
			t.Errorf("%s is in no listed section", m.Key)
		}
	}
	if Sections()[0] != MainTable {
		t.Errorf("the first section is not the main table")
	}
	for _, bad := range []Metric{
		{Column: "c", Section: MainTable, Aggregate: Pooled},
		{Key: TestLoss.Key, Column: "c", Section: MainTable, Aggregate: Pooled},
		{Key: "x", Column: "c", Section: MainTable, Aggregate: Pooled, SamplesKey: "a", RowsArray: "b"},
		{Key: "x", Column: "c", Section: MainTable},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Register(%+v) did not panic", bad)
				}
			}()
			Register(bad)
		}()
	}
}

// TestObjectJSON writes every registered metric at every level and reads
// it back, with the other fields kept.
func TestObjectJSON(t *testing.T) {
	t.Parallel()
	var v Values
	s := Samples{}
	for i, m := range All() {
		v.Set(m, Summary{Mean: float64(i) + 0.25, SEM: 0.125, Median: float64(i)})
		if m.SamplesKey != "" {
			s[m.Key] = []float64{1, float64(i)}
		}
	}
	for _, level := range []Level{Run, Seed, Model} {
		b, err := MarshalObject(level, v, s, []byte(`{"seconds":3}`))
		if err != nil {
			t.Fatal(err)
		}
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(b, &raw); err != nil {
			t.Fatalf("level %d: %v: %s", level, err, b)
		}
		if string(raw["seconds"]) != "3" {
			t.Errorf("level %d: other fields lost: %s", level, b)
		}
		want := Values{}
		for _, m := range All() {
			if _, ok := raw[m.Key]; !ok {
				t.Errorf("level %d: %s missing from %s", level, m.Key, b)
			}
			x, _ := v.Get(m)
			if level == Seed || (level == Run && m.Scalar) {
				x = Summary{Mean: x.Mean}
				if strings.HasPrefix(string(raw[m.Key]), "{") {
					t.Errorf("level %d: %s is not a plain number: %s", level, m.Key, raw[m.Key])
				}
			}
			want[m.Key] = x
		}
		gv, gs, err := UnmarshalObject(b, level)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(gv, want) {
			t.Errorf("level %d: read %v, want %v", level, gv, want)
		}
		if level == Run && !reflect.DeepEqual(gs, s) {
			t.Errorf("samples: read %v, want %v", gs, s)
		}
		if level != Run && gs != nil {
			t.Errorf("level %d: samples %v read", level, gs)
		}
	}
	// Nothing but other fields.
	b, err := MarshalObject(Model, nil, nil, []byte(`{}`))
	if err != nil || string(b) != "{}" {
		t.Errorf("empty: %s, %v", b, err)
	}
}

// TestSeedsText checks that a table cell shows an error bar exactly where
// there is one: not for a metric combined by seed means over one seed
// (its standard error is 0 by construction), but for several seeds, and
// for one seed whose value keeps a spread over its samples or its own.
func TestSeedsText(t *testing.T) {
	t.Parallel()
	one := Seeds{Runs: []Summary{{Mean: 0.5, SEM: 0.25}}, Samples: []float64{0.25, 0.5, 0.75}, Chunks: 3}
	two := Seeds{Runs: []Summary{{Mean: 0.5, SEM: 0.25}, {Mean: 0.75, SEM: 0.25}}, Samples: []float64{0.25, 0.5, 0.75, 1}, Chunks: 3}
	own := one
	own.KeepOwn = true
	same := Seeds{Runs: []Summary{{Mean: 0.5}, {Mean: 0.5}}}
	for _, m := range All() {
		for _, tc := range []struct {
			name   string
			s      Seeds
			spread bool
		}{
			{"one seed", one, m.SamplesKey != "" || m.RowsArray != ""},
			{"two seeds", two, true},
			{"one seed keeping its own", own, true},
			{"two equal seeds", same, true},
		} {
			if (m.SamplesKey != "" || m.RowsArray != "") && tc.s.Samples == nil {
				continue
			}
			v := m.Aggregate(tc.s)
			n := len(tc.s.Runs)
			got := m.SeedsText(v, n)
			if strings.Contains(got, "±") != tc.spread {
				t.Errorf("%s, %s: %q (SEM %g), want an error bar: %t", m.Key, tc.name, got, v.SEM, tc.spread)
			}
			if tc.spread && got != m.Text(v, Model) {
				t.Errorf("%s, %s: %q, want Text's %q", m.Key, tc.name, got, m.Text(v, Model))
			}
			if !strings.HasPrefix(got, v.Text(m.Verb, false)) {
				t.Errorf("%s, %s: %q does not start with the mean %q", m.Key, tc.name, got, v.Text(m.Verb, false))
			}
		}
	}
}
