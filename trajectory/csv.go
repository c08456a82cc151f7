package trajectory

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/hnn-go/hnn/internal/check"
)

// ReadCSV reads trajectories in CSV format from r. The name of the file,
// for error messages, is name.
//
// The first row is a header: "trial", "t", the names of the state
// variables in canonical order (first half q, second half p) and,
// optionally, for every state variable NAME in the same order a
// derivative column "dNAME". Every further row holds numbers: the trial
// index, the time, the state and, if the header names them, the
// derivatives. A new trial starts wherever the trial index changes.
// Without the "trial" column (a header "t,q,p" or "t,q1,q2,p1,p2,...")
// the file is one trial. Time
// must increase within a trial but may have gaps. Fields may have leading
// and trailing spaces; blank lines are skipped.
//
// The result passes Set.Validate; otherwise the error names name, the
// line and column and what was expected there.
func ReadCSV(r io.Reader, name string) (*Set, error) { return Reader{}.ReadCSV(r, name) }

// ReadCSV reads trajectories in CSV format as the package's ReadCSV does,
// with lr's layout.
func (lr Reader) ReadCSV(r io.Reader, name string) (*Set, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	s := &Set{Source: name}
	rec, err := cr.Read()
	if err == io.EOF {
		return nil, s.errorf("empty file, expected a header row [trial,]t,<state names>[,d<state names>]")
	}
	if err != nil {
		return nil, s.errorf("%w", err)
	}
	headerLine, _ := cr.FieldPos(0)
	// Angle marks are not part of the names; inputs, which have no
	// derivative columns, are the declared ones or, for the zero Reader,
	// the columns named like inputs.
	hdr, marks := stripAngles(rec)
	m := max(lr.Layout.Inputs, 0)
	if !lr.declared() {
		m = countInputs(hdr)
	}
	names, withDX, trial, err := csvHeader(hdr, m)
	if err != nil {
		return nil, s.errorf("line %d: %v", headerLine, err)
	}
	if err := checkNames(names); err != nil {
		return nil, s.errorf("line %d: header: %v", headerLine, err)
	}
	first := 1
	if trial {
		first = 2
	}
	for c, mk := range marks {
		if mk && (c < first || c >= first+len(names)) {
			return nil, s.errorf("line %d: header: column %d (%s) is marked as an angle, expected the mark on position columns only", headerLine, c+1, check.Quote(rec[c]))
		}
	}
	layout, err := lr.resolve(names, marks[first:first+len(names)], len(names))
	if err != nil {
		return nil, s.errorf("line %d: header: %v", headerLine, err)
	}
	s.Names, s.Dim, s.Layout = names, len(names), layout
	// first is now the index of the time column: 1 after a trial column,
	// else 0.
	first--
	b := &textBuilder{s: s, withDX: withDX, stateCol: first + 2}
	cols := len(rec)
	n := s.Dim
	column := func(c int) string { return colName(s, c-first-1) }
	if trial {
		column = func(c int) string { return lipsonCol(s, c) }
	}
	vals := make([]float64, cols)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, s.errorf("%w", err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != cols {
			return nil, s.errorf("line %d: %d fields, expected %d like the header (line %d)", line, len(rec), cols, headerLine)
		}
		for c, f := range rec {
			f = strings.TrimSpace(f)
			v, err := strconv.ParseFloat(f, 64)
			if err != nil && !errors.Is(err, strconv.ErrRange) {
				return nil, s.errorf("line %d, column %d (%s): %s is not a number", line, c+1, column(c), check.Quote(f))
			}
			if !finite(v) {
				return nil, s.errorf("line %d, column %d (%s): %s, expected a finite number", line, c+1, column(c), check.Quote(f))
			}
			vals[c] = v
		}
		var key float64
		if trial {
			key = vals[0]
		}
		v := vals[first:]
		b.add(key, line, v[0], v[1:1+n], v[1+n:], layout.Inputs)
	}
	return b.finish()
}

// csvHeader returns the state variable names of the CSV header rec,
// whether it has derivative columns and whether it starts with a trial
// column; the last m state columns are inputs, which have no derivative
// columns.
func csvHeader(rec []string, m int) (names []string, withDX, trial bool, err error) {
	hdr := make([]string, len(rec))
	for i, f := range rec {
		hdr[i] = strings.TrimSpace(f)
	}
	if len(hdr) > 0 && isNumbers(hdr[:1]) {
		return nil, false, false, errors.New("missing header: found numbers, expected a header row [trial,]t,<state names>[,d<state names>]")
	}
	switch {
	case len(hdr) >= 2 && hdr[0] == "trial" && hdr[1] == "t":
		trial = true
	case len(hdr) >= 1 && hdr[0] == "t":
	default:
		return nil, false, false, fmt.Errorf("header %s, expected it to start with trial,t or with t", check.Quote(strings.Join(hdr, ",")))
	}
	first := 1 // columns before the state
	if trial {
		first = 2
	}
	cols := hdr[first:]
	for i, c := range cols {
		if c == "" {
			return nil, false, false, fmt.Errorf("column %d has an empty name", i+first+1)
		}
		if slices.Contains(hdr[:i+first], c) {
			return nil, false, false, fmt.Errorf("column %d: name %s appears twice", i+first+1, check.Quote(c))
		}
	}
	// With derivatives, s state columns are followed by the s - m
	// derivative columns of all but the inputs.
	if s := (len(cols) + m) / 2; (len(cols)+m)%2 == 0 && s > m {
		all := true
		for i := range s - m {
			if cols[s+i] != "d"+cols[i] {
				all = false
				break
			}
		}
		if all {
			return cols[:s], true, trial, nil
		}
	}
	// Without a full set of derivative columns, none may be one.
	every := "every state column"
	if m > 0 {
		every = "every state column but the inputs"
	}
	for i, c := range cols {
		if j := slices.Index(cols, "d"+c); j >= 0 {
			return nil, false, false, fmt.Errorf("column %d (%s) is the derivative of column %d (%s), expected a derivative column d<name> for %s, in the same order after them, or none",
				j+first+1, cols[j], i+first+1, c, every)
		}
	}
	return cols, false, trial, nil
}
