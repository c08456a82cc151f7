package main

import (
	"strings"
	"testing"

	"github.com/hnn-go/hnn/experiment"
	"github.com/hnn-go/hnn/metrics"
)

// TestPrintMetricsEveryMetric checks that the terminal table of a run has
// a column and a value for every registered metric the run has, and the
// main table's columns (with "-") where it has none.
func TestPrintMetricsEveryMetric(t *testing.T) {
	t.Parallel()
	s := experiment.Spec{Task: "spring"}
	var all experiment.Metrics
	for i, m := range metrics.All() {
		all.Set(m, metrics.Summary{Mean: 0.5 + float64(i), SEM: 0.25})
	}
	var b strings.Builder
	printMetrics(&b, s, all)
	out := b.String()
	for _, m := range metrics.All() {
		v, _ := all.Get(m)
		if !strings.Contains(out, m.Column) || !strings.Contains(out, m.Text(v, metrics.Run)) {
			t.Errorf("table lacks %s (%q):\n%s", m.Column, m.Text(v, metrics.Run), out)
		}
	}

	var none experiment.Metrics
	b.Reset()
	printMetrics(&b, s, none)
	out = b.String()
	for _, m := range metrics.All() {
		if in := strings.Contains(out, m.Column); in != (m.Section == metrics.MainTable) {
			t.Errorf("table of a run without metrics: column %q shown %v:\n%s", m.Column, in, out)
		}
	}
}
