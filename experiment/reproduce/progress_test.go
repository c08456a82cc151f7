package reproduce

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// TestProgressLines checks that progress written to a writer that is not
// a terminal comes as plain lines, one per 5% of the steps and a last one,
// without carriage returns or bar redraws.
func TestProgressLines(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name        string
		total, runs int
		want        int // interval lines, without the last
	}{
		{"one run", 200, 1, 20},
		{"several runs", 1000, 3, 20},
		{"fewer steps than intervals", 7, 2, 7},
	} {
		var b bytes.Buffer
		p := NewProgress(&b, int64(c.total), c.runs)
		for range c.total {
			p.add(1, 0.5)
			p.line(false)
		}
		for range c.runs {
			p.done()
		}
		p.Finish()
		out := b.String()
		if strings.ContainsAny(out, "\r\x1b") {
			t.Errorf("%s: output has carriage returns or escapes: %q", c.name, out)
		}
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if len(lines) != c.want+1 {
			t.Errorf("%s: %d lines, want %d:\n%s", c.name, len(lines), c.want+1, out)
			continue
		}
		for _, l := range lines[:c.want] {
			if !strings.HasPrefix(l, "training: ") || !strings.Contains(l, "loss 5.000e-01") {
				t.Errorf("%s: line %q", c.name, l)
			}
		}
		last := lines[len(lines)-1]
		if !strings.HasPrefix(last, "training done: ") || !strings.Contains(last, "(100%)") {
			t.Errorf("%s: last line %q", c.name, last)
		}
		if c.runs > 1 && !strings.Contains(last, fmt.Sprintf("runs %d/%d", c.runs, c.runs)) {
			t.Errorf("%s: last line %q lacks the runs", c.name, last)
		}
	}
}

// TestProgressNil checks that a nil writer gets nothing and Finish is
// safe.
func TestProgressNil(t *testing.T) {
	t.Parallel()
	p := NewProgress(nil, 10, 1)
	p.add(10, 1)
	p.Finish()
}
