#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# tests/system.sh BUILDDIR - wgrun's system tests, on real tunnels, as root.
#
# Each test_* function asserts one behaviour a user would notice. The peer
# lives in a namespace made here (tests/lib.sh); all traffic stays inside
# namespaces these tests create or on the host's loopback.
set -u
BUILD=$(cd "$1" && pwd)
TESTS=$(cd "$(dirname "$0")" && pwd)
. "$TESTS/lib.sh"
# Launches run as other users, who may not enter the checkout (a private
# clone): wgrun enters the caller's working directory again as the caller.
cd /

PASS=0 FAIL=0 SKIP=0 FAILED=()
# Not under /tmp: commands in a tunnel have a /tmp of their own.
OUT=$(mktemp -d /var/tmp/wgrun-tests.XXXXXX)
chmod 755 "$OUT"

ok() { PASS=$((PASS + 1)); echo "ok - $CUR"; }
fail() { FAIL=$((FAIL + 1)); FAILED+=("$CUR"); echo "not ok - $CUR: $*"; }
skip() { SKIP=$((SKIP + 1)); echo "ok - $CUR # skip: $*"; }
# check DESCRIPTION COMMAND...: fail the current test unless COMMAND succeeds
check() { local d=$1; shift; "$@" || { fail "$d"; return 1; }; }
not() { ! "$@"; }
wgrun_as() { local u=$1; shift; as_user "$u" "$T_BIN" "$@"; }

tunnel_exists() { [ -e "$T_RUN/$1.state" ] || [ -e "$T_RUN/ns/$1" ] || [ -e "/run/netns/wgrun-$1" ]; }
# alive PID: running, not a zombie waiting for init to reap it
alive() { [ -r /proc/$1/stat ] && ! grep -q '^[0-9]* (.*) Z' /proc/$1/stat 2>/dev/null; }

# ---- setup -----------------------------------------------------------------

# The policy every test starts from and returns to: alice (group wgt-team) may
# use work and over, bob may use other only (line 3 denies him work).
default_policy() {
	write_policy "# test policy" "permit :$T_GROUP work over" "deny $T_USER2 work" "permit $T_USER2 other"
}

# tunnel_add NAME N [-i LINE]... [-e SED]... [-w LINE]...: a tunnel NAME for
# the current test only, made as write_tunnel makes one (a key of its own,
# address 10.77.0.N, AllowedIPs 10.77.0.0/24), then -i adds a line to its
# [Interface], -e edits it with sed, -w adds a line to a [wgrun] section at its
# end; root's and 0600 after the edits. The runner takes it down and removes
# it after the test, however the test ended.
TEMP_TUNNELS=() TEMP_POLICY=
tunnel_add() {
	local name=$1 n=$2 extra= seds=() wgrun=() f=$T_CONF/tunnels/$1.conf
	shift 2
	while [ $# -ge 2 ]; do
		case $1 in
		-i) extra+=${extra:+$'\n'}$2 ;;
		-e) seds+=(-e "$2") ;;
		-w) wgrun+=("$2") ;;
		*) break ;;
		esac
		shift 2
	done
	[ $# = 0 ] || { echo "tunnel_add $name: cannot use: $*" >&2; return 1; }
	TEMP_TUNNELS+=("$name")
	write_tunnel "$name" "10.77.0.0/24" "$extra" "$n"
	[ ${#seds[@]} = 0 ] || sed -i "${seds[@]}" "$f"
	[ ${#wgrun[@]} = 0 ] || { printf '\n[wgrun]\n'; printf '%s\n' "${wgrun[@]}"; } >> "$f"
	chown root:root "$f"; chmod 600 "$f"
}

# policy_for_test RULE...: the policy for the current test only; the runner
# puts default_policy back after the test.
policy_for_test() { TEMP_POLICY=1; write_policy "$@"; }

# Run after every test: its tunnels down and their files gone, the default
# policy back.
temp_teardown() {
	local name
	for name in ${TEMP_TUNNELS[@]+"${TEMP_TUNNELS[@]}"}; do
		$T_BIN --down "$name" >/dev/null 2>&1
		rm -f "$T_CONF/tunnels/$name.conf"
	done
	TEMP_TUNNELS=()
	[ -z "$TEMP_POLICY" ] || default_policy
	TEMP_POLICY=
}

setup() {
	install -d -m 0755 "$T_PREFIX" "$T_PREFIX/bin"
	install -m 4755 -o root -g root "$BUILD/wgrun" "$T_BIN"
	# helpers where the test users can run them, wherever the checkout is
	install -m 0755 "$BUILD/noargv" "$BUILD/probe" "$BUILD/childwatch" "$T_PREFIX/bin/"
	# the same wgrun with a 3 s creation deadline, for the stale-work tests
	if [ -n "${WGRUN_FAST_BUILD:-}" ]; then
		install -m 4755 -o root -g root "$WGRUN_FAST_BUILD/wgrun" "$T_PREFIX/bin/wgrun-fast"
	fi
	make_users
	peer_up
	write_policy "# test policy" "permit :$T_GROUP work over" "deny $T_USER2 work" \
		"permit $T_USER2 other"
	write_tunnel work "10.77.0.0/24, fd77::/64"
	write_tunnel other "10.77.0.0/24, fd77::/64" "" 4
	write_tunnel over "0.0.0.0/0, ::/0" "" 3
	HOST_BEFORE=$(host_state)
}

cleanup() {
	wgrun_down_all
	peer_down
	while umount -l "$T_RUN/ns" 2>/dev/null; do :; done
	while umount -l "$T_RUN/view" 2>/dev/null; do :; done
	rm -rf "$OUT" "$T_CONF" "$T_RUN"
	rm -f "$T_BIN" "$T_PREFIX/bin/noargv" "$T_PREFIX/bin/probe" "$T_PREFIX/bin/childwatch" \
		"$T_PREFIX/bin/wgrun-fast"
}
trap cleanup EXIT

# ---- a user's launch ---------------------------------------------------------

test_cold_launch_reaches_peer_over_ipv4_and_ipv6() {
	local v4 v6
	v4=$(wgrun_as $T_USER work -- curl -sS -m 10 http://10.77.0.1:8080/)
	v6=$(wgrun_as $T_USER work -- curl -sS -m 10 'http://[fd77::1]:8080/')
	check "peer saw '$v4' over IPv4, wanted 10.77.0.2" [ "$v4" = 10.77.0.2 ] &&
	check "peer saw '$v6' over IPv6, wanted fd77::2" [ "$v6" = fd77::2 ] && ok
}

test_warm_launch_joins_the_same_namespace() {
	local a b pid1 pid2
	a=$(wgrun_as $T_USER work -- readlink /proc/self/ns/net)
	pid1=$(grep daemon_pid "$T_RUN/work.state")
	b=$(wgrun_as $T_USER work -- readlink /proc/self/ns/net)
	pid2=$(grep daemon_pid "$T_RUN/work.state")
	check "namespaces differ: $a $b" [ "$a" = "$b" ] &&
	check "daemon changed: $pid1 $pid2" [ "$pid1" = "$pid2" ] &&
	check "not the host's namespace" [ "$a" != "$(readlink /proc/self/ns/net)" ] && ok
}

test_command_runs_as_caller_with_same_ids_and_groups() {
	local want got
	want=$(as_user $T_USER sh -c 'id -u; id -g; id -G; id -ru; id -rg')
	got=$(wgrun_as $T_USER work -- sh -c 'id -u; id -g; id -G; id -ru; id -rg')
	check "ids differ: want [$want] got [$got]" [ "$want" = "$got" ] && ok
}

test_command_has_no_capabilities_and_no_new_privs_and_seccomp() {
	local s
	s=$(wgrun_as $T_USER work -- cat /proc/self/status)
	check "CapInh" grep -q "^CapInh:.0000000000000000" <<<"$s" &&
	check "CapPrm" grep -q "^CapPrm:.0000000000000000" <<<"$s" &&
	check "CapEff" grep -q "^CapEff:.0000000000000000" <<<"$s" &&
	check "CapAmb" grep -q "^CapAmb:.0000000000000000" <<<"$s" &&
	check "CapBnd only CAP_NET_RAW" grep -q "^CapBnd:.0000000000002000" <<<"$s" &&
	check "NoNewPrivs" grep -q "^NoNewPrivs:.1" <<<"$s" &&
	check "Seccomp filter mode" grep -q "^Seccomp:.2" <<<"$s" && ok
}

test_setuid_root_cannot_be_regained_inside() {
	local r
	r=$(wgrun_as $T_USER work -- python3 -c 'import os
try:
    os.setuid(0); print("regained")
except PermissionError: print("refused")')
	check "setuid(0) inside: $r" [ "$r" = refused ] && ok
}

test_seccomp_refuses_vsock_and_tiocsti_but_keeps_sandboxes_working() {
	local r
	r=$(wgrun_as $T_USER work -- python3 -c '
import errno, fcntl, socket, termios
def tryit(f):
    try:
        f(); return "allowed"
    except OSError as e:
        return errno.errorcode[e.errno]
print(tryit(lambda: socket.socket(40, socket.SOCK_STREAM)))     # AF_VSOCK
print(tryit(lambda: socket.socket(38, socket.SOCK_SEQPACKET)))  # AF_ALG
print(tryit(lambda: socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)))
print(tryit(lambda: fcntl.ioctl(0, termios.TIOCSTI, b"x")))
print(tryit(lambda: fcntl.ioctl(0, termios.TIOCSTI | (1 << 32), b"x")))
' </dev/null | tr '\n' ' ')
	check "socket/ioctl probes: [$r]" [ "$r" = "EAFNOSUPPORT EAFNOSUPPORT allowed EPERM EPERM " ] || return
	r=$(wgrun_as $T_USER work -- unshare -Ur id -u 2>&1)
	check "user namespace inside (browser sandboxes): [$r]" [ "$r" = 0 ] && ok
}

test_seccomp_kills_x32_and_fences_the_i386_abi() {
	local P=$T_PREFIX/bin/probe r rc
	wgrun_as $T_USER work -- $P x32 >/dev/null 2>&1; rc=$?
	check "x32 system call: exit $rc, wanted death by SIGSYS (159)" [ $rc = 159 ] || return
	r=$(wgrun_as $T_USER work -- sh -c "$P socketcall; $P i386-socket; $P keyctl; $P io_uring" | tr '\n' ' ')
	check "socketcall, i386 socket(AF_VSOCK), keyctl, io_uring: [$r]" [ "$r" = "ENOSYS EAFNOSUPPORT ok EPERM " ] && ok
}

test_user_namespace_inside_cannot_change_the_tunnel_namespace() {
	local r
	r=$(wgrun_as $T_USER work -- unshare -Ur sh -c 'ip link set lo down 2>&1 || echo refused; ip link add d0 type dummy 2>&1 || echo refused' | grep -c refused)
	check "changes refused from a user namespace: $r of 2" [ "$r" = 2 ] || return
	r=$(wgrun_as $T_USER work -- nsenter --net=/proc/1/ns/net true 2>&1 && echo entered)
	check "entering PID 1's network namespace: [$r]" not grep -q entered <<<"$r" && ok
}

test_only_lo_and_the_tunnel_interface_inside() {
	local ifs sys
	ifs=$(wgrun_as $T_USER work -- ip -o link show | awk -F': ' '{print $2}' | sort | tr '\n' ' ')
	sys=$(wgrun_as $T_USER work -- ls /sys/class/net | sort | tr '\n' ' ')
	check "interfaces: $ifs" [ "$ifs" = "lo work " ] &&
	check "/sys/class/net: $sys" [ "$sys" = "lo work " ] && ok
}

test_resolv_conf_names_only_the_tunnel_dns() {
	local r n h
	r=$(wgrun_as $T_USER work -- grep -v '^#' /etc/resolv.conf)
	n=$(wgrun_as $T_USER work -- grep '^hosts:' /etc/nsswitch.conf)
	h=$(wgrun_as $T_USER work -- getent ahostsv4 anything.example.test | head -1 | awk '{print $1}')
	check "resolv.conf inside: [$r]" [ "$r" = "nameserver 10.77.0.1" ] &&
	check "nsswitch hosts: [$n]" [ "$n" = "hosts: files dns" ] &&
	check "name answered by the peer's DNS through the tunnel: [$h]" [ "$h" = 10.77.0.1 ] &&
	check "host's resolv.conf untouched" not grep -q wgrun /etc/resolv.conf && ok
}

test_tunnel_without_dns_gets_no_nameserver() {
	tunnel_add nodns 5 -e '/^DNS/d'
	policy_for_test "permit $T_USER nodns work"
	local r
	r=$(wgrun_as $T_USER nodns -- grep -c nameserver /etc/resolv.conf)
	check "nameservers inside: $r" [ "$r" = 0 ] && ok
}

test_resolver_sockets_are_masked() {
	mkdir -p /run/nscd && touch /run/nscd/socket
	local r
	r=$(wgrun_as $T_USER work -- ls -A /run/nscd)
	rm -rf /run/nscd
	check "/run/nscd inside shows: [$r]" [ -z "$r" ] && ok
}

test_resolver_restarted_or_started_later_stays_masked() {
	rm -rf /run/nscd /run/avahi-daemon; mkdir -p /run/nscd && touch /run/nscd/socket
	echo visible > /run/wgt-visible.$$
	wgrun_as $T_USER work -- sh -c 'sleep 1.5; ls -A /run/nscd /run/avahi-daemon; cat /run/wgt-visible.*' > $OUT/masks 2>&1 &
	local bg=$!
	sleep 0.5
	# the host restarts nscd (directory removed and made again) and starts avahi
	rm -rf /run/nscd; mkdir /run/nscd; touch /run/nscd/socket
	mkdir -p /run/avahi-daemon; touch /run/avahi-daemon/socket
	wait $bg
	rm -rf /run/nscd /run/avahi-daemon /run/wgt-visible.$$
	local r
	r=$(tr -s '\n' ' ' < $OUT/masks)
	check "inside after the host's changes: [$r]" [ "$r" = "/run/avahi-daemon: /run/nscd: visible " ] && ok
}

test_narrow_allowedips_give_only_those_routes() {
	local r
	r=$(wgrun_as $T_USER work -- ip -4 route show)
	check "routes: [$r]" [ "$r" = "10.77.0.0/24 dev work scope link " ] || return
	r=$(wgrun_as $T_USER work -- curl -sS -m 3 http://10.88.0.1:8080/ 2>&1)
	check "no route outside AllowedIPs: [$r]" grep -qi "unreachable\|couldn't connect\|Failed to connect" <<<"$r" && ok
}

test_default_allowedips_route_everything_through_the_tunnel() {
	local r4 r6 got
	r4=$(wgrun_as $T_USER over -- ip -4 route show default)
	r6=$(wgrun_as $T_USER over -- ip -6 route show default)
	got=$(wgrun_as $T_USER over -- curl -sS -m 10 http://10.77.0.1:8080/)
	check "v4 default: [$r4]" grep -q "default dev over" <<<"$r4" &&
	check "v6 default: [$r6]" grep -q "default dev over" <<<"$r6" &&
	check "peer reached: [$got]" [ "$got" = 10.77.0.3 ] && ok
}

test_ping_works_inside_without_capabilities() {
	command -v ping >/dev/null || { fail "ping not installed"; return; }
	wgrun_as $T_USER work -- ping -c 1 -W 5 10.77.0.1 >/dev/null 2>&1 &&
		ok || fail "ping through the tunnel failed"
}

test_endpoint_host_name_is_resolved() {
	tunnel_add named 8 -e "s/^Endpoint = .*/Endpoint = localhost:$PEER_PORT/"
	policy_for_test "permit $T_USER named"
	local got
	got=$(wgrun_as $T_USER named -- curl -sS -m 10 http://10.77.0.1:8080/ 2>&1)
	check "through a tunnel whose Endpoint is 'localhost': [$got]" [ "$got" = 10.77.0.8 ] && ok
}

test_tunnel_namespace_is_hardened_and_keeps_cgroups() {
	local r
	r=$(wgrun_as $T_USER work -- sh -c 'cat /proc/sys/net/ipv4/conf/all/forwarding /proc/sys/net/ipv4/conf/all/route_localnet /proc/sys/net/ipv6/conf/all/accept_ra /proc/sys/net/ipv4/ping_group_range' | tr -s '\t\n' '  ')
	check "sysctls inside: [$r]" [ "$r" = "0 0 0 0 2147483647 " ] || return
	r=$(wgrun_as $T_USER work -- ls /sys/fs/cgroup | wc -l)
	check "cgroup tree inside has $r entries" [ "$r" -gt 0 ] && ok
}

test_without_any_wireguard_the_error_says_what_to_install() {
	if [ -z "${WGRUN_NOWG_BUILD:-}" ] || [ -e /sys/module/wireguard ]; then
		skip "needs a build without wireguard-go on a kernel without the module"; return
	fi
	install -m 4755 -o root -g root "$WGRUN_NOWG_BUILD/wgrun" $T_PREFIX/bin/wgrun-nowg
	$T_BIN --down work >/dev/null 2>&1
	refused "no WireGuard here: the kernel has no wireguard module and /nonexistent/wireguard-go is missing; install wireguard-go" \
		as_user $T_USER $T_PREFIX/bin/wgrun-nowg work -- true; local r=$?
	rm -f $T_PREFIX/bin/wgrun-nowg
	[ $r = 0 ] || return
	check "nothing published" not tunnel_exists work && ok
}

test_exit_status_stdin_argv_and_environment_pass_through() {
	local rc s a e
	wgrun_as $T_USER work -- sh -c 'exit 42'; rc=$?
	s=$(echo "piped in" | wgrun_as $T_USER work -- cat)
	a=$(wgrun_as $T_USER work -- printf '[%s]' "a b" "" 'c
d' '--' '-x')
	e=$(as_user $T_USER env WGRUN_TEST_VAR='x y' "$T_BIN" work -- printenv WGRUN_TEST_VAR)
	check "exit status $rc" [ $rc = 42 ] &&
	check "stdin: [$s]" [ "$s" = "piped in" ] &&
	check "argv: [$a]" [ "$a" = "[a b][][c
d][--][-x]" ] &&
	check "environment: [$e]" [ "$e" = "x y" ] && ok
}

test_working_directory_and_umask_are_kept() {
	local r
	r=$(cd /tmp && as_user $T_USER sh -c "umask 027; exec $T_BIN work -- sh -c 'pwd; umask'")
	check "cwd and umask: [$r]" [ "$r" = "/tmp
0027" ] && ok
}

test_caller_descriptors_do_not_reach_the_command() {
	local r
	r=$(as_user $T_USER bash -c "exec 7</etc/hostname; exec $T_BIN work -- ls /proc/self/fd" | sort -n | tr '\n' ' ')
	check "descriptors inside: [$r]" [ "$r" = "0 1 2 3 " ] && ok	# 3 is ls's own dir fd
}

test_command_not_found_is_127_and_not_executable_is_126() {
	local rc1 rc2 e
	e=$(wgrun_as $T_USER work -- no-such-command-xyz 2>&1); rc1=$?
	printf '#!/bin/sh\necho ran\n' > $OUT/notexec; chmod 644 $OUT/notexec
	wgrun_as $T_USER work -- $OUT/notexec 2>/dev/null; rc2=$?
	check "not found: $rc1 [$e]" [ $rc1 = 127 ] && check "not executable: $rc2" [ $rc2 = 126 ] &&
	check "message names the command" grep -q "no-such-command-xyz: command not found" <<<"$e" && ok
}

test_path_search_uses_the_callers_path_after_the_drop() {
	mkdir -p $OUT/bin && printf '#!/bin/sh\necho mine\n' > $OUT/bin/mytool && chmod 755 $OUT/bin/mytool
	local r
	r=$(as_user $T_USER env PATH=$OUT/bin:/usr/bin:/bin $T_BIN work -- mytool)
	check "found on caller's PATH: [$r]" [ "$r" = mine ] && ok
}

# ---- refusals: one clear line, 125, nothing created --------------------------

refused() {	# refused PATTERN CMD...: 125, one line on stderr matching, nothing new
	local pat=$1 err rc; shift
	err=$("$@" 2>&1 >/dev/null); rc=$?
	[ $rc = 125 ] || { fail "exit $rc, not 125 [$err]"; return 1; }
	[ "$(printf '%s\n' "$err" | wc -l)" = 1 ] || { fail "not one line: [$err]"; return 1; }
	grep -q -- "$pat" <<<"$err" || { fail "message [$err] lacks [$pat]"; return 1; }
}

test_denied_user_gets_clear_error_naming_the_rule() {
	refused "user $T_USER2 may not use tunnel 'work' ($T_CONF/policy line 3)" wgrun_as $T_USER2 work -- true || return
	$T_BIN --down work >/dev/null 2>&1
	refused "user $T_USER2 may not use tunnel 'work'" wgrun_as $T_USER2 work -- true || return
	check "a refused launch created the tunnel" not tunnel_exists work && ok
}

test_unlisted_tunnel_is_refused_without_creating_anything() {
	$T_BIN --down other >/dev/null 2>&1
	refused "may not use tunnel 'other'" wgrun_as $T_USER other -- true || return
	tunnel_exists other && { fail "state created for a refused launch"; return; }
	ok
}

test_unknown_tunnel_is_refused() {
	write_policy "permit $T_USER ghost work"
	refused "unknown tunnel 'ghost'" wgrun_as $T_USER ghost -- true
	local r=$?
	default_policy
	[ $r = 0 ] && ! tunnel_exists ghost && ok
}

test_bad_tunnel_names_are_refused_before_anything() {
	local n long
	long=$(printf 'a%.0s' $(seq 300))
	for n in "" . .. ../x x/../x "a
b" "$long" -x 'a;b' '$(id)' /etc/passwd UPPER toolongname_16ch; do
		refused "invalid tunnel name" wgrun_as $T_USER "$n" -- true || return
	done
	ok
}

test_missing_command_is_refused() {
	refused "no command given" wgrun_as $T_USER work -- && ok
}

test_started_with_empty_argv_is_refused() {
	refused "without argv\[0\]\|no tunnel given" as_user $T_USER "$T_PREFIX/bin/noargv" "$T_BIN" && ok
}

test_closed_standard_descriptors_still_work() {
	local r
	r=$(as_user $T_USER sh -c "$T_BIN work -- sh -c 'ls /proc/self/fd | wc -l' <&- 2>&-")
	check "command got 0-2 open (plus ls' own): [$r]" [ "$r" -ge 3 ] && ok
}

test_started_inside_another_network_namespace_is_refused() {
	refused "started inside another" ip netns exec $PEER_NS setpriv --reuid=$T_USER --regid=$(id -g $T_USER) --init-groups --reset-env "$T_BIN" work -- true && ok
}

test_started_with_a_reduced_bounding_set_is_refused() {
	refused "without capability sys_admin" setpriv --bounding-set=-sys_admin --reuid=$T_USER --regid=$(id -g $T_USER) --init-groups --reset-env "$T_BIN" work -- true && ok
}

test_hostile_rlimits_work_or_refuse_cleanly_and_reach_the_command() {
	local lim out rc
	for lim in "-n 8" "-n 40" "-f 0" "-u 0" "-c unlimited" "-S -v 200000"; do
		$T_BIN --down work >/dev/null 2>&1
		out=$(as_user $T_USER bash -c "ulimit $lim && exec $T_BIN work -- bash -c 'ulimit ${lim% *}'" 2>&1); rc=$?
		# 125: wgrun refused; 126: the kernel refused the command's exec
		# (RLIMIT_NPROC counts the caller's processes once ids are theirs).
		if [ $rc = 125 ] || [ $rc = 126 ]; then
			[ "$(printf '%s\n' "$out" | wc -l)" = 1 ] || { fail "ulimit $lim: refusal not one line: [$out]"; return; }
		elif [ $rc != 0 ] || [ "$out" != "${lim##* }" ]; then
			fail "ulimit $lim: exit $rc, command saw [$out]"; return
		fi
	done
	# whatever happened, the next ordinary launch works
	out=$(wgrun_as $T_USER work -- curl -sS -m 10 http://10.77.0.1:8080/)
	check "launch after the limits: [$out]" [ "$out" = 10.77.0.2 ] && ok
}

test_started_with_securebits_is_refused() {
	refused "securebits" setpriv --securebits=+noroot --reuid=$T_USER --regid=$(id -g $T_USER) --init-groups --reset-env "$T_BIN" work -- true && ok
}

test_started_with_no_new_privs_is_refused() {
	refused "no_new_privs" setpriv --no-new-privs --reuid=$T_USER --regid=$(id -g $T_USER) --init-groups --reset-env "$T_BIN" work -- true && ok
}

test_command_mount_namespace_is_charged_to_the_caller() {
	wgrun_as $T_USER work -- true	# warm: root's daemon holds a mount namespace
	local old r
	old=$(cat /proc/sys/user/max_mnt_namespaces)
	# One mount namespace per user: a launch charged to root, who already
	# has the daemon's, would fail; one charged to the caller succeeds.
	if ! echo 1 2>/dev/null > /proc/sys/user/max_mnt_namespaces; then
		skip "this root cannot set user.max_mnt_namespaces (no CAP_SYS_RESOURCE)"
		return
	fi
	r=$(wgrun_as $T_USER work -- echo inside 2>&1)
	echo "$old" > /proc/sys/user/max_mnt_namespaces
	check "launch under a quota of one mount namespace per user: [$r]" [ "$r" = inside ] && ok
}

test_hostile_environment_changes_nothing() {
	local r
	r=$(as_user $T_USER env LD_PRELOAD=/nonexistent.so LD_LIBRARY_PATH=/tmp GCONV_PATH=/tmp LOCPATH=/tmp \
		NLSPATH=/tmp TMPDIR=/nonexistent HOME=/nonexistent PATH=/usr/bin:/bin POSIXLY_CORRECT=1 \
		"$T_BIN" work -- curl -sS -m 10 http://10.77.0.1:8080/ 2>&1)
	check "launch with hostile environment: [$r]" [ "$r" = 10.77.0.2 ] && ok
}

# ---- admin mistakes: refused with file and line -----------------------------

with_policy() {	# with_policy MODE OWNER TEXT CMD...: run CMD with that policy
	local mode=$1 owner=$2 text=$3; shift 3
	cp -p $T_CONF/policy $OUT/policy.save
	printf '%s\n' "$text" > $T_CONF/policy; chmod "$mode" $T_CONF/policy; chown "$owner" $T_CONF/policy
	"$@"; local r=$?
	cp -p $OUT/policy.save $T_CONF/policy
	return $r
}

test_writable_tunnel_directory_and_oversized_policy_are_refused() {
	chmod 0770 $T_CONF/tunnels
	refused "tunnels: writable by group or others" wgrun_as $T_USER work -- true; local r=$?
	chmod 0700 $T_CONF/tunnels
	[ $r = 0 ] || return
	refused "larger than" with_policy 644 root "$(head -c 70000 /dev/zero | tr '\0' '#')" wgrun_as $T_USER work -- true && ok
}

test_malformed_policy_is_refused_with_file_and_line() {
	local err
	err=$(with_policy 644 root "permit :$T_GROUP work
allow $T_USER work" wgrun_as $T_USER work -- true 2>&1)
	check "policy error: [$err]" grep -q "$T_CONF/policy line 2" <<<"$err" && ok
}

test_policy_writable_by_others_or_owned_by_a_user_is_refused() {
	refused "writable by group or others" with_policy 666 root "permit :$T_GROUP work" wgrun_as $T_USER work -- true || return
	refused "must be owned by root" with_policy 644 $T_USER "permit :$T_GROUP work" wgrun_as $T_USER work -- true || return
	ok
}

test_symlinked_policy_is_refused() {
	mv $T_CONF/policy $T_CONF/policy.real && ln -s policy.real $T_CONF/policy
	refused "symbolic link" wgrun_as $T_USER work -- true; local r=$?
	rm $T_CONF/policy && mv $T_CONF/policy.real $T_CONF/policy
	[ $r = 0 ] && ok
}

test_group_or_world_readable_tunnel_file_is_refused() {
	$T_BIN --down other >/dev/null 2>&1
	write_policy "permit $T_USER other"
	chmod 644 $T_CONF/tunnels/other.conf
	refused "readable by group or others" wgrun_as $T_USER other -- true; local r=$?
	chmod 640 $T_CONF/tunnels/other.conf
	[ $r = 0 ] && { refused "readable by group or others" wgrun_as $T_USER other -- true; r=$?; }
	chmod 600 $T_CONF/tunnels/other.conf
	default_policy
	[ $r = 0 ] && ! tunnel_exists other && ok
}

test_postup_in_tunnel_file_is_refused_and_nothing_runs() {
	tunnel_add hook 6 -i "PostUp = touch $OUT/hook-ran"
	policy_for_test "permit $T_USER hook"
	local err
	err=$(wgrun_as $T_USER hook -- true 2>&1)
	check "message: [$err]" grep -q "hook.conf line [0-9]*: PostUp" <<<"$err" &&
	check "the hook ran" [ ! -e $OUT/hook-ran ] && ! tunnel_exists hook && ok
}

test_bad_key_is_reported_without_echoing_it() {
	tunnel_add badkey 7 -e 's|^PrivateKey = .*|PrivateKey = SECRETSECRETSECRET|'
	policy_for_test "permit $T_USER badkey"
	local err
	err=$(wgrun_as $T_USER badkey -- true 2>&1)
	check "names file and line: [$err]" grep -q "badkey.conf line 3" <<<"$err" &&
	check "echoes the value" not grep -q SECRET <<<"$err" && ok
}

# ---- lifecycle ---------------------------------------------------------------

test_parallel_first_launches_make_one_namespace() {
	$T_BIN --down work >/dev/null 2>&1
	local i ns before
	local pids=()
	before=$(pgrep -r SRDT -f -c 'wireguard-go -f wgrun')
	for i in $(seq 8); do
		wgrun_as $T_USER work -- readlink /proc/self/ns/net > $OUT/par.$i 2>&1 &
		pids+=($!)
	done
	wait "${pids[@]}"
	ns=$(cat $OUT/par.* | sort -u)
	check "launches that printed a namespace: $(cat $OUT/par.* | grep -c '^net:')" [ "$(cat $OUT/par.* | grep -c '^net:')" = 8 ] &&
	check "namespaces seen: [$ns]" [ "$(wc -l <<<"$ns")" = 1 ] &&
	check "all launches ran: [$ns]" grep -q '^net:\[' <<<"$ns" &&
	check "exactly one new daemon" [ "$(pgrep -r SRDT -f -c 'wireguard-go -f wgrun')" = $((before + 1)) ] && ok
}

test_killing_wgrun_mid_creation_leaves_nothing_half_made() {
	local d pid before got
	for d in 0.001 0.005 0.01 0.02 0.04 0.08; do
		$T_BIN --down work >/dev/null 2>&1
		before=$(pgrep -r SRDT -f -c 'wireguard-go -f wgrun')
		as_user $T_USER "$T_BIN" work -- true &
		pid=$!
		sleep $d
		kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
		sleep 0.2	# the root child finishes (or never started)
		[ "$(pgrep -r SRDT -f -c 'wireguard-go -f wgrun')" -le $((before + 1)) ] ||
			{ fail "after a kill at ${d}s: more than one new daemon"; return; }
		[ -z "$(ip -o link show | grep ' wgrun')" ] ||
			{ fail "after a kill at ${d}s: a temporary interface in the host: $(ip -o link show | grep ' wgrun')"; return; }
		got=$(wgrun_as $T_USER work -- curl -sS -m 10 http://10.77.0.1:8080/ 2>&1)
		[ "$got" = 10.77.0.2 ] || { fail "launch after a kill at ${d}s: [$got]"; return; }
		[ "$(pgrep -r SRDT -f -c 'wireguard-go -f wgrun')" = $((before + 1)) ] ||
			{ fail "after a kill at ${d}s and a launch: not exactly one new daemon"; return; }
	done
	ok
}

test_stopped_launch_does_not_block_another_user() {
	$T_BIN --down work >/dev/null 2>&1
	write_policy "permit $T_USER work" "permit $T_USER2 work"
	local pid got
	as_user $T_USER2 "$T_BIN" work -- true &
	pid=$!
	sleep 0.01	# inside its wait for the root child, most likely
	kill -STOP $pid
	got=$(timeout 20 setpriv --reuid=$T_USER --regid=$(id -g $T_USER) --init-groups --reset-env \
		"$T_BIN" work -- curl -sS -m 10 http://10.77.0.1:8080/ 2>&1)
	kill -CONT $pid; wait $pid 2>/dev/null
	default_policy
	check "launch while another user's wgrun is stopped: [$got]" [ "$got" = 10.77.0.2 ] && ok
}

# ---- a caller who stops, freezes or starves its own launch (issue 9) ----------

# hold_lock TUNNEL: root holds the tunnel's lock on fd 9, so a launch's
# creation child waits for it; release_lock lets it go.
hold_lock() { install -d -m 0700 $T_RUN; exec 9>"$T_RUN/$1.lock"; flock 9; }
release_lock() { flock -u 9; exec 9>&-; }
# launch_bg USER WGRUN ARGS...: a launch in the background whose $! is wgrun's
# own pid (the background subshell execs setpriv, which execs wgrun)
launch_bg() { local u=$1; shift; exec setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups --reset-env -- "$@"; }
# creation_child PID: the child wgrun PID forked, once there (5 s at most)
creation_child() {
	local i c
	for i in $(seq 500); do
		# the creation child is root's (a child of the caller's, such as
		# the session bus's, is not it)
		for c in $(cat /proc/$1/task/$1/children 2>/dev/null); do
			[ "$(awk '/^Uid:/{print $2}' /proc/$c/status 2>/dev/null)" = 0 ] &&
				{ echo "$c"; return 0; }
		done
		sleep 0.01
	done
	return 1
}

test_creation_child_is_out_of_the_callers_reach_from_its_first_instruction() {
	# The attack as found: the caller starves its own launch (SCHED_IDLE on a
	# CPU kept busy by a loop of its own) and tries to stop every child the
	# moment it appears.
	local i j r seen=0 sig=0 hog
	for i in 1 2 3; do
		$T_BIN --down work >/dev/null 2>&1
		setpriv --reuid=$T_USER --regid=$(id -g $T_USER) --init-groups --reset-env \
			taskset -c 0 sh -c 'while :; do :; done' & hog=$!
		r=$(as_user $T_USER sh -c "taskset -c 0 chrt --idle 0 $T_BIN work -- true & exec taskset -c 1 $T_PREFIX/bin/childwatch \$! 20")
		kill $hog; wait $hog 2>/dev/null
		for j in $(seq 100); do pgrep -u $T_USER -x wgrun >/dev/null || break; sleep 0.1; done
		set -- $r
		seen=$((seen + ${2:-0})); sig=$((sig + ${4:-0}))
	done
	echo "# creation children seen: $seen, stopped by the caller: $sig"
	check "creation children seen: $seen" [ "$seen" -ge 3 ] &&
	check "children the caller could stop: $sig" [ "$sig" = 0 ] &&
	check "tunnel up after all that" tunnel_exists work && ok
}

test_tunnel_file_changed_while_a_launch_waits_is_read_again() {
	$T_BIN --down work >/dev/null 2>&1
	tunnel_exists work && { fail "work still up after --down: $($T_BIN --down work 2>&1)"; return; }
	cp -p $T_CONF/tunnels/work.conf $OUT/work.conf.saved
	hold_lock work
	launch_bg $T_USER $T_BIN work -- cat /sys/class/net/work/mtu > $OUT/mtu 2>&1 &
	local bg=$! c
	c=$(creation_child $bg) || { release_lock; wait $bg; fail "no creation child seen"; return; }
	sed -i 's/^\[Interface\]/[Interface]\nMTU = 1300/' $T_CONF/tunnels/work.conf
	release_lock
	wait $bg
	cp -p $OUT/work.conf.saved $T_CONF/tunnels/work.conf
	$T_BIN --down work >/dev/null 2>&1
	check "MTU the command saw after the file changed mid-launch: [$(cat $OUT/mtu)]" [ "$(cat $OUT/mtu)" = 1300 ] && ok
}

test_held_creation_older_than_its_deadline_builds_nothing() {
	local F=$T_PREFIX/bin/wgrun-fast lp c i
	[ -x $F ] || { skip "needs the 3 s deadline build (WGRUN_FAST_BUILD)"; return; }
	$T_BIN --down work >/dev/null 2>&1
	tunnel_exists work && { fail "work still up after --down: $($T_BIN --down work 2>&1)"; return; }
	cp -p $T_CONF/tunnels/work.conf $OUT/work.conf.saved
	hold_lock work
	launch_bg $T_USER $F work -- true >/dev/null 2>&1 & lp=$!
	c=$(creation_child $lp) || { release_lock; fail "no creation child seen"; return; }
	# What a caller can do to a child still in its own cgroup: freeze it;
	# root's SIGSTOP stands in for the freezer. Then kill the launch, and
	# rotate the tunnel's key meanwhile, as the admin did.
	kill -STOP $c; kill -9 $lp; wait $lp 2>/dev/null
	sed -i "s|^PrivateKey = .*|PrivateKey = $(wg genkey)|" $T_CONF/tunnels/work.conf
	sleep 3.5
	release_lock
	kill -CONT $c
	for i in $(seq 100); do alive $c || break; sleep 0.05; done
	cp -p $OUT/work.conf.saved $T_CONF/tunnels/work.conf
	check "the released child is gone" not alive $c &&
	check "a stale child built the tunnel (from the old file)" not tunnel_exists work && ok
	$T_BIN --down work >/dev/null 2>&1
}

test_launch_that_gives_up_kills_and_reaps_its_child() {
	local F=$T_PREFIX/bin/wgrun-fast lp c err rc
	[ -x $F ] || { skip "needs the 3 s deadline build (WGRUN_FAST_BUILD)"; return; }
	$T_BIN --down work >/dev/null 2>&1
	tunnel_exists work && { fail "work still up after --down: $($T_BIN --down work 2>&1)"; return; }
	hold_lock work
	launch_bg $T_USER $F work -- true > $OUT/gaveup 2>&1 & lp=$!
	c=$(creation_child $lp) || { release_lock; fail "no creation child seen [$(cat $OUT/gaveup)]"; return; }
	kill -STOP $c
	release_lock
	wait $lp; rc=$?
	err=$(cat $OUT/gaveup)
	check "exit $rc [$err]" [ $rc = 125 ] &&
	check "says it gave up: [$err]" grep -q "took longer than 3 s" <<<"$err" &&
	check "the child it gave up on is still there" not alive $c &&
	check "nothing built" not tunnel_exists work && ok
	kill -9 $c 2>/dev/null
}

test_policy_changed_while_a_launch_is_held_refuses_it() {
	$T_BIN --down work >/dev/null 2>&1
	tunnel_exists work && { fail "work still up after --down: $($T_BIN --down work 2>&1)"; return; }
	hold_lock work
	launch_bg $T_USER $T_BIN work -- echo ran > $OUT/held 2>&1 &
	local bg=$! c rc
	c=$(creation_child $bg) || { release_lock; wait $bg; fail "no creation child seen"; return; }
	write_policy "permit :$T_GROUP over" "deny $T_USER work"
	release_lock
	wait $bg; rc=$?
	default_policy
	check "held launch after the rule became deny: exit $rc [$(cat $OUT/held)]" [ $rc = 125 ] &&
	check "refusal says the policy changed: [$(cat $OUT/held)]" grep -q "$T_CONF/policy changed during the launch" $OUT/held && ok
}

test_tunnel_file_changed_after_the_join_refuses_the_launch() {
	command -v strace >/dev/null || { fail "strace not installed"; return; }
	local how call rc bg
	# Held where the command's view is made (a new entry in the host's /run
	# means a new view: unshare), and where a kept one is entered (setns).
	for how in made entered; do
		wgrun_as $T_USER work -- true
		cp -p $T_CONF/tunnels/work.conf $OUT/work.conf.saved
		call=setns
		[ $how = made ] && { call=unshare; mkdir /run/wgt-hold.$$; }
		# strace -u runs the setuid binary as the user; the delay stands in
		# for a caller's SIGSTOP between the join and the drop.
		strace -f -qq -o /dev/null -u $T_USER -e trace=$call -e inject=$call:delay_exit=1500000 \
			$T_BIN work -- echo ran > $OUT/late 2>&1 &
		bg=$!
		sleep 0.7
		sed -i "s|^PrivateKey = .*|PrivateKey = $(wg genkey)|" $T_CONF/tunnels/work.conf
		wait $bg; rc=$?
		cp -p $OUT/work.conf.saved $T_CONF/tunnels/work.conf
		rmdir /run/wgt-hold.$$ 2>/dev/null
		check "launch held past a key change while its view is $how: exit $rc [$(cat $OUT/late)]" [ $rc = 125 ] &&
		check "says the file changed" grep -q "work.conf changed during the launch" $OUT/late || return
	done
	ok
}

test_working_directory_is_entered_in_the_commands_own_view() {
	local r uid
	uid=$(id -u $T_USER)
	r=$(cd /etc && as_user $T_USER $T_BIN work -- sh -c 'grep -v "^#" resolv.conf')
	check "cd /etc; cat resolv.conf: [$r]" [ "$r" = "nameserver 10.77.0.1" ] || return
	local made_dbus=
	[ -d /run/dbus ] || { mkdir /run/dbus; made_dbus=1; }
	touch /run/dbus/wgt-hidden.$$
	mkdir -p /run/user/$uid; chown $T_USER /run/user/$uid
	r=$(cd /run && as_user $T_USER $T_BIN work -- ls dbus)
	local up
	up=$(cd /run/user/$uid && as_user $T_USER $T_BIN work -- ls ../../dbus)
	rm -f /run/dbus/wgt-hidden.$$; [ -n "$made_dbus" ] && rmdir /run/dbus
	rm -rf /run/user/$uid
	check "cd /run; ls dbus: [$r]" [ -z "$r" ] &&
	check "cd /run/user/UID; ls ../../dbus: [$up]" [ -z "$up" ] || return
	# a directory that the command's view does not have: one clear refusal
	mkdir -p /run/nscd/sub; chmod 755 /run/nscd /run/nscd/sub
	(cd /run/nscd/sub && refused "cannot enter the working directory /run/nscd/sub in the tunnel's view" \
		as_user $T_USER $T_BIN work -- true); r=$?
	rm -rf /run/nscd
	[ $r = 0 ] && ok
}

test_callers_hard_limits_never_reach_the_daemon() {
	local lim pid out rc
	for lim in "--nofile=256:256" "--nproc=200:200" "--memlock=4096:4096"; do
		$T_BIN --down work >/dev/null 2>&1
		out=$(as_user $T_USER prlimit $lim $T_BIN work -- true 2>&1); rc=$?
		if [ -e $T_RUN/work.state ]; then
			pid=$(sed -n 's/^daemon_pid=//p' $T_RUN/work.state)
			case $lim in
			--nofile*) out=$(awk '/^Max open files/{print $4, $5}' /proc/$pid/limits); [ "$out" = "1024 4096" ] ;;
			--nproc*) out=$(awk '/^Max processes/{print $3, $4}' /proc/$pid/limits); [ "$out" = "1024 1024" ] ;;
			--memlock*) out=$(awk '/^Max locked memory/{print $4, $5}' /proc/$pid/limits); [ "$out" = "65536 65536" ] ;;
			esac || { fail "prlimit $lim: daemon has [$out]"; return; }
		else
			[ $rc = 125 ] && grep -q "hard limit is too low to build a tunnel" <<<"$out" ||
				{ fail "prlimit $lim: exit $rc [$out]"; return; }
		fi
	done
	ok
}

test_failing_mount_step_refuses_the_launch() {
	wgrun_as $T_USER work -- true
	# A scratch path that cannot be mounted on: the launch must stop, never
	# go on with the host's /etc and /run. (A new entry in the host's /run:
	# the kept view will not do, a new one is made.)
	rm -rf $T_RUN/scratch; touch $T_RUN/scratch; mkdir /run/wgt-new.$$
	refused "cannot mount a scratch tmpfs" wgrun_as $T_USER work -- cat /etc/resolv.conf; local r=$?
	rm -f $T_RUN/scratch; rmdir /run/wgt-new.$$
	[ $r = 0 ] && ok
}

test_namespace_that_cannot_be_hardened_is_not_published() {
	$T_BIN --down work >/dev/null 2>&1
	# As in many containers: /proc/sys read-only, so no sysctl can be set.
	mount --bind /proc/sys /proc/sys && mount -o remount,bind,ro /proc/sys ||
		{ fail "cannot make /proc/sys read-only here"; return; }
	refused "cannot set net.ipv4.ip_forward in the tunnel namespace" wgrun_as $T_USER work -- true; local r=$?
	umount /proc/sys
	[ $r = 0 ] || return
	check "published anyway" not tunnel_exists work && ok
}

# ---- the desktop stays on its side of the tunnel (issue 10) -------------------

# desktop_up: what a desktop user has: a runtime directory, a session bus
# (with a service it can activate), an X display, a home. desk CMD runs CMD
# as that user in that session.
desktop_up() {
	D_UID=$(id -u $T_USER)
	D_RUN=/run/user/$D_UID
	D_HOME=$OUT/home
	install -d -o $T_USER -g users -m 0700 $D_RUN $D_HOME
	mkdir -p $OUT/services
	cat > $OUT/services/org.wgrun.Test.service <<SVC
[D-BUS Service]
Name=org.wgrun.Test
Exec=/bin/sh -c 'readlink /proc/self/ns/net > $OUT/act/activated; sleep 5'
SVC
	install -d -o $T_USER -m 0755 $OUT/act
	cat > $OUT/bus.conf <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>session</type><listen>unix:path=$D_RUN/bus</listen>
<servicedir>$OUT/services</servicedir>
<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
</busconfig>
CONF
	chmod -R a+rX $OUT/services $OUT/bus.conf
	D_BUS_PID=$(as_user $T_USER dbus-daemon --config-file=$OUT/bus.conf --fork --print-pid)
	D_DISP=$((50 + $$ % 40))
	Xvfb :$D_DISP -nolisten tcp -ac >/dev/null 2>&1 & D_X_PID=$!
	local i
	for i in $(seq 100); do [ -S /tmp/.X11-unix/X$D_DISP ] && [ -S $D_RUN/bus ] && break; sleep 0.05; done
}
desktop_down() {
	kill $D_BUS_PID $D_X_PID 2>/dev/null; wait $D_X_PID 2>/dev/null
	pkill -u $T_USER -x tmux 2>/dev/null
	pkill -u $T_USER -x dbus-daemon 2>/dev/null
	rm -rf $D_RUN
}
desk() {
	as_user $T_USER env HOME=$D_HOME DISPLAY=:$D_DISP XDG_RUNTIME_DIR=$D_RUN \
		DBUS_SESSION_BUS_ADDRESS=unix:path=$D_RUN/bus "$@"
}

test_tmux_inside_never_joins_a_server_outside() {
	desktop_up
	desk tmux new-session -d -s outside 'sleep 60'
	local tns r outside inside
	tns=$(wgrun_as $T_USER work -- readlink /proc/self/ns/net)
	install -o $T_USER -m 0644 /dev/null $OUT/tmux-ns
	desk $T_BIN work -- tmux new-session -d -s inside "readlink /proc/self/ns/net > $OUT/tmux-ns; sleep 60"
	sleep 0.5
	outside=$(desk tmux ls -F '#S' 2>&1 | tr '\n' ' ')
	inside=$(desk $T_BIN work -- tmux ls -F '#S' 2>&1 | tr '\n' ' ')
	r=$(cat $OUT/tmux-ns 2>/dev/null)
	desk $T_BIN work -- tmux kill-server 2>/dev/null
	desktop_down
	check "sessions of the server outside: [$outside]" [ "$outside" = "outside " ] &&
	check "sessions a second launch sees inside: [$inside]" [ "$inside" = "inside " ] &&
	check "the window's shell ran in [$r], the tunnel is $tns" [ "$r" = "$tns" ] && ok
}

test_session_bus_outside_is_out_of_reach_and_activates_nothing() {
	desktop_up
	local r rc
	r=$(desk $T_BIN work -- dbus-send --session --print-reply --dest=org.wgrun.Test / org.wgrun.Test.Ping 2>&1); rc=$?
	local id_out id_in
	id_out=$(desk dbus-send --session --print-reply --dest=org.freedesktop.DBus / org.freedesktop.DBus.GetId | grep -o '"[0-9a-f]*"')
	id_in=$(desk $T_BIN work -- dbus-send --session --print-reply --dest=org.freedesktop.DBus / org.freedesktop.DBus.GetId | grep -o '"[0-9a-f]*"')
	local sr src
	sr=$(desk $T_BIN work -- systemd-run --user true 2>&1); src=$?
	sleep 0.3
	local act=no; [ -e $OUT/act/activated ] && act=yes
	desktop_down
	check "dbus-send inside: exit $rc [$r]" [ $rc != 0 ] &&
	check "a service was activated outside" [ $act = no ] &&
	check "the bus inside is the tunnel's own: inside $id_in, outside $id_out" \
		[ -n "$id_in" -a "$id_in" != "$id_out" ] &&
	check "systemd-run --user inside: exit $src [$sr]" [ $src != 0 ] && ok
}

test_tunnels_tmp_never_fills_the_hosts_run() {
	local uid d before after
	uid=$(id -u $T_USER)
	d=$T_RUN/session/work.$uid
	before=$(df --output=used /run | tail -1)
	wgrun_as $T_USER work -- sh -c 'head -c 30000000 /dev/zero > /tmp/big; echo x > /tmp/big2'
	after=$(df --output=used /run | tail -1)
	check "the tunnel's session directory is a file system of its own: $(stat -f -c %T $d) dev $(stat -c %d $d) vs /run $(stat -c %d /run)" \
		[ "$(stat -c %d $d)" != "$(stat -c %d /run)" ] &&
	check "the host's /run grew by $((after - before)) KiB" [ $((after - before)) -lt 10000 ] || return
	$T_BIN --down work >/dev/null 2>&1
	check "--down removed $d" [ ! -e $d ] && ok
}

# ---- the command's view is kept, and follows the host (issue 14) ------------

test_view_is_entered_again_by_the_same_user_through_the_same_tunnel() {
	policy_for_test "permit :$T_GROUP work over" "permit $T_USER2 work"
	local a1 a2 b o mode
	a1=$(wgrun_as $T_USER work -- readlink /proc/self/ns/mnt)
	a2=$(wgrun_as $T_USER work -- readlink /proc/self/ns/mnt)
	b=$(wgrun_as $T_USER2 work -- readlink /proc/self/ns/mnt)
	o=$(wgrun_as $T_USER over -- readlink /proc/self/ns/mnt)
	mode=$(stat -c '%U %a' $T_RUN/view)
	# Another user's X authority file in /tmp is not bound into this view,
	# and changes nothing in it; the caller's own is, at once.
	local a3 a4
	as_user $T_USER2 touch /tmp/xauth_wgt2.$$
	a3=$(wgrun_as $T_USER work -- readlink /proc/self/ns/mnt)
	as_user $T_USER touch /tmp/xauth_wgt1.$$
	a4=$(wgrun_as $T_USER work -- ls /tmp/xauth_wgt1.$$ 2>&1)
	rm -f /tmp/xauth_wgt2.$$ /tmp/xauth_wgt1.$$
	check "two launches of work: [$a1] [$a2]" [ -n "$a1" -a "$a1" = "$a2" ] &&
	check "another user's view: [$b]" [ -n "$b" -a "$b" != "$a1" ] &&
	check "another tunnel's view: [$o]" [ -n "$o" -a "$o" != "$a1" ] &&
	check "after another user's xauth file in /tmp: [$a3]" [ "$a3" = "$a1" ] &&
	check "the caller's own xauth file, inside at once: [$a4]" [ "$a4" = /tmp/xauth_wgt1.$$ ] &&
	check "not the host's: [$(readlink /proc/self/ns/mnt)]" [ "$a1" != "$(readlink /proc/self/ns/mnt)" ] &&
	check "the views are root's alone: [$mode]" [ "$mode" = "root 700" ] && ok
}

test_view_follows_the_host_between_launches() {
	local d=/run/wgt-new.$$ f=/run/wgt-file.$$ m=/mnt/wgt-view.$$ r=()
	wgrun_as $T_USER work -- true
	# A new entry at the top of the host's /run.
	mkdir $d; echo here > $d/f
	r+=("$(wgrun_as $T_USER work -- cat $d/f 2>&1)")
	# A file of the host's /run replaced, as a daemon rewrites its pid file.
	echo old > $f
	r+=("$(wgrun_as $T_USER work -- cat $f 2>&1)")
	echo new > $f.tmp; mv $f.tmp $f
	r+=("$(wgrun_as $T_USER work -- cat $f 2>&1)")
	# A file system mounted on the host, then unmounted.
	mkdir -p $m; mount -t tmpfs wgt-view $m; echo mounted > $m/f
	r+=("$(wgrun_as $T_USER work -- cat $m/f 2>&1)")
	umount $m
	r+=("$(wgrun_as $T_USER work -- ls -A $m 2>&1)")
	# The host's nsswitch.conf rewritten in place (its hosts line is ours).
	cp -p /etc/nsswitch.conf $OUT/nsswitch.saved
	echo "# wgt-$$" >> /etc/nsswitch.conf
	r+=("$(wgrun_as $T_USER work -- grep -c "wgt-$$" /etc/nsswitch.conf 2>&1)")
	cp -p $OUT/nsswitch.saved /etc/nsswitch.conf
	rm -rf $d $f; rmdir $m
	check "a new /run entry: [${r[0]}]" [ "${r[0]}" = here ] &&
	check "a /run file: [${r[1]}]" [ "${r[1]}" = old ] &&
	check "the same file replaced: [${r[2]}]" [ "${r[2]}" = new ] &&
	check "a new mount: [${r[3]}]" [ "${r[3]}" = mounted ] &&
	check "that mount gone: [${r[4]}]" [ -z "${r[4]}" ] &&
	check "nsswitch.conf changed: [${r[5]}]" [ "${r[5]}" = 1 ] && ok
}

test_view_follows_etc_at_once_at_its_top_and_within_its_age_below() {
	local fast=$T_PREFIX/bin/wgrun-fast d=/etc/wgt-view.$$ f=/etc/wgt-top.$$ r=()
	[ -x $fast ] || { skip "no build with a 3 s view age (WGRUN_FAST_BUILD)"; return; }
	mkdir $d; echo one > $d/f
	r+=("$(as_user $T_USER $fast work -- cat $d/f 2>&1)")
	# Replaced below a subdirectory of /etc (as update-ca-certificates
	# does): the view's overlay keeps what it looked up until the view ages.
	echo two > $d/f.new; mv $d/f.new $d/f
	sleep 4
	r+=("$(as_user $T_USER $fast work -- cat $d/f 2>&1)")
	# Replaced at the top of /etc (hosts, passwd): at once.
	echo one > $f
	r+=("$(as_user $T_USER $fast work -- cat $f 2>&1)")
	echo two > $f.new; mv $f.new $f
	r+=("$(as_user $T_USER $fast work -- cat $f 2>&1)")
	rm -rf $d $f
	check "below /etc: [${r[0]}]" [ "${r[0]}" = one ] &&
	check "replaced below /etc, after the view's age: [${r[1]}]" [ "${r[1]}" = two ] &&
	check "at the top of /etc: [${r[2]}]" [ "${r[2]}" = one ] &&
	check "replaced at the top of /etc: [${r[3]}]" [ "${r[3]}" = two ] && ok
}

test_view_holds_no_namespace_files_and_goes_with_the_binary() {
	local fast=$T_PREFIX/bin/wgrun-fast p=/run/wgt-pins.$$ n a b c
	# Another tool's namespace pin on a mount that is not shared (so the
	# host's unmount would never reach a copy); a new /run entry: a view
	# made now.
	mkdir $p; touch $p/ns
	# Twice: the second pin stacked on the first hides it.
	unshare --net=$p/ns true && unshare --net=$p/ns true ||
		{ fail "cannot pin a namespace with unshare(1)"; return; }
	n=$(wgrun_as $T_USER work -- grep -c "wgt-pins.* - nsfs " /proc/self/mountinfo)
	umount -l $p/ns; umount -l $p/ns 2>/dev/null; rm -rf $p
	check "another tool's namespace pins in a new view: [$n]" [ "$n" = 0 ] || return
	[ -x $fast ] || { skip "no second build (WGRUN_FAST_BUILD)"; return; }
	a=$(wgrun_as $T_USER work -- readlink /proc/self/ns/mnt)
	b=$(as_user $T_USER $fast work -- readlink /proc/self/ns/mnt)
	c=$(wgrun_as $T_USER work -- readlink /proc/self/ns/mnt)
	check "another wgrun binary makes its own view: [$a] [$b] [$c]" [ "$a" != "$b" -a "$b" != "$c" ] && ok
}

test_idle_scan_lets_go_of_views_past_their_age() {
	local fast=$T_PREFIX/bin/wgrun-fast uid a b
	[ -x $fast ] || { skip "no build with a 3 s view age (WGRUN_FAST_BUILD)"; return; }
	uid=$(id -u $T_USER)
	as_user $T_USER $fast work -- true
	$fast --down --idle >/dev/null
	a=$(grep -c " $T_RUN/view/work\.$uid " /proc/self/mountinfo)
	sleep 4
	$fast --down --idle >/dev/null
	b=$(grep -c " $T_RUN/view/work\.$uid " /proc/self/mountinfo)
	# A pin left without its description (a launch killed as it published).
	local c
	as_user $T_USER $fast work -- true
	rm -f $T_RUN/view/work.$uid.in
	$fast --down --idle >/dev/null
	c=$(grep -c " $T_RUN/view/work\.$uid " /proc/self/mountinfo)
	check "a young view stays pinned: [$a]" [ "$a" = 1 ] &&
	check "past its age, --down --idle unpins it: [$b]" [ "$b" = 0 ] &&
	check "a pin without its description goes too: [$c]" [ "$c" = 0 ] &&
	check "and the tunnel stays up" tunnel_exists work && ok
}

test_view_follows_the_tunnels_dns() {
	tunnel_add vdns 14
	policy_for_test "permit :$T_GROUP vdns"
	local a b
	a=$(wgrun_as $T_USER vdns -- grep ^nameserver /etc/resolv.conf)
	sed -i 's/^DNS = .*/DNS = 10.77.0.53/' $T_CONF/tunnels/vdns.conf
	b=$(wgrun_as $T_USER vdns -- grep ^nameserver /etc/resolv.conf)
	check "before: [$a]" [ "$a" = "nameserver 10.77.0.1" ] &&
	check "after the tunnel file named another server: [$b]" [ "$b" = "nameserver 10.77.0.53" ] && ok
}

test_views_go_with_their_tunnel() {
	local uid pins files
	uid=$(id -u $T_USER)
	wgrun_as $T_USER work -- true
	pins=$(grep -c " $T_RUN/view/work\.$uid " /proc/self/mountinfo)
	check "one view of work pinned: [$pins]" [ "$pins" = 1 ] || return
	$T_BIN --down work >/dev/null
	pins=$(grep -c " $T_RUN/view/work\." /proc/self/mountinfo)
	files=$(ls -A $T_RUN/view | grep '^work\.')
	check "after --down: [$pins] pins, files [$files]" [ "$pins" = 0 -a -z "$files" ] || return
	# Made again in a new namespace: the new view shows its interfaces, and
	# no view of the old one is left, not even another user's.
	policy_for_test "permit :$T_GROUP work" "permit $T_USER2 work"
	local net
	wgrun_as $T_USER work -- true
	wgrun_as $T_USER2 work -- true
	umount -l $T_RUN/ns/work; rm -f $T_RUN/ns/work; umount -l /run/netns/wgrun-work 2>/dev/null
	wgrun_as $T_USER work -- true
	# A mark only the new namespace has (sysfs shows the namespace it was
	# mounted in, whatever the command stands in).
	ip -n wgrun-work link add wgtmark type veth peer name wgtmark1
	net=$(wgrun_as $T_USER work -- ls /sys/class/net | tr '\n' ' ')
	ip -n wgrun-work link del wgtmark
	pins=$(grep -c " $T_RUN/view/work\." /proc/self/mountinfo)
	check "the view's sysfs is the new namespace's: [$net]" grep -qw wgtmark <<<"$net" &&
	check "the old view unpinned: [$pins]" [ "$pins" = 1 ] && ok
}

test_session_bus_opt_in_keeps_it() {
	tunnel_add sbus 12 -w "SessionBus = yes" -w "SharedTmp = yes"
	policy_for_test "permit $T_USER sbus work"
	desktop_up
	touch /tmp/wgt-shared.$$
	local r rc t
	r=$(desk $T_BIN sbus -- dbus-send --session --print-reply --dest=org.freedesktop.DBus / org.freedesktop.DBus.ListNames 2>&1); rc=$?
	t=$(desk $T_BIN sbus -- ls /tmp/wgt-shared.$$ 2>&1)
	local own
	own=$(desk $T_BIN work -- ls /tmp/wgt-shared.$$ 2>&1)
	rm -f /tmp/wgt-shared.$$
	desktop_down
	check "session bus with SessionBus = yes: exit $rc" [ $rc = 0 ] &&
	check "host /tmp with SharedTmp = yes: [$t]" [ "$t" = /tmp/wgt-shared.$$ ] &&
	check "host /tmp without it: [$own]" not grep -q "^/tmp/wgt-shared" <<<"$own" && ok
}

test_view_is_made_again_after_a_new_login() {
	local id_in id_out w1 w2
	desktop_up
	echo one > $D_RUN/wayland-0
	w1=$(desk $T_BIN work -- cat $D_RUN/wayland-0 2>&1)
	# The compositor restarted: another socket under the same name.
	echo two > $D_RUN/wayland-0.new; mv $D_RUN/wayland-0.new $D_RUN/wayland-0
	w2=$(desk $T_BIN work -- cat $D_RUN/wayland-0 2>&1)
	# Logged out and in again: a new runtime directory, a new session bus,
	# and nothing the view binds has changed. The kernel takes the view's
	# cover off the old directory when it goes.
	rm $D_RUN/wayland-0; desk $T_BIN work -- true
	desktop_down; desktop_up
	desk $T_BIN work -- true
	id_out=$(desk dbus-send --session --print-reply --dest=org.freedesktop.DBus / org.freedesktop.DBus.GetId | grep -o '"[0-9a-f]*"')
	id_in=$(desk $T_BIN work -- dbus-send --session --print-reply --dest=org.freedesktop.DBus / org.freedesktop.DBus.GetId 2>&1 | grep -o '"[0-9a-f]*"')
	local bus_alive=no
	kill -0 $D_BUS_PID 2>/dev/null && bus_alive=yes
	desktop_down
	check "the compositor's socket: [$w1]" [ "$w1" = one ] &&
	check "the restarted compositor's: [$w2]" [ "$w2" = two ] &&
	check "after a new login the bus inside is still the tunnel's own: inside $id_in, outside $id_out" \
		[ -n "$id_in" -a "$id_in" != "$id_out" ] &&
	check "the desktop's session bus still runs: $bus_alive" [ $bus_alive = yes ] && ok
}

test_running_command_keeps_its_runtime_directory_across_a_new_login() {
	local bg id_out id_in
	desktop_up
	install -o $T_USER -m 0644 /dev/null $OUT/late-bus
	install -o $T_USER -m 0644 /dev/null $OUT/late-ls
	desk $T_BIN work -- sh -c "sleep 3; ls /run/user/$D_UID > $OUT/late-ls
		dbus-send --session --print-reply --dest=org.freedesktop.DBus / org.freedesktop.DBus.GetId > $OUT/late-bus 2>&1" &
	bg=$!
	sleep 1
	# Logged out and in again while it runs: the host's runtime directory
	# is removed and made anew, with a new session bus.
	desktop_down; desktop_up
	touch $D_RUN/wgt-new-login
	id_out=$(desk dbus-send --session --print-reply --dest=org.freedesktop.DBus / org.freedesktop.DBus.GetId | grep -o '"[0-9a-f]*"')
	wait $bg
	id_in=$(grep -o '"[0-9a-f]*"' $OUT/late-bus)
	desktop_down
	check "the host's new bus answers: [$id_out]" [ -n "$id_out" ] &&
	check "the command that ran across the login reached the bus [$id_in]" [ "$id_in" != "$id_out" ] &&
	check "its runtime directory is still the tunnel's: [$(tr '\n' ' ' < $OUT/late-ls)]" \
		not grep -q wgt-new-login $OUT/late-ls && ok
}

test_desktop_sockets_still_reach_the_command() {
	desktop_up
	touch $D_RUN/wayland-0 $D_RUN/pipewire-0; mkdir -p $D_RUN/pulse; touch $D_RUN/pulse/native
	chown -R $T_USER $D_RUN
	local r x shm
	r=$(desk $T_BIN work -- sh -c "ls -A $D_RUN | sort | tr '\n' ' '; ls $D_RUN/pulse")
	x=$(desk $T_BIN work -- xdpyinfo 2>&1 | grep -c "^name of display")
	shm=$(desk $T_BIN work -- sh -c 'echo x > /dev/shm/wgt.$$ && cat /dev/shm/wgt.$$ && rm /dev/shm/wgt.$$')
	desktop_down
	check "display and sound sockets in the runtime directory inside: [$r]" \
		grep -q "pipewire-0 pulse .*wayland-0 native$" <<<"$r" &&
	check "X11 display reached inside: [$x]" [ "$x" = 1 ] &&
	check "/dev/shm inside: [$shm]" [ "$shm" = x ] && ok
}

# Real browsers on the test display. Nothing they do may leave this machine:
# every request that is not to loopback goes to a proxy address where nothing
# listens, and Chromium resolves no name at all (set for the test only).
browsers_confine() {
	# A managed policy, as an admin would set it: no word splitting to
	# get wrong, and it holds for every Chromium started here.
	mkdir -p /etc/chromium/policies/managed
	cat > /etc/chromium/policies/managed/zz-wgrun-test.json <<'POLICY'
{ "ProxySettings": { "ProxyMode": "fixed_servers", "ProxyServer": "http://127.0.0.1:9",
                     "ProxyBypassList": "10.77.0.1;127.0.0.1" },
  "DnsOverHttpsMode": "off", "BuiltInDnsClientEnabled": false,
  "NetworkPredictionOptions": 2, "MetricsReportingEnabled": false,
  "SafeBrowsingProtectionLevel": 0, "BackgroundModeEnabled": false,
  "PasswordManagerEnabled": false, "DefaultBrowserSettingEnabled": false }
POLICY
	cat > /etc/chromium.d/zz-wgrun-test <<'FLAGS'
export CHROMIUM_FLAGS="$CHROMIUM_FLAGS --no-first-run --password-store=basic --disable-gpu"
FLAGS
	cat > /usr/lib/firefox-esr/defaults/pref/zz-wgrun-test.js <<'PREFS'
pref("network.proxy.type", 1);
pref("network.proxy.http", "127.0.0.1");
pref("network.proxy.http_port", 9);
pref("network.proxy.ssl", "127.0.0.1");
pref("network.proxy.ssl_port", 9);
pref("network.proxy.no_proxies_on", "127.0.0.1, 10.77.0.1");
pref("network.proxy.allow_hijacking_localhost", false);
pref("network.dns.disablePrefetch", true);
pref("network.trr.mode", 5);
pref("network.captive-portal-service.enabled", false);
pref("network.connectivity-service.enabled", false);
pref("app.update.enabled", false);
pref("browser.safebrowsing.malware.enabled", false);
pref("browser.safebrowsing.phishing.enabled", false);
pref("datareporting.policy.dataSubmissionEnabled", false);
pref("toolkit.telemetry.enabled", false);
pref("browser.shell.checkDefaultBrowser", false);
pref("browser.aboutwelcome.enabled", false);
pref("browser.startup.homepage_override.mstone", "ignore");
pref("extensions.update.enabled", false);
pref("browser.sessionstore.resume_from_crash", false);
PREFS
}
browsers_unconfine() {
	rm -f /etc/chromium.d/zz-wgrun-test /usr/lib/firefox-esr/defaults/pref/zz-wgrun-test.js \
		/etc/chromium/policies/managed/zz-wgrun-test.json
}
# host_server: an HTTP server on the host's loopback that logs every request;
# a browser inside the tunnel cannot reach it (127.0.0.1 there is the
# tunnel's own), so any line in its log is work done outside.
host_server() {
	H_PORT=$((20000 + $$ % 10000))
	mkdir -p $OUT/www
	python3 -m http.server $H_PORT --bind 127.0.0.1 --directory $OUT/www 2> $OUT/host-http.log &
	H_PID=$!
	local i
	for i in $(seq 100); do ss -ltn | grep -q "127.0.0.1:$H_PORT " && break; sleep 0.05; done
}
# wait_for FILE PATTERN SECONDS
wait_for() { local i; for i in $(seq $(($3 * 10))); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done; return 1; }

test_chromium_outside_never_gets_the_work_of_one_inside() {
	command -v chromium >/dev/null || { fail "chromium not installed"; return; }
	browsers_confine; desktop_up; host_server
	desk chromium about:blank > $OUT/chromium-outside.log 2>&1 &
	local outpid=$! r rc
	for i in $(seq 200); do [ -L $D_HOME/.config/chromium/SingletonSocket ] && break; sleep 0.1; done
	[ -L $D_HOME/.config/chromium/SingletonSocket ] || { fail "chromium outside never started"; }
	desk timeout 30 $T_BIN work -- chromium http://127.0.0.1:$H_PORT/chromium-leak > $OUT/chromium-inside.log 2>&1 &
	local inpid=$!
	sleep 15
	[ -n "${WGRUN_TEST_SHOTS:-}" ] && DISPLAY=:$D_DISP import -window root $WGRUN_TEST_SHOTS/chromium-inside.png
	wait $inpid; rc=$?
	r=$(grep -c chromium-leak $OUT/host-http.log)
	pkill -u $T_USER chromium; kill $H_PID; wait $outpid $H_PID 2>/dev/null
	desktop_down; browsers_unconfine
	echo "# chromium inside, with one outside: exit $rc: $(tail -2 $OUT/chromium-inside.log | tr '\n' ' ' | cut -c1-300)"
	check "requests that reached the host's server: $r" [ "$r" = 0 ] && ok
}

test_chromium_inside_loads_over_the_tunnel_and_takes_a_second_launch() {
	command -v chromium >/dev/null || { fail "chromium not installed"; return; }
	browsers_confine; desktop_up
	: > $PEER_LOG
	desk $T_BIN work -- chromium http://10.77.0.1:8080/chromium-first > $OUT/chromium-first.log 2>&1 &
	local first=$! second rc
	wait_for $PEER_LOG chromium-first 40; local got1=$?
	desk timeout 30 $T_BIN work -- chromium http://10.77.0.1:8080/chromium-second > $OUT/chromium-second.log 2>&1; rc=$?
	wait_for $PEER_LOG chromium-second 20; local got2=$?
	cp $OUT/chromium-first.log /var/tmp/chr-first.log 2>/dev/null; pkill -u $T_USER chromium; wait $first 2>/dev/null
	desktop_down; browsers_unconfine
	check "first page through the tunnel: [$(cat $PEER_LOG | tr "\n" " ")] $(tail -3 $OUT/chromium-first.log | cut -c1-200)" [ $got1 = 0 ] &&
	check "second launch handed to the first, inside: exit $rc [$(tr '\n' ' ' < $OUT/chromium-second.log | cut -c1-200)]" [ $got2 = 0 -a $rc = 0 ] && ok
}

# firefox_lock: the lock of a running Firefox's profile, wherever this
# version keeps profiles
firefox_lock() { find $D_HOME/.mozilla $D_HOME/.config/mozilla -name lock 2>/dev/null | head -1; }

test_firefox_outside_never_gets_the_work_of_one_inside() {
	command -v firefox-esr >/dev/null || { fail "firefox-esr not installed"; return; }
	browsers_confine; desktop_up; host_server
	desk firefox-esr about:blank > $OUT/firefox-outside.log 2>&1 &
	local outpid=$! r rc i owner
	for i in $(seq 300); do [ -n "$(firefox_lock)" ] && break; sleep 0.1; done
	desk timeout 25 $T_BIN work -- firefox-esr http://127.0.0.1:$H_PORT/firefox-leak > $OUT/firefox-inside.log 2>&1 &
	local inpid=$!
	sleep 15
	[ -n "${WGRUN_TEST_SHOTS:-}" ] && DISPLAY=:$D_DISP import -window root $WGRUN_TEST_SHOTS/firefox-inside.png
	owner=$(desk dbus-send --session --print-reply --dest=org.freedesktop.DBus / org.freedesktop.DBus.ListNames 2>&1 | grep -c org.mozilla)
	wait $inpid; rc=$?
	r=$(grep -c firefox-leak $OUT/host-http.log)
	pkill -u $T_USER -f firefox-esr; kill $H_PID; wait $outpid $H_PID 2>/dev/null
	desktop_down; browsers_unconfine
	echo "# firefox inside, with one outside: exit $rc: $(tail -2 $OUT/firefox-inside.log | tr '\n' ' ' | cut -c1-300)"
	check "firefox outside started and owns its name on the session bus: $owner" [ "$owner" -ge 1 ] &&
	check "requests that reached the host's server: $r" [ "$r" = 0 ] && ok
}

test_firefox_inside_loads_over_the_tunnel() {
	command -v firefox-esr >/dev/null || { fail "firefox-esr not installed"; return; }
	browsers_confine; desktop_up
	: > $PEER_LOG
	desk $T_BIN work -- firefox-esr http://10.77.0.1:8080/firefox-first > $OUT/firefox-first.log 2>&1 &
	local first=$! rc got2=1
	wait_for $PEER_LOG firefox-first 60; local got1=$?
	desk timeout 30 $T_BIN work -- firefox-esr http://10.77.0.1:8080/firefox-second > $OUT/firefox-second.log 2>&1 &
	local second=$!
	wait_for $PEER_LOG firefox-second 25 && got2=0
	[ -n "${WGRUN_TEST_SHOTS:-}" ] && DISPLAY=:$D_DISP import -window root $WGRUN_TEST_SHOTS/firefox-second.png
	wait $second; rc=$?
	pkill -u $T_USER -f firefox-esr; wait $first 2>/dev/null
	desktop_down; browsers_unconfine
	echo "# second firefox inside: exit $rc, page ${got2/0/loaded}: $(tail -2 $OUT/firefox-second.log | tr '\n' ' ' | cut -c1-200)"
	check "first page through the tunnel: [$(tr '\n' ' ' < $PEER_LOG)] $(tail -2 $OUT/firefox-first.log | cut -c1-200)" [ $got1 = 0 ] &&
	check "second launch handed to the first, inside: exit $rc" [ $got2 = 0 -a $rc = 0 ] && ok
}

test_desktop_launcher_opens_inside_whatever_runs_outside() {
	command -v firefox-esr >/dev/null || { fail "firefox-esr not installed"; return; }
	browsers_confine; desktop_up
	install -m 0755 "$TESTS/../packaging/wgrun-desktop" $OUT/wgrun-desktop
	desk env PATH=$T_PREFIX/bin:/usr/bin:/bin $OUT/wgrun-desktop work firefox-esr >/dev/null 2>&1
	local entry=$D_HOME/.local/share/applications/wgrun-work-firefox-esr.desktop exec
	exec=$(sed -n 's/^Exec=//p' $entry 2>/dev/null | head -1)
	desk firefox-esr about:blank > /dev/null 2>&1 &
	local outpid=$! i
	for i in $(seq 300); do [ -n "$(firefox_lock)" ] && break; sleep 0.1; done
	: > $PEER_LOG
	# What the desktop runs for the launcher, with a link to open (%u).
	desk env PATH=$T_PREFIX/bin:/usr/bin:/bin sh -c "${exec/\%u/http://10.77.0.1:8080/launcher-page}" > /dev/null 2>&1 &
	local inpid=$!
	wait_for $PEER_LOG launcher-page 60; local got=$?
	pkill -u $T_USER -f firefox-esr; wait $outpid $inpid 2>/dev/null
	desktop_down; browsers_unconfine
	# Only the tunnel reaches 10.77.0.1: the peer's log proves where it loaded.
	check "launcher Exec: [$exec]" grep -q "^wgrun work -- [^ ]*firefox-esr --no-remote" <<<"$exec" &&
	check "the launcher's page loaded through the tunnel with Firefox running outside" [ $got = 0 ] && ok
}

test_only_wireguard_udp_leaves_while_commands_run() {
	wgrun_as $T_USER work -- true
	local cap=$OUT/lo.pcap pid n
	# ICMP port-unreachable answers to WireGuard's own UDP (the peer still
	# answering a tunnel an earlier test took down) are the host's.
	tcpdump -i lo -n -U -w $cap "not (udp port $PEER_PORT or icmp[icmptype] == icmp-unreach)" 2>/dev/null &
	pid=$!
	sleep 1
	wgrun_as $T_USER work -- sh -c '
		getent hosts leak-check.example >/dev/null
		curl -sS -m 2 http://10.77.0.1:8080/ >/dev/null
		curl -sS -m 2 "http://[fd77::1]:8080/" >/dev/null
		curl -sS -m 2 http://127.0.0.1:1/ >/dev/null 2>&1
		curl -sS -m 2 http://192.0.2.1/ >/dev/null 2>&1
		python3 -c "import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.sendto(b\"x\", (\"127.0.0.1\", 53))" 2>/dev/null
		true'
	sleep 0.5
	kill $pid; wait $pid 2>/dev/null
	n=$(tcpdump -r $cap -n 2>/dev/null | wc -l)
	check "packets on the host's loopback other than WireGuard's: $n $(tcpdump -r $cap -n 2>/dev/null | head -3)" [ "$n" = 0 ] && ok
}

test_kill_switch_table_is_in_the_namespace() {
	wgrun_as $T_USER work -- true
	local t
	t=$(ip netns exec wgrun-work nft list table inet wgrun 2>&1)
	check "output chain drops by default: [$t]" grep -q "hook output priority filter; policy drop;" <<<"$t" &&
	check "forward chain drops by default" grep -q "hook forward priority filter; policy drop;" <<<"$t" &&
	check "only lo and the tunnel may send" grep -q 'oifname "work" accept' <<<"$t" &&
	check "new connections from the tunnel dropped" grep -q 'iifname "work" ct state new drop' <<<"$t" && ok
}

test_nothing_leaves_through_an_interface_root_adds_inside() {
	wgrun_as $T_USER work -- true
	local leak=wgt-leak-$$ before after r
	ip netns add $leak
	ip link add wgl0 netns wgrun-work type veth peer name wgl1 netns $leak
	ip -n wgrun-work addr add 10.99.0.1/24 dev wgl0; ip -n wgrun-work link set wgl0 up
	ip -n $leak addr add 10.99.0.2/24 dev wgl1; ip -n $leak link set wgl1 up
	sleep 0.2
	before=$(ip -n $leak -s -j link show wgl1 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["stats64"]["rx"]["packets"])')
	r=$(wgrun_as $T_USER work -- sh -c 'curl -sS -m 2 http://10.99.0.2/ 2>&1; ping -c 1 -W 1 10.99.0.2 2>&1 | tail -1')
	sleep 0.2
	after=$(ip -n $leak -s -j link show wgl1 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["stats64"]["rx"]["packets"])')
	ip -n wgrun-work link del wgl0; ip netns del $leak
	check "packets that reached the other interface: $((after - before)) [$r]" [ "$after" = "$before" ] && ok
}

test_nothing_leaves_through_a_device_root_names_lo() {
	wgrun_as $T_USER work -- true
	local leak=wgt-lo-$$ before after r
	ip netns add $leak
	# the real loopback renamed, a veth to elsewhere given its name
	ip -n wgrun-work link set lo down; ip -n wgrun-work link set lo name realo
	ip -n wgrun-work link set realo up
	ip link add lo netns wgrun-work type veth peer name wgl3 netns $leak 2>/dev/null ||
		{ ip link add wgl2 type veth peer name wgl3 netns $leak; ip link set wgl2 netns wgrun-work name lo; }
	ip -n wgrun-work addr add 10.97.0.1/24 dev lo; ip -n wgrun-work link set lo up
	ip -n $leak addr add 10.97.0.2/24 dev wgl3; ip -n $leak link set wgl3 up
	sleep 0.2
	before=$(ip -n $leak -s -j link show wgl3 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["stats64"]["rx"]["packets"])')
	r=$(ip netns exec wgrun-work sh -c 'curl -sS -m 2 http://10.97.0.2/ 2>&1; ping -c 1 -W 1 10.97.0.2 2>&1 | tail -1')
	sleep 0.2
	after=$(ip -n $leak -s -j link show wgl3 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["stats64"]["rx"]["packets"])')
	ip -n wgrun-work link del lo; ip netns del $leak
	ip -n wgrun-work link set realo down; ip -n wgrun-work link set realo name lo; ip -n wgrun-work link set lo up
	check "packets that reached the device named lo: $((after - before)) [$r]" [ "$after" = "$before" ] && ok
}

test_peer_cannot_open_connections_to_listeners_inside() {
	wgrun_as $T_USER work -- python3 -m http.server 9000 --bind 10.77.0.2 --directory / >/dev/null 2>&1 &
	local bg=$! r inside
	sleep 1
	r=$(ip netns exec $PEER_NS curl -sS -m 3 -o /dev/null -w '%{http_code}' http://10.77.0.2:9000/ 2>&1)
	inside=$(wgrun_as $T_USER work -- curl -sS -m 3 -o /dev/null -w '%{http_code}' http://10.77.0.2:9000/ 2>&1)
	pkill -f 'http.server 9000'; wait $bg 2>/dev/null
	check "listener answered from inside: [$inside]" [ "$inside" = 200 ] &&
	check "peer reached the listener: [$r]" [ "${r:0:3}" != 200 ] && ok
}

test_wgrun_section_opts_in_to_inbound_and_the_system_bus() {
	tunnel_add open 9 -w "AllowInbound = yes" -w "SystemBus = yes"
	policy_for_test "permit $T_USER open work"
	local made_dbus=
	[ -d /run/dbus ] || { mkdir /run/dbus; made_dbus=1; }
	touch /run/dbus/wgt-bus.$$
	wgrun_as $T_USER open -- python3 -m http.server 9001 --bind 10.77.0.9 --directory / >/dev/null 2>&1 &
	local bg=$! r bus
	sleep 1
	r=$(ip netns exec $PEER_NS curl -sS -m 3 -o /dev/null -w '%{http_code}' http://10.77.0.9:9001/ 2>&1)
	bus=$(wgrun_as $T_USER open -- ls /run/dbus)
	pkill -f 'http.server 9001'; wait $bg 2>/dev/null
	local masked
	masked=$(wgrun_as $T_USER work -- ls /run/dbus)
	rm -f /run/dbus/wgt-bus.$$; [ -n "$made_dbus" ] && rmdir /run/dbus
	check "peer reached a listener with AllowInbound: [$r]" [ "$r" = 200 ] &&
	check "system bus directory with SystemBus: [$bus]" grep -q "wgt-bus" <<<"$bus" &&
	check "system bus directory without: [$masked]" [ -z "$masked" ] && ok
}

# ---- services: --up, inbound ports, forwards, idle teardown ------------------

# A syslog of our own on /dev/log for the audit checks (none where a system
# logger owns it); syslog_stop prints what it got.
syslog_start() {
	SYSLOG_PID=
	[ -e /dev/log ] && return 1
	python3 -c '
import socket, sys, os
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log"); os.chmod("/dev/log", 0o666)
out = open(sys.argv[1], "ab", buffering=0)
while True:
    out.write(s.recv(4096) + b"\n")
' $OUT/syslog.$$ &
	SYSLOG_PID=$!
	local i
	for i in $(seq 50); do [ -S /dev/log ] && break; sleep 0.05; done
}
syslog_stop() {
	[ -n "$SYSLOG_PID" ] || return 0
	sleep 0.3; kill $SYSLOG_PID; wait $SYSLOG_PID 2>/dev/null; rm -f /dev/log
	cat $OUT/syslog.$$; rm -f $OUT/syslog.$$
}

test_up_brings_a_tunnel_up_for_services_that_join_it() {
	$T_BIN --down work >/dev/null 2>&1
	syslog_start
	local out r again ino1 ino2 log user_out user_r host_port=$((20000 + $$ % 10000)) got
	out=$($T_BIN --up work 2>&1); r=$?
	again=$($T_BIN --up work 2>&1)
	# what NetworkNamespacePath= does: a process of root's, joined by path
	got=$(nsenter --net=/run/netns/wgrun-work curl -sS -m 5 http://10.77.0.1:8080/ 2>&1)
	# a server on the host's loopback must hear nothing from inside
	python3 -m http.server $host_port --bind 127.0.0.1 --directory / >$OUT/hostsrv.log 2>&1 &
	local srv=$!
	sleep 0.5
	nsenter --net=/run/netns/wgrun-work curl -sS -m 2 http://127.0.0.1:$host_port/ >/dev/null 2>&1
	kill $srv; wait $srv 2>/dev/null
	user_out=$(wgrun_as $T_USER --up work 2>&1); user_r=$?
	log=$(syslog_stop)
	check "--up said [$out], status $r" [ "$r:$out" = "0:work: up" ] &&
	check "second --up said [$again]" [ "$again" = "work: already up" ] &&
	check "joined by path, the peer saw [$got]" [ "$got" = 10.77.0.2 ] &&
	check "the host's loopback server heard: [$(cat $OUT/hostsrv.log)]" not grep -q GET $OUT/hostsrv.log &&
	check "non-root --up: status $user_r, [$user_out]" [ "$user_r:$user_out" = "125:wgrun: --up is for root only" ] &&
	{ [ -z "$SYSLOG_PID" ] || check "audit: [$log]" grep -q "up tunnel=work by=root result=built" <<<"$log"; } && ok
}

test_up_applies_a_changed_tunnel_file_in_place_and_joined_services_keep_working() {
	cp -p $T_CONF/tunnels/work.conf $OUT/work.conf.saved
	$T_BIN --up work >/dev/null 2>&1
	local ino1 ino2 out r
	ino1=$(stat -L -c %i /run/netns/wgrun-work)
	nsenter --net=/run/netns/wgrun-work sh -c \
		'for i in $(seq 40); do curl -s -m 1 http://10.77.0.1:8080/ || echo fail; sleep 0.2; done' >$OUT/joined.log 2>&1 &
	local bg=$!
	sleep 1
	sed -i 's/^\[Interface\]/[Interface]\nMTU = 1300/' $T_CONF/tunnels/work.conf
	out=$($T_BIN --up work 2>&1); r=$?
	wait $bg
	ino2=$(stat -L -c %i /run/netns/wgrun-work)
	local mtu
	mtu=$(ip -n wgrun-work -o link show work | grep -o 'mtu [0-9]*')
	cp -p $OUT/work.conf.saved $T_CONF/tunnels/work.conf
	$T_BIN --up work >/dev/null 2>&1
	check "--up said [$out], status $r" [ $r = 0 ] && grep -q "^work: rebuilt in place" <<<"$out" &&
	check "the same namespace: $ino1 then $ino2" [ "$ino1" = "$ino2" ] &&
	check "the change applied: [$mtu]" [ "$mtu" = "mtu 1300" ] &&
	check "the joined process reached the peer after the rebuild: [$(tail -3 $OUT/joined.log | tr '\n' ' ')]" \
		[ "$(tail -1 $OUT/joined.log)" = 10.77.0.2 ] && ok
}

test_up_all_and_bad_names() {
	$T_BIN --down --all >/dev/null 2>&1
	local out r bad rb
	out=$($T_BIN --up --all 2>&1); r=$?
	bad=$($T_BIN --up 'Bad!' 2>&1); rb=$?
	check "--up --all said [$out], status $r" [ $r = 0 ] && grep -qx "work: up" <<<"$out" &&
		grep -qx "other: up" <<<"$out" && grep -qx "over: up" <<<"$out" &&
	check "every tunnel recorded" [ -e $T_RUN/work.state -a -e $T_RUN/other.state -a -e $T_RUN/over.state ] &&
	check "a bad name: status $rb, [$bad]" [ "$rb:$(wc -l <<<"$bad"):${bad:0:24}" = "125:1:wgrun: usage: wgrun --up" ] && ok
}

test_allow_inbound_port_list_admits_only_those_ports_from_the_tunnel() {
	tunnel_add ports 9 -e "s|^AllowedIPs = .*|AllowedIPs = 10.77.0.0/24, fd77::/64|" \
		-w "AllowInbound = tcp/9100, tcp/9200-9201, udp/5353"
	policy_for_test "permit $T_USER ports work"
	local p a b c d u6 rules pids=()
	for p in 9100 9201 9102; do
		wgrun_as $T_USER ports -- python3 -m http.server $p --bind 10.77.0.9 --directory / >/dev/null 2>&1 &
		pids+=($!)
	done
	wgrun_as $T_USER ports -- python3 -c '
import http.server, socket
class S(http.server.HTTPServer): address_family = socket.AF_INET6
S(("fd77::9", 9200), http.server.SimpleHTTPRequestHandler).serve_forever()' >/dev/null 2>&1 &
	pids+=($!)
	sleep 1.5
	a=$(ip netns exec $PEER_NS curl -sS -m 3 -o /dev/null -w '%{http_code}' http://10.77.0.9:9100/ 2>/dev/null)
	b=$(ip netns exec $PEER_NS curl -sS -m 3 -o /dev/null -w '%{http_code}' http://10.77.0.9:9201/ 2>/dev/null)
	c=$(ip netns exec $PEER_NS curl -sS -m 3 -o /dev/null -w '%{http_code}' http://10.77.0.9:9102/ 2>/dev/null)
	u6=$(ip netns exec $PEER_NS curl -sS -m 3 -o /dev/null -w '%{http_code}' 'http://[fd77::9]:9200/' 2>/dev/null)
	d=$(wgrun_as $T_USER ports -- curl -sS -m 3 -o /dev/null -w '%{http_code}' http://10.77.0.9:9102/ 2>/dev/null)
	rules=$(ip netns exec wgrun-ports nft list chain inet wgrun input 2>&1)
	pkill -f 'http.server 91'; pkill -f 'http.server 92'; pkill -f 'fd77::9'
	wait "${pids[@]}" 2>/dev/null
	check "listed tcp/9100 from the peer: [$a]" [ "$a" = 200 ] &&
	check "listed range 9200-9201 from the peer: [$b]" [ "$b" = 200 ] &&
	check "listed port over IPv6: [$u6]" [ "$u6" = 200 ] &&
	check "neighbour port 9102 from the peer: [$c]" [ "$c" != 200 ] &&
	check "9102 from inside still answers: [$d]" [ "$d" = 200 ] &&
	check "rules: [$rules]" grep -q 'iifname "ports" ct state new tcp dport 9100 accept' <<<"$rules" &&
		grep -q 'udp dport 5353 accept' <<<"$rules" && grep -q 'iifname "ports" ct state new drop' <<<"$rules" && ok
}

test_check_reports_a_bad_port_list_by_file_and_line() {
	tunnel_add badports 10 -w "AllowInbound = tcp/22, tcp/70000" -w "IdleDown = soon"
	local out
	out=$($T_BIN --check 2>&1)
	check "said: [$out]" grep -q "badports.conf line 1[0-9]: AllowInbound: a port is a number in 1..65535" <<<"$out" &&
	check "IdleDown named" grep -q "badports.conf line 1[0-9]: IdleDown must be a duration such as 90s, 10m or 1h" <<<"$out" && ok
}

test_forward_from_a_host_port_reaches_a_listener_inside_and_nothing_leaves() {
	$T_BIN --up work >/dev/null 2>&1
	local port=$((30000 + $$ % 10000)) port2=$((30001 + $$ % 10000)) leak=wgt-fwd-$$ got got2 before after
	nsenter --net=/run/netns/wgrun-work python3 -m http.server 9300 --bind 127.0.0.1 --directory / >/dev/null 2>&1 &
	local inner=$!
	# the systemd chain without systemd as PID 1: a socket on the host's
	# loopback, the proxy joined to the tunnel's namespace
	systemd-socket-activate -l 127.0.0.1:$port \
		nsenter --net=/run/netns/wgrun-work /lib/systemd/systemd-socket-proxyd 127.0.0.1:9300 >/dev/null 2>&1 &
	local act=$!
	# a second forward whose target is outside the tunnel: an interface root
	# adds inside, leading to a namespace of ours with a listener
	ip netns add $leak
	ip link add wgf0 netns wgrun-work type veth peer name wgf1 netns $leak
	ip -n wgrun-work addr add 10.98.0.1/24 dev wgf0; ip -n wgrun-work link set wgf0 up
	ip -n $leak addr add 10.98.0.2/24 dev wgf1; ip -n $leak link set wgf1 up
	ip netns exec $leak python3 -m http.server 80 --bind 10.98.0.2 --directory / >$OUT/leaksrv.log 2>&1 &
	local lsrv=$!
	systemd-socket-activate -l 127.0.0.1:$port2 \
		nsenter --net=/run/netns/wgrun-work /lib/systemd/systemd-socket-proxyd 10.98.0.2:80 >/dev/null 2>&1 &
	local act2=$!
	sleep 1
	before=$(ip -n $leak -s -j link show wgf1 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["stats64"]["rx"]["packets"])')
	got=$(curl -sS -m 5 -o /dev/null -w '%{http_code}' http://127.0.0.1:$port/ 2>&1)
	got2=$(curl -sS -m 3 -o /dev/null -w '%{http_code}' http://127.0.0.1:$port2/ 2>/dev/null)
	sleep 0.3
	after=$(ip -n $leak -s -j link show wgf1 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["stats64"]["rx"]["packets"])')
	kill $act $act2 $inner $lsrv 2>/dev/null; wait $act $act2 $inner $lsrv 2>/dev/null
	pkill -f 'systemd-socket-proxyd' 2>/dev/null
	ip -n wgrun-work link del wgf0 2>/dev/null; ip netns del $leak
	check "host client through the forward: [$got]" [ "$got" = 200 ] &&
	check "forward to outside the tunnel: [$got2]" [ "$got2" != 200 ] &&
	check "packets that reached the outside namespace: $((after - before))" [ "$after" = "$before" ] &&
	check "its listener heard: [$(cat $OUT/leaksrv.log)]" not grep -q GET $OUT/leaksrv.log && ok
}

test_down_idle_takes_down_only_empty_tunnels() {
	tunnel_add idle1 11 -w "IdleDown = 2s"
	tunnel_add idle2 12 -w "IdleDown = 2s"
	tunnel_add idle3 13 -w "IdleDown = 2s"
	policy_for_test "permit $T_USER idle1 idle2 idle3 work"
	wgrun_as $T_USER work -- true
	wgrun_as $T_USER idle1 -- true; wgrun_as $T_USER idle3 -- true
	wgrun_as $T_USER idle2 -- sleep 20 &
	local bg=$! first second status user_out user_r
	sleep 0.5
	first=$($T_BIN --down --idle 2>&1)
	local noted=no; [ -e $T_RUN/idle1.idle ] && [ -e $T_RUN/idle3.idle ] && [ ! -e $T_RUN/idle2.idle ] && noted=yes
	sleep 1
	wgrun_as $T_USER idle3 -- true	# a launch in between
	sleep 1.5
	status=$(wgrun_as $T_USER --status idle1)
	second=$($T_BIN --down --idle 2>&1)
	user_out=$(wgrun_as $T_USER --down --idle 2>&1); user_r=$?
	local up1=yes up2=no up3=no upw=no
	tunnel_exists idle1 || up1=no
	tunnel_exists idle2 && up2=yes; tunnel_exists idle3 && up3=yes; tunnel_exists work && upw=yes
	kill $bg 2>/dev/null; wait $bg 2>/dev/null
	check "first pass took nothing down: [$first]" [ -z "$first" ] &&
	check "it noted the empty ones only: $noted" [ $noted = yes ] &&
	check "--status shows how long it has been empty: [$status]" grep -qE "idle1 .* (1|2|3) seconds? " <<<"$status" &&
	check "second pass: [$second]" grep -q "^idle1: down, nobody inside for" <<<"$second" &&
	check "the empty tunnel went" [ $up1 = no ] &&
	check "the one with a process inside stayed" [ $up2 = yes ] &&
	check "the one with a launch in between stayed" [ $up3 = yes ] &&
	check "a tunnel without IdleDown stayed" [ $upw = yes ] &&
	check "non-root: status $user_r [$user_out]" [ "$user_r:$user_out" = "125:wgrun: --down is for root only" ] && ok
}

test_list_shows_the_handshake_age_as_wg_does() {
	wgrun_as $T_USER work -- curl -sS -m 5 http://10.77.0.1:8080/ >/dev/null
	local s
	s=$(wgrun_as $T_USER --status work)
	check "status: [$s]" grep -qE "^work +up +userspace +(Now|[0-9]+ seconds? ago) " <<<"$s" &&
	check "header: [$s]" grep -q "LAST-HANDSHAKE *EMPTY-FOR" <<<"$s" && ok
}

# ---- Via: a tunnel inside a tunnel -------------------------------------------

# An inner peer reachable only through the outer peer's network: a namespace
# behind the outer peer (10.88.0.2, over a veth; the outer peer forwards),
# running a WireGuard peer of its own (10.66.0.1) and an HTTP service that
# answers with the client's address. The host has no route to it.
INNER_NS=wgt-inner-$$ INNER_IF=wgti$$ INNER_PORT=$((41000 + $$ % 10000))
inner_peer_up() {
	INNER_KEY=$(wg genkey); INNER_PUB=$(printf '%s' "$INNER_KEY" | wg pubkey)
	ip netns add $INNER_NS
	ip -n $INNER_NS link set lo up
	ip link add wgtv0 netns $PEER_NS type veth peer name wgtv1 netns $INNER_NS
	ip -n $PEER_NS addr add 10.88.0.1/24 dev wgtv0; ip -n $PEER_NS link set wgtv0 up
	ip -n $INNER_NS addr add 10.88.0.2/24 dev wgtv1; ip -n $INNER_NS link set wgtv1 up
	ip -n $INNER_NS route add default via 10.88.0.1
	ip netns exec $PEER_NS sysctl -qw net.ipv4.ip_forward=1
	ip netns exec $INNER_NS env WG_PROCESS_FOREGROUND=1 LOG_LEVEL=error wireguard-go -f $INNER_IF >/dev/null 2>&1 &
	INNER_PID=$!
	local i
	for i in $(seq 100); do [ -S /var/run/wireguard/$INNER_IF.sock ] && break; sleep 0.05; done
	ip netns exec $INNER_NS wg set $INNER_IF listen-port $INNER_PORT private-key <(printf '%s' "$INNER_KEY")
	ip -n $INNER_NS addr add 10.66.0.1/24 dev $INNER_IF; ip -n $INNER_NS link set $INNER_IF up
	ip netns exec $INNER_NS python3 -c '
import http.server
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        b = (self.client_address[0] + "\n").encode()
        self.send_response(200); self.send_header("Content-Length", str(len(b))); self.end_headers(); self.wfile.write(b)
    def log_message(self, *a): pass
http.server.HTTPServer(("10.66.0.1", 8080), H).serve_forever()' >/dev/null 2>&1 &
	INNER_SVC=$!
	for i in $(seq 100); do ip netns exec $INNER_NS ss -ltn | grep -q '10.66.0.1:8080' && break; sleep 0.05; done
}
inner_peer_down() {
	kill $INNER_SVC $INNER_PID 2>/dev/null; wait $INNER_SVC $INNER_PID 2>/dev/null
	ip netns del $INNER_NS 2>/dev/null
	ip -n $PEER_NS link del wgtv0 2>/dev/null
	ip netns exec $PEER_NS sysctl -qw net.ipv4.ip_forward=0
	rm -f /var/run/wireguard/$INNER_IF.sock
	: > $PEER_DNS_MAP
}

# outer (to the outer peer, carrying 10.88.0.0/24) and inner (Via = outer, to
# the inner peer at ENDPOINT); alice may use inner only.
via_tunnels() {
	local endpoint=$1 key pub
	tunnel_add outer 20 -e "s|^AllowedIPs = .*|AllowedIPs = 10.77.0.0/24, 10.88.0.0/24|"
	key=$(wg genkey); pub=$(printf '%s' "$key" | wg pubkey)
	ip netns exec $INNER_NS wg set $INNER_IF peer "$pub" allowed-ips 10.66.0.2/32
	TEMP_TUNNELS+=(inner)
	(umask 077; cat > $T_CONF/tunnels/inner.conf) <<CONF
[Interface]
PrivateKey = $key
Address = 10.66.0.2/32

[Peer]
PublicKey = $INNER_PUB
Endpoint = $endpoint
AllowedIPs = 10.66.0.0/24

[wgrun]
Via = outer
CONF
	policy_for_test "permit $T_USER inner work"
}

test_via_carries_a_tunnel_inside_another_and_nothing_else_leaves() {
	inner_peer_up
	via_tunnels 10.88.0.2:$INNER_PORT
	timeout 20 tcpdump -i any -n -p -U -w $OUT/via.pcap 'not (udp port '$PEER_PORT' and host 127.0.0.1)' 2>/dev/null &
	local cap=$! got status chain
	sleep 1
	got=$(wgrun_as $T_USER inner -- curl -sS -m 10 http://10.66.0.1:8080/ 2>&1)
	status=$(wgrun_as $T_USER --status inner 2>&1)
	sleep 0.5
	kill $cap; wait $cap 2>/dev/null
	local other
	other=$(tcpdump -n -r $OUT/via.pcap 2>/dev/null | grep -v ' lo ' | grep -E '10\.88|10\.66|\.53[: ]|'$INNER_PORT || true)
	inner_peer_down
	check "the inner peer saw [$got]" [ "$got" = 10.66.0.2 ] &&
	check "outer came up for it" tunnel_exists outer &&
	check "status shows the chain: [$status]" grep -qE "^inner +up .* outer$" <<<"$status" &&
	check "the host's links carried nothing but WireGuard to the outer endpoint: [$other]" [ -z "$other" ] && ok
}

test_via_endpoint_names_are_resolved_through_the_outer_tunnel() {
	inner_peer_up
	echo "wgrun-test-inner.example 10.88.0.2" > $PEER_DNS_MAP
	# The host's resolver, for the test, is a logger on its loopback that
	# must hear nothing: a name asked by the host would leave outside outer.
	cp -p /etc/resolv.conf $OUT/resolv.via
	echo "nameserver 127.0.0.1" > /etc/resolv.conf
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 53))
out = open(sys.argv[1], "ab", buffering=0)
while True:
    q, a = s.recvfrom(512); out.write(q[12:40] + b"\n")' $OUT/hostdns.log 2>$OUT/hostdns.err &
	local logger=$! got asked
	sleep 0.5
	via_tunnels wgrun-test-inner.example:$INNER_PORT
	sed -i 's|^DNS = .*|DNS = 10.77.0.1|' $T_CONF/tunnels/outer.conf
	got=$(wgrun_as $T_USER inner -- curl -sS -m 10 http://10.66.0.1:8080/ 2>&1)
	asked=$(grep -c "dns wgrun-test-inner.example" $PEER_LOG)
	kill $logger 2>/dev/null; wait $logger 2>/dev/null
	cp -p $OUT/resolv.via /etc/resolv.conf
	inner_peer_down
	check "the host's logger ran: [$(cat $OUT/hostdns.err)]" [ ! -s $OUT/hostdns.err ] &&
	check "the inner peer saw [$got]" [ "$got" = 10.66.0.2 ] &&
	check "the outer peer's DNS was asked ($asked times)" [ "$asked" -ge 1 ] &&
	check "the host's resolver heard: [$(cat $OUT/hostdns.log 2>/dev/null)]" [ ! -s $OUT/hostdns.log ] && ok
}

test_via_fails_closed_when_the_outer_backend_dies_and_recovers() {
	inner_peer_up
	via_tunnels 10.88.0.2:$INNER_PORT
	wgrun_as $T_USER inner -- true
	local pid before after dead again downout
	pid=$(sed -n 's/^daemon_pid=//p' $T_RUN/outer.state)
	wgrun_as $T_USER inner -- sh -c 'sleep 2; curl -sS -m 3 http://10.66.0.1:8080/ 2>&1 || echo failed' >$OUT/via-dead &
	local bg=$!
	sleep 0.5
	kill -9 $pid
	timeout 6 tcpdump -i any -n -p -U -w $OUT/via2.pcap 'not (udp port '$PEER_PORT' and host 127.0.0.1)' 2>/dev/null &
	local cap=$!
	wait $bg
	sleep 0.5; kill $cap 2>/dev/null; wait $cap 2>/dev/null
	dead=$(tail -1 $OUT/via-dead)
	local other
	other=$(tcpdump -n -r $OUT/via2.pcap 2>/dev/null | grep -v ' lo ' | grep -E '10\.88|10\.66|'$INNER_PORT || true)
	again=$(wgrun_as $T_USER inner -- curl -sS -m 10 http://10.66.0.1:8080/ 2>&1)
	# outer's namespace lost (its pins removed behind wgrun's back): outer
	# is made anew, and inner, whose socket was in the old one, with it
	umount -l $T_RUN/ns/outer; rm -f $T_RUN/ns/outer
	local fresh
	fresh=$(wgrun_as $T_USER inner -- curl -sS -m 10 http://10.66.0.1:8080/ 2>&1)
	downout=$($T_BIN --down outer 2>&1)
	local left=no; tunnel_exists inner && left=yes
	inner_peer_down
	check "with outer's daemon dead the command inside got [$dead]" [ "$dead" != 10.66.0.2 ] &&
	check "nothing left another way: [$other]" [ -z "$other" ] &&
	check "the next launch rebuilt both: [$again]" [ "$again" = 10.66.0.2 ] &&
	check "after outer was made anew, inner too, and said so: [$fresh]" \
		[ "$(tail -1 <<<"$fresh")" = 10.66.0.2 ] && grep -q "tunnel 'inner' went through 'outer': taken down as well" <<<"$fresh" &&
	check "--down outer took inner down too: [$downout]" grep -q "tunnel 'inner' went through 'outer': taken down as well" <<<"$downout" &&
	check "inner is gone" [ $left = no ] && ok
}

test_via_loops_self_references_and_missing_tunnels_are_refused() {
	tunnel_add loopa 21 -w "Via = loopb"
	tunnel_add loopb 22 -w "Via = loopa"
	tunnel_add selfy 23 -w "Via = selfy"
	tunnel_add lonely 24 -w "Via = nosuch"
	tunnel_add nodnsout 27 -e "/^DNS/d"
	tunnel_add throughit 28 -e "s|^Endpoint = .*|Endpoint = far.example:$PEER_PORT|" -w "Via = nodnsout"
	policy_for_test "permit $T_USER loopa loopb selfy lonely"
	local a ra s rs m rm chk
	a=$(wgrun_as $T_USER loopa -- true 2>&1); ra=$?
	s=$(wgrun_as $T_USER selfy -- true 2>&1); rs=$?
	m=$(wgrun_as $T_USER lonely -- true 2>&1); rm=$?
	chk=$($T_BIN --check 2>&1)
	local made=no
	for n in loopa loopb selfy lonely; do tunnel_exists $n && made=yes; done
	check "loop: $ra [$a]" [ $ra = 125 ] && grep -q "loopb.conf line [0-9]*: Via = loopa closes a loop through loopa" <<<"$a" &&
	check "self: $rs [$s]" [ $rs = 125 ] && grep -q "selfy.conf line [0-9]*: Via names the tunnel itself" <<<"$s" &&
	check "missing: $rm [$m]" [ $rm = 125 ] && grep -q "lonely.conf line [0-9]*: Via = nosuch: no such tunnel file" <<<"$m" &&
	check "--check names them: [$chk]" grep -q "selfy.conf line [0-9]*: Via names the tunnel itself" <<<"$chk" &&
		grep -q "throughit.conf line [0-9]*: Via = nodnsout, whose file has no DNS=" <<<"$chk" &&
		grep -q "lonely.conf line [0-9]*: Via = nosuch" <<<"$chk" &&
	check "nothing was created" [ $made = no ] && ok
}

# ---- Endpoint names that move -------------------------------------------------

# The peer "moves": its name first points at an address in a namespace of
# ours where nothing answers (a veth from the host, so nothing leaves), then
# at the peer. wgrun-fast takes a handshake older than 3 s as stale.
test_endpoint_names_are_resolved_again_when_the_peer_moved() {
	local F=$T_PREFIX/bin/wgrun-fast old=wgt-old-$$
	[ -x "$F" ] || { skip "no short-deadline build (WGRUN_FAST_BUILD)"; return; }
	ip netns add $old
	ip link add wgo0 type veth peer name wgo1 netns $old
	ip addr add 10.56.0.1/30 dev wgo0; ip link set wgo0 up
	ip -n $old addr add 10.56.0.2/30 dev wgo1; ip -n $old link set wgo1 up
	echo "10.56.0.2 wgrun-test-moving.example" >> /etc/hosts
	tunnel_add moving 25 -e "s|^Endpoint = .*|Endpoint = wgrun-test-moving.example:$PEER_PORT|"
	policy_for_test "permit $T_USER moving work"
	local before ino1 pid1 soon later ino2 pid2 status
	before=$(as_user $T_USER $F moving -- curl -sS -m 2 http://10.77.0.1:8080/ 2>&1)
	ino1=$(stat -L -c %i /run/netns/wgrun-moving); pid1=$(sed -n 's/^daemon_pid=//p' $T_RUN/moving.state)
	sed -i 's/^10.56.0.2 wgrun-test-moving.example$/127.0.0.1 wgrun-test-moving.example/' /etc/hosts
	sleep 3.5
	later=$(as_user $T_USER $F moving -- curl -sS -m 10 http://10.77.0.1:8080/ 2>&1)
	ino2=$(stat -L -c %i /run/netns/wgrun-moving); pid2=$(sed -n 's/^daemon_pid=//p' $T_RUN/moving.state)
	status=$(as_user $T_USER $F --status moving 2>&1)
	sed -i '/wgrun-test-moving.example/d' /etc/hosts
	ip link del wgo0; ip netns del $old
	check "before the move: [$before]" [ "$before" != 10.77.0.25 ] &&
	check "after it, the next launch reached the peer: [$later]" [ "$later" = 10.77.0.25 ] &&
	check "without a rebuild: namespace $ino1 $ino2, daemon $pid1 $pid2" [ "$ino1:$pid1" = "$ino2:$pid2" ] &&
	check "--status says when: [$status]" grep -qE "^moving: Endpoint host names resolved (Now|[0-9]+ seconds? ago)$" <<<"$status" && ok
}

test_a_warm_launch_within_the_limit_resolves_nothing() {
	local F=$T_PREFIX/bin/wgrun-fast
	[ -x "$F" ] || { skip "no short-deadline build (WGRUN_FAST_BUILD)"; return; }
	tunnel_add named2 26 -e "s|^Endpoint = .*|Endpoint = localhost:$PEER_PORT|"
	policy_for_test "permit $T_USER named2 work"
	local first m1 m2 s1 s2
	first=$(as_user $T_USER $F named2 -- curl -sS -m 5 http://10.77.0.1:8080/ 2>&1)
	s1=$(cat $T_RUN/named2.resolved); m1=$(stat -c %Y.%y $T_RUN/named2.resolved)
	strace -f -qq -e trace=connect -o $OUT/warm.strace -u $T_USER $F named2 -- true
	s2=$(cat $T_RUN/named2.resolved); m2=$(stat -c %Y.%y $T_RUN/named2.resolved)
	check "reached: [$first]" [ "$first" = 10.77.0.26 ] &&
	check "the note untouched: $s1 $m1 / $s2 $m2" [ "$s1 $m1" = "$s2 $m2" ] &&
	check "no name look-up, no daemon asked: [$(grep -v /dev/log $OUT/warm.strace)]" \
		not grep -qE "sin_port=htons\(53\)|named2\.sock" $OUT/warm.strace && ok
}

test_removed_or_weakened_kill_switch_is_rebuilt_before_the_next_launch() {
	local change got t
	# two keep the number of rules and weaken one; a dormant table reads
	# back the same but hooks nothing
	for change in "delete table inet wgrun" "chain inet wgrun output { policy accept ; }" \
		      "flush chain inet wgrun input" "add rule inet wgrun output accept" \
		      "flush chain inet wgrun output; add rule inet wgrun output oifname lo accept; add rule inet wgrun output accept" \
		      "flush chain inet wgrun input; add rule inet wgrun input iifname work ct state new accept" \
		      "add table inet wgrun { flags dormant; }"; do
		wgrun_as $T_USER work -- true
		ip netns exec wgrun-work nft "$change" || { fail "nft $change"; return; }
		got=$(wgrun_as $T_USER work -- curl -sS -m 10 http://10.77.0.1:8080/)
		t=$(ip netns exec wgrun-work nft list table inet wgrun 2>&1)
		[ "$got" = 10.77.0.2 ] || { fail "after nft $change: launch gave [$got]"; return; }
		grep -q "hook output priority filter; policy drop;" <<<"$t" &&
		grep -q 'iifname "work" ct state new drop' <<<"$t" &&
		[ "$(grep -c " accept$" <<<"$t")" = 2 ] && ! grep -q dormant <<<"$t" ||
			{ fail "after nft $change, table: [$t]"; return; }
	done
	ok
}

test_tunnel_file_change_rebuilds_on_next_launch() {
	wgrun_as $T_USER work -- true
	sed -i 's/^\[Interface\]/[Interface]\nMTU = 1300/' $T_CONF/tunnels/work.conf
	local mtu
	mtu=$(wgrun_as $T_USER work -- cat /sys/class/net/work/mtu)
	sed -i '/^MTU = 1300/d' $T_CONF/tunnels/work.conf
	check "MTU after edit: $mtu" [ "$mtu" = 1300 ] && ok
}

test_dead_backend_is_rebuilt_in_the_same_namespace() {
	local ns1 ns2 pid got
	ns1=$(wgrun_as $T_USER work -- readlink /proc/self/ns/net)
	# A command already running inside must reconnect once rebuilt.
	wgrun_as $T_USER work -- sh -c 'sleep 2; curl -sS -m 10 http://10.77.0.1:8080/' > $OUT/survivor &
	local bg=$!
	pid=$(sed -n 's/^daemon_pid=//p' $T_RUN/work.state)
	kill -9 "$pid"; sleep 0.3
	ns2=$(wgrun_as $T_USER work -- readlink /proc/self/ns/net)
	got=$(wgrun_as $T_USER work -- curl -sS -m 10 http://10.77.0.1:8080/)
	wait $bg
	check "namespace kept: $ns1 $ns2" [ "$ns1" = "$ns2" ] &&
	check "works after rebuild: [$got]" [ "$got" = 10.77.0.2 ] &&
	check "running command reconnected: [$(cat $OUT/survivor)]" [ "$(cat $OUT/survivor)" = 10.77.0.2 ] && ok
}

test_down_is_root_only() {
	wgrun_as $T_USER work -- true
	refused "root only" wgrun_as $T_USER --down work || return
	check "still up" [ -e $T_RUN/work.state ] && ok
}

test_down_removes_everything_and_traffic_stops() {
	wgrun_as $T_USER work -- true
	wgrun_as $T_USER work -- sh -c 'sleep 1.5; curl -sS -m 3 http://10.77.0.1:8080/ || echo failed' > $OUT/after-down 2>/dev/null &
	local bg=$! dpid
	dpid=$(sed -n 's/^daemon_pid=//p' $T_RUN/work.state)
	sleep 0.5
	local msg
	msg=$($T_BIN --down work 2>&1)
	wait $bg
	check "still running reported: [$msg]" grep -q "still inside" <<<"$msg" &&
	check "no record, pin or alias" not tunnel_exists work &&
	check "daemon $dpid still runs" not alive "$dpid" &&
	check "no control socket" [ ! -e $T_RUN/work.sock ] &&
	check "traffic after down: [$(cat $OUT/after-down)]" [ "$(cat $OUT/after-down)" = failed ] && ok
}

test_next_launch_after_down_works() {
	local got
	got=$(wgrun_as $T_USER work -- curl -sS -m 10 http://10.77.0.1:8080/)
	check "after down: [$got]" [ "$got" = 10.77.0.2 ] && ok
}

test_daemon_runs_as_root_out_of_callers_reach() {
	wgrun_as $T_USER work -- true
	local pid ids
	pid=$(sed -n 's/^daemon_pid=//p' $T_RUN/work.state)
	ids=$(awk '/^(Uid|Gid):/{print $2,$3,$4,$5}' /proc/$pid/status | tr '\n' ' ')
	check "daemon ids: [$ids]" [ "$ids" = "0 0 0 0 0 0 0 0 " ] || return
	as_user $T_USER kill -STOP "$pid" 2>/dev/null && { fail "caller could stop the daemon"; return; }
	check "control socket not reachable by the caller" not as_user $T_USER test -r $T_RUN/work.sock &&
	check "tunnel file not readable by the caller" not as_user $T_USER cat $T_CONF/tunnels/work.conf >/dev/null 2>&1 && ok
}

test_callers_limits_and_priority_do_not_reach_the_daemon() {
	$T_BIN --down work >/dev/null 2>&1
	local err pid lim nice
	err=$(as_user $T_USER sh -c "ulimit -S -t 3; ulimit -S -v 400000; renice -n 19 -p \$\$ >/dev/null; echo 900 > /proc/self/oom_score_adj; exec $T_BIN work -- true" 2>&1) ||
		{ fail "launch with soft limits failed: [$err]"; return; }
	pid=$(sed -n 's/^daemon_pid=//p' $T_RUN/work.state)
	lim=$(awk '/^Max cpu time|^Max address space/{print $4}' /proc/$pid/limits | tr '\n' ' ')
	nice=$(awk '{print $19}' /proc/$pid/stat)
	check "daemon limits: [$lim]" [ "$lim" = "unlimited unlimited " ] &&
	check "daemon nice: $nice" [ "$nice" = 0 ] &&
	check "daemon oom_score_adj: $(cat /proc/$pid/oom_score_adj)" [ "$(cat /proc/$pid/oom_score_adj)" = 0 ] || return
	# A lowered hard limit: raised where root may (CAP_SYS_RESOURCE), else refused.
	$T_BIN --down work >/dev/null 2>&1
	err=$(as_user $T_USER sh -c "ulimit -t 3; exec $T_BIN work -- true" 2>&1)
	if [ -e $T_RUN/work.state ]; then
		pid=$(sed -n 's/^daemon_pid=//p' $T_RUN/work.state)
		lim=$(awk '/^Max cpu time/{print $4}' /proc/$pid/limits)
		check "daemon cpu limit after a lowered hard limit: $lim" [ "$lim" = unlimited ] && ok
	else
		check "refusal: [$err]" grep -q "RLIMIT_CPU hard limit is too low" <<<"$err" && ok
	fi
}

test_daemon_is_hidden_from_hosts_wireguard_dir() {
	check "host /var/run/wireguard has wgrun sockets: $(ls /var/run/wireguard)" \
		[ -z "$(ls /var/run/wireguard 2>/dev/null | grep wgrun)" ] && ok
}

# ---- administration ----------------------------------------------------------

test_help_and_version_answer_anyone() {
	local h v rc1 rc2
	h=$(wgrun_as $T_USER --help); rc1=$?
	v=$(wgrun_as $T_USER --version); rc2=$?
	check "--help: $rc1 [$h]" [ $rc1 = 0 ] && grep -q "usage: wgrun TUNNEL" <<<"$h" &&
	check "--version: $rc2 [$v]" [ $rc2 = 0 ] && grep -Eq "^wgrun [0-9]+\.[0-9]+\.[0-9]+$" <<<"$v" && ok
}

test_check_passes_a_sound_configuration() {
	local out rc
	out=$($T_BIN --check 2>&1); rc=$?
	check "--check: exit $rc [$out]" [ $rc = 0 ] &&
	check "says so" grep -q "no problems" <<<"$out" && ok
}

test_check_reports_every_problem_with_file_and_line() {
	tunnel_add broken 10 -e 's|^PublicKey = .*|PublicKey = nope|; /^DNS/d'
	tunnel_add nodns2 11 -e 's|^DNS = .*|DNS = 192.0.2.53|'
	chmod 0640 $T_CONF/tunnels/work.conf
	policy_for_test "permit :$T_GROUP work over ghost" "allow nobody"
	local out rc
	out=$($T_BIN --check 2>&1); rc=$?
	chmod 0600 $T_CONF/tunnels/work.conf
	check "exit $rc" [ $rc = 1 ] &&
	check "malformed rule: [$out]" grep -q "$T_CONF/policy line 2:" <<<"$out" &&
	check "bad key in broken.conf" grep -q "broken.conf line [0-9]*: PublicKey is not a valid" <<<"$out" &&
	check "DNS outside AllowedIPs" grep -q "nodns2.conf: DNS server 192.0.2.53 is outside" <<<"$out" &&
	check "readable tunnel file" grep -q "work.conf: readable by group or others" <<<"$out" && ok
}

test_check_user_tunnel_names_the_deciding_rule() {
	local out rc
	out=$($T_BIN --check $T_USER work); rc=$?
	check "permit: $rc [$out]" [ $rc = 0 ] &&
	check "names line 2" grep -q "^permit: $T_USER may use tunnel 'work' ($T_CONF/policy line 2)" <<<"$out" || return
	out=$($T_BIN --check $T_USER2 work); rc=$?
	check "deny: $rc [$out]" [ $rc = 1 ] &&
	check "names line 3" grep -q "^deny: $T_USER2 may not use tunnel 'work' ($T_CONF/policy line 3)" <<<"$out" && ok
}

test_check_and_down_all_are_root_only() {
	refused "root only" wgrun_as $T_USER --check || return
	refused "root only" wgrun_as $T_USER --down --all && ok
}

test_list_shows_only_the_callers_tunnels_with_figures() {
	$T_BIN --down over >/dev/null 2>&1
	wgrun_as $T_USER work -- curl -sS -m 10 -o /dev/null http://10.77.0.1:8080/
	local out names
	out=$(wgrun_as $T_USER --list)
	names=$(wgrun_as $T_USER --list -q | tr '\n' ' ')
	check "names: [$names]" [ "$names" = "over work " ] &&
	check "work up with a handshake and bytes: [$out]" grep -Eq "^work +up +userspace +(Now|[0-9]+ seconds? ago) +- +[1-9][0-9]* +[1-9][0-9]* +-$" <<<"$out" &&
	check "over down" grep -Eq "^over +down" <<<"$out" &&
	check "bob sees only his: [$(wgrun_as $T_USER2 --list -q)]" [ "$(wgrun_as $T_USER2 --list -q)" = other ] &&
	check "no key in the output" not grep -q "=" <<<"$out" && ok
}

test_status_of_a_forbidden_tunnel_reads_like_a_missing_one() {
	local a b ra rb
	a=$(wgrun_as $T_USER --status other 2>&1); ra=$?
	b=$(wgrun_as $T_USER --status nosuch 2>&1); rb=$?
	check "forbidden: $ra [$a], missing: $rb [$b]" [ $ra = $rb ] && [ "${a/other/X}" = "${b/nosuch/X}" ] && ok
}

test_audit_log_records_launches_and_refusals_escaped() {
	if [ -e /dev/log ]; then skip "a system logger owns /dev/log here"; return; fi
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
import os; os.chmod("/dev/log", 0o666)
out = open(sys.argv[1], "ab", buffering=0)
while True:
    out.write(s.recv(4096) + b"\n")
' $OUT/syslog &
	local lpid=$! i
	for i in $(seq 50); do [ -S /dev/log ] && break; sleep 0.05; done
	wgrun_as $T_USER work -- $'/no/such/\e[31mred\nline' 2>/dev/null
	wgrun_as $T_USER work -- 'forged rule=/etc/x:1' 2>/dev/null
	wgrun_as $T_USER2 work -- true 2>/dev/null
	sleep 0.3
	kill $lpid; wait $lpid 2>/dev/null; rm -f /dev/log
	local log
	log=$(cat $OUT/syslog)
	check "granted: [$log]" grep -qF "]: launch granted uid=$(id -u $T_USER) user=$T_USER tunnel=work command=/no/such/%1B[31mred%0Aline rule=$T_CONF/policy:2" <<<"$log" &&
	check "a caller's text is one field: [$(grep forged <<<"$log")]" [ "$(grep forged <<<"$log" | grep -o ' rule=' | wc -l)" = 1 ] &&
	check "refused with the rule" grep -q "wgrun\[[0-9]*\]: launch refused uid=$(id -u $T_USER2) user=$T_USER2 tunnel=work command=true rule=$T_CONF/policy:3" <<<"$log" &&
	check "facility authpriv (<8x>)" grep -q "^<85>" <<<"$log" &&
	check "no raw escape byte" not grep -q $'\e' <<<"$log" && ok
}

test_down_all_takes_every_tunnel_down() {
	wgrun_as $T_USER work -- true; wgrun_as $T_USER over -- true
	local out
	out=$($T_BIN --down --all 2>&1)
	check "said: [$out]" grep -q "work: down" <<<"$out" &&
	check "no records left: $(ls $T_RUN/*.state 2>/dev/null)" [ -z "$(ls $T_RUN/*.state 2>/dev/null)" ] &&
	check "no aliases left" [ -z "$(ls /run/netns | grep wgrun-)" ] && ok
}

test_host_replacing_resolv_conf_changes_nothing_inside() {
	cp -p /etc/resolv.conf $OUT/resolv.saved
	wgrun_as $T_USER work -- sh -c 'sleep 1; grep -v "^#" /etc/resolv.conf' > $OUT/resolv.inside &
	local bg=$!
	sleep 0.3
	# as NetworkManager and resolvconf do: a new file renamed over the old
	printf 'nameserver 192.0.2.53\n' > /etc/resolv.conf.wgt && mv /etc/resolv.conf.wgt /etc/resolv.conf
	wait $bg
	cp -p $OUT/resolv.saved /etc/resolv.conf
	check "resolv.conf inside after the host replaced its own: [$(cat $OUT/resolv.inside)]" \
		[ "$(cat $OUT/resolv.inside)" = "nameserver 10.77.0.1" ] && ok
}

test_when_the_peer_is_gone_traffic_stops_and_nothing_leaks() {
	# Last of the traffic tests: the peer does not come back.
	wgrun_as $T_USER work -- true
	local cap=$OUT/gone.pcap pid r n
	# ICMP port-unreachable answers to WireGuard's own UDP are the host's.
	tcpdump -i lo -n -U -w $cap "not (udp port $PEER_PORT or icmp[icmptype] == icmp-unreach)" 2>/dev/null &
	pid=$!
	sleep 1
	kill $PEER_PID; sleep 0.3
	r=$(wgrun_as $T_USER work -- sh -c 'curl -sS -m 3 http://10.77.0.1:8080/ || echo failed; getent hosts gone.example || echo unresolved' 2>/dev/null | tr '\n' ' ')
	sleep 0.3
	kill $pid; wait $pid 2>/dev/null
	n=$(tcpdump -r $cap -n 2>/dev/null | wc -l)
	check "inside with the peer gone: [$r]" [ "$r" = "failed unresolved " ] &&
	check "packets elsewhere: $n" [ "$n" = 0 ] && ok
}

test_host_networking_is_unchanged() {
	local now
	now=$(host_state)
	if [ "$now" = "$HOST_BEFORE" ]; then ok; else
		fail "host state changed: $(diff <(echo "$HOST_BEFORE") <(echo "$now") | head -20)"
	fi
}

test_cmake_install_sets_the_setuid_bit() {
	local dest=$OUT/destdir m
	DESTDIR=$dest cmake --install "$BUILD" --prefix /usr/local >/dev/null 2>&1
	m=$(stat -c '%a %U' $dest/usr/local/bin/wgrun 2>&1)
	check "installed wgrun: [$m]" [ "$m" = "4755 root" ] && ok
}

# ---- run ---------------------------------------------------------------------

setup
for t in $(grep -o '^test_[a-z0-9_]*' "$TESTS/system.sh"); do
	[ -n "${ONLY:-}" ] && [[ $t != *$ONLY* ]] && continue
	CUR=${t#test_}
	before=$((PASS + FAIL + SKIP))
	"$t"
	temp_teardown
	# A test whose && chain stopped on an unwrapped condition said nothing:
	# that is a failure, never a pass.
	[ $((PASS + FAIL + SKIP)) = "$before" ] && fail "printed no verdict"
done
echo
[ ${#FAILED[@]} -gt 0 ] && printf 'failed: %s\n' "${FAILED[@]}"
echo "system: $PASS passed, $FAIL failed, $SKIP skipped"
[ $FAIL = 0 ]
