package trajectory_test

import (
	"fmt"
	"log"
	"strings"

	"github.com/hnn-go/hnn/trajectory"
)

func Example() {
	// A pendulum in the Schmidt & Lipson text format: trial, time, angle
	// o and angular velocity v, with a missing frame at t = 0.4.
	const text = "%o v\r\n" +
		"0 0.0 0.10 0.00\r\n" +
		"0 0.2 0.08 -0.20\r\n" +
		"0 0.6 0.00 -0.35\r\n" +
		"0 0.8 -0.05 -0.30\r\n" +
		"0 1.0 -0.09 -0.15\r\n"
	s, err := trajectory.ReadLipson(strings.NewReader(text), "pend.txt")
	if err != nil {
		log.Fatal(err)
	}
	s, err = s.WithDerivatives("central")
	if err != nil {
		log.Fatal(err)
	}
	train, test, err := s.Split(0.2)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.Names, s.Dim, len(s.Trials), s.Len())
	fmt.Println("train", train.Len(), "test", test.Len())
	rows := train.Rows()
	for i := range rows.Len() {
		x, dx := rows.Row(i)
		fmt.Printf("t=%.1f x=%+.2f dx=%+.3f\n", rows.T[i], x, dx)
	}
	// Output:
	// [o v] 2 1 5
	// train 4 test 1
	// t=0.0 x=[+0.10 +0.00] dx=[-0.067 -1.208]
	// t=0.2 x=[+0.08 -0.20] dx=[-0.133 -0.792]
	// t=0.6 x=[+0.00 -0.35] dx=[-0.233 +0.042]
	// t=0.8 x=[-0.05 -0.30] dx=[-0.225 +0.500]
}
