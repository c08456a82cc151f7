// Command cmpresults compares every number of two results.json files (or
// any two JSON files) by its path, leaving out timings and build
// information, and prints the count compared and every difference. It
// exits 1 if any number differs or is in one file only.
//
//	go run ./internal/tools/cmpresults OLD/results.json NEW/results.json
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
)

// skipped are the keys whose values are not results: timings, the build,
// the command line and the figure files.
var skipped = []string{"seconds", "build", "command", "figures"}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: cmpresults OLD.json NEW.json")
		os.Exit(2)
	}
	a, b := numbers(os.Args[1]), numbers(os.Args[2])
	bad := 0
	for _, k := range sortedKeys(a) {
		v, ok := b[k]
		switch {
		case !ok:
			fmt.Printf("only in %s: %s = %v\n", os.Args[1], k, a[k])
			bad++
		case v != a[k]:
			fmt.Printf("differs: %s: %v -> %v\n", k, a[k], v)
			bad++
		}
	}
	for _, k := range sortedKeys(b) {
		if _, ok := a[k]; !ok {
			fmt.Printf("only in %s: %s = %v\n", os.Args[2], k, b[k])
			bad++
		}
	}
	fmt.Printf("%d numbers compared, %d differences\n", len(a), bad)
	if bad > 0 {
		os.Exit(1)
	}
}

// numbers returns every number of the JSON file at path by its path.
func numbers(path string) map[string]string {
	raw, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	dec := newDecoder(raw)
	var v any
	if err := dec.Decode(&v); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", path, err)
		os.Exit(2)
	}
	out := map[string]string{}
	walk(out, "", v)
	return out
}

func walk(out map[string]string, at string, v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if !slices.Contains(skipped, k) {
				walk(out, at+"."+k, e)
			}
		}
	case []any:
		for i, e := range x {
			walk(out, at+"["+strconv.Itoa(i)+"]", e)
		}
	case json.Number:
		out[at] = x.String()
	}
}

func newDecoder(b []byte) *json.Decoder {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	return d
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
