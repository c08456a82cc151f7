package check

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
)

func TestCount(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		n, lo, hi int
		ok        bool
	}{
		{2, 2, 10, true},
		{10, 2, 10, true},
		{1, 2, 10, false},
		{11, 2, 10, false},
		{-1, 0, 10, false},
		{1_000_000_000_000, 2, MaxElements, false},
	} {
		err := Count("points", c.n, c.lo, c.hi)
		if (err == nil) != c.ok {
			t.Errorf("Count(%d, %d, %d) = %v, want ok %v", c.n, c.lo, c.hi, err, c.ok)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "points ") {
			t.Errorf("Count(%d): %q does not name the field", c.n, err)
		}
	}
}

func TestElements(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		dims []int
		ok   bool
	}{
		{nil, true},
		{[]int{1000, 100, 2}, true},
		{[]int{0, math.MaxInt}, true},
		{[]int{MaxElements}, true},
		{[]int{MaxElements + 1}, false},
		{[]int{1, 1_000_000_000_000, 2}, false},
		{[]int{math.MaxInt, math.MaxInt}, false},
		{[]int{3, -1}, false},
	} {
		err := Elements("x", c.dims...)
		if (err == nil) != c.ok {
			t.Errorf("Elements(%v) = %v, want ok %v", c.dims, err, c.ok)
		}
	}
}

func TestWidths(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		widths []int
		want   string // "" for valid widths
	}{
		{[]int{200, 200}, ""},
		{[]int{MaxWidth}, ""},
		{nil, "1 to 64 layers, not 0"},
		{make([]int, MaxLayers+1), "1 to 64 layers, not 65"},
		{[]int{8, 0}, "not width 0"},
		{[]int{MaxWidth + 1}, "not width 65537"},
		{[]int{60000, 60000}, "not 60000 x 60000 between layers 1 and 2"},
	} {
		err := Widths("hidden", c.widths)
		if c.want == "" {
			if err != nil {
				t.Errorf("Widths(%v) = %v", c.widths, err)
			}
			continue
		}
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != "hidden" || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Widths(%v) = %v, want a field error on hidden containing %q", c.widths, err, c.want)
		}
	}
}

func TestQuote(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 39) + "é" + "zzz" // é straddles byte 40
	for _, c := range []struct{ in, want string }{
		{"abc", `"abc"`},
		{"", `""`},
		{"\x7fELF\x02\x01\n", `"\x7fELF\x02\x01\n"`},
		{strings.Repeat("x", 40), `"` + strings.Repeat("x", 40) + `"`},
		{strings.Repeat("x", 41), `"` + strings.Repeat("x", 40) + `"...`},
		{long, `"` + strings.Repeat("a", 39) + `"...`},
		{strings.Repeat("\x00", 1000), `"` + strings.Repeat(`\x00`, 10) + `"...`},
		{"\x00\x00", `"\x00\x00"`},
		{strings.Repeat("\x00", 11), `"` + strings.Repeat(`\x00`, 10) + `"...`},
		{"ab" + strings.Repeat("é", 30), `"ab` + strings.Repeat("é", 19) + `"...`},
	} {
		if got := Quote(c.in); got != c.want {
			t.Errorf("Quote(%q) = %s, want %s", c.in, got, c.want)
		}
		if got := Quote(c.in); strings.ContainsAny(got, "\n\r") || len(got) > 45 {
			t.Errorf("Quote(%q) = %s: a line break, or longer than 45 bytes", c.in, got)
		}
	}
}

// FuzzQuote checks that whatever the content, Quote gives one short line
// that unquotes to a prefix of it (the whole of it without "...").
func FuzzQuote(f *testing.F) {
	for _, s := range []string{"", "abc", "\x7fELF\x02\x01\x01\x00", strings.Repeat("é", 30), strings.Repeat("\x00", 100), "a\nb\r\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := Quote(s)
		if strings.ContainsAny(q, "\n\r") || len(q) > 2+maxQuote+3 {
			t.Fatalf("Quote(%q) = %s: a line break, or too long", s, q)
		}
		lit, cut := strings.CutSuffix(q, "...")
		u, err := strconv.Unquote(lit)
		if err != nil {
			t.Fatalf("Quote(%q) = %s: not a string literal: %v", s, q, err)
		}
		if cut && !strings.HasPrefix(s, u) || !cut && u != s {
			t.Fatalf("Quote(%q) = %s: unquotes to %q", s, q, u)
		}
	})
}
