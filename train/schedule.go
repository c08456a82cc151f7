package train

import (
	"math"
	"slices"
	"strings"

	"github.com/hnn-go/hnn/internal/check"
)

// A Schedule gives the factor by which a run's learning rate is multiplied
// at update k (1 for the first) of a run of n updates, k <= n. It must
// return a finite factor in (0, 1] and depend on nothing but k and n, so
// that a resumed run continues the schedule where it stopped.
type Schedule func(k, n int) float64

var schedules = map[string]Schedule{}

// RegisterSchedule makes a learning-rate schedule available by name, in
// Config.LRSchedule and the -lr-schedule flag. It panics if the name is
// empty or taken, or s is nil (programmer errors, at init time).
func RegisterSchedule(name string, s Schedule) {
	if name == "" || s == nil {
		panic("train: RegisterSchedule with an empty name or a nil schedule")
	}
	if _, dup := schedules[name]; dup {
		panic("train: schedule " + name + " registered twice")
	}
	schedules[name] = s
}

// ScheduleNames returns the names of the registered schedules, sorted.
func ScheduleNames() []string {
	names := make([]string, 0, len(schedules))
	for n := range schedules {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// LookupSchedule returns the schedule registered as name ("" is
// "constant"), or a *check.FieldError for field lr_schedule naming the
// registered ones.
func LookupSchedule(name string) (Schedule, error) {
	if name == "" {
		name = "constant"
	}
	s, ok := schedules[name]
	if !ok {
		return nil, &check.FieldError{Field: "lr_schedule", Value: check.Quote(name), Want: "one of " + strings.Join(ScheduleNames(), ", ")}
	}
	return s, nil
}

// Rate returns the learning rate of update k (1 for the first) of a run
// with the settings c (defaults filled in): c.LR times c.LRSchedule's
// factor at k of c.Steps. Updates past c.Steps (a run extended on resume
// with more steps than the schedule was made for) keep the factor of the
// last. It panics if c.LRSchedule is not registered (Validate refuses it).
func (c Config) Rate(k int) float64 {
	s, err := LookupSchedule(c.LRSchedule)
	if err != nil {
		panic("train: Rate of an unvalidated config: " + err.Error())
	}
	n := max(c.Steps, 1)
	return c.LR * s(min(max(k, 1), n), n)
}

// One-cycle settings: PyTorch's OneCycleLR defaults, as the Lagrangian
// neural network paper trains (REFERENCE.md section 9).
const (
	oneCycleWarm  = 0.3 // fraction of the updates spent rising to the peak
	oneCycleStart = 25  // the peak over the first rate
	oneCycleFinal = 1e4 // the first rate over the last
)

func init() {
	RegisterSchedule("constant", func(k, n int) float64 { return 1 })
	// cosine: half a cosine from the rate down to nearly zero at the
	// last update (SGDR without restarts).
	RegisterSchedule("cosine", func(k, n int) float64 {
		return (1 + math.Cos(math.Pi*float64(k-1)/float64(n))) / 2
	})
	// onecycle: a half cosine up from LR/25 to LR over the first 30% of
	// the updates, then a half cosine down to LR/25/1e4.
	RegisterSchedule("onecycle", func(k, n int) float64 {
		lo, end := 1.0/oneCycleStart, 1.0/oneCycleStart/oneCycleFinal
		up := oneCycleWarm * float64(n)
		t := float64(k - 1)
		if t < up {
			return lo + (1-lo)*(1-math.Cos(math.Pi*t/up))/2
		}
		down := float64(n) - up
		return end + (1-end)*(1+math.Cos(math.Pi*(t-up)/down))/2
	})
}
