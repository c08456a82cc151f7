//go:build !amd64 || purego

package nn

// kernelSets is empty in builds without assembly: every level runs the
// generic path.
var kernelSets [levelAVX512 + 1]*kernelSet

// cpuLevel returns the generic level: there are no kernels to run.
func cpuLevel() kernelLevel { return levelGeneric }
