package report

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/hnn-go/hnn/experiment"
	"github.com/hnn-go/hnn/experiment/reproduce"
	"github.com/hnn-go/hnn/metrics"
)

// TestReproduceOrbitTasks runs the N-body tasks end to end with a tiny
// network and checks their metrics and orbit figures.
func TestReproduceOrbitTasks(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("short")
	}
	dir := t.TempDir()
	o := reproduce.Options{Tasks: []string{"two-body", "three-body"}, Seeds: experiment.Set(1), Quick: true, Out: dir, Overrides: experiment.Overrides{Steps: experiment.Set(10), Hidden: experiment.Set([]int{8, 8})}}
	res, err := ReproduceAndWrite(o)
	if err != nil {
		t.Fatal(err)
	}
	for _, tn := range o.Tasks {
		if _, err := os.Stat(filepath.Join(dir, tn+"-orbits.png")); err != nil {
			t.Errorf("missing %s-orbits.png", tn)
		}
		for mk, mr := range res.Tasks[tn] {
			if math.IsNaN(mr.Mean(metrics.EnergyMSE)) || math.IsNaN(mr.Mean(metrics.TestLoss)) {
				t.Errorf("%s %s: metrics %+v", tn, mk, mr)
			}
		}
	}
}
