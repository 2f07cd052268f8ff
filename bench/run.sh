#!/usr/bin/env bash
# Builds target/function.zip and runs the benchmark (src/test/java/com/deliverychannels/bench/FunctionBenchmark)
# against it. Results: standard output and target/bench/results.md. See bench/README.md.
# Knobs (system properties): -Dbench.coldRuns=5 -Dbench.warmRuns=1000 -Dbench.warmUp=200, passed through "$@".
set -euo pipefail
cd "$(dirname "$0")/.."

./mvnw -B -q package -DskipTests
# -Dtest names the class outright; surefire then ignores its default includes (*Test, *Tests, *TestCase, Test*),
# which is why FunctionBenchmark never runs in ./mvnw verify but does run here.
./mvnw -B test -Dtest=FunctionBenchmark -Dsurefire.failIfNoSpecifiedTests=false "$@"

echo
echo "=== target/bench/results.md ==="
cat target/bench/results.md
