package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/hnn-go/hnn/train"
)

// interrupts returns a channel that the first SIGINT or SIGTERM closes,
// so that training stops cleanly at its next step boundary and saves its
// state; a second signal exits at once (status 128 + its number), which
// atomic writes make safe. signalled returns the first signal (nil if
// none); release stops listening.
func interrupts(stderr io.Writer) (stop <-chan struct{}, signalled func() os.Signal, release func()) {
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	first := make(chan os.Signal, 1)
	quit := make(chan struct{})
	go func() {
		select {
		case sig := <-ch:
			first <- sig
			close(done)
			fmt.Fprintf(stderr, "\nhnn: %v: stopping at the next step and saving a checkpoint (again to exit at once)\n", sig)
		case <-quit:
			return
		}
		select {
		case sig := <-ch:
			os.Exit(exitCode(sig))
		case <-quit:
		}
	}()
	var got os.Signal
	return done, func() os.Signal {
			if got == nil {
				select {
				case got = <-first:
				default:
				}
			}
			return got
		}, func() {
			signal.Stop(ch)
			close(quit)
		}
}

// exitCode returns the shell's status of a process ended by sig.
func exitCode(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 1
}

// interruptError is a run stopped by a signal: its message is the line
// the command prints, its code the exit status.
type interruptError struct {
	msg  string
	code int
}

func (e *interruptError) Error() string { return e.msg }

// stoppedBy returns the error of a command of many runs stopped by sig
// (err wraps train.ErrInterrupted and says how to continue).
func stoppedBy(sig os.Signal, err error) error {
	code, name := 1, "stopped"
	if sig != nil {
		code, name = exitCode(sig), sig.String()
	}
	return &interruptError{msg: fmt.Sprintf("%s: %v", name, err), code: code}
}

// interrupted returns the error of a run in dir of steps steps stopped by
// sig (through err, which wraps train.ErrInterrupted): where its
// checkpoint is and how to resume it.
func interrupted(sig os.Signal, dir string, steps int, err error) error {
	code := 1
	name := "stopped"
	if sig != nil {
		code, name = exitCode(sig), sig.String()
	}
	if dir == "" || !train.HasCheckpoint(dir) {
		return &interruptError{msg: fmt.Sprintf("%s: %v", name, err), code: code}
	}
	step, _ := train.CheckpointStep(dir)
	return &interruptError{code: code,
		msg: fmt.Sprintf("%s after step %d of %d; checkpoint in %s; resume with: hnn train -resume %s", name, step, steps, dir, dir)}
}
