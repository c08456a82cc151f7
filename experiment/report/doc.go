// Package report presents the Results of a reproduction (package
// experiment/reproduce): the terminal tables (Table, LongHorizonTable),
// report.md with the paper's numbers beside ours, and the figures (Write,
// or ReproduceAndWrite for a reproduction and its report in one call, as
// hnn reproduce does).
//
// Figures are drawn per task from seed 0's runs: the loss curves of every
// task, the long-horizon curves when they were computed, and the figures
// of the task's kind, registered with RegisterFigures: Figure 2 and the
// N-body orbits of system tasks, the rollouts and error against the
// rollout horizon of measured ones, and the prediction, the learned M, V
// and g, and the trajectories under inputs of driven ones here, frame strips, animations and
// latent portraits in package experiment/pixel. Each figure's file name
// and report section is a FigureKind; the files written are listed in
// results.json.
package report
