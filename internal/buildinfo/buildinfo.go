package buildinfo

import (
	"runtime"
	"runtime/debug"

	"github.com/hnn-go/hnn/nn"
)

// Info describes a build of the running program. Fields that the build
// does not record, such as the version-control settings of a binary built
// outside a repository, are empty.
type Info struct {
	// GoVersion is the version of the Go toolchain, e.g. "go1.26.0".
	GoVersion string `json:"go_version"`
	// Module is the path of the main module.
	Module string `json:"module"`
	// Version is the version of the main module, "(devel)" for a build
	// from a working tree.
	Version string `json:"version"`
	// VCSRevision is the version-control revision of the build.
	VCSRevision string `json:"vcs_revision"`
	// VCSTime is the time of VCSRevision, in RFC 3339 format.
	VCSTime string `json:"vcs_time"`
	// VCSModified reports whether the working tree had local changes.
	VCSModified bool `json:"vcs_modified"`
	// BLAS names the linear-algebra backend, as passed to Get.
	BLAS string `json:"blas"`
	// Kernel is the level of nn's float32 kernels the process chose,
	// nn.Kernel(): avx512, avx2 or generic. Float32 results can differ in
	// the last bits between levels.
	Kernel string `json:"kernel"`
	// GOOS and GOARCH are the operating system and architecture.
	GOOS   string `json:"goos"`
	GOARCH string `json:"goarch"`
	// NumCPU is the number of logical CPUs, runtime.NumCPU.
	NumCPU int `json:"num_cpu"`
	// GOMAXPROCS is the number of CPUs that may run Go code at once.
	GOMAXPROCS int `json:"gomaxprocs"`
	// Tags holds the build tags, comma separated.
	Tags string `json:"tags"`
}

// Get returns the Info of the running program, with BLAS set to blas.
func Get(blas string) Info {
	info := Info{
		GoVersion:  runtime.Version(),
		BLAS:       blas,
		Kernel:     nn.Kernel(),
		GOOS:       runtime.GOOS,
		GOARCH:     runtime.GOARCH,
		NumCPU:     runtime.NumCPU(),
		GOMAXPROCS: runtime.GOMAXPROCS(0),
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return info
	}
	if bi.GoVersion != "" {
		info.GoVersion = bi.GoVersion
	}
	info.Module = bi.Main.Path
	info.Version = bi.Main.Version
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			info.VCSRevision = s.Value
		case "vcs.time":
			info.VCSTime = s.Value
		case "vcs.modified":
			info.VCSModified = s.Value == "true"
		case "-tags":
			info.Tags = s.Value
		}
	}
	return info
}
