package buildinfo_test

import (
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/hnn-go/hnn/internal/buildinfo"
)

func TestGet(t *testing.T) {
	t.Parallel()
	info := buildinfo.Get("gonum")
	for _, tc := range []struct {
		field string
		ok    bool
	}{
		{"GoVersion starts with go", strings.HasPrefix(info.GoVersion, "go")},
		{"BLAS is passed through", info.BLAS == "gonum"},
		{"GOOS is runtime.GOOS", info.GOOS == runtime.GOOS},
		{"GOARCH is runtime.GOARCH", info.GOARCH == runtime.GOARCH},
		{"NumCPU is positive", info.NumCPU > 0},
		{"GOMAXPROCS is positive", info.GOMAXPROCS > 0},
	} {
		if !tc.ok {
			t.Errorf("%s: false in %+v", tc.field, info)
		}
	}
}

func TestJSON(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(buildinfo.Info{GoVersion: "go1.26.0", VCSModified: true, NumCPU: 4})
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{
		`"go_version":"go1.26.0"`, `"module":`, `"version":`, `"vcs_revision":`,
		`"vcs_time":`, `"vcs_modified":true`, `"blas":`, `"goos":`, `"goarch":`,
		`"num_cpu":4`, `"gomaxprocs":`, `"tags":`,
	} {
		if !strings.Contains(string(b), key) {
			t.Errorf("JSON %s lacks %s", b, key)
		}
	}
}

func ExampleGet() {
	info := buildinfo.Get("gonum")
	fmt.Println(info.BLAS, info.GOOS == runtime.GOOS)
	// Output:
	// gonum true
}
