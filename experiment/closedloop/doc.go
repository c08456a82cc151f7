// Package closedloop runs the energy-shaping law of package control built
// from a trained run's model (symoden, delan) on the true simulator of
// the run's task, beside the same law built from the true system, and
// writes what happened: control.json (the settings, each law's
// trajectory, whether and when it reached the target, the largest input),
// control.png (q, q-dot and u against time for both laws) and control.gif
// (the system driven by each law, side by side). It is what
// "hnn control" runs.
package closedloop
