package model

import (
	"testing"

	"github.com/hnn-go/hnn/ode"
)

func mustIntegrator(t *testing.T) ode.Integrator {
	t.Helper()
	ig, err := ode.New("dopri5", ode.Options{RTol: 1e-10, ATol: 1e-10})
	if err != nil {
		t.Fatal(err)
	}
	return ig
}
