#!/usr/bin/env bash
# Builds target/function.zip and the empty baseline function (bench/empty-function), then runs the benchmark
# classes (src/test/java/com/deliverychannels/bench/*Benchmark) against them. See bench/README.md.
#
#   bench/run.sh                                    every benchmark class
#   BENCH=ColdStartBenchmark bench/run.sh           one class (or several: BENCH='ColdStartBenchmark,MemoryBenchmark')
#   bench/run.sh -Dbench.coldRuns=7                 knobs as system properties, passed through "$@"
#
# Reports: standard output and target/bench/*.md. Set BENCH_OFFLINE=1 to build with Maven's -o.
set -euo pipefail
cd "$(dirname "$0")/.."

offline=()
if [[ "${BENCH_OFFLINE:-}" == 1 ]]; then
  offline=(-o)
fi

./mvnw -B -q "${offline[@]}" package -DskipTests
# The cold-start baseline: one @Funq returning a constant, same Quarkus platform and Funqy extension.
./mvnw -f bench/empty-function/pom.xml -B -q "${offline[@]}" package

# -Dtest names the classes outright; surefire then ignores its default includes (*Test, *Tests, *TestCase,
# Test*), which is why the *Benchmark classes never run in ./mvnw verify but do run here.
./mvnw -B "${offline[@]}" test -Dtest="${BENCH:-*Benchmark}" -Dsurefire.failIfNoSpecifiedTests=false "$@"

echo
for report in target/bench/*.md; do
  echo "=== $report ==="
  cat "$report"
  echo
done
