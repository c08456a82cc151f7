package trajectory

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/hnn-go/hnn/internal/check"
)

// maxLine bounds the length of a line of a Lipson text file.
const maxLine = 1 << 20

// ReadLipson reads trajectories in the text format of the Schmidt & Lipson
// (2009) data sets from r. The name of the file, for error messages, is
// name.
//
// The first line that is not blank is a header naming the state
// variables, separated by white space, with or without a leading '%', as
// in "%o v" or "% o1 o2 w1 w2". Every further line that is not blank is a
// row of numbers separated by white space: the trial index, the time,
// the state variables in header order and, optionally, their time
// derivatives in the same order. Either all rows have derivatives or none
// does. A new trial starts wherever the trial index changes. Time must
// increase within a trial but may have gaps. CRLF line ends and trailing
// spaces are accepted.
//
// The variables are taken in header order, which must be canonical (first
// half q, second half p); the Lipson files list angles or positions before
// velocities. The result passes Set.Validate; otherwise the error names
// name, the line and what was expected there.
func ReadLipson(r io.Reader, name string) (*Set, error) { return Reader{}.ReadLipson(r, name) }

// ReadLipson reads trajectories in the Schmidt & Lipson text format as the
// package's ReadLipson does, with lr's layout.
func (lr Reader) ReadLipson(r io.Reader, name string) (*Set, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, maxLine)
	s := &Set{Source: name}
	b := &textBuilder{s: s}
	line := 0
	header := false
	cols := 0 // columns per row, set by the first data row
	firstRow := 0
	var vals []float64
	for sc.Scan() {
		line++
		text := sc.Text()
		if line == 1 {
			text = strings.TrimPrefix(text, "\ufeff")
		}
		fields := strings.Fields(text)
		if len(fields) == 0 {
			continue
		}
		if !header {
			names, err := lipsonHeader(text, fields)
			if err != nil {
				return nil, s.errorf("line %d: %v", line, err)
			}
			if err := checkNames(names); err != nil {
				return nil, s.errorf("line %d: header: %v", line, err)
			}
			names, marked := stripAngles(names)
			layout, err := lr.resolve(names, marked, len(names))
			if err != nil {
				return nil, s.errorf("line %d: header %s: %v", line, check.Quote(strings.TrimSpace(text)), err)
			}
			s.Names, s.Dim, s.Layout = names, len(names), layout
			header = true
			continue
		}
		n, m := s.Dim, s.inputs()
		if cols == 0 {
			if len(fields) != 2+n && len(fields) != 2+2*n-m {
				return nil, s.errorf("line %d: %d columns, expected %d (trial, t and the %d variables %s) or %d (with their derivatives)",
					line, len(fields), 2+n, n, check.Quote(strings.Join(s.Names, " ")), 2+2*n-m)
			}
			cols, firstRow = len(fields), line
			b.withDX = cols == 2+2*n-m
		} else if len(fields) != cols {
			return nil, s.errorf("line %d: %d columns, expected %d like the first data row (line %d)",
				line, len(fields), cols, firstRow)
		}
		vals = vals[:0]
		for c, f := range fields {
			v, err := strconv.ParseFloat(f, 64)
			if err != nil && !errors.Is(err, strconv.ErrRange) {
				return nil, s.errorf("line %d, column %d (%s): %s is not a number", line, c+1, lipsonCol(s, c), check.Quote(f))
			}
			if !finite(v) {
				return nil, s.errorf("line %d, column %d (%s): %s, expected a finite number", line, c+1, lipsonCol(s, c), check.Quote(f))
			}
			vals = append(vals, v)
		}
		b.add(vals[0], line, vals[1], vals[2:2+n], vals[2+n:], m)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, s.errorf("line %d: longer than %d bytes", line+1, maxLine)
		}
		return nil, s.errorf("line %d: %w", line+1, err)
	}
	if !header {
		return nil, s.errorf("empty file, expected a header line naming the state variables, like \"%%o v\"")
	}
	return b.finish()
}

// lipsonHeader returns the variable names of the header line text, whose
// white-space separated fields are fields.
func lipsonHeader(text string, fields []string) ([]string, error) {
	if t := strings.TrimLeft(text, " \t"); strings.HasPrefix(t, "%") {
		fields = strings.Fields(t[1:])
		if len(fields) == 0 {
			return nil, errors.New("header names no variables, expected names like \"%o v\"")
		}
	} else if isNumbers(fields) {
		return nil, fmt.Errorf("missing header: found numbers, expected a first line naming the state variables, like \"%%o v\"")
	}
	for i, f := range fields {
		if slices.Contains(fields[:i], f) {
			return nil, fmt.Errorf("header names variable %s twice", check.Quote(f))
		}
	}
	return fields, nil
}

// isNumbers reports whether every field parses as a number.
func isNumbers(fields []string) bool {
	for _, f := range fields {
		if _, err := strconv.ParseFloat(f, 64); err != nil && !errors.Is(err, strconv.ErrRange) {
			return false
		}
	}
	return true
}

// lipsonCol names the 0-based column c of a Lipson data row.
func lipsonCol(s *Set, c int) string {
	if c == 0 {
		return "trial"
	}
	return colName(s, c-2)
}
