#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/vm/kernel-bench.sh - in the VM, after kernel-tests.sh (its peer, its
# tunnel "work" and its users stay): the kernel backend's launch costs,
# five rounds each, timed with /proc/uptime (10 ms resolution, so each round
# repeats the command). Under software emulation every figure is slow: read
# the ratios. Prints "bench: ..." lines for bench/vm.
IP=/sbin/ip
T=/tmp/wgrun-test
PORT=51820
ms() { awk '{printf "%d", $1 * 1000}' /proc/uptime; }
alice() { runas 1001 1001 1001 -- "$@"; }

# The hand-made sequence for the same tunnel, with the kernel's WireGuard.
shell_cold() {
	$IP netns add wgb
	$IP link add wgb0 type wireguard
	wg set wgb0 private-key $T/client.key peer "$(cat $T/peer.pub)" \
		endpoint 127.0.0.1:$PORT allowed-ips 10.77.0.0/24
	$IP link set wgb0 netns wgb
	$IP -n wgb addr add 10.77.0.2/32 dev wgb0
	$IP -n wgb link set lo up
	$IP -n wgb link set wgb0 up
	$IP -n wgb route add 10.77.0.0/24 dev wgb0
	$IP netns exec wgb runas 1001 1001 1001 -- busybox true
	$IP netns del wgb
}
wgrun_cold() { alice wgrun work -- busybox true && wgrun --down work >/dev/null; }

printf 'permit alice work\n' >/etc/wgrun/policy
wgrun --down work >/dev/null 2>&1
for round in 1 2 3 4 5; do
	a=$(ms); for i in 1 2 3; do wgrun_cold; done; b=$(ms)
	for i in 1 2 3; do shell_cold >/dev/null 2>&1; done; c=$(ms)
	echo "bench: cold round $round: wgrun $(((b - a) / 3)) ms, shell $(((c - b) / 3)) ms"
done
# Where a cold launch spends its time, and --down on its own.
: >$T/cphases; : >$T/dphases
downs=
for i in 1 2 3 4 5; do
	alice wgrun work -- busybox true 2>>$T/cphases
	a=$(ms); wgrun --down work >/dev/null 2>>$T/dphases; b=$(ms)
	downs="$downs $((b - a))"
done
echo "bench: down$downs"
for p in checks caller policy c.fork c.detach c.prepare c.inside c.backend c.configure c.publish join mounts recheck drop; do
	grep "^wgrun-timing $p " $T/cphases | sort -t' ' -k3 -n | awk -v p=$p '{v[NR]=$3} END {if (NR) printf "bench: cold phase %s %.1f ms\n", p, v[int((NR+1)/2)]/1e6}'
done
for p in checks caller d.backend d.iface d.scan d.forget; do
	grep "^wgrun-timing $p " $T/dphases | sort -t' ' -k3 -n | awk -v p=$p '{v[NR]=$3} END {if (NR) printf "bench: down phase %s %.1f ms\n", p, v[int((NR+1)/2)]/1e6}'
done
alice wgrun work -- busybox true
for round in 1 2 3 4 5; do
	a=$(ms); for i in 1 2 3 4 5 6 7 8 9 10; do alice wgrun work -- busybox true; done; b=$(ms)
	for i in 1 2 3 4 5 6 7 8 9 10; do alice busybox true; done; c=$(ms)
	echo "bench: warm round $round: wgrun $(((b - a) / 10)) ms, direct $(((c - b) / 10)) ms"
done
# The floor: one extra setuid exec, static, with libc, with wgrun's libraries.
for round in 1 2 3 4 5; do
	a=$(ms); for i in 1 2 3 4 5 6 7 8 9 10; do alice exec-static; done; b=$(ms)
	for i in 1 2 3 4 5 6 7 8 9 10; do alice exec-libc; done; c=$(ms)
	for i in 1 2 3 4 5 6 7 8 9 10; do alice exec-libs; done; d=$(ms)
	for i in 1 2 3 4 5 6 7 8 9 10; do alice busybox true; done; e=$(ms)
	echo "bench: floor round $round: static $(((b - a) / 10)) ms, libc $(((c - b) / 10)) ms, libs $(((d - c) / 10)) ms, direct $(((e - d) / 10)) ms"
done
# Where a warm launch spends its time (this build prints its phases).
alice wgrun work -- busybox true 2>$T/phases
for i in 1 2 3 4 5 6 7 8 9 10; do alice wgrun work -- busybox true 2>>$T/phases; done
v1=$(alice wgrun work -- readlink /proc/self/ns/mnt); v2=$(alice wgrun work -- readlink /proc/self/ns/mnt)
echo "bench: kept view entered again: $([ -n "$v1" ] && [ "$v1" = "$v2" ] && echo yes || echo "no [$v1] [$v2]")"
for p in start checks caller policy join v.stats v.mountinfo v.run v.describe v.enter mounts recheck drop bus; do
	grep "^wgrun-timing $p " $T/phases | sort -t' ' -k3 -n | awk -v p=$p '{v[NR]=$3} END {if (NR) printf "bench: phase %s %.1f ms\n", p, v[int((NR+1)/2)]/1e6}'
done
wgrun --down work >/dev/null 2>&1
