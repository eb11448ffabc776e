#!/usr/bin/env bash
# The reproduction table of the SensLI reference protocols (examples/reference/exp2…exp7): Sprout and the
# PyTorch peer tools/peer/sensli_reference.py, K seeds each, then tools/src/bench-repro.ts's tables.
#
#   tools/peer/reference-repro.sh K OUT [exp2 exp3 exp4 exp6 exp7]      e.g. tools/peer/reference-repro.sh 3 /tmp/repro
#
# Sprout runs each file with `--repeat K` (its seeds 1 … K on the one split of `split_draw fixed`, every arm);
# the peer runs --seed 1 … K on one split (--split-seed 1): its SensLI rules (max, and min where the file has
# a validity arm) and the fixed small and large nets (--select none). Writes OUT/<file name>/ (run
# directories), OUT/peer/<exp>-<rule>-<seed>.json and OUT/table.md. Wall times mean something only on a
# quiet machine: run nothing else meanwhile.
set -euo pipefail
cd "$(dirname "$0")/../.."
K=${1:?the number of seeds}
OUT=${2:?an output folder}
shift 2
EXPS=("$@")
[ ${#EXPS[@]} -eq 0 ] && EXPS=(exp2 exp3 exp4 exp6 exp7)
PEER=(/usr/bin/python3 tools/peer/sensli_reference.py --split-seed 1 --epochs 450 1400)
mkdir -p "$OUT/peer"

# Per experiment, as its .sprout file: architecture | small widths | large widths | lr | extra | SensLI rules.
peer_protocol() {
  case $1 in
    exp2) echo "fnn|5|5 5|0.2||max" ;;
    exp3) echo "resnet|3 3|3 3 3 3|0.1||max min" ;;
    exp4) echo "fnn|5|5 5|0.01|--batch 45|max" ;;
    exp6) echo "fnn|4 4|4 4 4 4|0.2||max min" ;;
    exp7) echo "resnet|3 3 3|3 3 3 3 3 3|0.1|--lr-factor 0.7|max min" ;;
    *) echo "unknown experiment $1 (exp2, exp3, exp4, exp6, exp7)" >&2; exit 2 ;;
  esac
}

tables=()
for e in "${EXPS[@]}"; do
  IFS='|' read -r arch small large lr extra rules <<<"$(peer_protocol "$e")"
  file=$(ls examples/reference/"$e"-*.sprout)
  name=$(basename "$file" .sprout)
  echo "== $name: sprout, $K seeds" >&2
  node packages/cli/bin/sprout.js run "$file" --repeat "$K" --out "$OUT/$name" --quiet
  echo "== $name: peer, $K seeds" >&2
  for s in $(seq 1 "$K"); do
    # shellcheck disable=SC2086 # the widths and extra arguments are words
    for r in $rules; do
      "${PEER[@]}" --arch "$arch" --widths $small --lr "$lr" $extra --seed "$s" --select "$r" >"$OUT/peer/$e-$r-$s.json"
    done
    # shellcheck disable=SC2086
    "${PEER[@]}" --arch "$arch" --widths $small --lr "$lr" $extra --seed "$s" --select none >"$OUT/peer/$e-small-$s.json"
    # shellcheck disable=SC2086
    "${PEER[@]}" --arch "$arch" --widths $large --lr "$lr" $extra --seed "$s" --select none >"$OUT/peer/$e-large-$s.json"
  done
  tables+=("$OUT/$name" --peer "$OUT/peer/$e-")
done
node --conditions=sprout-source --import tsx tools/src/bench-repro.ts "${tables[@]}" | tee "$OUT/table.md"
