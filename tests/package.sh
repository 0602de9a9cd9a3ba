#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# tests/package.sh - wgrun's Debian package, end to end, as root.
#
# Lints the manual pages, builds the package with packaging/build-deb, runs
# lintian on it, installs it, checks the setuid bit and that
# dpkg-statoverride(1) wins over it, launches a command through a real tunnel
# with the installed /usr/bin/wgrun (the test peer of tests/lib.sh), then
# purges the package and checks that nothing of it is left. Everything it
# makes is removed again on exit.
#
#   sudo tests/package.sh
#
# It installs and purges the real package, so it refuses to run when wgrun
# is already installed (as a package or by hand).
set -u
TESTS=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$TESTS/.." && pwd)
# Launches run as other users, who may not enter the checkout (a private
# clone): wgrun enters the caller's working directory again as the caller.
cd /
. "$TESTS/lib.sh"
# The packaged binary and its real paths, not the test build's.
T_CONF=/etc/wgrun
T_RUN=/run/wgrun
T_BIN=/usr/bin/wgrun
TUN=pkgtest	# not a tunnel name of tests/system.sh, whose aliases share /run/netns

if [ "$(id -u)" != 0 ]; then
	echo "tests/package.sh: run as root (it installs and purges the wgrun package)" >&2
	exit 1
fi
if dpkg -s wgrun >/dev/null 2>&1; then
	echo "tests/package.sh: a wgrun package is already installed here; this test installs" \
		"and purges its own, so it will not touch it. Remove it first (dpkg --purge wgrun)." >&2
	exit 1
fi
for p in $T_BIN $T_CONF $T_RUN; do
	if [ -e $p ] || [ -L $p ]; then
		echo "tests/package.sh: $p exists but no wgrun package is installed (a wgrun" \
			"installed by hand?); installing and purging the package would clobber it." >&2
		exit 1
	fi
done

PASS=0 FAIL=0 FAILED=()
ok() { PASS=$((PASS + 1)); echo "ok - $1"; }
notok() { FAIL=$((FAIL + 1)); FAILED+=("$1"); echo "not ok - $1: $2"; }
# check NAME DETAIL COMMAND...: ok when COMMAND succeeds, else not ok with DETAIL
check() { local n=$1 d=$2; shift 2; if "$@"; then ok "$n"; else notok "$n" "$d"; fi; }
not() { ! "$@"; }
# alive PID: running, not a zombie waiting for init to reap it
alive() { [ -r /proc/$1/stat ] && ! grep -q '^[0-9]* (.*) Z' /proc/$1/stat 2>/dev/null; }
mode() { stat -c '%a %U:%G' "$1" 2>&1; }
# dpkg_do LOG CMD...: run a dpkg command with its output in LOG, waiting (up
# to 10 minutes) while another dpkg or apt, of another test, holds the lock.
dpkg_do() {
	local log=$1 i r; shift
	for i in $(seq 300); do
		DEBIAN_FRONTEND=noninteractive "$@" >"$log" 2>&1 </dev/null; r=$?
		[ $r != 0 ] && grep -q 'locked by another process' "$log" || return $r
		sleep 2
	done
	return $r
}
indent() { sed 's/^/#   /'; }

WORK=$(mktemp -d /tmp/wgrun-package.XXXXXX)
chmod 755 "$WORK"
INSTALLED='' OVERRIDE='' MADE_USERS='' PEER=''

cleanup() {
	if [ -n "$OVERRIDE" ] && dpkg-statoverride --list $T_BIN >/dev/null 2>&1; then
		dpkg_do /dev/null dpkg-statoverride --remove $T_BIN
	fi
	# Only what this run made: the checks above refused to start otherwise.
	if [ -n "$INSTALLED" ]; then
		[ -x $T_BIN ] && $T_BIN --down $TUN >/dev/null 2>&1
		if dpkg -s wgrun >/dev/null 2>&1; then
			rm -f $T_CONF/tunnels/$TUN.conf
			dpkg_do /dev/null dpkg --purge wgrun
		fi
		while umount -l $T_RUN/ns 2>/dev/null; do :; done
		while umount -l $T_RUN/view 2>/dev/null; do :; done
		rm -rf $T_CONF $T_RUN
		rm -f $T_BIN
	fi
	[ -n "$PEER" ] && peer_down
	if [ -n "$MADE_USERS" ]; then
		userdel $T_USER 2>/dev/null; userdel $T_USER2 2>/dev/null; groupdel $T_GROUP 2>/dev/null
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# What the build and the launch need, from Debian's packages.
pkgs="build-essential debhelper lintian mandoc fakeroot dpkg-dev cmake pkg-config libmnl-dev
      libseccomp-dev libnftnl-dev wireguard-go wireguard-tools iproute2 curl
      python3 util-linux passwd systemd"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "# installing:$missing"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -o DPkg::Lock::Timeout=600 -y -qq \
		--no-install-recommends $missing >/dev/null
fi

# ---- manual pages --------------------------------------------------------------

for page in wgrun.1 wgrun-policy.5 wgrun-tunnel.5 wgrun-services.7; do
	if [ ! -f "$TOP/man/$page" ]; then
		notok "manual page $page lints clean" "man/$page is missing"
		continue
	fi
	out=$(mandoc -Tlint -W warning "$TOP/man/$page" 2>&1)
	r=$?
	check "manual page $page lints clean" "mandoc -Tlint -W warning, status $r: $out" \
		[ "$r:$out" = 0: ]
done

# ---- build and lintian -----------------------------------------------------------

version=$(sed -n 's/^project(wgrun[[:space:]]\{1,\}VERSION[[:space:]]\{1,\}\([0-9][0-9.]*\).*/\1/p' \
	"$TOP/CMakeLists.txt")
DEB=$WORK/out/wgrun_${version}_$(dpkg-architecture -qDEB_HOST_ARCH).deb
# Only the top level and packaging/ are compared: others edit src/ and tests/
# meanwhile, and a build in place would leave debian/, obj-*/ or debhelper
# files in one of these two.
tree() { (cd "$TOP" && ls -A . packaging && find packaging/debian | sort); }
before=$(tree)
if ! "$TOP/packaging/build-deb" "$WORK/out" >"$WORK/build-deb.log" 2>&1 || [ ! -f "$DEB" ]; then
	notok "packaging/build-deb builds ${DEB##*/}" "$(tail -n 30 "$WORK/build-deb.log")"
	echo "package: $PASS passed, $FAIL failed"
	exit 1
fi
ok "packaging/build-deb builds ${DEB##*/}"
after=$(tree)
check "the build leaves the source tree as it was" "$(diff <(echo "$before") <(echo "$after"))" \
	[ "$before" = "$after" ]

# lintian as nobody (it warns when run as root) on a readable copy
cp "$DEB" "$WORK/lint.deb" && chmod 644 "$WORK/lint.deb"
# (from /: the checkout may sit in a directory nobody cannot enter)
lint=$(cd / && setpriv --reuid=nobody --regid=nogroup --clear-groups --reset-env \
	lintian --fail-on none "$WORK/lint.deb" 2>&1)
r=$?
errors=$(grep -c '^E: ' <<<"$lint")
[ $r = 0 ] || errors="$errors (and lintian itself failed, status $r)"
warnings=$(grep -c '^W: ' <<<"$lint")
[ -n "$lint" ] && indent <<<"$lint"
check "lintian reports no error ($warnings warnings)" "$errors errors" [ "$errors" = 0 ]

contents=$(dpkg-deb -c "$DEB")
check "the package ships /usr/bin/wgrun setuid root, mode 4755" \
	"$(grep ' ./usr/bin/wgrun$' <<<"$contents")" \
	grep -q '^-rwsr-xr-x root/root .* \./usr/bin/wgrun$' <<<"$contents"
conffiles=$(dpkg-deb --ctrl-tarfile "$DEB" | tar -xOf - ./conffiles 2>&1)
check "/etc/wgrun/policy is a conffile" "conffiles: $conffiles" \
	grep -qx /etc/wgrun/policy <<<"$conffiles"
depends=$(dpkg-deb -f "$DEB" Depends)
recommends=$(dpkg-deb -f "$DEB" Recommends)
check "the package recommends wireguard-go (needed only without the kernel module)" "Recommends: $recommends" \
	grep -q '\(^\|, \)wireguard-go\($\|,\)' <<<"$recommends"
check "the package depends on the shared libraries it links" "Depends: $depends" \
	grep -q 'libmnl0.*libnftnl11\|libnftnl11.*libmnl0' <<<"$depends"
for page in man1/wgrun.1.gz man5/wgrun-policy.5.gz man5/wgrun-tunnel.5.gz man7/wgrun-services.7.gz; do
	check "the package ships /usr/share/man/$page" "not in the package" \
		grep -q " \./usr/share/man/$page\$" <<<"$contents"
done

# ---- install, permissions, statoverride ------------------------------------------

install_deb() { dpkg_do "$WORK/dpkg.log" dpkg -i "$DEB"; }

INSTALLED=1
if ! install_deb; then
	notok "dpkg -i installs the package" "$(tail -n 20 "$WORK/dpkg.log")"
	echo "package: $PASS passed, $FAIL failed"
	exit 1
fi
ok "dpkg -i installs the package"
m=$(mode $T_BIN)
check "/usr/bin/wgrun is 4755 root:root" "it is $m" [ "$m" = "4755 root:root" ]
m=$(mode $T_CONF/tunnels)
check "/etc/wgrun/tunnels is 700 root:root" "it is $m" [ "$m" = "700 root:root" ]
m=$(mode $T_CONF/policy)
check "/etc/wgrun/policy is 644 root:root" "it is $m" [ "$m" = "644 root:root" ]
rules=$(grep -v '^[[:space:]]*\(#\|$\)' $T_CONF/policy)
ncomments=$(grep -c '^#' $T_CONF/policy)
check "the shipped policy has comments and no rule" "rules: '$rules', $ncomments comment lines" \
	[ -z "$rules" -a "$ncomments" -gt 0 ]
# The units for services: where systemd looks, and sound as systemd reads
# them (systemd-analyze verify prints nothing for a unit it finds sound; an
# unknown key is only a warning, so any output fails).
for u in wgrun@.service wgrun-idle.service wgrun-idle.timer; do
	check "the package ships /lib/systemd/system/$u" "not in the package" \
		grep -q " \./lib/systemd/system/$u\$" <<<"$contents"
done
ex=/usr/share/doc/wgrun/examples/systemd
out=$(cd /lib/systemd/system && systemd-analyze verify --man=no wgrun@work.service wgrun-idle.timer \
	wgrun-idle.service $ex/wgrun-forward-work-8080.socket $ex/wgrun-forward-work-8080.service 2>&1)
r=$?
check "systemd-analyze verify finds the units sound" "status $r: $out" [ "$r:$out" = 0: ]
v=$($T_BIN --version 2>&1)
check "the installed wgrun is version $version" "--version says '$v'" [ "$v" = "wgrun $version" ]
id $T_USER >/dev/null 2>&1 || MADE_USERS=1
make_users

if ! dpkg_do "$WORK/so.log" dpkg-statoverride --update --add root root 4750 $T_BIN; then
	notok "dpkg-statoverride --update applies 4750" "$(cat "$WORK/so.log")"
else
	OVERRIDE=1
	m=$(mode $T_BIN)
	check "dpkg-statoverride --update applies 4750" "it is $m" [ "$m" = "4750 root:root" ]
	# through sh: setpriv execs its command before its capabilities are gone
	out=$(as_user $T_USER sh -c "exec $T_BIN --version" 2>&1)
	check "under 4750 root:root a user outside group root cannot run it" "it ran: $out" \
		[ "$out" != "wgrun $version" ]
	if install_deb; then
		m=$(mode $T_BIN)
		check "re-installing keeps the statoverride's 4750" "it is $m" [ "$m" = "4750 root:root" ]
	else
		notok "re-installing keeps the statoverride's 4750" "$(tail -n 20 "$WORK/dpkg.log")"
	fi
	dpkg_do "$WORK/so.log" dpkg-statoverride --remove $T_BIN && OVERRIDE=
	if install_deb; then
		m=$(mode $T_BIN)
		check "without the statoverride, re-installing restores 4755" "it is $m" \
			[ "$m" = "4755 root:root" ]
	else
		notok "without the statoverride, re-installing restores 4755" \
			"$(tail -n 20 "$WORK/dpkg.log")"
	fi
fi

# ---- a real launch with the installed binary --------------------------------------

out=$(as_user $T_USER $T_BIN $TUN -- true 2>&1); r=$?
grep -q "may not use tunnel '$TUN'" <<<"$out" || r="$r (no refusal message)"
check "the shipped policy refuses every launch" "status $r: $out" [ "$r" = 125 ]

PEER=1
peer_up
write_policy "# tests/package.sh" "permit :$T_GROUP $TUN"
write_tunnel $TUN "10.77.0.0/24, fd77::/64"
got=$(as_user $T_USER $T_BIN $TUN -- curl -sS -m 10 http://10.77.0.1:8080/ 2>&1)
check "the installed wgrun launches through the tunnel" "the peer saw '$got', wanted 10.77.0.2" \
	[ "$got" = 10.77.0.2 ]
check "the tunnel's namespace is pinned at /run/netns/wgrun-$TUN" "no alias" \
	[ -e /run/netns/wgrun-$TUN ]
m=$(mode $T_RUN)
check "/run/wgrun is 700 root:root" "it is $m" [ "$m" = "700 root:root" ]
daemon=$(sed -n 's/^daemon_pid=//p' $T_RUN/$TUN.state 2>/dev/null)

# An upgrade (here a re-install) leaves running tunnels and the edited
# conffile alone: prerm takes tunnels down only on removal.
policy_before=$(cat $T_CONF/policy)
if install_deb; then
	check "re-installing keeps the administrator's policy" "$(cat $T_CONF/policy)" \
		[ "$(cat $T_CONF/policy)" = "$policy_before" ]
	check "re-installing leaves the tunnel's wireguard-go running" "pid '$daemon' is gone" \
		alive "${daemon:-none}"
	got=$(as_user $T_USER $T_BIN $TUN -- curl -sS -m 10 http://10.77.0.1:8080/ 2>&1)
	check "after re-installing, a launch joins the tunnel" "the peer saw '$got'" \
		[ "$got" = 10.77.0.2 ]
else
	notok "re-installing over a running tunnel" "$(tail -n 20 "$WORK/dpkg.log")"
fi

# ---- purge -----------------------------------------------------------------------

# The tunnel file is the administrator's, and purge keeps a tunnels
# directory that is not empty: remove it as an administrator would.
rm -f $T_CONF/tunnels/$TUN.conf
if dpkg_do "$WORK/purge.log" dpkg --purge wgrun; then
	ok "dpkg --purge removes the package"
else
	notok "dpkg --purge removes the package" "$(tail -n 20 "$WORK/purge.log")"
fi
[ -s "$WORK/purge.log" ] && indent <"$WORK/purge.log"
st=$(dpkg-query -W -f='${db:Status-Status}' wgrun 2>/dev/null)
[ -z "$st" ] && st=not-installed
check "dpkg knows nothing of wgrun any more" "status '$st'" [ "$st" = not-installed ]
for p in $T_BIN $T_CONF $T_RUN /run/netns/wgrun-$TUN; do
	check "purge leaves no $p" "$(ls -ld $p 2>&1)" not [ -e $p ]
done
if [ -z "$daemon" ]; then
	notok "purge stopped the tunnel's wireguard-go" "no daemon_pid in $T_RUN/$TUN.state"
else
	check "purge stopped the tunnel's wireguard-go" \
		"pid $daemon still runs: $(tr '\0' ' ' 2>/dev/null </proc/$daemon/cmdline)" \
		not alive $daemon
fi
check "no dpkg-statoverride is left for /usr/bin/wgrun" "$(dpkg-statoverride --list $T_BIN)" \
	not dpkg-statoverride --list $T_BIN

echo
[ ${#FAILED[@]} -gt 0 ] && printf 'failed: %s\n' "${FAILED[@]}"
echo "package: $PASS passed, $FAIL failed"
[ $FAIL = 0 ]
