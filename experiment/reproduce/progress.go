package reproduce

import (
	"fmt"
	"io"
	"math"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
)

// Progress reports the progress of concurrent training runs, with the
// latest loss and the step rate: runs report steps through atomic counters
// and one goroutine draws, so training loops never wait on it. On a
// terminal it draws a progress bar; on any other writer (a log file, CI)
// it prints one plain line per interval: every 5% of the steps, and at
// least once a minute while steps are made.
type Progress struct {
	bar      *progressbar.ProgressBar
	lines    *lineProgress
	steps    atomic.Int64
	loss     atomic.Uint64
	runsDone atomic.Int64
	runs     int
	stop     chan struct{}
	wg       sync.WaitGroup
}

// lineProgress is the state of plain-line progress.
type lineProgress struct {
	mu          sync.Mutex
	w           io.Writer
	total       int64
	every       int64 // steps between lines
	next        int64 // the step count that prints the next line
	start, last time.Time
	lastSteps   int64
}

// lineInterval is the longest time between two plain progress lines while
// steps are made.
const lineInterval = time.Minute

// Set records that a single run reached step with the given batch loss.
func (p *Progress) Set(step int64, loss float64) {
	p.steps.Store(step)
	p.loss.Store(math.Float64bits(loss))
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// NewProgress returns a progress report over total steps of the given
// number of runs, written to w: a bar if w is a terminal, else plain
// lines. With a nil w it writes nothing.
func NewProgress(w io.Writer, total int64, runs int) *Progress {
	p := &Progress{runs: runs, stop: make(chan struct{})}
	if w == nil {
		return p
	}
	if isTerminal(w) {
		p.bar = progressbar.NewOptions64(total,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription("training"),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("steps"),
			progressbar.OptionShowCount(),
			progressbar.OptionSetWidth(24),
			progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
	} else {
		now := time.Now()
		every := max(total/20, 1)
		p.lines = &lineProgress{w: w, total: total, every: every, next: every, start: now, last: now}
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-p.stop:
				if p.bar != nil {
					p.redraw()
				}
				return
			case <-tick.C:
				p.redraw()
			}
		}
	}()
	return p
}

// describe returns the runs done (with several runs) and the latest loss.
func (p *Progress) describe() string {
	loss := math.Float64frombits(p.loss.Load())
	if p.runs > 1 {
		return fmt.Sprintf("runs %d/%d, loss %.3e", p.runsDone.Load(), p.runs, loss)
	}
	return fmt.Sprintf("loss %.3e", loss)
}

func (p *Progress) redraw() {
	if p.lines != nil {
		p.line(false)
		return
	}
	p.bar.Describe(p.describe())
	_ = p.bar.Set64(p.steps.Load())
}

// line prints a plain progress line if the steps crossed the next 5% mark
// or a minute passed with steps made since the last line, or, with final
// set, the last line.
func (p *Progress) line(final bool) {
	l := p.lines
	l.mu.Lock()
	defer l.mu.Unlock()
	steps, now := p.steps.Load(), time.Now()
	if !final && steps < l.next && !(steps > l.lastSteps && now.Sub(l.last) >= lineInterval) {
		return
	}
	for l.next <= steps {
		l.next += l.every
	}
	el := now.Sub(l.start)
	rate := float64(steps) / max(el.Seconds(), 1e-9)
	pct := 100.0
	if l.total > 0 {
		pct = 100 * float64(steps) / float64(l.total)
	}
	head := "training"
	if final {
		head = "training done"
	}
	fmt.Fprintf(l.w, "%s: %d/%d steps (%.0f%%), %s, %.1f steps/s, %s\n", head, steps, l.total, pct, p.describe(), rate, el.Round(time.Second))
	l.last, l.lastSteps = now, steps
}

// add records n more steps and the latest batch loss.
func (p *Progress) add(n int64, loss float64) {
	p.steps.Add(n)
	p.loss.Store(math.Float64bits(loss))
}

// done records a finished run.
func (p *Progress) done() { p.runsDone.Add(1) }

// Finish stops the drawing goroutine and clears the bar, or prints the
// last plain line.
func (p *Progress) Finish() {
	if p.bar == nil && p.lines == nil {
		return
	}
	close(p.stop)
	p.wg.Wait()
	if p.lines != nil {
		p.line(true)
		return
	}
	_ = p.bar.Finish()
}
