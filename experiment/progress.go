package experiment

import (
	"fmt"
	"io"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
)

// Progress is an aggregate progress bar over concurrent training runs, with
// the latest loss and the step rate: runs report steps through atomic
// counters and one goroutine redraws the bar, so training loops never wait
// on it.
type Progress struct {
	bar      *progressbar.ProgressBar
	steps    atomic.Int64
	loss     atomic.Uint64
	runsDone atomic.Int64
	runs     int
	stop     chan struct{}
	wg       sync.WaitGroup
}

// Set records that a single run reached step with the given batch loss.
func (p *Progress) Set(step int64, loss float64) {
	p.steps.Store(step)
	p.loss.Store(math.Float64bits(loss))
}

// NewProgress returns a progress bar over total steps of the given number of
// runs, drawn on w; with a nil w it draws nothing.
func NewProgress(w io.Writer, total int64, runs int) *Progress {
	p := &Progress{runs: runs, stop: make(chan struct{})}
	if w == nil {
		return p
	}
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
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-p.stop:
				p.redraw()
				return
			case <-tick.C:
				p.redraw()
			}
		}
	}()
	return p
}

func (p *Progress) redraw() {
	loss := math.Float64frombits(p.loss.Load())
	if p.runs > 1 {
		p.bar.Describe(fmt.Sprintf("runs %d/%d, loss %.3e", p.runsDone.Load(), p.runs, loss))
	} else {
		p.bar.Describe(fmt.Sprintf("loss %.3e", loss))
	}
	_ = p.bar.Set64(p.steps.Load())
}

// add records n more steps and the latest batch loss.
func (p *Progress) add(n int64, loss float64) {
	p.steps.Add(n)
	p.loss.Store(math.Float64bits(loss))
}

// done records a finished run.
func (p *Progress) done() { p.runsDone.Add(1) }

// Finish stops the redrawing goroutine and clears the bar.
func (p *Progress) Finish() {
	if p.bar == nil {
		return
	}
	close(p.stop)
	p.wg.Wait()
	_ = p.bar.Finish()
}
