package main

import (
	"bytes"
	"io"
	"slices"
	"strings"
	"testing"
)

func TestSymodenTotalSteps(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src string
		want      int
		wantErr   string
	}{
		{name: "script", src: "parser.add_argument('--total_steps', default=1000, type=int)\nfor step in range(args.total_steps+1):\n", want: 1000},
		{name: "no default", src: "for step in range(args.total_steps+1):\n", wantErr: "no --total_steps default"},
		{name: "other loop", src: "parser.add_argument('--total_steps', default=1000, type=int)\nfor step in range(args.total_steps):\n", wantErr: "not range(args.total_steps+1)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := symodenTotalSteps([]byte(tc.src))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("symodenTotalSteps error = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("symodenTotalSteps = %d, %v, want %d", got, err, tc.want)
			}
		})
	}
}

func TestSymodenFlags(t *testing.T) {
	t.Parallel()
	o, err := parseFlags([]string{"-symoden", "/tmp/x", "-symoden-steps", "20"}, io.Discard)
	if err != nil || o.symoden != "/tmp/x" || o.symodenSteps != 20 {
		t.Fatalf("parseFlags = %+v, %v", o, err)
	}
	if _, err := parseFlags([]string{"-symoden-steps", "-1"}, io.Discard); err == nil || !strings.Contains(err.Error(), "-symoden-steps -1") {
		t.Fatalf("parseFlags(-symoden-steps -1) error = %v", err)
	}
}

// TestSymodenRunsMatch checks that hnn's matched run makes the script's
// updates on minibatches of one input's windows, and that a missing
// export is refused with one line before anything is built.
func TestSymodenRunsMatch(t *testing.T) {
	t.Parallel()
	runs := symodenRuns("/root", options{symoden: "/ref", python: "py"}, "/tmp/hnn", "/tmp", 1000, 5005)
	if len(runs) != 4 {
		t.Fatalf("%d runs, want 4", len(runs))
	}
	ref, matched, defaults := runs[0], runs[1], runs[3]
	if ref.dir != "/ref/experiment-single-embed" || strings.Join(ref.argv[:4], " ") != "py train.py --verbose --structure" {
		t.Errorf("script run %q in %s", ref.argv, ref.dir)
	}
	for _, want := range []string{"-fit rollout -horizon 1", "-steps 5005", "-batch 1216"} {
		if !strings.Contains(matched.Command, want) {
			t.Errorf("matched run %q lacks %q", matched.Command, want)
		}
	}
	if one := runs[2]; !slices.Contains(one.env, "GOMAXPROCS=1") || one.Command != "GOMAXPROCS=1 "+matched.Command {
		t.Errorf("one-core run %q with env %q", one.Command, one.env)
	}
	if strings.Contains(defaults.Command, "-steps") || defaults.Steps != 5000 {
		t.Errorf("defaults run %q, %d steps", defaults.Command, defaults.Steps)
	}
	short := symodenRuns("/root", options{symoden: "/ref", python: "py", symodenSteps: 20}, "/tmp/hnn", "/tmp", 20, 105)
	if !strings.Contains(strings.Join(short[0].argv, " "), "--total_steps 20") || !strings.Contains(short[3].Command, "-steps 105") {
		t.Errorf("short runs %q, %q", short[0].argv, short[3].Command)
	}
	var stderr bytes.Buffer
	err := run([]string{"-symoden", t.TempDir()}, io.Discard, &stderr)
	if err == nil || !strings.Contains(err.Error(), "want an export of Physics-aware-AI/Symplectic-ODENet") || strings.Contains(err.Error(), "\n") {
		t.Errorf("run with an empty -symoden directory: %v", err)
	}
}

func TestPrintSymoden(t *testing.T) {
	t.Parallel()
	rep := &SymodenReport{
		Runs: []SymodenRun{{Name: "symoden-script", Steps: 100}, {Name: "hnn-matched", Steps: 100}},
		Rounds: [][]SymodenTimed{{
			{Name: "symoden-script", Seconds: 70, PausedSeconds: 10, CPUSeconds: 50},
			{Name: "hnn-matched", Seconds: 20, CPUSeconds: 25},
		}},
	}
	var b bytes.Buffer
	printSymoden(&b, rep)
	out := b.String()
	// (70 - 10) / 20 = 3x in wall time less pauses, 50 / 25 = 2x in CPU.
	for _, want := range []string{"3.00x", "2.00x", "5.0"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
