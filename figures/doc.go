// Package figures draws the phase portraits and energy plots of the HNN
// paper's Figure 2 as PNG or SVG files, using gonum.org/v1/plot.
//
// A Panel is one phase-space plot of a two-dimensional (q, p) system: energy
// contours underneath, the vector field as arrows, scattered data points and
// trajectories on top. A LineChart plots series against a shared x axis, such
// as the energy along rollouts of the true system and of learned models. Row
// lays panels and charts side by side in one image, each about 4×4 inches at
// 100 dpi; PhasePortraits and Lines are its special cases.
//
// Within one figure a series name keeps its colour in every panel and chart,
// so "true", "baseline" and "hnn" match across the row. Each panel's and
// chart's legend stands below it, outside its data area, in as many
// columns as fit its width, so that it covers no curve; the row grows by
// the tallest legend. FrameStrip and FrameGIF draw rows of image frames
// (true frames above the models' predictions), each row named at its left
// (above its column in an animation). Files are written atomically: a
// reader sees the old file or the complete new one.
package figures
