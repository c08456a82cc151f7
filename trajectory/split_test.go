package trajectory_test

import (
	"math"
	"testing"

	"github.com/hnn-go/hnn/trajectory"
)

// rampSet returns a set of trials of the given lengths, with derivatives
// if withDX, whose row i of every trial has time i and state (i, -i).
func rampSet(withDX bool, lens ...int) *trajectory.Set {
	s := &trajectory.Set{Source: "mem", Names: []string{"q", "p"}, Dim: 2}
	for _, n := range lens {
		var tr trajectory.Trial
		for i := range n {
			tr.T = append(tr.T, float64(i))
			tr.X = append(tr.X, float64(i), -float64(i))
			if withDX {
				tr.DX = append(tr.DX, 1, -1)
			}
		}
		s.Trials = append(s.Trials, tr)
	}
	return s
}

func TestSplit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		s        *trajectory.Set
		fraction float64
		train    []int // rows per trial
		test     []int
	}{
		{"default", rampSet(true, 10, 7), 0, []int{8, 6}, []int{2, 1}},
		{"reference 555 rows", rampSet(true, 555), 0.2, []int{444}, []int{111}},
		{"real pendulum 556 rows", rampSet(true, 556), 0.2, []int{445}, []int{111}},
		{"half", rampSet(false, 4, 5), 0.5, []int{2, 2}, []int{2, 3}},
		{"one row each", rampSet(true, 2), 0.5, []int{1}, []int{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			train, test, err := tt.s.Split(tt.fraction)
			if err != nil {
				t.Fatal(err)
			}
			for k, tr := range tt.s.Trials {
				a, b := train.Trials[k], test.Trials[k]
				if a.Len() != tt.train[k] || b.Len() != tt.test[k] {
					t.Errorf("trial %d: %d training and %d test rows, want %d and %d", k, a.Len(), b.Len(), tt.train[k], tt.test[k])
					continue
				}
				// Chronological: the parts are the trial in order.
				joined := trajectory.Trial{T: append(append([]float64{}, a.T...), b.T...), X: append(append([]float64{}, a.X...), b.X...)}
				if tr.DX != nil {
					joined.DX = append(append([]float64{}, a.DX...), b.DX...)
				}
				if d := sameSet(&trajectory.Set{Dim: 2, Trials: []trajectory.Trial{tr}}, &trajectory.Set{Dim: 2, Trials: []trajectory.Trial{joined}}); d != "" {
					t.Errorf("trial %d: parts joined differ: %s", k, d)
				}
			}
			for _, part := range []*trajectory.Set{train, test} {
				if err := part.Validate(); err != nil {
					t.Errorf("part: %v", err)
				}
			}
			// The parts do not share memory with s.
			train.Trials[0].X[0] = 99
			if tt.s.Trials[0].X[0] == 99 {
				t.Error("train shares memory with s")
			}
		})
	}
}

func TestSplitErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		s        *trajectory.Set
		fraction float64
		want     string
	}{
		{"fraction 1", rampSet(true, 10), 1, "test fraction 1, expected a number in (0, 1)"},
		{"negative", rampSet(true, 10), -0.2, "test fraction -0.2, expected"},
		{"NaN", rampSet(true, 10), math.NaN(), "test fraction NaN, expected"},
		{"no test rows", rampSet(true, 10, 2), 0.2, "trial 1 has 2 rows: a test fraction of 0.2 gives 2 training and 0 test rows, expected at least 1 in each"},
		{"no training rows", rampSet(true, 3), 0.9, "gives 0 training and 3 test rows"},
		{"without derivatives", rampSet(false, 3), 0.5, "trial 0 has 3 rows: a test fraction of 0.5 gives 1 training and 2 test rows, expected at least 2 in each"},
		{"invalid", &trajectory.Set{Source: "mem", Dim: 1, Names: []string{"q"}}, 0.2, "state has 1 variables"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := tt.s.Split(tt.fraction)
			wantError(t, err, "mem", tt.want)
		})
	}
}
