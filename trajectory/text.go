package trajectory

import "strconv"

// textBuilder collects the rows of a line-oriented file (Lipson text or
// CSV) into a Set, remembering the line of every row for error messages.
type textBuilder struct {
	s       *Set
	lines   [][]int // lines[k][i] is the line of row i of trial k
	key     float64 // the trial index of the last row
	withDX  bool
	started bool
	// stateCol is the 1-based column of the first state variable; zero
	// means 3, after the trial index and the time.
	stateCol int
}

// add appends a row with trial index key, read from line, to the set,
// starting a new trial if key differs from the previous row's; dx holds
// the derivatives of all but the last m variables, the inputs, whose
// derivatives are zero.
func (b *textBuilder) add(key float64, line int, t float64, x, dx []float64, m int) {
	if !b.started || key != b.key {
		b.s.Trials = append(b.s.Trials, Trial{})
		b.lines = append(b.lines, nil)
		b.key, b.started = key, true
	}
	k := len(b.s.Trials) - 1
	tr := &b.s.Trials[k]
	tr.T = append(tr.T, t)
	tr.X = append(tr.X, x...)
	if b.withDX {
		if tr.DX == nil {
			tr.DX = make([]float64, 0, cap(tr.X))
		}
		tr.DX = append(tr.DX, dx...)
		for range m {
			tr.DX = append(tr.DX, 0)
		}
	}
	b.lines[k] = append(b.lines[k], line)
}

// loc names places by line and 1-based column: 1 is the trial index, 2
// the time, then the state variables and their derivatives.
func (b *textBuilder) loc(s *Set, k, row, col int) string {
	at := "line " + strconv.Itoa(b.lines[k][row])
	if col == colRow {
		return at
	}
	first := b.stateCol
	if first == 0 {
		first = 3
	}
	return at + ", column " + strconv.Itoa(col+first) + " (" + colName(s, col) + ")"
}

// finish validates the set, naming lines in errors, and returns it.
func (b *textBuilder) finish() (*Set, error) {
	if len(b.s.Trials) == 0 {
		return nil, b.s.errorf("no data rows after the header, expected at least one trial")
	}
	if err := b.s.validate(b.loc); err != nil {
		return nil, err
	}
	return b.s, nil
}
