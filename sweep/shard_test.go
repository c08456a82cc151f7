package sweep

import (
	"slices"
	"strings"
	"testing"
)

func TestShard(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ n, count int }{
		{0, 1}, {0, 3}, {1, 1}, {1, 4}, {7, 1}, {7, 2}, {7, 3}, {8, 8}, {9, 4}, {100, 7},
	} {
		seen := make([]int, tt.n)
		for i := range tt.count {
			idx := Shard(tt.n, i, tt.count)
			if !slices.IsSorted(idx) {
				t.Errorf("Shard(%d, %d, %d) = %v is not sorted", tt.n, i, tt.count, idx)
			}
			for _, k := range idx {
				if k < 0 || k >= tt.n || k%tt.count != i {
					t.Errorf("Shard(%d, %d, %d) takes %d", tt.n, i, tt.count, k)
					continue
				}
				seen[k]++
			}
		}
		for k, c := range seen {
			if c != 1 {
				t.Errorf("n=%d count=%d: index %d taken %d times", tt.n, tt.count, k, c)
			}
		}
	}
	if got := Shard(10, 1, 4); !slices.Equal(got, []int{1, 5, 9}) {
		t.Errorf("Shard(10, 1, 4) = %v", got)
	}
}

func TestShardPanics(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ n, i, count int }{{-1, 0, 1}, {3, 0, 0}, {3, -1, 2}, {3, 2, 2}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Shard(%d, %d, %d) did not panic", tt.n, tt.i, tt.count)
				}
			}()
			Shard(tt.n, tt.i, tt.count)
		}()
	}
}

func TestParseShard(t *testing.T) {
	t.Parallel()
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == ShardIndexEnv {
				return v
			}
			return ""
		}
	}
	for _, tt := range []struct {
		s, env string
		i, n   int
		err    string // substring of the error, "" for none
	}{
		{s: "0/1", i: 0, n: 1},
		{s: "2/5", i: 2, n: 5},
		{s: "4/5", i: 4, n: 5},
		{s: "/5", env: "3", i: 3, n: 5},
		{s: "/1", env: "0", i: 0, n: 1},
		{s: "", err: "want i/n"},
		{s: "3", err: "want i/n"},
		{s: "5/5", err: "shard index"},
		{s: "-1/5", err: "shard index"},
		{s: "a/5", err: "shard index"},
		{s: "1/0", err: "shard count"},
		{s: "1/-2", err: "shard count"},
		{s: "1/x", err: "shard count"},
		{s: "1/2/3", err: "shard count"},
		{s: "/5", err: "JOB_COMPLETION_INDEX is not set"},
		{s: "/5", env: "5", err: "JOB_COMPLETION_INDEX"},
		{s: "/5", env: "x", err: "JOB_COMPLETION_INDEX"},
	} {
		i, n, err := ParseShard(tt.s, env(tt.env))
		switch {
		case tt.err == "" && (err != nil || i != tt.i || n != tt.n):
			t.Errorf("ParseShard(%q) with $%s=%q = %d, %d, %v; want %d, %d", tt.s, ShardIndexEnv, tt.env, i, n, err, tt.i, tt.n)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("ParseShard(%q) with $%s=%q: error %v, want one containing %q", tt.s, ShardIndexEnv, tt.env, err, tt.err)
		case err != nil && (strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "-shard")):
			t.Errorf("ParseShard(%q): error %q is not one line naming the flag", tt.s, err)
		}
	}
}
