package pixel

import (
	"math"
	"strings"
	"testing"
)

// TestCollapseWatch checks the in-training collapse warning on sequences
// of probe phase rates: none while the latent turns (or before it first
// turns), one at the first interval at which a latent that turned stops,
// one at the last interval for a latent that never turned.
func TestCollapseWatch(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name  string
		rates []float64
		want  string // a substring of the warning; "" for none
	}{
		{"turns", []float64{0.2, 0.9, 1.01, 0.99}, ""},
		{"stops", []float64{0.3, 0.95, 0.1, 0.0}, "stopped turning at step 30: probe phase rate 0.1"},
		{"never", []float64{0.0, 0.1, 0.05, 0.2}, "never turned: probe phase rate 0.2"},
		{"nan", []float64{math.NaN(), 1, 1, 1}, "NaN"},
		{"recovers", []float64{1, 0.4, 1, 1}, "stopped turning at step 20"},
	} {
		w := &collapseWatch{trials: 4, last: 40}
		for i, r := range c.rates {
			w.step = 10 * (i + 1)
			w.record(r)
		}
		if len(w.log) != len(c.rates) || w.log[3].Step != 40 {
			t.Errorf("%s: log %+v", c.name, w.log)
		}
		switch {
		case c.want == "" && w.warning != "":
			t.Errorf("%s: warning %q, want none", c.name, w.warning)
		case c.want != "" && !strings.Contains(w.warning, c.want):
			t.Errorf("%s: warning %q, want one with %q", c.name, w.warning, c.want)
		}
	}
}
