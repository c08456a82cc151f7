// Package check holds the checks every package applies to what a user
// gives: counts that become allocations (steps, points, seeds, hidden
// widths, batch sizes, copies) are bounded before anything is allocated,
// and file content quoted in an error message is escaped and shortened.
//
// The limits are generous for real work and small enough that a mistyped
// count fails at once with a one-line error instead of an out-of-memory
// crash minutes later.
package check
