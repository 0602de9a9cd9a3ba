# SPDX-License-Identifier: ISC
# tests/lib.sh - shared setup for wgrun's system tests (sourced, bash).
#
# Topology, all made here and removed by cleanup: a peer network namespace
# wgt-peer-$$ whose wireguard-go (UDP socket on the host's loopback, TUN moved
# into the peer namespace) answers for 10.77.0.1 and fd77::1, with an HTTP
# service that answers with the client's address and a DNS responder. wgrun's
# tunnels reach it at 127.0.0.1:$PEER_PORT. No traffic goes anywhere else.

T_PREFIX=/opt/wgrun-test
T_CONF=$T_PREFIX/etc
T_RUN=/run/wgrun-test
T_BIN=$T_PREFIX/bin/wgrun
T_USER=wgt-alice
T_USER2=wgt-bob
T_GROUP=wgt-team
PEER_NS=wgt-peer-$$
PEER_IF=wgtp$$
PEER_PORT=$((40000 + $$ % 20000))

as_user() {	# as_user USER CMD...: run CMD as USER with a plain environment
	local u=$1; shift
	setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups --reset-env -- "$@"
}

make_users() {
	getent group $T_GROUP >/dev/null || groupadd $T_GROUP
	id $T_USER >/dev/null 2>&1 || useradd -M -N -g users -G $T_GROUP -s /bin/sh $T_USER
	id $T_USER2 >/dev/null 2>&1 || useradd -M -N -g users -s /bin/sh $T_USER2
}

# write_tunnel NAME ALLOWEDIPS [extra Interface lines] [host number N]
# The tunnel gets its own key and address 10.77.0.N, fd77::N (default 2), and
# the peer learns it: two tunnels sharing a key would steal each other's session.
write_tunnel() {
	local name=$1 allowed=$2 extra=${3:-} n=${4:-2} key pub
	key=$(wg genkey); pub=$(printf '%s' "$key" | wg pubkey)
	wg set $PEER_IF peer "$pub" allowed-ips 10.77.0.$n/32,fd77::$n/128
	install -d -m 0700 -o root -g root $T_CONF/tunnels
	(umask 077; cat > $T_CONF/tunnels/$name.conf) <<CONF
# test tunnel $name
[Interface]
PrivateKey = $key
Address = 10.77.0.$n/32, fd77::$n/128
DNS = 10.77.0.1
$extra

[Peer]
PublicKey = $PEER_PUB
Endpoint = 127.0.0.1:$PEER_PORT
AllowedIPs = $allowed
PersistentKeepalive = 0
CONF
	chmod 600 $T_CONF/tunnels/$name.conf
}

write_policy() {
	install -d -m 0755 -o root -g root $T_CONF
	printf '%s\n' "$@" > $T_CONF/policy
	chmod 644 $T_CONF/policy
}

peer_up() {
	PEER_KEY=$(wg genkey); PEER_PUB=$(printf '%s' "$PEER_KEY" | wg pubkey)
	ip netns add $PEER_NS
	ip -n $PEER_NS link set lo up
	# wireguard-go finds its TUN by name in its own namespace: start it in the
	# host's, then move the TUN; its UDP socket stays on the host's loopback.
	WG_PROCESS_FOREGROUND=1 LOG_LEVEL=error wireguard-go -f $PEER_IF >/dev/null 2>&1 &
	PEER_PID=$!
	local i
	for i in $(seq 100); do [ -S /var/run/wireguard/$PEER_IF.sock ] && break; sleep 0.05; done
	[ -S /var/run/wireguard/$PEER_IF.sock ] || peer_failed "wireguard-go never made its control socket"
	wg set $PEER_IF listen-port $PEER_PORT private-key <(printf '%s' "$PEER_KEY") ||
		peer_failed "wg set on the peer failed"
	{ ip link set $PEER_IF netns $PEER_NS &&
	  ip -n $PEER_NS addr add 10.77.0.1/24 dev $PEER_IF &&
	  ip -n $PEER_NS addr add fd77::1/64 dev $PEER_IF nodad &&
	  ip -n $PEER_NS link set $PEER_IF up; } || peer_failed "cannot configure the peer's interface"
	PEER_LOG=/var/tmp/wgt-peer-$$.log
	PEER_DNS_MAP=/var/tmp/wgt-peer-dns-$$
	: > $PEER_DNS_MAP
	ip netns exec $PEER_NS env PEER_LOG=$PEER_LOG PEER_DNS_MAP=$PEER_DNS_MAP \
		python3 "$TESTS/peer_services.py" >/dev/null 2>&1 &
	PEER_SVC_PID=$!
	for i in $(seq 100); do
		ip netns exec $PEER_NS ss -ltn 2>/dev/null | grep -q ':8080 ' && break; sleep 0.05
	done
	ip netns exec $PEER_NS ss -ltn 2>/dev/null | grep -q ':8080 ' ||
		peer_failed "the peer's HTTP service never listened"
	ip netns exec $PEER_NS ss -lun 2>/dev/null | grep -q ':53 ' ||
		peer_failed "the peer's DNS responder never listened"
}

# Without a peer every traffic test would fail for the wrong reason, or pass
# vacuously: stop the whole run instead.
peer_failed() {
	echo "test peer set-up failed: $*" >&2
	exit 1
}

peer_down() {
	[ -n "${PEER_SVC_PID:-}" ] && kill $PEER_SVC_PID 2>/dev/null
	[ -n "${PEER_PID:-}" ] && kill $PEER_PID 2>/dev/null
	ip netns del $PEER_NS 2>/dev/null
	wait 2>/dev/null
	rm -f /var/run/wireguard/$PEER_IF.sock "${PEER_LOG:-}" "${PEER_DNS_MAP:-}"
}

# Everything wgrun made for test tunnels, gone.
wgrun_down_all() {
	local f
	for f in $T_RUN/*.state; do
		[ -e "$f" ] || continue
		f=${f##*/}; $T_BIN --down "${f%.state}" >/dev/null 2>&1
	done
}

host_state() {	# what wgrun must never change in the host namespace
	ip -d link show | sed -E 's/ +(qlen|link\/none).*//' | grep -v "$PEER_IF"
	ip addr show; ip -6 addr show
	ip route show table all; ip -6 route show table all; ip rule; ip -6 rule
	nft list ruleset 2>/dev/null
}
