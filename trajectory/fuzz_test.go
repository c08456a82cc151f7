package trajectory_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/hnn-go/hnn/trajectory"
)

// checkFuzzResult fails t unless a set returned without error is valid and
// can be differenced and split without panicking.
func checkFuzzResult(t *testing.T, s *trajectory.Set, err error) {
	if err != nil {
		if s != nil {
			t.Fatalf("both a set and error %v", err)
		}
		return
	}
	if err := s.Validate(); err != nil {
		t.Fatalf("returned set is invalid: %v", err)
	}
	for _, m := range []string{"central", "forward"} {
		if d, err := s.WithDerivatives(m); err == nil {
			if err := d.Validate(); err != nil {
				t.Fatalf("%s derivatives: invalid set: %v", m, err)
			}
			if _, _, err := d.Split(0.2); err == nil {
				_ = d.Rows()
			}
		}
	}
}

// addSharedFile adds the shared Lipson file name to the corpus if it is
// present.
func addSharedFile(f *testing.F, name string) {
	if b, err := os.ReadFile(lipsonDir + "/" + name); err == nil {
		f.Add(b)
	}
}

func FuzzReadLipson(f *testing.F) {
	for _, s := range []string{
		twoTrials,
		"% o v\n0 0 1 2 1 2\n0 0.1 1 2 1 2\n0 0.3 1 2 1 2\n",
		"o1 o2 w1 w2\n0 0 1 2 3 4\n0 1 1 2 3 4\n",
		"%o v\n0 0 1 NaN\n",
		"%a b c\n",
		"",
	} {
		f.Add([]byte(s))
	}
	addSharedFile(f, "real_pend_h_1.txt")
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := trajectory.ReadLipson(bytes.NewReader(b), "fuzz.txt")
		checkFuzzResult(t, s, err)
	})
}

func FuzzReadCSV(f *testing.F) {
	for _, s := range []string{
		csvText(twoTrialsSet),
		"trial,t,q,p,dq,dp\n0,0,1,2,3,4\n0,1,1,2,3,4\n0,2,1,2,3,4\n",
		"trial,t,o,v\r\n0,0,1,2\r\n\r\n0,\"1\",1,2\r\n",
		"trial,t,a,b,c\n",
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := trajectory.ReadCSV(bytes.NewReader(b), "fuzz.csv")
		checkFuzzResult(t, s, err)
	})
}

func FuzzDecodeNPZ(f *testing.F) {
	f.Add(zipBytes(f, "t.npy", npyBytes("<f8", []int{3}, []float64{0, 1, 2}),
		"x.npy", npyBytes("<f8", []int{2, 3, 2}, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})))
	f.Add(zipBytes(f, "t", npyBytes("<f4", []int{1, 3}, []float64{0, 1, 2}),
		"x", npyBytes("<f4", []int{3, 2}, []float64{1, 2, 3, 4, 5, 6}),
		"dxdt", npyBytes("<f4", []int{3, 2}, []float64{1, 2, 3, 4, 5, 6})))
	f.Add(zipBytes(f, "t.npy", npyBytes("<f8", []int{1}, []float64{0}),
		"x.npy", npyBytes("<f8", []int{1, 1, 2}, []float64{1, 2})))
	f.Add([]byte("PK\x05\x06"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := trajectory.DecodeNPZ(bytes.NewReader(b), int64(len(b)), "fuzz.npz")
		checkFuzzResult(t, s, err)
	})
}
