#!/bin/sh
# A short seeded run of the chaos suite (docs/CHAOS.md): randomized faults against a
# dhcpfod pair, every DHCPACK the clients received checked for double allocation, the
# tables compared after each heal. The seed is fixed so that a failure here replays
# with `make chaos CYCLES=... SEED=...`; CHAOS_SEED and CHAOS_CYCLES override.
exec python3 "$(dirname "$0")/../chaos/chaos.py" --cycles "${CHAOS_CYCLES:-4}" \
	--seed "${CHAOS_SEED:-20261202}" --deadline 120
