package main

import (
	"bytes"
	"os"
	"testing"
)

// TestGenerated fails when nn/kernels_amd64.s differs from the generator's
// output: the assembly is regenerated (go generate ./nn), never edited.
func TestGenerated(t *testing.T) {
	committed, err := os.ReadFile("../../kernels_amd64.s")
	if err != nil {
		t.Fatal(err)
	}
	if got := generate(); !bytes.Equal(got, committed) {
		t.Fatal("nn/kernels_amd64.s differs from the generator's output; run go generate ./nn")
	}
}
