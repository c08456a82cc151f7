package train

import (
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/hnn-go/hnn/data"
	"github.com/hnn-go/hnn/internal/atomicfile"
	"github.com/hnn-go/hnn/nn"
)

// Resumable training: a loop (Loop, Train, TrainSource and the loops
// built on them) given a Checkpoint saves its whole state, the step, the
// parameters, their moving average, the optimiser's moments and step
// count, the data order and random source, the history so far and the
// stepper's own state, at step boundaries, and restores it before its
// first step. A run resumed from such a state ends with the same
// parameters and history, bit for bit, as one that was never stopped.
//
// A checkpoint is two files in Checkpoint.Dir: the arrays in
// resume-STEP.npz, then resume.json, which names that file and holds the
// integers, strings and random source. Each is written atomically and
// resume.json last, so that a process killed at any point leaves the
// previous checkpoint or the new one, never a mixture.

// ErrInterrupted is returned (wrapped) by a loop stopped through
// Checkpoint.Stop.
var ErrInterrupted = errors.New("training interrupted")

// ResumeFile is the name of a checkpoint's index in its directory.
const ResumeFile = "resume.json"

// resumeFormat is the version of the checkpoint files; a checkpoint of
// another version is refused.
const resumeFormat = 1

// DefaultCheckpointInterval is how often, in training time, a loop with
// a Checkpoint saves its state when Every is zero.
const DefaultCheckpointInterval = 30 * time.Second

// Every says how often a loop saves its state: every Steps steps, or, if
// Steps is zero, every Interval of training time (zero:
// DefaultCheckpointInterval). Off saves only when stopped.
type Every struct {
	Steps    int
	Interval time.Duration
	Off      bool
}

// ParseEvery reads an Every from text: "0" or "off" (only when stopped),
// an integer number of steps ("500") or a duration ("30s", "2m").
func ParseEvery(s string) (Every, error) {
	switch s {
	case "0", "off":
		return Every{Off: true}, nil
	}
	if n, err := strconv.Atoi(s); err == nil && n > 0 {
		return Every{Steps: n}, nil
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return Every{Interval: d}, nil
	}
	return Every{}, fmt.Errorf("checkpoint interval %q: want a number of steps (500), a duration (30s) or 0 for none", s)
}

// String returns e as ParseEvery reads it.
func (e Every) String() string {
	switch {
	case e.Off:
		return "0"
	case e.Steps > 0:
		return strconv.Itoa(e.Steps)
	case e.Interval > 0:
		return e.Interval.String()
	}
	return DefaultCheckpointInterval.String()
}

// Set parses s into e, for flag.Var.
func (e *Every) Set(s string) error {
	v, err := ParseEvery(s)
	if err != nil {
		return err
	}
	*e = v
	return nil
}

// Checkpoint makes a training loop resumable and stoppable. It is passed
// in Config.Checkpoint, which config files never hold.
type Checkpoint struct {
	// Dir is the directory the state is saved into; empty means none
	// (Stop still ends the loop).
	Dir string
	// Every is how often the state is saved.
	Every Every
	// Stop, when closed, ends the loop at the next step boundary: it saves
	// the state (if Dir is set) and returns an error wrapping
	// ErrInterrupted.
	Stop <-chan struct{}
	// RNG is the source of the random numbers the stepper draws its data
	// order from (a *rand.PCG), saved and restored with the rest; nil if
	// the stepper draws none.
	RNG interface {
		encoding.BinaryMarshaler
		encoding.BinaryUnmarshaler
	}
	// Extra, if not nil, is saved and restored with the loop: the state of
	// a caller's hook that runs at log intervals.
	Extra Resumable
	// Resume restores the state saved in Dir, if there is one, before the
	// first step.
	Resume bool
	// Saved, if not nil, is called after every save with its step.
	Saved func(step int)
}

// Resumable is implemented by the steppers (and hooks) whose state a
// checkpoint saves: SaveState puts every value that the next steps
// depend on into s, and LoadState restores them, returning an error if s
// does not hold them with the right sizes.
type Resumable interface {
	SaveState(s *State)
	LoadState(s *State) error
}

// State is what a checkpoint holds: named arrays (saved as float64,
// which holds float32 values and integers below 2^53 exactly), integers
// and strings.
type State struct {
	Arrays  map[string][]float64
	Ints    map[string]int
	Strings map[string]string
	// f32 holds the names of the arrays of float32 values, which are
	// saved as float32: half the bytes, no value changed.
	f32 map[string]bool
}

// NewState returns an empty State.
func NewState() *State {
	return &State{Arrays: map[string][]float64{}, Ints: map[string]int{}, Strings: map[string]string{}, f32: map[string]bool{}}
}

// PutArray stores v as the array name.
func PutArray[T nn.Float](s *State, name string, v []T) {
	a := make([]float64, len(v))
	for i, x := range v {
		a[i] = float64(x)
	}
	s.Arrays[name] = a
	if _, ok := any(v).([]float32); ok && s.f32 != nil {
		s.f32[name] = true
	}
}

// PutInts stores v as the array name.
func PutInts(s *State, name string, v []int) {
	a := make([]float64, len(v))
	for i, x := range v {
		a[i] = float64(x)
	}
	s.Arrays[name] = a
}

// GetArray copies the array name into dst; it returns an error if there
// is none or its length differs.
func GetArray[T nn.Float](s *State, name string, dst []T) error {
	a, ok := s.Arrays[name]
	if !ok || len(a) != len(dst) {
		return fmt.Errorf("array %q: want %d values, have %d", name, len(dst), len(a))
	}
	for i, x := range a {
		dst[i] = T(x)
	}
	return nil
}

// GetInts copies the array name into dst, checking every value is an
// integer in [0, bound); it returns an error if there is none, its length
// differs or a value is out of range.
func GetInts(s *State, name string, dst []int, bound int) error {
	a, ok := s.Arrays[name]
	if !ok || len(a) != len(dst) {
		return fmt.Errorf("array %q: want %d values, have %d", name, len(dst), len(a))
	}
	for i, x := range a {
		if x != float64(int(x)) || x < 0 || int(x) >= bound {
			return fmt.Errorf("array %q: value %v at %d, want an integer in [0, %d)", name, x, i, bound)
		}
		dst[i] = int(x)
	}
	return nil
}

// GetInt returns the integer name, or an error if there is none.
func (s *State) GetInt(name string) (int, error) {
	v, ok := s.Ints[name]
	if !ok {
		return 0, fmt.Errorf("integer %q missing", name)
	}
	return v, nil
}

// PutAdam stores the moments and step count of a under prefix.
func PutAdam[T nn.Float](s *State, prefix string, a *nn.Adam[T]) {
	m, v, steps := a.State()
	PutArray(s, prefix+".m", m)
	PutArray(s, prefix+".v", v)
	s.Ints[prefix+".steps"] = steps
}

// GetAdam restores the moments and step count of a stored by PutAdam.
func GetAdam[T nn.Float](s *State, prefix string, a *nn.Adam[T]) error {
	m0, _, _ := a.State()
	m, v := make([]T, len(m0)), make([]T, len(m0))
	if err := GetArray(s, prefix+".m", m); err != nil {
		return err
	}
	if err := GetArray(s, prefix+".v", v); err != nil {
		return err
	}
	steps, err := s.GetInt(prefix + ".steps")
	if err != nil {
		return err
	}
	a.SetState(m, v, steps)
	return nil
}

// SaveState implements Resumable: the parameters, their average, Adam's
// state and the data order (and the minibatch being read ahead).
func (s *Stepper[T]) SaveState(st *State) {
	PutArray(st, "params", s.params)
	if s.avg != nil {
		PutArray(st, "average", s.avg)
	}
	PutAdam(st, "adam", s.opt)
	if s.perm != nil {
		PutInts(st, "perm", s.perm)
	}
	if s.rows != nil {
		PutInts(st, "rows", s.rows)
	}
	pending := 0
	if s.pre != nil && s.pre.pending {
		pending = 1
	}
	st.Ints["pending"] = pending
}

// LoadState implements Resumable.
func (s *Stepper[T]) LoadState(st *State) error {
	if err := GetArray(st, "params", s.params); err != nil {
		return err
	}
	if s.avg != nil {
		if err := GetArray(st, "average", s.avg); err != nil {
			return err
		}
	}
	if err := GetAdam(st, "adam", s.opt); err != nil {
		return err
	}
	if s.perm != nil {
		if err := GetInts(st, "perm", s.perm, len(s.perm)); err != nil {
			return err
		}
	}
	if s.rows != nil {
		if err := GetInts(st, "rows", s.rows, s.n); err != nil {
			return err
		}
	}
	if st.Ints["pending"] == 1 && s.pre != nil {
		// The saved data order is one draw ahead: its minibatch is the
		// next step's, read ahead as the saved run was doing.
		if s.perm != nil {
			s.pre.start(s.perm[:s.batch])
		} else {
			s.pre.start(s.rows)
		}
	}
	return nil
}

// resumeIndex is the content of resume.json.
type resumeIndex struct {
	Format  int               `json:"format"`
	Step    int               `json:"step"`
	Arrays  string            `json:"arrays"`
	RNG     []byte            `json:"rng,omitempty"`
	Config  json.RawMessage   `json:"config"`
	Ints    map[string]int    `json:"ints"`
	Strings map[string]string `json:"strings,omitempty"`
	Extra   *extraState       `json:"extra,omitempty"`
}

type extraState struct {
	Ints    map[string]int    `json:"ints"`
	Strings map[string]string `json:"strings,omitempty"`
}

// HasCheckpoint reports whether dir holds a checkpoint index.
func HasCheckpoint(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, ResumeFile))
	return err == nil
}

// CheckpointStep returns the step of the checkpoint in dir, reading only
// its index.
func CheckpointStep(dir string) (int, error) {
	var ix resumeIndex
	if err := readIndex(dir, &ix); err != nil {
		return 0, err
	}
	return ix.Step, nil
}

// RemoveCheckpoint removes the checkpoint files of dir (the index first,
// so that a half-removed checkpoint is no checkpoint).
func RemoveCheckpoint(dir string) error {
	if err := os.Remove(filepath.Join(dir, ResumeFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("train: %w", err)
	}
	removeArrays(dir, "")
	return nil
}

// removeArrays removes the resume-*.npz files of dir but keep, and the
// temporary files of checkpoint writes that were cut short.
func removeArrays(dir, keep string) {
	old, _ := filepath.Glob(filepath.Join(dir, "resume-*.npz"))
	// Temporary files of writes that a killed process left.
	tmp, _ := filepath.Glob(filepath.Join(dir, ".resume*.tmp-*"))
	old = append(old, tmp...)
	for _, f := range old {
		if filepath.Base(f) != keep {
			os.Remove(f)
		}
	}
}

func readIndex(dir string, ix *resumeIndex) error {
	path := filepath.Join(dir, ResumeFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	if err := json.Unmarshal(b, ix); err != nil {
		return fmt.Errorf("train: %s: damaged checkpoint: %w", path, err)
	}
	if ix.Format != resumeFormat {
		return fmt.Errorf("train: %s: checkpoint format %d, this version reads format %d", path, ix.Format, resumeFormat)
	}
	return nil
}

// configJSON returns c as the JSON a checkpoint records.
func configJSON(c Config) json.RawMessage {
	c.Checkpoint = nil
	b, err := json.Marshal(c)
	if err != nil {
		panic("train: " + err.Error())
	}
	return b
}

// diffField returns the JSON name of the first field in which the objects
// a and b differ, "" if none.
func diffField(a, b json.RawMessage) string {
	var ma, mb map[string]any
	if json.Unmarshal(a, &ma) != nil || json.Unmarshal(b, &mb) != nil {
		return "config"
	}
	for k, v := range ma {
		if !reflect.DeepEqual(v, mb[k]) {
			return k
		}
	}
	for k := range mb {
		if _, ok := ma[k]; !ok {
			return k
		}
	}
	return ""
}

// checkpointer saves and restores the state of one loop.
type checkpointer[T nn.Float] struct {
	ck     *Checkpoint
	st     Resumable
	c      Config
	last   time.Time
	lastAt int
}

// newCheckpointer returns the checkpointer of st under c.Checkpoint, or
// nil if there is none. It panics if c has a checkpoint directory and st
// cannot save its state.
func newCheckpointer[T nn.Float](st Steps[T], c Config) *checkpointer[T] {
	ck := c.Checkpoint
	if ck == nil {
		return nil
	}
	r, ok := st.(Resumable)
	if !ok && ck.Dir != "" {
		panic(fmt.Sprintf("train: checkpoint of a %T, which cannot save its state", st))
	}
	return &checkpointer[T]{ck: ck, st: r, c: c, last: time.Now()}
}

// restore loads the saved state into the stepper, h and good, and
// returns the step it was saved at (zero if there is nothing to resume).
func (p *checkpointer[T]) restore(h *History, good []T) (int, error) {
	if !p.ck.Resume || p.ck.Dir == "" || !HasCheckpoint(p.ck.Dir) {
		return 0, nil
	}
	var ix resumeIndex
	if err := readIndex(p.ck.Dir, &ix); err != nil {
		return 0, err
	}
	path := filepath.Join(p.ck.Dir, ResumeFile)
	if f := diffField(ix.Config, configJSON(p.c)); f != "" {
		return 0, fmt.Errorf("train: %s: the checkpoint was trained with another %s", path, f)
	}
	if ix.Step < 0 || ix.Step > p.c.Steps {
		return 0, fmt.Errorf("train: %s: step %d, want one in [0, %d]", path, ix.Step, p.c.Steps)
	}
	if filepath.Base(ix.Arrays) != ix.Arrays || !strings.HasPrefix(ix.Arrays, "resume-") {
		return 0, fmt.Errorf("train: %s: damaged checkpoint: arrays file %q", path, ix.Arrays)
	}
	arrays, err := data.ReadNPZ(filepath.Join(p.ck.Dir, ix.Arrays))
	if err != nil {
		return 0, fmt.Errorf("train: damaged checkpoint: %w", err)
	}
	s := NewState()
	s.Ints, s.Strings = ix.Ints, ix.Strings
	if s.Ints == nil {
		s.Ints = map[string]int{}
	}
	if s.Strings == nil {
		s.Strings = map[string]string{}
	}
	for k, a := range arrays {
		s.Arrays[k] = a.Data
	}
	fail := func(err error) (int, error) {
		return 0, fmt.Errorf("train: %s: damaged checkpoint: %w", path, err)
	}
	if err := p.st.LoadState(s); err != nil {
		return fail(err)
	}
	if err := GetArray(s, "loop.good", good); err != nil {
		return fail(err)
	}
	n := len(s.Arrays["loop.log.step"])
	if len(s.Arrays["loop.log.train"]) != n || len(s.Arrays["loop.log.test"]) != n {
		return fail(errors.New("history arrays of different lengths"))
	}
	h.Log = make([]Point, n)
	for i := range h.Log {
		h.Log[i] = Point{Step: int(s.Arrays["loop.log.step"][i]), Train: s.Arrays["loop.log.train"][i], Test: s.Arrays["loop.log.test"][i]}
	}
	h.Steps = ix.Step
	h.Seconds = float64(s.Ints["loop.nanoseconds"]) / 1e9
	if p.ck.RNG != nil {
		if err := p.ck.RNG.UnmarshalBinary(ix.RNG); err != nil {
			return fail(fmt.Errorf("random source: %w", err))
		}
	}
	if p.ck.Extra != nil {
		es := &State{Arrays: s.Arrays, Ints: map[string]int{}, Strings: map[string]string{}}
		if ix.Extra != nil {
			if ix.Extra.Ints != nil {
				es.Ints = ix.Extra.Ints
			}
			if ix.Extra.Strings != nil {
				es.Strings = ix.Extra.Strings
			}
		}
		if err := p.ck.Extra.LoadState(es); err != nil {
			return fail(err)
		}
	}
	p.lastAt = ix.Step
	return ix.Step, nil
}

// due reports whether the state after step should be saved now.
func (p *checkpointer[T]) due(step int) bool {
	e := p.ck.Every
	switch {
	case p.ck.Dir == "" || e.Off:
		return false
	case step == p.c.Steps:
		return true
	case e.Steps > 0:
		return step%e.Steps == 0
	}
	iv := e.Interval
	if iv == 0 {
		iv = DefaultCheckpointInterval
	}
	return time.Since(p.last) >= iv
}

// stopped reports whether Stop is closed.
func (p *checkpointer[T]) stopped() bool {
	if p.ck.Stop == nil {
		return false
	}
	select {
	case <-p.ck.Stop:
		return true
	default:
		return false
	}
}

// save writes the state after step: the arrays first, then the index.
func (p *checkpointer[T]) save(step int, h *History, good []T, elapsed time.Duration) error {
	if p.ck.Dir == "" || step == p.lastAt && HasCheckpoint(p.ck.Dir) {
		return nil
	}
	if err := os.MkdirAll(p.ck.Dir, 0o755); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	s := NewState()
	p.st.SaveState(s)
	PutArray(s, "loop.good", good)
	ls, lt, le := make([]float64, len(h.Log)), make([]float64, len(h.Log)), make([]float64, len(h.Log))
	for i, q := range h.Log {
		ls[i], lt[i], le[i] = float64(q.Step), q.Train, q.Test
	}
	s.Arrays["loop.log.step"], s.Arrays["loop.log.train"], s.Arrays["loop.log.test"] = ls, lt, le
	s.Ints["loop.nanoseconds"] = int(elapsed)
	ix := resumeIndex{Format: resumeFormat, Step: step, Arrays: fmt.Sprintf("resume-%09d.npz", step),
		Config: configJSON(p.c), Ints: s.Ints, Strings: s.Strings}
	if p.ck.Extra != nil {
		es := NewState()
		es.Arrays, es.f32 = s.Arrays, s.f32
		p.ck.Extra.SaveState(es)
		ix.Extra = &extraState{Ints: es.Ints, Strings: es.Strings}
	}
	if p.ck.RNG != nil {
		b, err := p.ck.RNG.MarshalBinary()
		if err != nil {
			return fmt.Errorf("train: saving the random source: %w", err)
		}
		ix.RNG = b
	}
	arrays := make(map[string]data.Array, len(s.Arrays))
	for k, v := range s.Arrays {
		arrays[k] = data.Array{Shape: []int{len(v)}, Data: v, Float32: s.f32[k]}
	}
	if err := data.WriteNPZ(filepath.Join(p.ck.Dir, ix.Arrays), arrays); err != nil {
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	b, err := json.MarshalIndent(ix, "", "  ")
	if err != nil {
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	if err := atomicfile.WriteFile(filepath.Join(p.ck.Dir, ResumeFile), append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	removeArrays(p.ck.Dir, ix.Arrays)
	p.last, p.lastAt = time.Now(), step
	if p.ck.Saved != nil {
		p.ck.Saved(step)
	}
	return nil
}

// boundary is the loop's hook after step: it saves the state when due,
// and when Stop is closed saves it and returns an error wrapping
// ErrInterrupted.
func (p *checkpointer[T]) boundary(step int, h *History, good []T, start time.Time) error {
	stop := p.stopped()
	if stop || p.due(step) {
		if err := p.save(step, h, good, time.Since(start)); err != nil {
			return err
		}
	}
	if stop && step < p.c.Steps {
		h.Seconds = time.Since(start).Seconds()
		if p.ck.Dir == "" {
			return fmt.Errorf("train: stopped after step %d of %d: %w", step, p.c.Steps, ErrInterrupted)
		}
		return fmt.Errorf("train: stopped after step %d of %d, state saved in %s: %w", step, p.c.Steps, p.ck.Dir, ErrInterrupted)
	}
	return nil
}

// CheckCheckpoint returns an error naming the file if the checkpoint in
// dir cannot be read: a damaged index or arrays file, or another format.
// A directory without a checkpoint passes.
func CheckCheckpoint(dir string) error {
	if !HasCheckpoint(dir) {
		return nil
	}
	var ix resumeIndex
	if err := readIndex(dir, &ix); err != nil {
		return err
	}
	if filepath.Base(ix.Arrays) != ix.Arrays || !strings.HasPrefix(ix.Arrays, "resume-") {
		return fmt.Errorf("train: %s: damaged checkpoint: arrays file %q", filepath.Join(dir, ResumeFile), ix.Arrays)
	}
	if _, err := data.ReadNPZ(filepath.Join(dir, ix.Arrays)); err != nil {
		return fmt.Errorf("train: damaged checkpoint: %w", err)
	}
	return nil
}
