package experiment

import (
	"maps"
	"reflect"
	"testing"

	"github.com/hnn-go/hnn/metrics"
)

// allMetrics returns a value of every registered metric, each distinct.
func allMetrics() metrics.Values {
	var v metrics.Values
	for i, m := range metrics.All() {
		v.Set(m, metrics.Summary{Mean: 0.125 * float64(i+1), SEM: 0.0625, Median: 0.1 * float64(i+1)})
	}
	return v
}

// TestRunMetricsRoundTrip checks that a run's metrics.json and rows.npz
// hold every registered metric and its samples, and read back the same.
func TestRunMetricsRoundTrip(t *testing.T) {
	t.Parallel()
	v := allMetrics()
	// A run's metrics.json has every metric, and reads back the same.
	r := &Run{Metrics: Metrics{Values: v, Seconds: 2}}
	for _, m := range metrics.All() {
		if m.SamplesKey != "" || m.RowsArray != "" {
			r.Metrics.Record(m, r.Metrics.Values[m.Key], []float64{1, 2})
		}
	}
	rd := t.TempDir()
	if err := r.saveMetrics(rd); err != nil {
		t.Fatal(err)
	}
	var got Run
	if err := got.loadMetrics(rd); err != nil {
		t.Fatal(err)
	}
	want := metrics.Values{}
	maps.Copy(want, v)
	for _, m := range metrics.All() {
		if m.Scalar { // a run keeps the number alone
			want[m.Key] = metrics.Summary{Mean: v[m.Key].Mean}
		}
	}
	if !reflect.DeepEqual(got.Metrics.Values, want) || !reflect.DeepEqual(got.Metrics.Samples, r.Metrics.Samples) {
		t.Errorf("metrics.json reads back as %+v %v, want %+v %v", got.Metrics.Values, got.Metrics.Samples, want, r.Metrics.Samples)
	}
}
