#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/vm/kernel-tests.sh - wgrun's kernel WireGuard backend, tested inside
# the VM that tests/vm/run boots. Runs as root under busybox sh (no bash), as
# the child of /init, which has mounted /proc, /sys, /dev, /run, /tmp and the
# cgroup2 tree, written /etc/passwd (root, alice 1001, bob 1002) and loaded
# the modules (wireguard, nf_tables, nft_ct, nf_conntrack, overlay).
#
# Topology: the peer's WireGuard interface `wgp` is created in the root
# namespace (so its UDP socket listens on the root namespace's 127.0.0.1) and
# then moved into the namespace "peer" (10.77.0.1/24, fd77::1/64), where
# busybox httpd serves /cgi-bin/ip, which prints the client's address. The
# tunnel `work` points at 127.0.0.1:PORT; alice may use it, bob may not.
#
# Every test prints "ok - NAME" or "not ok - NAME: DETAIL"; lines starting
# with "#" are information; the last line is "vm: N passed, N failed".
# Notes: static busybox's sh runs its own applets before PATH, so iproute2 is
# always called as /sbin/ip; Debian 12's static busybox wget crashes with -T,
# so `timeout` bounds it instead.

IP=/sbin/ip
PORT=51820
URL4=http://10.77.0.1:8080/cgi-bin/ip
URL6='http://[fd77::1]:8080/cgi-bin/ip'
T=/tmp/wgrun-test
pass=0
fail=0

ok() { echo "ok - $1"; pass=$((pass + 1)); }
not_ok() { echo "not ok - $1: $2"; fail=$((fail + 1)); }
# check NAME DETAIL CMD...: ok when CMD succeeds.
check() {
	_n=$1 _d=$2
	shift 2
	if "$@"; then ok "$_n"; else not_ok "$_n" "$_d"; fi
}
# A file's text on one line, capped, for a failure's detail.
flat() { tr '\n\r\t' '   ' <"$1" 2>/dev/null | cut -c1-400; }
# Timing lines of runas -t are ours, not the command's.
errs() { grep -v '^runas: first-output-ms=' "$1" 2>/dev/null | tr '\n\r\t' '   ' | cut -c1-400; }
uptime_s() { cut -d' ' -f1 /proc/uptime; }
# As alice (1001, groups 1001) or bob (1002), bounded: nothing here may hang the VM.
alice() { timeout 60 runas 1001 1001 1001 -- "$@"; }
alice_t() { timeout 60 runas -t 1001 1001 1001 -- "$@"; }
bob() { timeout 60 runas 1002 1002 1002 -- "$@"; }
# The host's network state: (h) compares these.
snapshot() {
	{
		$IP -o link
		echo "== addr"
		$IP addr
		echo "== route"
		$IP route
		echo "== route6"
		$IP -6 route
	} >"$1" 2>&1
}
# wait_for SECONDS CMD...: poll CMD every 0.1 s.
wait_for() {
	_t=$(($1 * 10))
	shift
	while [ "$_t" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		_t=$((_t - 1))
	done
	return 1
}

echo "# kernel $(uname -r), uptime $(uptime_s) s"
mkdir -p $T

# ---------------------------------------------------------------- setup
setup_err=
step() {
	if ! "$@" >>$T/setup.log 2>&1; then
		setup_err="${setup_err}[$*] "
	fi
}

umask 077
wg genkey >$T/peer.key && wg pubkey <$T/peer.key >$T/peer.pub
wg genkey >$T/client.key && wg pubkey <$T/client.key >$T/client.pub
umask 022
PEER_PUB=$(cat $T/peer.pub)
CLIENT_PUB=$(cat $T/client.pub)

mkdir -p /etc/wgrun/tunnels
chmod 0755 /etc/wgrun
chmod 0700 /etc/wgrun/tunnels
printf 'permit alice work\ndeny bob work\n' >/etc/wgrun/policy
chmod 0644 /etc/wgrun/policy
(
	umask 077
	cat >/etc/wgrun/tunnels/work.conf <<EOF
[Interface]
PrivateKey = $(cat $T/client.key)
Address = 10.77.0.2/32, fd77::2/128
DNS = 10.77.0.1

[Peer]
PublicKey = $PEER_PUB
Endpoint = 127.0.0.1:$PORT
AllowedIPs = 10.77.0.0/24, fd77::/64
EOF
)
chmod 0600 /etc/wgrun/tunnels/work.conf

# The peer: made in the root namespace, then moved into "peer".
step $IP link set lo up
step $IP netns add peer
step $IP link add wgp type wireguard
step wg set wgp private-key $T/peer.key listen-port $PORT \
	peer "$CLIENT_PUB" allowed-ips 10.77.0.2/32,fd77::2/128
step $IP link set wgp netns peer
step $IP -n peer link set lo up
step $IP -n peer addr add 10.77.0.1/24 dev wgp
step $IP -n peer addr add fd77::1/64 dev wgp nodad
step $IP -n peer link set wgp up

mkdir -p /www/cgi-bin
cat >/www/cgi-bin/ip <<'EOF'
#!/bin/sh
# busybox httpd gives an IPv6 client as [ADDR]: print the bare address.
a=${REMOTE_ADDR#\[}
printf 'Content-Type: text/plain\r\n\r\n%s\n' "${a%\]}"
EOF
chmod 0755 /www/cgi-bin/ip
$IP netns exec peer busybox httpd -f -p 10.77.0.1:8080 -h /www >$T/httpd4.log 2>&1 &
$IP netns exec peer busybox httpd -f -p '[fd77::1]:8080' -h /www >$T/httpd6.log 2>&1 &

check "setup: keys, tunnel file, policy, peer interface" "$setup_err $(flat $T/setup.log)" \
	[ -z "$setup_err" -a -n "$PEER_PUB" -a -n "$CLIENT_PUB" ]

# ---------------------------------------------------------------- topology
# The peer's socket lives in the root namespace, where it was created.
hexport=$(printf '%04X' $PORT)
check "topology: the peer's WireGuard socket listens in the root namespace" \
	"no :$hexport in /proc/net/udp{,6}: $(cat /proc/net/udp /proc/net/udp6 | tr '\n' ' ' | cut -c1-300)" \
	grep -q ":$hexport " /proc/net/udp /proc/net/udp6

peer_get() { timeout 5 $IP netns exec peer busybox wget -qO- "$1" 2>/dev/null; }
peer_v4() { [ "$(peer_get $URL4)" = 10.77.0.1 ]; }
peer_v6() { [ "$(peer_get "$URL6")" = fd77::1 ]; }
if wait_for 10 peer_v4; then
	ok "topology: the peer's httpd answers on 10.77.0.1 inside its namespace"
else
	not_ok "topology: the peer's httpd answers on 10.77.0.1 inside its namespace" \
		"got '$(peer_get $URL4)' $(flat $T/httpd4.log)"
fi
if wait_for 10 peer_v6; then
	ok "topology: the peer's httpd answers on [fd77::1] inside its namespace"
else
	not_ok "topology: the peer's httpd answers on [fd77::1] inside its namespace" \
		"got '$(peer_get "$URL6")' $(flat $T/httpd6.log)"
fi

# A hand-made kernel client with the tunnel's own key: proves the peer, the
# keys and the endpoint, independent of wgrun.
step2_err=
step2() { "$@" >>$T/cli.log 2>&1 || step2_err="${step2_err}[$*] "; }
step2 $IP netns add cli
step2 $IP link add wgc type wireguard
step2 wg set wgc private-key $T/client.key \
	peer "$PEER_PUB" endpoint 127.0.0.1:$PORT allowed-ips 10.77.0.0/24,fd77::/64
step2 $IP link set wgc netns cli
step2 $IP -n cli link set lo up
step2 $IP -n cli addr add 10.77.0.2/32 dev wgc
step2 $IP -n cli addr add fd77::2/128 dev wgc nodad
step2 $IP -n cli link set wgc up
step2 $IP -n cli route add 10.77.0.0/24 dev wgc
step2 $IP -n cli route add fd77::/64 dev wgc
t0=$(uptime_s)
cli4=$(timeout 20 $IP netns exec cli busybox wget -qO- $URL4 2>>$T/cli.log)
t1=$(uptime_s)
cli6=$(timeout 20 $IP netns exec cli busybox wget -qO- "$URL6" 2>>$T/cli.log)
echo "# hand-made client: first request (handshake included) took $(awk "BEGIN{print ($t1 - $t0) * 1000}") ms"
check "topology: a hand-made kernel client reaches the peer through the tunnel (v4)" \
	"got '$cli4' $step2_err $(flat $T/cli.log)" [ "$cli4" = 10.77.0.2 ]
check "topology: a hand-made kernel client reaches the peer through the tunnel (v6)" \
	"got '$cli6' $(flat $T/cli.log)" [ "$cli6" = fd77::2 ]
$IP netns del cli

# ---------------------------------------------------------------- wgrun
snapshot $T/host.before
# Every link, address and route change in the root namespace from here on.
$IP -o monitor link address route >$T/monitor.log 2>&1 &
monpid=$!
sleep 0.5

# (a) cold launch as alice, timed from runas's fork to the first output byte.
alice_t wgrun work -- busybox wget -qO- $URL4 >$T/a.out 2>$T/a.err
rc=$?
timing=$(sed -n 's/^runas: first-output-ms=\([^ ]*\) exit-ms=\(.*\)$/first output after \1 ms, exit after \2 ms/p' $T/a.err)
echo "# cold launch (wgrun + namespace + tunnel + handshake + wget), in emulation: $timing"
check "(a) cold launch as alice reaches the peer over IPv4 as 10.77.0.2" \
	"exit $rc, output '$(flat $T/a.out)', stderr: $(errs $T/a.err)" \
	[ "$rc" = 0 -a "$(cat $T/a.out)" = 10.77.0.2 ]

# (b) the same over IPv6 (a warm launch now).
alice wgrun work -- busybox wget -qO- "$URL6" >$T/b.out 2>$T/b.err
rc=$?
check "(b) launch as alice reaches the peer over IPv6 as fd77::2" \
	"exit $rc, output '$(flat $T/b.out)', stderr: $(errs $T/b.err)" \
	[ "$rc" = 0 -a "$(cat $T/b.out)" = fd77::2 ]

# Warm launch cost, for the record.
alice_t wgrun work -- true >/dev/null 2>$T/warm.err
echo "# warm launch of true, in emulation: $(sed -n 's/^runas: .*exit-ms=\(.*\)$/\1 ms/p' $T/warm.err)"

# (c) status names the kernel backend.
alice wgrun --status work >$T/c.out 2>&1
rc=$?
check "(c) wgrun --status work (as alice) says backend kernel" \
	"exit $rc: $(flat $T/c.out)" grep -qw kernel $T/c.out

# (d) only the tunnel's DNS server.
alice wgrun work -- cat /etc/resolv.conf >$T/d.out 2>$T/d.err
rc=$?
check "(d) resolv.conf inside lists only nameserver 10.77.0.1" \
	"exit $rc, resolv.conf: $(flat $T/d.out) stderr: $(errs $T/d.err)" \
	[ "$rc" = 0 -a "$(grep -v '^#' $T/d.out | grep -v '^[[:space:]]*$')" = "nameserver 10.77.0.1" ]

# (e) only lo and the WireGuard interface inside.
alice wgrun work -- /sbin/ip -d -o link >$T/e.out 2>$T/e.err
rc=$?
e_ok() {
	[ "$rc" = 0 ] && [ "$(grep -c . $T/e.out)" = 2 ] && grep -q '^[0-9]*: lo: ' $T/e.out &&
		[ "$(grep -v '^[0-9]*: lo: ' $T/e.out | grep -c ' wireguard ')" = 1 ]
}
check "(e) only lo and one wireguard interface inside" \
	"exit $rc, links: $(flat $T/e.out) stderr: $(errs $T/e.err)" e_ok

# (f) warm launches join the same namespace, the one pinned for ip netns.
ns1=$(alice wgrun work -- readlink /proc/self/ns/net 2>$T/f.err)
ns2=$(alice wgrun work -- readlink /proc/self/ns/net 2>>$T/f.err)
nsalias=$($IP netns exec wgrun-work readlink /proc/self/ns/net 2>>$T/f.err)
nshost=$(readlink /proc/self/ns/net)
check "(f) warm launches reuse the namespace (and it is /run/netns/wgrun-work)" \
	"first '$ns1', second '$ns2', alias '$nsalias', host '$nshost': $(errs $T/f.err)" \
	[ -n "$ns1" -a "$ns1" = "$ns2" -a "$ns1" = "$nsalias" -a "$ns1" != "$nshost" ]

# (g) bob is refused by the policy.
bob wgrun work -- busybox wget -qO- $URL4 >$T/g.out 2>$T/g.err
rc=$?
check "(g) bob is refused with exit 125" \
	"exit $rc, output '$(flat $T/g.out)', stderr: $(flat $T/g.err)" \
	[ "$rc" = 125 -a ! -s $T/g.out ]

# (i) no WireGuard interface in the root namespace (only the peer's, before
# its move): nothing at all changed there during the launches.
sleep 0.3
kill $monpid 2>/dev/null
wait $monpid 2>/dev/null
$IP -o -d link >$T/i.links 2>&1
check "(i) no link, address or route appeared in the root namespace during the launches" \
	"ip monitor saw: $(flat $T/monitor.log)" [ ! -s $T/monitor.log ]
check "(i) no wireguard interface in the root namespace after the launches" \
	"$(flat $T/i.links)" sh -c "! grep -q ' wireguard ' $T/i.links"

# (h) the host's links, addresses and routes are untouched.
snapshot $T/host.launched
check "(h) host links, addresses and routes unchanged after the launches" \
	"$(diff $T/host.before $T/host.launched | tr '\n' ' ' | cut -c1-400)" \
	cmp -s $T/host.before $T/host.launched

# (j) --down removes the alias; a command started before loses its way out.
# The flag lives outside /tmp: a command in the tunnel has a /tmp of its own.
mkdir -p /var/lib/wgrun-j; chmod 755 /var/lib/wgrun-j; rm -f /var/lib/wgrun-j/go
alice wgrun work -- sh -c "timeout 10 wget -qO- $URL4; echo before-rc=\$?; echo started;
	while [ ! -e /var/lib/wgrun-j/go ]; do sleep 0.1; done
	timeout 10 wget -qO- $URL4; echo after-rc=\$?" >$T/j.out 2>&1 &
jpid=$!
j_started() { grep -q '^started$' $T/j.out 2>/dev/null || ! kill -0 $jpid 2>/dev/null; }
wait_for 30 j_started
timeout 60 wgrun --down work >$T/down.out 2>&1
drc=$?
check "(j) wgrun --down work succeeds" "exit $drc: $(flat $T/down.out)" [ "$drc" = 0 ]
check "(j) after --down the alias /run/netns/wgrun-work is gone" \
	"$(ls -l /run/netns 2>&1 | tr '\n' ' ')" [ ! -e /run/netns/wgrun-work ]
touch /var/lib/wgrun-j/go
j_done() { ! kill -0 $jpid 2>/dev/null; }
wait_for 30 j_done || kill $jpid 2>/dev/null
wait $jpid 2>/dev/null
before=$(grep -v -e '^before-rc=' -e '^after-rc=' -e '^started$' $T/j.out | head -n1)
j_ok() {
	grep -q '^before-rc=0$' $T/j.out && [ "$before" = 10.77.0.2 ] &&
		grep -q '^after-rc=' $T/j.out && ! grep -q '^after-rc=0$' $T/j.out &&
		[ "$(grep -c '^10\.77\.0\.2$' $T/j.out)" = 1 ]
}
check "(j) a command started before --down reached the peer, and fails after it" \
	"$(flat $T/j.out)" j_ok

snapshot $T/host.down
check "(h) host links, addresses and routes unchanged after wgrun --down work" \
	"$(diff $T/host.before $T/host.down | tr '\n' ' ' | cut -c1-400)" \
	cmp -s $T/host.before $T/host.down

# (k) a cold launch after --down builds a working tunnel again; --down again.
alice_t wgrun work -- busybox wget -qO- $URL4 >$T/k.out 2>$T/k.err
rc=$?
echo "# second cold launch, in emulation: $(sed -n 's/^runas: first-output-ms=\([^ ]*\) .*$/first output after \1 ms/p' $T/k.err)"
check "(k) a cold launch after --down reaches the peer again" \
	"exit $rc, output '$(flat $T/k.out)', stderr: $(errs $T/k.err)" \
	[ "$rc" = 0 -a "$(cat $T/k.out)" = 10.77.0.2 ]
timeout 60 wgrun --down work >$T/down2.out 2>&1
drc=$?
snapshot $T/host.final
check "(k) the second --down leaves the host as it was" \
	"exit $drc: $(flat $T/down2.out) $(diff $T/host.before $T/host.final | tr '\n' ' ' | cut -c1-300)" \
	[ "$drc" = 0 -a ! -e /run/netns/wgrun-work -a -z "$(cmp $T/host.before $T/host.final 2>&1)" ]

# (l) Via: a tunnel inside a tunnel, on the kernel backend. The inner peer
# lives behind the outer one ("peer" forwards to it over a veth), its
# WireGuard socket made inside its own namespace: from the root namespace
# nothing reaches it but through the outer tunnel.
IPORT=51821
umask 077
wg genkey >$T/outer.key && wg pubkey <$T/outer.key >$T/outer.pub
wg genkey >$T/inner.key && wg pubkey <$T/inner.key >$T/inner.pub
wg genkey >$T/ipeer.key && wg pubkey <$T/ipeer.key >$T/ipeer.pub
umask 022
setup_err=
step $IP netns add inner
step $IP -n inner link set lo up
step $IP link add wgv0 netns peer type veth peer name wgv1 netns inner
step $IP -n peer addr add 10.88.0.1/24 dev wgv0
step $IP -n peer link set wgv0 up
step $IP -n inner addr add 10.88.0.2/24 dev wgv1
step $IP -n inner link set wgv1 up
step $IP -n inner route add default via 10.88.0.1
step $IP netns exec peer sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward'
step $IP netns exec inner $IP link add wgi type wireguard
step $IP netns exec inner wg set wgi private-key $T/ipeer.key listen-port $IPORT \
	peer "$(cat $T/inner.pub)" allowed-ips 10.66.0.2/32
step $IP -n inner addr add 10.66.0.1/24 dev wgi
step $IP -n inner link set wgi up
step $IP netns exec peer wg set wgp peer "$(cat $T/outer.pub)" allowed-ips 10.77.0.3/32
$IP netns exec inner busybox httpd -f -p 10.66.0.1:8080 -h /www >$T/httpdi.log 2>&1 &
(
	umask 077
	cat >/etc/wgrun/tunnels/outer.conf <<EOF
[Interface]
PrivateKey = $(cat $T/outer.key)
Address = 10.77.0.3/32

[Peer]
PublicKey = $PEER_PUB
Endpoint = 127.0.0.1:$PORT
AllowedIPs = 10.77.0.0/24, 10.88.0.0/24
EOF
	cat >/etc/wgrun/tunnels/inner.conf <<EOF
[Interface]
PrivateKey = $(cat $T/inner.key)
Address = 10.66.0.2/32

[Peer]
PublicKey = $(cat $T/ipeer.pub)
Endpoint = 10.88.0.2:$IPORT
AllowedIPs = 10.66.0.0/24

[wgrun]
Via = outer
EOF
)
printf 'permit alice work inner\ndeny bob work\n' >/etc/wgrun/policy
check "(l) setup: the inner peer behind the outer one" "$setup_err $(flat $T/setup.log)" [ -z "$setup_err" ]
snapshot $T/host.via-before
alice wgrun inner -- busybox wget -qO- http://10.66.0.1:8080/cgi-bin/ip >$T/l.out 2>$T/l.err
rc=$?
check "(l) alice, permitted inner only, reaches the inner peer as 10.66.0.2 through outer" \
	"exit $rc, output '$(flat $T/l.out)', stderr: $(errs $T/l.err)" [ "$rc" = 0 -a "$(cat $T/l.out)" = 10.66.0.2 ]
# inner's UDP socket is born in outer's namespace: the root namespace holds
# only the outer socket (and the peer's), no third one
udp_root=$(grep -c ':' /proc/net/udp)
udp_outer=$($IP netns exec wgrun-outer cat /proc/net/udp 2>/dev/null | grep -c ':')
check "(l) inner's WireGuard socket lives in outer's namespace, not the host's" \
	"host udp lines $udp_root, outer's $udp_outer" [ "$udp_outer" -ge 1 ]
alice wgrun --status inner >$T/l.status 2>&1
check "(l) --status shows the chain" "$(flat $T/l.status)" sh -c "grep -q ' outer\$' $T/l.status"
timeout 60 wgrun --down outer >$T/l.down 2>&1
check "(l) --down outer takes inner down too" "$(flat $T/l.down)" \
	sh -c "grep -q \"went through 'outer'\" $T/l.down && [ ! -e /run/netns/wgrun-inner ]"
snapshot $T/host.via-after
check "(l) the host is as it was after the chain came and went" \
	"$(diff $T/host.via-before $T/host.via-after | tr '\n' ' ' | cut -c1-300)" cmp -s $T/host.via-before $T/host.via-after

echo "# uptime at the end $(uptime_s) s"
echo "vm: $pass passed, $fail failed"
[ "$fail" = 0 ]
