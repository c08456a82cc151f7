package sweep

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/hnn-go/hnn/internal/check"
)

// Shard returns the indices of a plan of n jobs that shard i of count takes:
// i, i+count, i+2*count, ... below n. The shards of count are disjoint and
// cover 0..n-1. Shard panics if n < 0, count < 1 or i is not in [0, count).
func Shard(n, i, count int) []int {
	if n < 0 || count < 1 || i < 0 || i >= count {
		panic(fmt.Sprintf("sweep: bad shard %d/%d of %d jobs", i, count, n))
	}
	idx := make([]int, 0, (n-i+count-1)/count)
	for k := i; k < n; k += count {
		idx = append(idx, k)
	}
	return idx
}

// ShardIndexEnv is the environment variable that holds the shard index when
// a -shard value has the form "/n": the completion index of a Kubernetes
// Indexed Job.
const ShardIndexEnv = "JOB_COMPLETION_INDEX"

// ParseShard parses a -shard flag value "i/n", shard i of n with
// 0 <= i < n. The value "/n" takes i from the environment variable
// JOB_COMPLETION_INDEX, looked up with getenv (os.Getenv if nil).
func ParseShard(s string, getenv func(string) string) (i, n int, err error) {
	bad := func(why string) (int, int, error) {
		return 0, 0, fmt.Errorf("-shard %s: %s", check.Quote(s), why)
	}
	is, ns, ok := strings.Cut(s, "/")
	if !ok {
		return bad("want i/n (shard i of n, 0 <= i < n) or /n (i from $" + ShardIndexEnv + ")")
	}
	n, err = strconv.Atoi(ns)
	if err != nil || n < 1 {
		return bad(fmt.Sprintf("shard count %s is not a positive integer", check.Quote(ns)))
	}
	if is == "" {
		if getenv == nil {
			getenv = os.Getenv
		}
		is = getenv(ShardIndexEnv)
		if is == "" {
			return bad("$" + ShardIndexEnv + " is not set")
		}
		i, err = strconv.Atoi(is)
		if err != nil || i < 0 || i >= n {
			return bad(fmt.Sprintf("$%s=%s is not an integer in [0, %d)", ShardIndexEnv, check.Quote(is), n))
		}
		return i, n, nil
	}
	i, err = strconv.Atoi(is)
	if err != nil || i < 0 || i >= n {
		return bad(fmt.Sprintf("shard index %s is not an integer in [0, %d)", check.Quote(is), n))
	}
	return i, n, nil
}
