package atomicfile

import (
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
)

// createTries is the number of random temporary names Create tries before
// giving up.
const createTries = 100

// File is a file being written atomically. Its content replaces the
// destination when Commit is called; Abort discards it.
//
// A File is not safe for concurrent use.
type File struct {
	f    *os.File
	path string // destination
	tmp  string // temporary file in the destination's directory
	done bool   // Commit or Abort has been called
}

// Create starts writing the file at path. Nothing visible under path
// changes until Commit. The file is created with permission 0666 before the
// umask, like os.Create.
//
// Errors are *fs.PathError values that name path.
func Create(path string) (*File, error) {
	return create(path, 0o666)
}

func create(path string, perm os.FileMode) (*File, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	prefix := "." + base + ".tmp-"
	for range createTries {
		tmp := filepath.Join(dir, prefix+strconv.FormatUint(rand.Uint64(), 36))
		f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, pathError("create", path, err)
		}
		return &File{f: f, path: path, tmp: tmp}, nil
	}
	return nil, &fs.PathError{Op: "create", Path: path, Err: fs.ErrExist}
}

// Write writes p to the temporary file. It returns an error if Commit or
// Abort has been called.
func (f *File) Write(p []byte) (int, error) {
	if f.done {
		return 0, &fs.PathError{Op: "write", Path: f.path, Err: fs.ErrClosed}
	}
	n, err := f.f.Write(p)
	if err != nil {
		return n, pathError("write", f.path, err)
	}
	return n, nil
}

// WriteAt writes p to the temporary file at offset off, as os.File.WriteAt
// does (to rewrite a header once the size of what follows is known). It
// returns an error if Commit or Abort has been called.
func (f *File) WriteAt(p []byte, off int64) (int, error) {
	if f.done {
		return 0, &fs.PathError{Op: "write", Path: f.path, Err: fs.ErrClosed}
	}
	n, err := f.f.WriteAt(p, off)
	if err != nil {
		return n, pathError("write", f.path, err)
	}
	return n, nil
}

// Name returns the destination path, as passed to Create.
func (f *File) Name() string { return f.path }

// Commit syncs the temporary file to disk, closes it and renames it to the
// destination path, replacing any file there. If any step fails, the
// temporary file is removed, the destination is left as it was and the
// error is returned. Commit returns an error if Commit or Abort has
// already been called.
func (f *File) Commit() error {
	if f.done {
		return &fs.PathError{Op: "commit", Path: f.path, Err: fs.ErrClosed}
	}
	f.done = true
	if err := f.f.Sync(); err != nil {
		f.f.Close()
		os.Remove(f.tmp)
		return pathError("sync", f.path, err)
	}
	if err := f.f.Close(); err != nil {
		os.Remove(f.tmp)
		return pathError("close", f.path, err)
	}
	if err := os.Rename(f.tmp, f.path); err != nil {
		os.Remove(f.tmp)
		return pathError("rename", f.path, err)
	}
	syncDir(filepath.Dir(f.path))
	return nil
}

// Abort closes and removes the temporary file, leaving the destination as
// it was. Abort does nothing if Commit or Abort has already been called, so
// it is safe to defer right after Create. It returns an error naming the
// destination if the temporary file could not be removed.
func (f *File) Abort() error {
	if f.done {
		return nil
	}
	f.done = true
	f.f.Close()
	if err := os.Remove(f.tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return pathError("remove", f.path, err)
	}
	return nil
}

// WriteFile writes data to the file at path atomically. The file gets
// permission perm before the umask, whether or not it existed before.
//
// Errors are *fs.PathError values that name path.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	f, err := create(path, perm)
	if err != nil {
		return err
	}
	defer f.Abort()
	if _, err := f.Write(data); err != nil {
		return err
	}
	return f.Commit()
}

// syncDir syncs the directory dir so that a rename in it survives a crash.
// It is best effort: some systems cannot sync directories, and the rename
// has already succeeded, so errors are ignored.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	d.Sync()
	d.Close()
}

// pathError returns err as an *fs.PathError naming the destination path
// rather than the temporary file.
func pathError(op, path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		err = le.Err
	}
	return &fs.PathError{Op: op, Path: path, Err: err}
}
