package sweep

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/hnn-go/hnn/internal/check"
)

// Names of the streams and buckets that hold the sweeps on the server.
const (
	JobsStream    = "HNN_JOBS"    // work queue of job messages
	ResultsStream = "HNN_RESULTS" // results reported by workers
	RunsBucket    = "HNN_RUNS"    // object store of run output files
	PlansBucket   = "HNN_PLANS"   // KV bucket of sweep manifests
)

// Job is one unit of work of a sweep.
type Job struct {
	// Sweep is the name of the sweep, matching [A-Za-z0-9_-]+.
	Sweep string `json:"sweep"`
	// Index is the position of the job in the sweep, 0..n-1, unique
	// within the sweep.
	Index int `json:"index"`
	// Name labels the job. It is unique within the sweep, matches
	// [A-Za-z0-9._-]+ and is the name of the run's directory.
	Name string `json:"name"`
	// Spec is the job specification, empty or JSON, opaque to this
	// package. Executors receive it compacted as encoding/json writes it,
	// and an empty Spec as null.
	Spec json.RawMessage `json:"spec"`
}

// Result is what a worker reports for a job.
type Result struct {
	Sweep string `json:"sweep"`
	Index int    `json:"index"`
	Name  string `json:"name"`
	// Worker is the ID of the worker that ran the job.
	Worker string `json:"worker"`
	// Attempt is the JetStream delivery count of the job message when
	// the job ran, 1 for the first attempt.
	Attempt int `json:"attempt"`
	// Payload is what the Executor returned, opaque to this package.
	Payload json.RawMessage `json:"payload,omitempty"`
	// Files are the names of the files of the run, relative to the run
	// directory with slash separators and sorted, stored in the object
	// store under "<sweep>/<name>/<file>".
	Files []string `json:"files,omitempty"`
	// Error is non-empty when the job failed permanently.
	Error string `json:"error,omitempty"`
}

// Manifest describes a planned sweep. It is stored in the PlansBucket under
// the sweep's name.
type Manifest struct {
	Sweep string `json:"sweep"`
	// Count is the number of jobs.
	Count int `json:"count"`
	// Names are the job names in index order.
	Names []string `json:"names"`
	// Digest is the hex SHA-256 of the jobs' names and specifications, so
	// that a plan with the same names but other specifications conflicts.
	Digest string `json:"digest"`
}

// Status is the progress of a sweep.
type Status struct {
	Sweep string `json:"sweep"`
	// Planned is the number of jobs of the sweep.
	Planned int `json:"planned"`
	// Pending is the number of jobs in the queue, including those that
	// a worker is running.
	Pending int `json:"pending"`
	// Running is the number of jobs delivered to a worker and not yet
	// acknowledged.
	Running int `json:"running"`
	// Done is the number of jobs with a successful result.
	Done int `json:"done"`
	// Failed is the number of jobs whose result has an Error.
	Failed int `json:"failed"`
	// Duplicates is the number of results beyond the first of their
	// job, left by redelivered jobs; Collect drops them.
	Duplicates int `json:"duplicates"`
}

// Complete reports whether every planned job has a result.
func (s Status) Complete() bool { return s.Done+s.Failed == s.Planned }

func jobSubject(sweep string, index int) string {
	return "hnn.jobs." + sweep + "." + strconv.Itoa(index)
}

func resultSubject(sweep string, index int) string {
	return "hnn.results." + sweep + "." + strconv.Itoa(index)
}

func msgID(sweep string, index int) string { return sweep + "/" + strconv.Itoa(index) }

func consumerName(sweep string) string { return "hnn_" + sweep }

func objectName(sweep, name, file string) string { return sweep + "/" + name + "/" + file }

// ValidSweepName reports whether s is a valid sweep name: one or more of
// the characters A-Z, a-z, 0-9, '_' and '-'.
func ValidSweepName(s string) bool {
	return s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !isAlnum(r) && r != '_' && r != '-'
	}) < 0
}

// ValidJobName reports whether s is a valid job name: one or more of the
// characters A-Z, a-z, 0-9, '.', '_' and '-', other than "." and "..".
func ValidJobName(s string) bool {
	return s != "" && s != "." && s != ".." && strings.IndexFunc(s, func(r rune) bool {
		return !isAlnum(r) && r != '_' && r != '-' && r != '.'
	}) < 0
}

func isAlnum(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
}

// checkJobs validates the jobs of a plan and returns them sorted by index
// with their manifest.
func checkJobs(jobs []Job) ([]Job, Manifest, error) {
	if len(jobs) == 0 {
		return nil, Manifest{}, fmt.Errorf("sweep: no jobs to plan")
	}
	sweep := jobs[0].Sweep
	if !ValidSweepName(sweep) {
		return nil, Manifest{}, fmt.Errorf("sweep: invalid sweep name %s: want [A-Za-z0-9_-]+", check.Quote(sweep))
	}
	sorted := make([]Job, len(jobs))
	seen := make([]bool, len(jobs))
	names := make(map[string]int, len(jobs))
	for _, j := range jobs {
		if j.Sweep != sweep {
			return nil, Manifest{}, fmt.Errorf("sweep: job %d of sweep %s in a plan of sweep %s", j.Index, check.Quote(j.Sweep), check.Quote(sweep))
		}
		if j.Index < 0 || j.Index >= len(jobs) {
			return nil, Manifest{}, fmt.Errorf("sweep %s: job index %d out of range [0, %d)", sweep, j.Index, len(jobs))
		}
		if seen[j.Index] {
			return nil, Manifest{}, fmt.Errorf("sweep %s: duplicate job index %d", sweep, j.Index)
		}
		if !ValidJobName(j.Name) {
			return nil, Manifest{}, fmt.Errorf("sweep %s: job %d: invalid name %s: want [A-Za-z0-9._-]+", sweep, j.Index, check.Quote(j.Name))
		}
		if k, ok := names[j.Name]; ok {
			return nil, Manifest{}, fmt.Errorf("sweep %s: jobs %d and %d have the same name %s", sweep, k, j.Index, check.Quote(j.Name))
		}
		if len(j.Spec) > 0 && !json.Valid(j.Spec) {
			return nil, Manifest{}, fmt.Errorf("sweep %s: job %d (%s): spec is not valid JSON", sweep, j.Index, j.Name)
		}
		seen[j.Index] = true
		names[j.Name] = j.Index
		sorted[j.Index] = j
	}
	m := Manifest{Sweep: sweep, Count: len(sorted), Names: make([]string, len(sorted))}
	h := sha256.New()
	var buf bytes.Buffer
	for i, j := range sorted {
		m.Names[i] = j.Name
		buf.Reset()
		if len(j.Spec) > 0 {
			// Compact cannot fail on valid JSON.
			_ = json.Compact(&buf, j.Spec)
		}
		fmt.Fprintf(h, "%d\x00%s\x00%d\x00", i, j.Name, buf.Len())
		h.Write(buf.Bytes())
	}
	m.Digest = hex.EncodeToString(h.Sum(nil))
	return sorted, m, nil
}

func (m Manifest) equal(o Manifest) bool {
	return m.Sweep == o.Sweep && m.Count == o.Count && m.Digest == o.Digest && slices.Equal(m.Names, o.Names)
}
