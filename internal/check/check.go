package check

import (
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"
)

// Limits on what one request may allocate or run.
const (
	// MaxElements bounds the values of one allocation a user's counts
	// size (such as a rollout's B x N x D output): 2^28 float64 values,
	// 2 GiB.
	MaxElements = 1 << 28
	// MaxSteps bounds training steps.
	MaxSteps = 1_000_000_000
	// MaxWidth bounds a hidden layer's width.
	MaxWidth = 1 << 16
	// MaxLayers bounds the number of hidden layers.
	MaxLayers = 64
	// MaxSeeds bounds the seeds per task and model of a reproduction.
	MaxSeeds = 10_000
	// MaxJobs bounds the runs of one plan (tasks x models x variants x
	// seeds).
	MaxJobs = 1_000_000
	// MaxWorkers bounds goroutines asked for by a count.
	MaxWorkers = 1 << 12
	// MaxCopies bounds the copies of a dataset written to disk.
	MaxCopies = 1 << 20
)

// Count returns a *FieldError unless lo <= n <= hi, naming the flag or
// field name and the range wanted: "points 1000000000000: want an integer
// in [2, 268435456]".
func Count(name string, n, lo, hi int) error {
	if n < lo || n > hi {
		return &FieldError{Field: name, Value: n, Want: fmt.Sprintf("an integer in [%d, %d]", lo, hi)}
	}
	return nil
}

// Elements returns an error if the product of dims, the number of values
// of an allocation named name, is negative, overflows or exceeds
// MaxElements. The error names the allocation and its dimensions.
func Elements(name string, dims ...int) error {
	n := 1
	for _, d := range dims {
		if d < 0 {
			return fmt.Errorf("%s: dimensions %v: want no negative one", name, dims)
		}
		if d != 0 && n > math.MaxInt/d {
			n = math.MaxInt
			break
		}
		n *= d
	}
	if n > MaxElements {
		return fmt.Errorf("%s: dimensions %v hold %s values, want at most %d (2 GiB of float64)", name, dims, human(dims), MaxElements)
	}
	return nil
}

// Widths returns a *FieldError unless widths, the hidden layer widths of
// a network given as field name, are 1 to MaxLayers widths of 1 to
// MaxWidth each, with no weight matrix between two of them above
// MaxElements values.
func Widths(name string, widths []int) error {
	bad := func(want string) error { return &FieldError{Field: name, Value: widths, Want: want} }
	if len(widths) < 1 || len(widths) > MaxLayers {
		return bad(fmt.Sprintf("1 to %d layers, not %d", MaxLayers, len(widths)))
	}
	for i, w := range widths {
		if w < 1 || w > MaxWidth {
			return bad(fmt.Sprintf("widths in [1, %d], not width %d", MaxWidth, w))
		}
		if i > 0 && Elements("", widths[i-1], w) != nil {
			return bad(fmt.Sprintf("at most %d weights between two layers, not %d x %d between layers %d and %d", MaxElements, widths[i-1], w, i, i+1))
		}
	}
	return nil
}

// human formats the product of dims, which may overflow int, as a float.
func human(dims []int) string {
	p := 1.0
	for _, d := range dims {
		p *= float64(d)
	}
	return strconv.FormatFloat(p, 'g', 3, 64)
}

// maxQuote is the number of bytes of content Quote keeps, and of
// characters of the literal between its quotes.
const maxQuote = 40

// Quote returns s as a Go string literal for an error message, escaping
// control characters and invalid UTF-8. If s is longer than 40 bytes, or
// its escapes longer than 40 characters, it keeps the longest prefix that
// fits (cut at a character boundary) followed by "...". Every parser
// quotes file content through it, so that a binary file given by mistake
// prints one short line.
func Quote(s string) string {
	q := strconv.Quote(s)
	if len(s) <= maxQuote && len(q) <= maxQuote+2 {
		return q
	}
	cut := min(len(s), maxQuote)
	for {
		// Back off to the start of a character (at most 3 bytes), unless
		// the bytes are not UTF-8 anyway.
		for k := cut; k > 0 && k > cut-utf8.UTFMax && k < len(s); k-- {
			if utf8.RuneStart(s[k]) {
				cut = k
				break
			}
		}
		if q = strconv.Quote(s[:cut]); len(q) <= maxQuote+2 {
			return q + "..."
		}
		cut--
	}
}

// FieldError is a value out of range in a named flag or field: its
// message is "FIELD VALUE: want WANT".
type FieldError struct {
	// Field names the flag or field, as in a sweep file ("weight_decay").
	Field string
	Value any
	// Want says what was expected.
	Want string
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("%s %v: want %s", e.Field, e.Value, e.Want)
}
