// Package metrics computes the numbers hnn reports: the derivative MSE of a
// model on a data split and the energy MSE along rollouts, each with the
// paper's error bars, and the summary statistics that combine seeds.
//
// The energy-MSE protocol (EnergyProtocol) is defined once here: from Starts
// noise-free initial states drawn from the task's test distribution with a
// fixed protocol seed (the same states for every model and seed), the true
// system and the model are both integrated with the named integrator over
// Points evenly spaced times in [0, TEnd]; the error of one start is the mean
// over those times of (H(x_true(t)) - H(x_model(t)))^2 with the system's
// true H.
package metrics
