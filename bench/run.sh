#!/usr/bin/env bash
# Side-by-side benchmarks of reconcile against its peers (rsync, rclone, sqlite3, Miller).
#   bench/run.sh                 # everything: 20k and 100k file trees, stock (CSV, SQLite, PostgreSQL), planners
#   SIZES=20000 RUNS=3 bench/run.sh files    # only some
#   SIZES=20000 RUNS=3 bench/run.sh remote   # over SSH to 127.0.0.1 (root: starts its own sshd)
# Each scenario runs ours and the peers alternately RUNS times, the first of them rotating from run to
# run, and prints one table: every ratio of the specification's performance targets, with the median
# wall times, the ratio ours/peer, the target, whether it is met, and the peak memory (max RSS from
# /usr/bin/time). Before every timed run, dirty pages are flushed (sync), the disk gets SETTLE seconds
# (default 2) to finish what the flush started, and both trees are read once, so every side starts with
# the same warm page cache; set DROP_CACHES=1 (root) to start every run from a cold cache instead.
#
# The program measured is the one to install (README): the native build (Native AOT), published here
# (BUILD=native, about 15 minutes on 2 cores), or BUILD=readytorun; OURS=path measures a build already
# published instead.
#
# File trees live on a file system of their own (FS=image, the default as root): an ext4 image with a
# journal, as mkfs makes it, mounted on bench/data/fs. On ext4 without a journal (this VM's root file
# system), creating a file skips, one by one, every inode of its group freed within the last minute
# (five more while its inode table is unwritten): a first sync right after the previous DEST was deleted
# spent most of its time in that scan, whichever tool it was, and more the more threads created files
# at once. FS=here keeps the trees on bench/data's own file system.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
data=$root/bench/data
out=$root/bench/results
RUNS=${RUNS:-6} # a multiple of 2 and 3: every tool takes every place in the order equally often
SIZES=${SIZES:-"20000 100000"}
REMOTE_SIZES=${REMOTE_SIZES:-20000} # over SSH: the specification's table asks for the 20k tree
BUILD=${BUILD:-native}
what=${1:-all}
mkdir -p "$data" "$out"

need() { command -v "$1" >/dev/null 2>&1; }
if ! need rsync || ! need rclone || ! need sqlite3 || ! need mlr; then
  apt-get update && apt-get install -y rsync rclone sqlite3 miller
fi

case $(uname -m) in x86_64) rid=linux-x64 ;; aarch64) rid=linux-arm64 ;; *) rid= ;; esac
if [ -n "${OURS:-}" ]; then
  ours=$(realpath "$OURS")
elif [ "$BUILD" = native ]; then
  dotnet publish src/Reconcile.Shell -c Release ${rid:+-r $rid} -p:PublishAot=true -o "$out/native" >/dev/null
  ours=$out/native/reconcile
else
  dotnet publish src/Reconcile.Shell -c Release ${rid:+-r $rid --self-contained false -p:PublishReadyToRun=true} -o "$out/bin" >/dev/null
  ours=$out/bin/reconcile
fi
echo "measuring $ours ($(file -b "$ours" | cut -d, -f1-2))"
table=$out/table.md
: > "$table"
started=$out/.started; : > "$started"

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

row() { # row SCENARIO TARGET OURS PEER... (TARGET: "<1", "<=0.5", or "-" for none)
  local scenario=$1 target=$2 o=$3; shift 3
  read -r ot om < <(stat_of "$o")
  for p in "$@"; do
    read -r pt pm < <(stat_of "$p")
    awk -v s="$scenario" -v o="$o" -v p="$p" -v ot="$ot" -v om="$om" -v pt="$pt" -v pm="$pm" -v t="$target" 'BEGIN {
      r = (pt > 0 ? ot / pt : 0); r2 = sprintf("%.2f", r) + 0
      if (t == "-") met = "-"
      else if (substr(t, 1, 2) == "<=") met = (r2 <= substr(t, 3) + 0 ? "yes" : "**no**")
      else met = (r2 < substr(t, 2) + 0 ? "yes" : "**no**")
      printf "| %s | %s | %.2f s | %s MiB | %s | %.2f s | %s MiB | %.2f | %s | %s |\n", s, o, ot, om, p, pt, pm, r, t, met }' | tee -a "$table"
  done
}

unmeasured() { # unmeasured SCENARIO PEER TARGET WHY
  echo "| $1 | — | — | — | $2 | — | — | — | $3 | not measured: $4 |" | tee -a "$table"
}

# The file trees' own file system (see the top): an ext4 image with a journal, made and mounted once.
files_fs() {
  local fs=$data/fs
  if [ "${FS:-image}" = here ] || [ "$(id -u)" != 0 ]; then echo "$data"; return; fi
  if ! mountpoint -q "$fs"; then
    mkdir -p "$fs"
    [ -f "$data/fs.img" ] || { truncate -s "${FS_SIZE:-16G}" "$data/fs.img"; mkfs.ext4 -q -F "$data/fs.img"; }
    mount -o loop "$data/fs.img" "$fs"
  fi
  echo "$fs"
}

files_bench() {
  local n=$1 fs
  fs=$(files_fs)
  local d=$fs/files-$n
  [ -d "$d/mutated" ] || python3 bench/gen_files.py "$d" "$n"
  local dest=$fs/dest-$n cache=$fs/cache-$n tag=f$n
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
  local k=$((n / 1000))k same=0.6 nocache=1
  if [ "$n" -ge 100000 ]; then same=0.5; nocache=0.8; fi
  row "files $k: first sync into an empty DEST" "<=0.8" $tag-first-ours $tag-first-rsync
  row "files $k: nothing changed (native build: <=0.6 at 20k, <=0.5 at 100k)" "<=$same" $tag-same-ours $tag-same-rsync
  row "files $k: --checksum, warm hash cache" "<=0.5" $tag-checksum-ours $tag-checksum-rsync
  row "files $k: --checksum --no-cache (every file read)" "<=$nocache" $tag-checksum-nocache-ours $tag-checksum-rsync
  row "files $k: 1% modified, renamed, deleted, added" "<1" $tag-mutate-ours $tag-mutate-rclone $tag-mutate-rsync
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
  row "stock: 1M batches + 500k allocations, 1% changed, apply (peak <= 1 GiB)" "<1" stock-ours stock-sqlite3 stock-mlr
  row "stock: the same, dry run (plan only)" "-" stock-dry-ours stock-sqlite3 stock-mlr
}

# The stock scenario's data in a database store: SQLite (one file, copied fresh for every run) and
# PostgreSQL (a throwaway cluster on 127.0.0.1, started here as .ci/run starts one; every run gets a new
# database made from a template). Each run applies the whole plan (with reallocation); the peer is the
# engine's own diff on the same data: the sqlite3 shell importing the feed into the same database file
# and joining it with the batches, or psql copying it into a temporary table (\copy) and the same join.
# A psql peer's peak memory is the client's; the join runs in the server.
stores_bench() {
  local d=$data/stock
  [ -f "$d/feed.csv" ] || python3 bench/gen_stock.py "$d"
  need psql || { apt-get update && apt-get install -y postgresql-client; }
  rm -f "$out"/stores-*.times
  local base=$data/stock-base.db run=$data/stock-run.db
  [ -f "$base" ] || "$ours" store copy "$d/state" "$base" > /dev/null
  local joins
  joins=$(cat <<'SQL'
SELECT 'create_batch', f.ref FROM feed f LEFT JOIN batches b ON b.ref = f.ref WHERE b.ref IS NULL;
SELECT 'change', f.ref, b.qty, f.qty, b.eta, f.eta FROM feed f JOIN batches b ON b.ref = f.ref
  WHERE b.qty <> f.qty OR coalesce(b.eta, '') <> coalesce(f.eta, '');
SELECT 'remove_batch', b.ref FROM batches b LEFT JOIN feed f ON f.ref = b.ref WHERE f.ref IS NULL;
SELECT 'over', a.orderid, a.batchref FROM allocations a
  JOIN (SELECT batchref, SUM(CAST(qty AS INT)) s FROM allocations GROUP BY batchref) t ON t.batchref = a.batchref
  JOIN feed f ON f.ref = a.batchref WHERE t.s > CAST(f.qty AS INT);
SQL
)
  cat > "$out/stores-sqlite3.sql" <<SQL
.mode csv
.import $d/feed.csv feed
CREATE INDEX feed_ref ON feed(ref);
CREATE INDEX batches_ref ON batches(ref);
.output /dev/null
$joins
SQL
  cat > "$out/stores-psql.sql" <<SQL
CREATE TEMPORARY TABLE feed (ref text, sku text, qty text, eta text);
\copy feed FROM '$d/feed.csv' WITH (FORMAT csv, HEADER true)
ANALYZE feed;
$joins
SQL
  # The throwaway cluster, stopped and removed when the scenario ends.
  local pg_bin pg_dir port url
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$pg_bin" ] || { apt-get update && apt-get install -y postgresql; pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1); }
  pg_dir=$(mktemp -d /tmp/reconcile-bench-pg.XXXXXX)
  chmod 755 "$pg_dir"
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$pg_dir"; fi
  as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
  trap 'as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1; rm -rf "$pg_dir"' EXIT
  as_postgres "$pg_bin/initdb" -D "$pg_dir/data" -U postgres --auth=trust -E UTF8 --no-locale > "$pg_dir/initdb.log"
  port=$((20000 + RANDOM % 20000))
  as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/pg.log" -w -o "-k $pg_dir -p $port -c listen_addresses=127.0.0.1" start > /dev/null
  url=postgres://postgres@127.0.0.1:$port
  psql -q "$url/postgres" -c "CREATE DATABASE stockbase"
  "$ours" store copy "$base" "$url/stockbase" > /dev/null
  fresh_pg() { psql -q "$url/postgres" -c "DROP DATABASE IF EXISTS run" -c "CREATE DATABASE run TEMPLATE stockbase"; }
  local i tool
  for i in $(seq "$RUNS"); do
    local order=(ours peer)
    if (( i % 2 == 0 )); then order=(peer ours); fi
    for tool in "${order[@]}"; do
      cp "$base" "$run"; settle "$d"
      case $tool in
        ours) timed stores-sqlite-ours "$ours" stock -q "$d/feed.csv" "$run" ;;
        peer) timed stores-sqlite3 sqlite3 "$run" ".read $out/stores-sqlite3.sql" ;;
      esac
    done
    for tool in "${order[@]}"; do
      fresh_pg; settle "$d"
      case $tool in
        ours) timed stores-postgres-ours "$ours" stock -q "$d/feed.csv" "$url/run" ;;
        peer) timed stores-psql psql -q -o /dev/null "$url/run" -f "$out/stores-psql.sql" ;;
      esac
    done
  done
  rm -f "$run"
  as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop > /dev/null 2>&1; rm -rf "$pg_dir"; trap - EXIT
  row "stock on SQLite: 1M batches + 500k allocations, 1% changed, apply (peak <= 1 GiB)" "<=1" stores-sqlite-ours stores-sqlite3
  row "stock on PostgreSQL: the same, apply (peak <= 1 GiB; psql's peak is the client's)" "<=1" stores-postgres-ours stores-psql
}

planners_bench() {
  dotnet run -c Release --project bench/Reconcile.Benchmarks -- --filter '*' --join 2>&1 | tee "$out/planners.txt" | grep -E '^\|' || true
  # The planners' rows of the table: the mean against the 0.5 s target.
  grep -E '^\| *(Plan|PathsTo|Stock|File)' "$out/planners.txt" | awk -F'|' '{
    mean = ""; for (i = 2; i <= NF; i++) if ($i ~ / (ms|s) *$/ && mean == "") mean = $i
    gsub(/ /, "", mean); v = mean + 0; if (mean ~ /ms$/) { gsub(/,/, "", mean); v = (mean + 0) / 1000 }
    t = $2; m = $3; gsub(/ /, "", t); gsub(/ /, "", m)
    printf "| planner alone, 1M entries: %s.%s | — | %.3f s | — | — | — | — | — | <=0.5 s | %s |\n", t, m, v, (v <= 0.5 ? "yes" : "**no**") }' | tee -a "$table"
}

# Files over SSH to 127.0.0.1: a throwaway sshd (.ci/start-test-sshd; root) with a HOME of its own whose
# .ssh/config names the host "reconcile-test". Ours reads that HOME; rsync gets it with ssh -F; rclone
# gets an sftp remote "bench" through its environment (key, known_hosts, port). The remote DEST is a
# directory of this machine, so the untimed resets are local rsyncs.
remote_bench() {
  local n=$1 fs
  fs=$(files_fs)
  local d=$fs/files-$n
  [ -d "$d/mutated" ] || python3 bench/gen_files.py "$d" "$n"
  local dest=$fs/remote-dest-$n cache=$fs/remote-cache-$n tag=r$n sshd_dir=$data/sshd
  if [ ! -s "$sshd_dir/sshd.pid" ] || ! kill -0 "$(cat "$sshd_dir/sshd.pid")" 2>/dev/null; then
    rm -rf "$sshd_dir"; bash .ci/start-test-sshd "$sshd_dir" >/dev/null
  fi
  local home=$sshd_dir/home port
  port=$(awk '$1 == "Port" {print $2; exit}' "$home/.ssh/config")
  local ssh_cmd="ssh -F $home/.ssh/config"
  export RCLONE_CONFIG_BENCH_TYPE=sftp RCLONE_CONFIG_BENCH_HOST=127.0.0.1 RCLONE_CONFIG_BENCH_PORT=$port \
    RCLONE_CONFIG_BENCH_USER=$(id -un) RCLONE_CONFIG_BENCH_KEY_FILE=$home/.ssh/id_ed25519 \
    RCLONE_CONFIG_BENCH_KNOWN_HOSTS_FILE=$home/.ssh/known_hosts
  local ours_remote=(env HOME="$home" "$ours" files -q --cache-dir "$cache")
  rm -f "$out"/$tag-*.times
  local i tool
  for i in $(seq "$RUNS"); do
    local pair=(ours rsync) trio=(ours rclone rsync)
    if (( i % 2 == 0 )); then pair=(rsync ours); fi
    case $(( i % 3 )) in 2) trio=(rclone rsync ours) ;; 0) trio=(rsync ours rclone) ;; esac
    # first sync into an empty DEST (rclone's sftp backend checks every upload with an md5sum command
    # on the host: 2,000 of the 20,000 files in 4.5 minutes here, so it is left out of this one)
    for tool in "${pair[@]}"; do
      rm -rf "$dest" "$cache"; settle "$d/base"
      case $tool in
        ours) timed $tag-first-ours "${ours_remote[@]}" "$d/base" "reconcile-test:$dest" ;;
        rsync) timed $tag-first-rsync rsync -a --delete -e "$ssh_cmd" "$d/base/" "reconcile-test:$dest/" ;;
      esac
    done
    # nothing changed
    rm -rf "$dest" "$cache"; rsync -a --delete "$d/base/" "$dest/"; "${ours_remote[@]}" "$d/base" "reconcile-test:$dest"
    for tool in "${trio[@]}"; do
      settle "$d/base" "$dest"
      case $tool in
        ours) timed $tag-same-ours "${ours_remote[@]}" "$d/base" "reconcile-test:$dest" ;;
        rclone) timed $tag-same-rclone rclone sync "$d/base" "bench:$dest" ;;
        rsync) timed $tag-same-rsync rsync -a --delete -e "$ssh_cmd" "$d/base/" "reconcile-test:$dest/" ;;
      esac
    done
    # 1% modified, renamed, deleted, added; DEST restored to the old tree before each tool (untimed)
    for tool in "${trio[@]}"; do
      rsync -a --delete "$d/base/" "$dest/"; rm -rf "$cache"; settle "$d/mutated" "$dest"
      case $tool in
        ours) timed $tag-mutate-ours "${ours_remote[@]}" "$d/mutated" "reconcile-test:$dest" ;;
        rclone) timed $tag-mutate-rclone rclone sync --track-renames "$d/mutated" "bench:$dest" ;;
        rsync) timed $tag-mutate-rsync rsync -a --delete -e "$ssh_cmd" "$d/mutated/" "reconcile-test:$dest/" ;;
      esac
    done
  done
  rsync -a --delete "$d/base/" "$dest/"; rm -rf "$cache"
  HOME=$home "$ours" files -n --no-cache --format json "$d/mutated" "reconcile-test:$dest" | python3 -c 'import json,sys; s=json.load(sys.stdin)["summary"]; print(f"plan: {s}")' | tee "$out/$tag-mutate-plan.txt"
  kill "$(cat "$sshd_dir/sshd.pid")" 2>/dev/null || true
  local k=$((n / 1000))k
  row "files $k over SSH to 127.0.0.1: first sync" "<=1.5" $tag-first-ours $tag-first-rsync
  unmeasured "files $k over SSH to 127.0.0.1: first sync" "rclone sync (sftp)" "-" "rclone checks each upload with a remote md5sum (>30 min)"
  row "files $k over SSH to 127.0.0.1: nothing changed" "<=1" $tag-same-ours $tag-same-rsync $tag-same-rclone
  row "files $k over SSH to 127.0.0.1: 1% modified, renamed, deleted, added" "<=1" $tag-mutate-ours $tag-mutate-rsync $tag-mutate-rclone
}

echo "| scenario | ours | median | peak | peer | median | peak | ours/peer | target | met |" | tee -a "$table"
echo "|---|---|---|---|---|---|---|---|---|---|" | tee -a "$table"
case $what in
  files) for n in $SIZES; do files_bench "$n"; done ;;
  stock) stock_bench ;;
  stores) stores_bench ;;
  planners) planners_bench ;;
  remote) for n in $REMOTE_SIZES; do remote_bench "$n"; done ;;
  all) for n in $SIZES; do files_bench "$n"; done; for n in $REMOTE_SIZES; do remote_bench "$n"; done; stock_bench; stores_bench; planners_bench ;;
esac
echo "runs per scenario: $RUNS; table in $table"
echo "raw times (s), in run order:"
# (only this run's)
find "$out" -maxdepth 1 -name '*.times' -newer "$started" | sort | while read -r f; do
  echo "- $(basename "$f" .times): $(awk '{print $1}' "$f" | paste -sd/ | sed 's#/# / #g')"
done | tee "$out/raw-times.md"
