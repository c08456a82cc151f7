package main

import (
	"bytes"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hnn-go/hnn/model"
	"github.com/hnn-go/hnn/task"
)

func TestParseFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		tasks   []string
		builds  []string
		wantErr string
	}{
		{name: "defaults", tasks: []string{"spring", "two-body"}, builds: []string{"asm", "openblas"}},
		{name: "one task", args: []string{"-tasks", "two-body", "-builds", "openblas"}, tasks: []string{"two-body"}, builds: []string{"openblas"}},
		{name: "duplicates and spaces", args: []string{"-tasks", " spring, spring ,,pendulum"}, tasks: []string{"spring", "pendulum"}, builds: []string{"asm", "openblas"}},
		{name: "bad task", args: []string{"-tasks", "spring,twobody"}, wantErr: `-tasks: unknown task "twobody" (valid: ` + strings.Join(task.Names(), ", ") + ")"},
		{name: "no task", args: []string{"-tasks", ","}, wantErr: "-tasks: name at least one of"},
		{name: "bad build", args: []string{"-builds", "mkl"}, wantErr: `-builds: unknown build "mkl" (valid: asm, gonum, openblas)`},
		{name: "bad steps", args: []string{"-steps", "0"}, wantErr: "-steps 0"},
		{name: "absurd steps", args: []string{"-steps", "1000000000000"}, wantErr: "-steps 1000000000000: want an integer in [1, "},
		{name: "absurd copies", args: []string{"-copies", "25,1000000000000"}, wantErr: "-copies 1000000000000: want an integer in [1, "},
		{name: "bad copies", args: []string{"-copies", "x"}, wantErr: `-copies: "x" is not a count`},
		{name: "argument", args: []string{"spring"}, wantErr: `unexpected argument "spring"`},
		{name: "rounds without reference", args: []string{"-rounds", "3", "-reproduce"}, wantErr: "-rounds 3 needs -reference and -reproduce or -whole"},
		{name: "rounds without commands", args: []string{"-rounds", "3", "-reference", "/tmp/ref"}, wantErr: "-rounds 3 needs -reference and -reproduce or -whole"},
		{name: "bad rounds", args: []string{"-rounds", "0"}, wantErr: "-rounds 0: want an integer in [1, 100]"},
		{name: "rounds", args: []string{"-rounds", "3", "-reference", "/tmp/ref", "-whole", "-tasks", "two-body"}, tasks: []string{"two-body"}, builds: []string{"asm", "openblas"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o, err := parseFlags(tc.args, io.Discard)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("parseFlags(%q) error = %v, want one containing %q", tc.args, err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "\n") {
					t.Errorf("error %q is not one line", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseFlags(%q): %v", tc.args, err)
			}
			if !slices.Equal(o.tasks, tc.tasks) || !slices.Equal(o.builds, tc.builds) {
				t.Errorf("parseFlags(%q) = tasks %q builds %q, want %q %q", tc.args, o.tasks, o.builds, tc.tasks, tc.builds)
			}
		})
	}
}

// TestRunBadTask checks that the command refuses an unknown task before it
// measures anything.
func TestRunBadTask(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	err := run([]string{"-tasks", "spring,nope"}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), `unknown task "nope"`) {
		t.Fatalf("run error = %v, want an unknown-task error", err)
	}
	if stdout.Len() != 0 {
		t.Errorf("run printed %q", stdout.String())
	}
}

// TestStepFLOPs checks the counts quoted in stepFLOPs's comment and
// docs/speed.md.
func TestStepFLOPs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind string
		dim  int
		b    int
		want float64
	}{
		{"hnn", 2, 750, 363.3e6},
		{"baseline", 2, 750, 183.0e6},
		{"hnn", 8, 200, 99.28e6},
		{"baseline", 8, 200, 51.2e6},
	}
	for _, tc := range tests {
		c := model.Config{Kind: tc.kind, Dim: tc.dim, Hidden: []int{200, 200}}
		if got := stepFLOPs(c, tc.b); math.Abs(got-tc.want) > 1 {
			t.Errorf("stepFLOPs(%s dim %d, %d) = %v, want %v", tc.kind, tc.dim, tc.b, got, tc.want)
		}
	}
}

func TestStepsOf(t *testing.T) {
	t.Parallel()
	src := []byte("parser.add_argument('--total_steps', default=10000, type=int)\n  for step in range(args.total_steps+1):\n")
	if got := stepsOf(src, 7); got != 10001 {
		t.Errorf("stepsOf = %d, want 10001", got)
	}
	if got := stepsOf([]byte("no such flag"), 7); got != 7 {
		t.Errorf("stepsOf without the flag = %d, want the default 7", got)
	}
}

func TestRefScriptsFor(t *testing.T) {
	t.Parallel()
	names := func(s []refScript) []string {
		var out []string
		for _, r := range s {
			out = append(out, r.task+" "+r.kind)
		}
		return out
	}
	got := names(refScriptsFor(options{tasks: []string{"two-body"}}))
	if want := []string{"two-body hnn", "two-body baseline"}; !slices.Equal(got, want) {
		t.Errorf("two-body: %q, want %q", got, want)
	}
	got = names(refScriptsFor(options{tasks: []string{"two-body"}, reproduce: true}))
	if len(got) != 6 {
		t.Errorf("two-body with -reproduce: %q, want all six scripts", got)
	}
}

// TestSpeedups checks the ratios against recorded reference figures: steps/s
// per task and model, the whole two-body HNN run, and the reproduction only
// when the spring and pendulum scripts are all there.
func TestSpeedups(t *testing.T) {
	t.Parallel()
	o := options{tasks: []string{"two-body"}}
	rep := &Report{
		Builds: []*BuildResult{{
			Build: "openblas",
			Tasks: []TaskResult{{Task: "two-body", Models: []ModelSpeed{{Kind: "hnn", StepsPerSec: 274}}}},
			Whole: []Timed{{Task: "two-body", Seconds: 36.5}},
			// Without the pendulum scripts there is no reproduction ratio.
			Reproduce: &Timed{Seconds: 10},
		}},
		Reference: reference(o, io.Discard),
	}
	got := speedups(rep)
	if len(got) != 2 {
		t.Fatalf("speedups = %+v, want two", got)
	}
	if s := got[0]; s.What != "two-body hnn steps/s" || math.Abs(s.Speedup-274/(10001/73.0)) > 1e-9 {
		t.Errorf("steps/s speedup = %+v", s)
	}
	if s := got[1]; s.What != "two-body hnn whole run seconds" || math.Abs(s.Speedup-2) > 1e-9 {
		t.Errorf("whole-run speedup = %+v, want 73 s / 36.5 s = 2", s)
	}
	o.reproduce = true
	rep.Reference = reference(o, io.Discard)
	if rep.Reference.Seconds != 168 {
		t.Errorf("reproduction total = %v s, want 168", rep.Reference.Seconds)
	}
	if got := speedups(rep); len(got) != 3 || got[2].What != "reproduce seconds" {
		t.Errorf("speedups with -reproduce = %+v, want the reproduction last", got)
	}
}

// TestRoundMedians checks the median over -rounds rounds of each
// whole-command speedup (of the ratios, not the ratio of the medians), in
// the first round's order, a comparison missing from a round left out of
// its median, and that the rounds' table prints every round.
func TestRoundMedians(t *testing.T) {
	t.Parallel()
	sp := func(what string, ours, ref float64) Speedup {
		return Speedup{Build: "asm", What: what, Ours: ours, Reference: ref, Speedup: ref / ours}
	}
	rounds := []Round{
		{Speedups: []Speedup{sp("reproduce seconds", 20, 100), sp("two-body hnn whole run seconds", 10, 70)}},
		{Speedups: []Speedup{sp("reproduce seconds", 25, 100), sp("two-body hnn whole run seconds", 10, 80)}},
		{Speedups: []Speedup{sp("reproduce seconds", 20, 110)}},
	}
	got := roundMedians(rounds)
	want := []Speedup{
		{Build: "asm", What: "reproduce seconds", Ours: 20, Reference: 100, Speedup: 5},
		{Build: "asm", What: "two-body hnn whole run seconds", Ours: 10, Reference: 75, Speedup: 7.5},
	}
	if len(got) != len(want) {
		t.Fatalf("roundMedians = %+v, want %+v", got, want)
	}
	for i := range want {
		if g, w := got[i], want[i]; g.Build != w.Build || g.What != w.What || g.Ours != w.Ours || g.Reference != w.Reference || math.Abs(g.Speedup-w.Speedup) > 1e-12 {
			t.Errorf("median %d = %+v, want %+v", i, g, w)
		}
	}
	var b strings.Builder
	printRounds(&b, &Report{Rounds: rounds, RoundMedians: got})
	for _, s := range []string{"round 3", "20.0 vs 110.0 (5.50x)", "25.0 vs 100.0 (4.00x)", "20.0 vs 100.0 (5.00x)", "10.0 vs 75.0 (7.50x)"} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("the rounds' table lacks %q:\n%s", s, b.String())
		}
	}
	if got := wholeSpeedups([]Speedup{sp("two-body hnn steps/s", 1, 2), sp("reproduce seconds", 1, 2)}); len(got) != 1 || got[0].What != "reproduce seconds" {
		t.Errorf("wholeSpeedups kept %+v, want the reproduction only", got)
	}
}

// TestAbsPythonPath checks that relative PYTHONPATH entries become
// absolute (the reference's scripts run in their own directories) and
// that absolute and empty ones stay.
func TestAbsPythonPath(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	sep := string(os.PathListSeparator)
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"/usr/lib/py", "/usr/lib/py"},
		{"../shared/tools/reference", filepath.Join(filepath.Dir(wd), "shared/tools/reference")},
		{"a" + sep + "/b" + sep, filepath.Join(wd, "a") + sep + "/b" + sep},
	} {
		if got := absPythonPath(c.in); got != c.want {
			t.Errorf("absPythonPath(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestRunCopies checks that runCopies runs n steps of every copy, and all
// copies at once: each copy's first step waits until every copy has
// started one, which copies run in turn would never do.
func TestRunCopies(t *testing.T) {
	const copies, n = 3, 5
	var started sync.WaitGroup
	started.Add(copies)
	counts := make([]int, copies)
	steps := make([]func() float64, copies)
	for i := range steps {
		steps[i] = func() float64 {
			if counts[i] == 0 {
				started.Done()
				started.Wait()
			}
			counts[i]++
			return 0
		}
	}
	done := make(chan struct{})
	go func() {
		runCopies(steps, n)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("runCopies did not run its copies at once")
	}
	for i, c := range counts {
		if c != n {
			t.Errorf("copy %d ran %d steps, want %d", i, c, n)
		}
	}
}
