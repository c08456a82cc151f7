package trajectory

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/hnn-go/hnn/internal/check"
)

// ReadFile reads trajectories from the file at path, choosing the reader
// by the extension of path, in any case: .npz for ReadNPZ, .csv for
// ReadCSV, and .txt or .dat for ReadLipson. Errors name path. It returns
// an error that lists the valid extensions for any other extension.
func ReadFile(path string) (*Set, error) { return Reader{}.ReadFile(path) }

// ReadFile reads trajectories from the file at path as the package's
// ReadFile does, with lr's layout.
func (lr Reader) ReadFile(path string) (*Set, error) {
	var read func(io.Reader, string) (*Set, error)
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".npz":
		return lr.ReadNPZ(path)
	case ".csv":
		read = lr.ReadCSV
	case ".txt", ".dat":
		read = lr.ReadLipson
	default:
		return nil, fmt.Errorf("trajectory: %s: unknown extension %s, expected .npz, .csv, .txt or .dat", path, check.Quote(ext))
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("trajectory: %w", err)
	}
	defer f.Close()
	return read(bufio.NewReader(f), path)
}
