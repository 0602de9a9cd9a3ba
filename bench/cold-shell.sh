#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The hand-made shell sequence for one cold tunnel, as people script it: what
# bench/cold compares wgrun against. Arguments: tunnel file, user.
set -e
conf=$1 user=$2 ns=wgb-shell if=wgbs$$
key=$(sed -n 's/^PrivateKey *= *//p' "$conf")
pub=$(sed -n 's/^PublicKey *= *//p' "$conf")
ep=$(sed -n 's/^Endpoint *= *//p' "$conf")
ip netns add $ns
WG_PROCESS_FOREGROUND=1 wireguard-go -f $if >/dev/null 2>&1 &
pid=$!
while [ ! -S /var/run/wireguard/$if.sock ]; do sleep 0.005; done
wg set $if private-key <(echo "$key") peer "$pub" endpoint "$ep" allowed-ips 10.77.0.0/24,fd77::/64
ip link set $if netns $ns
ip -n $ns addr add 10.77.0.2/32 dev $if
ip -n $ns link set lo up
ip -n $ns link set $if up
ip -n $ns route add 10.77.0.0/24 dev $if
ip netns exec $ns setpriv --reuid=$user --regid=$(id -g $user) --init-groups true
kill $pid; wait $pid 2>/dev/null || true
ip netns del $ns
