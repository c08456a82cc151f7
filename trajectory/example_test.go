package trajectory_test

import (
	"fmt"
	"log"
	"strings"

	"github.com/hnn-go/hnn/data"
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

func ExampleReader() {
	// A pendulum pushed by a torque: angle q, angular velocity v and a
	// torque u, constant within each trial.
	const text = "trial,t,q,v,u\n" +
		"0,0.0,3.10,0.0,1\n" +
		"0,0.1,3.12,0.4,1\n" +
		"1,0.0,-3.10,0.0,-2\n" +
		"1,0.1,-3.13,-0.6,-2\n"
	r := trajectory.Reader{Layout: data.Layout{Velocities: true, Inputs: 1, Angles: []int{0}}}
	s, err := r.ReadCSV(strings.NewReader(text), "torque.csv")
	if err != nil {
		log.Fatal(err)
	}
	rows := s.Rows()
	fmt.Println(s.Names, rows.Layout.Positions, "position,", rows.Layout.Inputs, "input, angles", rows.Layout.Angles)
	// The first rows of the two trials are 0.08 rad apart across pi:
	// 3.10 - (-3.10) = 6.20 wraps to 6.20 - 2 pi.
	diff := make([]float64, rows.Dim)
	rows.Layout.Sub(diff, rows.X[0:3], rows.X[6:9])
	fmt.Printf("q difference %.2f\n", diff[0])

	_, err = trajectory.Reader{Layout: data.Layout{Velocities: true}}.ReadCSV(strings.NewReader(text), "torque.csv")
	fmt.Println(err)
	// Output:
	// [q v u] 1 position, 1 input, angles [0]
	// q difference -0.08
	// trajectory: torque.csv: line 1: header: layout: 3 columns with 0 inputs leave 3 for positions and velocities, want a positive even number (column "u" looks like an input: declare the inputs in the layout)
}
