package atomicfile_test

import (
	"errors"
	"fmt"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hnn-go/hnn/internal/atomicfile"
)

// checkDir fails the test unless dir holds exactly the files in want, with
// the given contents, and so no temporary file is left behind.
func checkDir(t *testing.T, dir string, want map[string]string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != len(want) {
		t.Errorf("directory holds %q, want %d files", names, len(want))
	}
	for name, content := range want {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("reading %s: %v", name, err)
			continue
		}
		if string(got) != content {
			t.Errorf("%s holds %q, want %q", name, got, content)
		}
	}
}

func TestWriteFile(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		old  *string // content before WriteFile; nil for no file
		data string
	}{
		{name: "new", data: "hello"},
		{name: "replace", old: ptr("old content that is longer"), data: "new"},
		{name: "empty", old: ptr("old"), data: ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "f.txt")
			if tc.old != nil {
				if err := os.WriteFile(path, []byte(*tc.old), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if err := atomicfile.WriteFile(path, []byte(tc.data), 0o600); err != nil {
				t.Fatalf("WriteFile: %v", err)
			}
			checkDir(t, dir, map[string]string{"f.txt": tc.data})
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if perm := fi.Mode().Perm(); perm&^0o600 != 0 {
				t.Errorf("permission %v, want at most 0600", perm)
			}
		})
	}
}

func TestCreateCommit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "out.bin")
	f, err := atomicfile.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Abort()
	for _, s := range []string{"abc", "def"} {
		if _, err := f.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	// Before Commit, only the hidden temporary file exists.
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || !strings.HasPrefix(entries[0].Name(), ".out.bin.tmp-") {
		t.Errorf("before Commit directory holds %v, want one .out.bin.tmp-* file", entries)
	}
	if err := f.Commit(); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	checkDir(t, dir, map[string]string{"out.bin": "abcdef"})

	// Using the file after Commit is an error; Abort is a no-op.
	if _, err := f.Write([]byte("x")); !errors.Is(err, fs.ErrClosed) {
		t.Errorf("Write after Commit: got %v, want fs.ErrClosed", err)
	}
	if err := f.Commit(); !errors.Is(err, fs.ErrClosed) {
		t.Errorf("second Commit: got %v, want fs.ErrClosed", err)
	}
	f.Abort()
	checkDir(t, dir, map[string]string{"out.bin": "abcdef"})
}

func TestAbort(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		old  *string
	}{
		{name: "existing", old: ptr("keep me")},
		{name: "absent"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "f.txt")
			want := map[string]string{}
			if tc.old != nil {
				if err := os.WriteFile(path, []byte(*tc.old), 0o644); err != nil {
					t.Fatal(err)
				}
				want["f.txt"] = *tc.old
			}
			f, err := atomicfile.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.Write([]byte("discarded")); err != nil {
				t.Fatal(err)
			}
			f.Abort()
			checkDir(t, dir, want)
			if err := f.Commit(); !errors.Is(err, fs.ErrClosed) {
				t.Errorf("Commit after Abort: got %v, want fs.ErrClosed", err)
			}
			checkDir(t, dir, want)
		})
	}
}

func TestCreateError(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "missing", "f.txt")
	_, err := atomicfile.Create(path)
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Path != path || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Create in a missing directory: got %v, want *fs.PathError for %s wrapping fs.ErrNotExist", err, path)
	}
	if err := atomicfile.WriteFile(path, nil, 0o644); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("WriteFile in a missing directory: got %v, want fs.ErrNotExist", err)
	}
}

func ptr(s string) *string { return &s }

func Example() {
	dir, err := os.MkdirTemp("", "atomicfile")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "result.txt")

	f, err := atomicfile.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Abort() // Discards the temporary file on early return.
	fmt.Fprintln(f, "energy 0.5")
	if err := f.Commit(); err != nil {
		log.Fatal(err)
	}

	b, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(string(b))
	// Output:
	// energy 0.5
}

func TestWriteAt(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "f")
	f, err := atomicfile.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Abort()
	if _, err := f.Write([]byte("abcdef")); err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte("XY"), 1); err != nil {
		t.Fatal(err)
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "aXYdef" {
		t.Errorf("file holds %q, want %q", got, "aXYdef")
	}
	if _, err := f.WriteAt([]byte("Z"), 0); !errors.Is(err, fs.ErrClosed) {
		t.Errorf("WriteAt after Commit: got %v, want fs.ErrClosed", err)
	}
}
