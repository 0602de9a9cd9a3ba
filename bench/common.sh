# SPDX-License-Identifier: ISC
# bench/common.sh - build wgrun with the test paths and bring up the test peer
# (tests/lib.sh) so the benchmarks time real tunnels. Sourced, as root.
set -eu
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TESTS=$top/tests
. "$TESTS/lib.sh"
command -v hyperfine >/dev/null || { apt-get update -qq; apt-get install -y -qq hyperfine sudo >/dev/null; }
command -v sudo >/dev/null || apt-get install -y -qq sudo >/dev/null
cmake -S "$top" -B "$top/build/bench" -DWGRUN_CONFDIR=$T_CONF -DWGRUN_RUNDIR=$T_RUN >/dev/null
make -C "$top/build/bench" -s wgrun >/dev/null
install -d -m 0755 "$T_PREFIX/bin"
install -m 4755 -o root -g root "$top/build/bench/wgrun" "$T_BIN"
make_users
peer_up
bench_cleanup() { wgrun_down_all; peer_down; while umount -l $T_RUN/ns 2>/dev/null; do :; done; while umount -l $T_RUN/view 2>/dev/null; do :; done; rm -rf "$T_CONF" "$T_RUN" "$T_BIN"; }
trap bench_cleanup EXIT
write_policy "permit $T_USER bench" "permit root bench"
write_tunnel bench "10.77.0.0/24, fd77::/64"
# mean of a hyperfine JSON export, in ms
mean_ms() { python3 -c 'import json,sys; print("%.2f" % (json.load(open(sys.argv[1]))["results"][int(sys.argv[2])]["mean"]*1000))' "$@"; }
