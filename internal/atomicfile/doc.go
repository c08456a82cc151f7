// Package atomicfile writes files atomically: the data goes to a temporary
// file in the destination's directory, which is synced to disk and then
// renamed over the destination. Readers see either the old content or the
// new content, never a partly written file, even if the writer crashes.
//
// The temporary file is named "." + base + ".tmp-" + a random suffix, so a
// leftover from a crash is hidden and easy to recognise.
package atomicfile
