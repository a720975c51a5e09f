#!/usr/bin/env bash
# Side-by-side benchmarks of reconcile against its peers (rsync, rclone, sqlite3, Miller).
#   bench/run.sh                 # everything: 20k and 100k file trees, stock, planners
#   SIZES=20000 RUNS=3 bench/run.sh files    # only some
# Each scenario runs ours and the peers alternately RUNS times, the first of them rotating from run to
# run, and prints the median wall time, the ratio ours/peer, and the peak memory (max RSS from
# /usr/bin/time). Before every timed run, dirty pages are flushed (sync), the disk gets SETTLE seconds
# (default 2) to finish what the flush started, and both trees are read once, so every side starts with
# the same warm page cache; set DROP_CACHES=1 (root) to start every run from a cold cache instead.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
data=$root/bench/data
out=$root/bench/results
RUNS=${RUNS:-6} # a multiple of 2 and 3: every tool takes every place in the order equally often
SIZES=${SIZES:-"20000 100000"}
what=${1:-all}
mkdir -p "$data" "$out"

need() { command -v "$1" >/dev/null 2>&1; }
if ! need rsync || ! need rclone || ! need sqlite3 || ! need mlr; then
  apt-get update && apt-get install -y rsync rclone sqlite3 miller
fi

# The build that is measured is the one to install for scheduled use (README): Release, ReadyToRun
# (compiled ahead, so a short run does not spend its time compiling), for this machine's platform.
case $(uname -m) in x86_64) rid=linux-x64 ;; aarch64) rid=linux-arm64 ;; *) rid= ;; esac
dotnet publish src/Reconcile.Shell -c Release ${rid:+-r $rid --self-contained false -p:PublishReadyToRun=true} -o "$out/bin" >/dev/null
ours=$out/bin/reconcile
table=$out/table.md
: > "$table"

settle() { # same starting conditions for every run
  local d
  sync
  sleep "${SETTLE:-2}"
  if [ "${DROP_CACHES:-0}" = 1 ]; then echo 3 > /proc/sys/vm/drop_caches; else
    for d in "$@"; do [ -d "$d" ] && find "$d" -type f -print0 | xargs -0 -r cat > /dev/null; done; fi
}

timed() { # timed NAME CMD... -> appends "seconds kb" to $out/NAME.times
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$out/$name.one" "$@" > /dev/null 2> "$out/$name.err" || {
    echo "$name failed:"; cat "$out/$name.err"; exit 1; }
  cat "$out/$name.one" >> "$out/$name.times"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
stat_of() { # stat_of NAME -> "median_s max_rss_mib"
  local t m
  t=$(awk '{print $1}' "$out/$1.times" | median)
  m=$(awk '{print $2}' "$out/$1.times" | sort -n | tail -1)
  echo "$t $(awk -v k="$m" 'BEGIN {printf "%.0f", k/1024}')"
}

row() { # row SCENARIO OURS PEER...
  local scenario=$1 o=$2; shift 2
  read -r ot om < <(stat_of "$o")
  for p in "$@"; do
    read -r pt pm < <(stat_of "$p")
    awk -v s="$scenario" -v o="$o" -v p="$p" -v ot="$ot" -v om="$om" -v pt="$pt" -v pm="$pm" 'BEGIN {
      printf "| %s | %s | %.2f s | %s MiB | %s | %.2f s | %s MiB | %.2f |\n", s, o, ot, om, p, pt, pm, (pt > 0 ? ot / pt : 0) }' | tee -a "$table"
  done
}

files_bench() {
  local n=$1 d=$data/files-$n
  [ -d "$d/mutated" ] || python3 bench/gen_files.py "$d" "$n"
  local dest=$data/dest-$n cache=$data/cache-$n tag=f$n
  rm -f "$out"/$tag-*.times
  local i tool
  for i in $(seq "$RUNS"); do
    # Who goes first rotates from run to run. A tool's writes can slow the disk for the next one well
    # after sync returns (a VM's disk is flushed by its host), so no tool may always follow another.
    local pair=(ours rsync) trio=(ours rclone rsync)
    if (( i % 2 == 0 )); then pair=(rsync ours); fi
    case $(( i % 3 )) in 2) trio=(rclone rsync ours) ;; 0) trio=(rsync ours rclone) ;; esac
    # first sync into an empty DEST
    for tool in "${pair[@]}"; do
      rm -rf "$dest"
      case $tool in
        ours) rm -rf "$cache"; settle "$d/base"; timed $tag-first-ours "$ours" files -q --cache-dir "$cache" "$d/base" "$dest" ;;
        rsync) settle "$d/base"; timed $tag-first-rsync rsync -a --delete "$d/base/" "$dest/" ;;
      esac
    done
    # nothing changed (quick check; a warm cache, though nothing needs a hash)
    for tool in "${pair[@]}"; do
      settle "$d/base" "$dest"
      case $tool in
        ours) timed $tag-same-ours "$ours" files -q --cache-dir "$cache" "$d/base" "$dest" ;;
        rsync) timed $tag-same-rsync rsync -a --delete "$d/base/" "$dest/" ;;
      esac
    done
    # nothing changed, compare content: warm hash cache, cold (--no-cache), and rsync -c
    "$ours" files -q -c --cache-dir "$cache" "$d/base" "$dest" # fills the cache (untimed)
    for tool in "${pair[@]}"; do
      settle "$d/base" "$dest"
      case $tool in
        ours) timed $tag-checksum-ours "$ours" files -q -c --cache-dir "$cache" "$d/base" "$dest"
          settle "$d/base" "$dest"; timed $tag-checksum-nocache-ours "$ours" files -q -c --no-cache "$d/base" "$dest" ;;
        rsync) timed $tag-checksum-rsync rsync -a -c "$d/base/" "$dest/" ;;
      esac
    done
    # 1% modified, renamed, deleted, added; DEST restored to the old tree before each tool (untimed)
    for tool in "${trio[@]}"; do
      rsync -a --delete "$d/base/" "$dest/"; rm -rf "$cache"; settle "$d/mutated" "$dest"
      case $tool in
        ours) timed $tag-mutate-ours "$ours" files -q --cache-dir "$cache" "$d/mutated" "$dest" ;;
        rclone) timed $tag-mutate-rclone rclone sync --track-renames "$d/mutated" "$dest" ;;
        rsync) timed $tag-mutate-rsync rsync -a --delete "$d/mutated/" "$dest/" ;;
      esac
    done
  done
  # What our mutation plan transfers: renamed files must be moves (0 bytes).
  rsync -a --delete "$d/base/" "$dest/"; rm -rf "$cache"
  "$ours" files -n --no-cache --format json "$d/mutated" "$dest" | python3 -c 'import json,sys; s=json.load(sys.stdin)["summary"]; print(f"plan: {s}")' | tee "$out/$tag-mutate-plan.txt"
  row "files $n: first sync" $tag-first-ours $tag-first-rsync
  row "files $n: nothing changed" $tag-same-ours $tag-same-rsync
  row "files $n: --checksum, warm cache" $tag-checksum-ours $tag-checksum-rsync
  row "files $n: --checksum, no cache" $tag-checksum-nocache-ours $tag-checksum-rsync
  row "files $n: 1% changed" $tag-mutate-ours $tag-mutate-rclone $tag-mutate-rsync
}

stock_bench() {
  local d=$data/stock
  [ -f "$d/feed.csv" ] || python3 bench/gen_stock.py "$d"
  rm -f "$out"/stock-*.times
  cat > "$out/stock.sql" <<SQL
.mode csv
.import $d/feed.csv feed
.import $d/state/batches.csv batches
.import $d/state/allocations.csv allocations
CREATE INDEX feed_ref ON feed(ref);
CREATE INDEX batches_ref ON batches(ref);
CREATE INDEX allocations_batchref ON allocations(batchref);
.output /dev/null
SELECT 'create_batch', f.ref FROM feed f LEFT JOIN batches b ON b.ref = f.ref WHERE b.ref IS NULL;
SELECT 'change', f.ref, b.qty, f.qty, b.eta, f.eta FROM feed f JOIN batches b ON b.ref = f.ref WHERE b.qty <> f.qty OR b.eta <> f.eta;
SELECT 'remove_batch', b.ref FROM batches b LEFT JOIN feed f ON f.ref = b.ref WHERE f.ref IS NULL;
SELECT 'over', a.orderid, a.batchref FROM allocations a
  JOIN (SELECT batchref, SUM(CAST(qty AS INT)) s FROM allocations GROUP BY batchref) t ON t.batchref = a.batchref
  JOIN feed f ON f.ref = a.batchref WHERE t.s > CAST(f.qty AS INT);
SQL
  for _ in $(seq "$RUNS"); do
    rm -rf "$data/stock-state"; cp -r "$d/state" "$data/stock-state"; settle "$d"
    timed stock-ours "$ours" stock -q "$d/feed.csv" "$data/stock-state"
    rm -rf "$data/stock-dry-state"; cp -r "$d/state" "$data/stock-dry-state"
    settle "$d"; timed stock-dry-ours "$ours" stock -n -q "$d/feed.csv" "$data/stock-dry-state"
    settle "$d"; timed stock-sqlite3 sqlite3 :memory: ".read $out/stock.sql"
    settle "$d"; timed stock-mlr mlr --icsv --ocsv join --ul --ur --lp old_ --rp new_ -j ref -f "$d/state/batches.csv" \
      then filter 'is_absent($old_qty) || is_absent($new_qty) || $old_qty != $new_qty || $old_eta != $new_eta' "$d/feed.csv"
  done
  # Ours applies the plan (writes the new state and its journal); the peers only compute the difference.
  row "stock: 1M batches + 500k allocations, 1% changed (apply)" stock-ours stock-sqlite3 stock-mlr
  row "stock: the same, dry run (plan only)" stock-dry-ours stock-sqlite3 stock-mlr
}

planners_bench() {
  dotnet run -c Release --project bench/Reconcile.Benchmarks -- --filter '*' --join 2>&1 | tee "$out/planners.txt" | grep -E '^\|' || true
}

echo "| scenario | ours | median | peak | peer | median | peak | ours/peer |" | tee -a "$table"
echo "|---|---|---|---|---|---|---|---|" | tee -a "$table"
case $what in
  files) for n in $SIZES; do files_bench "$n"; done ;;
  stock) stock_bench ;;
  planners) planners_bench ;;
  all) for n in $SIZES; do files_bench "$n"; done; stock_bench; planners_bench ;;
esac
echo "runs per scenario: $RUNS; table in $table"
