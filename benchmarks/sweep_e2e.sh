#!/bin/bash
# sweep_e2e.sh runs an 8-run sweep through a separately started nats-server
# (built from the Go module hnn pins) with two `hnn worker` processes, kills
# one of them with SIGKILL in the middle of a run, collects the sweep, runs
# the same plan with `hnn reproduce`, and checks that both results.json hold
# the same numbers. Run it from the repository root; TAGS=purego builds
# the binary without assembly kernels. It prints both wall times and the workers' logs.
set -euo pipefail
W=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
go build ${TAGS:+-tags $TAGS} -o "$W/hnn" ./cmd/hnn
go build -o "$W/nats-server" github.com/nats-io/nats-server/v2
HNN=$W/hnn
cd "$W"
cat > eight.json <<'J'
{"name": "eight", "tasks": ["spring", "pendulum"], "models": ["baseline", "hnn"], "seeds": 2, "quick": true}
J
PORT=${PORT:-4333}
URL=nats://127.0.0.1:$PORT
./nats-server -js -sd "$W/js" -a 127.0.0.1 -p "$PORT" > nats.log 2>&1 &
NATS=$!
sleep 1
T0=$(date +%s.%N)
$HNN sweep plan eight.json -nats "$URL"
$HNN worker -nats "$URL" -id w1 -ack-wait 10s -idle-exit 30s > w1.out 2> w1.log &
W1=$!
$HNN worker -nats "$URL" -id w2 -ack-wait 10s -idle-exit 30s > w2.out 2> w2.log &
W2=$!
sleep "${KILL_AFTER:-8}"
echo "killing worker w1 (SIGKILL) during: $(tail -1 w1.log)"
kill -9 $W1 || true
$HNN sweep collect eight.json -nats "$URL" -out sweep-out -no-figures > collect.out 2> collect.log
T1=$(date +%s.%N)
$HNN sweep status eight.json -nats "$URL"
wait $W2 || true
echo "== worker w1"; cat w1.log
echo "== worker w2"; cat w2.log
kill $NATS
cat collect.out
T2=$(date +%s.%N)
$HNN reproduce -tasks spring,pendulum -models baseline,hnn -seeds 2 -quick -workers 1 -no-figures -no-progress -out repro-out > repro.out
T3=$(date +%s.%N)
echo "sweep (plan, 2 workers, kill, collect): $(echo "$T1 - $T0" | bc) s; reproduce (1 worker): $(echo "$T3 - $T2" | bc) s"
python3 - "$W" <<'P'
import json, sys
def numbers(path):
    r = json.load(open(path))['tasks']
    for t in r.values():
        for m in t.values():
            m.pop('seconds', None)
            for s in m['per_seed']:
                s.pop('seconds', None)
    return r
same = numbers(sys.argv[1] + '/sweep-out/results.json') == numbers(sys.argv[1] + '/repro-out/results.json')
print('sweep results equal reproduce results:', same)
sys.exit(0 if same else 1)
P
