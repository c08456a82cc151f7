package train_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/hnn-go/hnn/internal/check"
	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/train"
)

// TestSchedules checks the registered schedules at the points their
// definitions fix (to 1e-12): the first update at the full rate (one-cycle:
// a 25th of it), the middle of the cosine at half, the one-cycle's peak
// after 30% of the updates and its end at LR/25/1e4, and every factor in
// (0, 1] along a run.
func TestSchedules(t *testing.T) {
	const tol = 1e-12
	c := train.Config{LR: 2e-3, Steps: 1000}
	for _, tc := range []struct {
		schedule string
		k        int
		want     float64
	}{
		{"", 1, 2e-3},
		{"constant", 1000, 2e-3},
		{"cosine", 1, 2e-3},
		{"cosine", 501, 1e-3},
		{"cosine", 1000, 2e-3 * (1 + math.Cos(math.Pi*999/1000)) / 2},
		{"onecycle", 1, 2e-3 / 25},
		{"onecycle", 151, 2e-3 / 25 * (1 + 24*0.5)},
		{"onecycle", 301, 2e-3},
		{"onecycle", 1000, 2e-3/25/1e4 + (2e-3-2e-3/25/1e4)*(1+math.Cos(math.Pi*699/700))/2},
		// Past the planned steps (a resumed run given more): the last factor.
		{"cosine", 5000, 2e-3 * (1 + math.Cos(math.Pi*999/1000)) / 2},
	} {
		c.LRSchedule = tc.schedule
		if err := c.Validate(); err != nil {
			t.Fatal(err)
		}
		if got := c.Rate(tc.k); math.Abs(got-tc.want) > tol*tc.want {
			t.Errorf("%q: rate of update %d = %.15g, want %.15g", tc.schedule, tc.k, got, tc.want)
		}
	}
	for _, name := range train.ScheduleNames() {
		c.LRSchedule = name
		for k := 1; k <= c.Steps; k++ {
			if f := c.Rate(k) / c.LR; !(f > 0 && f <= 1) {
				t.Fatalf("%s: factor %g at update %d, want one in (0, 1]", name, f, k)
			}
		}
	}
}

// TestScheduleRefused requires a one-line error naming the field and the
// registered schedules for an unknown name.
func TestScheduleRefused(t *testing.T) {
	err := train.Config{LRSchedule: "cosin"}.Validate()
	var fe *check.FieldError
	if !errors.As(err, &fe) || fe.Field != "lr_schedule" || !strings.Contains(err.Error(), "onecycle") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("error %v, want one line on lr_schedule naming the schedules", err)
	}
}

// TestScheduleTrains checks that a schedule reaches the optimiser: two
// runs from the same seed, constant and cosine, end with different
// parameters, and a cosine run whose rate is the constant's for every
// update (a schedule registered to return 1) ends with the constant's,
// bit for bit.
func TestScheduleTrains(t *testing.T) {
	train.RegisterSchedule("test-one", func(k, n int) float64 { return 1 })
	run := func(schedule string) []float32 {
		ds := springData(t, 1)
		m, err := model.New[float32](model.Config{Kind: "hnn", Dim: 2, Hidden: []int{8}}, rand.New(rand.NewPCG(1, 2)))
		if err != nil {
			t.Fatal(err)
		}
		c := train.Config{Steps: 60, Batch: 16, LRSchedule: schedule}
		if _, err := train.Train(m, &ds.Train, &ds.Test, c, rand.New(rand.NewPCG(3, 4)), nil); err != nil {
			t.Fatal(err)
		}
		return append([]float32(nil), m.Params()...)
	}
	constant, cosine, one := run(""), run("cosine"), run("test-one")
	same := func(a, b []float32) bool {
		for i := range a {
			if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
				return false
			}
		}
		return true
	}
	if same(constant, cosine) {
		t.Error("cosine run ends with the constant run's parameters")
	}
	if !same(constant, one) {
		t.Error("a schedule of factor 1 changes the parameters")
	}
}
