// Package task is the registry of hnn's experiments. A Task bundles
// everything one row of the paper's Table 1 needs: the physical system (for
// the true energy), the data generator following the reference protocol, the
// training settings, the energy-MSE protocol, plot bounds and the published
// numbers to compare against.
//
// To add a task, write one file that builds a *Task and registers it in
// init with Register, and a test that checks its data.
package task
