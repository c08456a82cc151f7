// Package pixel is the task kind of tasks on rendered images, the pixel
// pendulum (task.KindPixels): its runs render (or read from a cache, see
// CacheDir) the frames of the run's seed (package pixels), train an
// autoencoder with latent dynamics (package latent) with the task's latent
// settings (experiment.Spec.Latent), check during training that the latent
// keeps turning, report the pixel metrics (pixel MSE, valid prediction
// time, energy MSE through a linear probe, phase rate, SyMetric) and draw
// frame strips, an animation and the latent portrait.
//
// Importing the package registers the kind with experiment.RegisterKind
// and its figures with report.RegisterFigures, as importing image/png
// registers the PNG format; the hnn command imports it. The package is the
// model for adding a task kind: one package, nothing to change elsewhere.
package pixel
