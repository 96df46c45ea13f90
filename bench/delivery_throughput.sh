#!/usr/bin/env bash
# Superseded by bench/run.sh (its burst scenario measures the same thing, with a receiver that is not the
# bottleneck, the receiver's wrk ceiling, and the same burst against `spec-notify receive` for comparison).
# Kept so old notes keep working: runs only the burst scenario with N tasks.
# Usage: bench/delivery_throughput.sh [N=2000]   (MAX_IN_FLIGHT env: default 4, the configuration default)
exec bash "$(dirname "$0")/run.sh" --only burst --burst "${1:-2000}" --max-in-flight "${MAX_IN_FLIGHT:-4}"
