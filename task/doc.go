// Package task is the registry of hnn's experiments. A Task bundles
// everything one row of the paper's Table 1 needs: its kind, the physical
// system (for the true energy), the data generator following the
// reference protocol, the training settings, the energy-MSE protocol,
// plot bounds and the published numbers to compare against.
//
// # Adding a task
//
// Write one file that builds a *Task of an existing Kind and registers it
// in init with Register, and a test that checks its data, as spring.go
// and spring's tests do. The Kind says which fields the task fills:
//
//   - KindSystem: System, Generate, Initial, Energy/QuickEnergy and,
//     optionally, LongHorizon (spring.go, pendulum.go, twobody.go,
//     damped.go);
//   - KindMeasured: Generate and Segments, System if the data have a
//     known energy, Available if the data file may be absent
//     (realpendulum.go; FromFile makes one from any trajectory file);
//   - KindPixels: Pixels, QuickPixels and Latent (pixel.go).
//
// Every kind uses Name, Title, Dim, TrainRows, Train/QuickTrain, Bounds,
// Published and Models; a state-space task may set Fit, its default fit
// mode (package fit; the zero value is the derivative fit), which needs
// rows with times and trajectory indices (data.Set.T and Traj) for the
// trajectory fits (spring-chain in springchain.go). hnn tasks lists the new task, and hnn train and
// hnn reproduce -tasks run it.
//
// # Adding a task kind
//
// A kind is a way of getting a run's data, evaluating it and drawing its
// figures that no existing kind covers (say, a system observed through a
// noisy sensor model). Adding one takes two files and their tests:
//
//  1. here, a Kind constant whose comment says which Task fields the kind
//     uses (add fields to Task only for what no kind has yet);
//  2. in package experiment, a file kind_NAME.go that registers in init,
//     with registerKind(task.KindNAME, ...), a value implementing
//     experiment's kind interface (train, load, evaluate, truth,
//     keepOwnErrorBars, figures): for a kind that trains a state-space
//     model on rows, a stateKind with the kind's own score, energy truth
//     and figures, as kind_system.go and kind_measured.go register; for
//     any other model, its own type, as pixels.go does for latent models.
//
// Register panics for a task without a Kind, and experiment panics for a
// task whose Kind has no behaviour registered, so a kind cannot be half
// added. Nothing else in experiment branches on the kind: Train, Load,
// Evaluate, Runner, Collect and the figures ask the task's kind.
package task
