package sweep

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/hnn-go/hnn/internal/check"
)

// Collect waits until ctx is done for one result of every job of the sweep's
// manifest, downloads the files of each result into dir/<name>/, and returns
// the results in index order. It keeps the first result of each job; later
// ones, left by redelivered jobs, are dropped (Status counts them). Each file
// is written to a temporary file and renamed into place, so a file present
// in dir is complete.
//
// If ctx is done first, Collect returns the results it has, in index order,
// with an error that wraps ctx.Err(). Results with Error set count as
// collected.
func (c *Client) Collect(ctx context.Context, sweep, dir string) ([]Result, error) {
	m, err := c.Manifest(ctx, sweep)
	if err != nil {
		return nil, err
	}
	got := make([]*Result, m.Count)
	n := 0
	gathered := func() []Result {
		rs := make([]Result, 0, n)
		for _, r := range got {
			if r != nil {
				rs = append(rs, *r)
			}
		}
		return rs
	}
	err = c.scanResults(ctx, sweep, true, func(r Result) (bool, error) {
		if r.Index < 0 || r.Index >= m.Count || r.Name != m.Names[r.Index] {
			return false, fmt.Errorf("result of job %d (%s) does not match the manifest", r.Index, r.Name)
		}
		if got[r.Index] != nil {
			return false, nil
		}
		for _, f := range r.Files {
			if err := c.download(ctx, sweep, r.Name, f, dir); err != nil {
				return false, fmt.Errorf("job %d (%s): %w", r.Index, r.Name, err)
			}
		}
		got[r.Index] = &r
		n++
		return n == m.Count, nil
	})
	if err != nil {
		return gathered(), fmt.Errorf("sweep %s: collect (%d of %d results): %w", sweep, n, m.Count, err)
	}
	return gathered(), nil
}

// download copies the object of the file of a run to dir/<name>/<file>
// through a temporary file.
func (c *Client) download(ctx context.Context, sweep, name, file, dir string) error {
	rel := filepath.FromSlash(file)
	if !filepath.IsLocal(rel) {
		return fmt.Errorf("file name %s escapes the run directory", check.Quote(file))
	}
	dst := filepath.Join(dir, name, rel)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	obj, err := c.runs.Get(ctx, objectName(sweep, name, file))
	if err != nil {
		return fmt.Errorf("download %s: %w", file, err)
	}
	defer obj.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	if _, err := io.Copy(tmp, obj); err != nil {
		tmp.Close()
		return fmt.Errorf("download %s: %w", file, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dst)
}
