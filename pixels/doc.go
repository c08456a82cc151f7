// Package pixels is the environment and data pipeline of the HNN paper's
// pixel pendulum: a pendulum seen only through images.
//
// Env is gymnasium's Pendulum-v1 with zero torque (m = l = 1, g = 10,
// dt = 0.05, a semi-implicit Euler step, angle 0 upright). Render draws a
// state like its rgb_array render: a 500 x 500 white frame, world bounds
// ±2.2 around the pivot at the centre, a rod of length 1 and width 0.2 in
// colour (204, 77, 77) with rounded ends and a small black axle,
// anti-aliased. Preprocess turns a frame into the model's view: the red
// minus green channel (which keeps the rod and drops the white background
// and the black axle), a crop that holds the whole swing, a resize to
// 28 x 28 with the Catmull-Rom kernel (an antialiasing filter when shrinking)
// and values in [0, 1]. The model's input is two consecutive frames (1568
// values), so that the velocity is observable.
//
// Generate makes the reference's dataset (experiment-pixels/data.py): 200
// trials of 103 frames from starts within pi/6 of hanging down with
// angular velocity U[-1, 1], frames rendered concurrently and
// deterministically from the seed; the first 40 trials are test.
// Dataset.Samples gives the reference's samples (two frames and the pair
// one frame later), Dataset.Windows those of longer inputs and rollouts. Load
// caches it on disk as an .npz file keyed by a hash of its settings.
package pixels
