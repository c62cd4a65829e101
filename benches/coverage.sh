#!/bin/bash
# Behaviour coverage reached by `promosim fuzz` over every rules/*.promo and
# seeds 1-5: sums the `coverage: C/T decisions` lines and counts the
# campaigns that reach 100%. Build first: `cargo build --release`.
#   benches/coverage.sh 1000             # N sessions per campaign
#   benches/coverage.sh 1000 --feedback  # with coverage as feedback
set -euo pipefail
cases=${1:?sessions per campaign}; shift
bin=${PROMOSIM:-target/release/promosim}
out=$(mktemp -d)
covered=0; total=0; full=0; runs=0
for seed in 1 2 3 4 5; do
  for rules in rules/*.promo; do
    line=$("$bin" fuzz --seed "$seed" --cases "$cases" --rules "$rules" --out "$out" "$@" 2>/dev/null | grep '^coverage:' || true)
    c=$(echo "$line" | sed -E 's/coverage: ([0-9]+)\/([0-9]+).*/\1/')
    t=$(echo "$line" | sed -E 's/coverage: ([0-9]+)\/([0-9]+).*/\2/')
    covered=$((covered + c)); total=$((total + t)); runs=$((runs + 1))
    if [ "$c" = "$t" ]; then full=$((full + 1)); fi
  done
done
rm -rf "$out"
echo "sessions=$cases $* covered=$covered/$total at_100%=$full/$runs"
