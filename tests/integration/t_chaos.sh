#!/bin/sh
# A short seeded run of the chaos suite (docs/CHAOS.md): randomized faults against a
# dhcpfod pair, every DHCPACK the clients received checked for double allocation, the
# tables compared after each heal. The seed is fixed so that a failure here replays
# with `make chaos CYCLES=... SEED=...`; CHAOS_SEED and CHAOS_CYCLES override. Its
# logs, summary and chart (availability.png) are kept in $BUILD/chaos/t_chaos.
out=${BUILD:-build}/chaos/t_chaos
rm -rf "$out" && mkdir -p "$out" && out=$(cd "$out" && pwd) || exit 1
exec python3 "$(dirname "$0")/../chaos/chaos.py" --cycles "${CHAOS_CYCLES:-4}" \
	--seed "${CHAOS_SEED:-20261202}" --deadline 120 --out "$out"
