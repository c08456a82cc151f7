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
// and spring's tests do (ExampleRegister registers one by hand). The Kind
// says which fields the task fills:
//
//   - KindSystem: System, Generate, Initial, Energy/QuickEnergy and,
//     optionally, LongHorizon (spring.go, pendulum.go, twobody.go,
//     damped.go);
//   - KindMeasured: Generate and Segments, System if the data have a
//     known energy, Available if the data file may be absent
//     (realpendulum.go; FromFile makes one from any trajectory file);
//   - KindPixels: Pixels, QuickPixels and Latent (pixel.go);
//   - KindDriven: Driven, Layout, Generate and Initial, Prediction for
//     SymODEN's prediction error and, optionally, EnergyScale with
//     Energy/QuickEnergy for the Lagrangian-network paper's energy error
//     (pendulumtorque.go, pendulumembed.go, cartpole.go and acrobot.go
//     through symodenTask in driven.go; doublependulum.go), Observed
//     where Layout relabels the rows (doublependulumcanonical.go).
//
// Every kind uses Name, Title, Dim, TrainRows, Train/QuickTrain, Bounds,
// Published and Models; a task whose states are not canonical (q, p)
// declares them in Layout, which its runs' models take (so only the model
// kinds with model.Kind.Layouts run it); a state-space task may set Fit,
// its default fit mode (package fit; the zero value is the derivative
// fit), which needs
// rows with times and trajectory indices (data.Set.T and Traj) for the
// trajectory fits (spring-chain in springchain.go). Nothing else lists
// tasks: hnn tasks lists the new one (Names: Table 1's first, then the
// others by name), and hnn train and hnn reproduce -tasks run it.
//
// # Adding a task kind
//
// A kind is a way of getting a run's data, evaluating it and drawing its
// figures that no existing kind covers (say, a system observed through a
// noisy sensor model). Adding one takes, each with its tests:
//
//  1. here, a Kind constant whose comment says which Task fields the kind
//     uses (add fields to Task only for what no kind has yet);
//  2. its behaviour: a value implementing experiment.Kind (how a run of
//     the kind trains, loads its checkpoint and is evaluated, which
//     energy truth the runs of a task share, whether a single seed keeps
//     its own error bars), registered from an init function with
//     experiment.RegisterKind(task.KindNAME, k). A kind that trains a
//     state-space model on rows is a stateKind with its own score and
//     energy truth, in package experiment beside kind_system.go and
//     kind_measured.go; any other lives in a package of its own, as the
//     pixel kind lives in package experiment/pixel with its latent
//     models;
//  3. its figures: a function registered, also from init, with
//     report.RegisterFigures(task.KindNAME, f) (package
//     experiment/report draws every task's figures by its kind): from
//     the kind's own package, as experiment/pixel registers its frame
//     strips, or, for a state-space kind, in experiment/report's
//     figures.go beside the system and measured kinds' figures;
//  4. for a kind in a package of its own, an import of that package where
//     runs are made (cmd/hnn imports experiment/pixel; a blank import
//     _ "github.com/hnn-go/hnn/experiment/NAME" is enough): the package
//     registers itself when imported, as image/png registers its format
//     with image, so experiment never names it.
//
// Register panics for a task without a Kind, and experiment panics for a
// task whose Kind has no behaviour registered (its package not imported),
// so a kind cannot be half added. Nothing else branches on the kind:
// training, loading, evaluation, scheduling, the collection of results
// and the figures all ask the task's kind.
package task
