// Package buildinfo describes the program that is running: the Go toolchain,
// the module version and version-control state it was built from, the
// platform and the linear-algebra backend. Commands record it next to their
// results so that every output file says what produced it.
package buildinfo
