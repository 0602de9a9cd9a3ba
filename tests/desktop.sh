#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# tests/desktop.sh - tests for packaging/wgrun-desktop (menu launchers that run
# an application through wgrun) and packaging/bash-completion/wgrun.
#
# Runs as root or as any user; needs no wgrun binary (a stub stands in for
# it). As root it installs desktop-file-utils when missing and also runs
# wgrun-desktop as the user nobody. Everything happens in a temporary HOME
# with fake .desktop files; nothing outside it is touched.
#   tests/desktop.sh
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
tool=$top/packaging/wgrun-desktop
completion=$top/packaging/bash-completion/wgrun
example=$top/packaging/firefox-work.desktop

passed=0
failed=0
ok() { echo "ok - $1"; passed=$((passed + 1)); }
not_ok() { echo "not ok - $1: $2"; failed=$((failed + 1)); }
skip() { echo "ok - $1 # SKIP $2"; }

if ! command -v desktop-file-validate >/dev/null 2>&1 && [ "$(id -u)" = 0 ] &&
	command -v apt-get >/dev/null 2>&1; then
	echo "== installing: desktop-file-utils"
	apt-get update -qq >/dev/null 2>&1
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		desktop-file-utils >/dev/null 2>&1
fi
have_validate=0
command -v desktop-file-validate >/dev/null 2>&1 && have_validate=1

unset XDG_DATA_HOME  # the caller's must not leak into the runs below
T=$(mktemp -d /tmp/wgrun-desktop-test.XXXXXX) || exit 1
trap 'rm -rf "$T"' EXIT
chmod 0755 "$T"
H=$T/home                 # the user's HOME
SYS=$T/sys                # first of XDG_DATA_DIRS
SYS2=$T/sys2              # second of XDG_DATA_DIRS
BIN=$T/bin                # a stub wgrun and two fake commands
mkdir -p "$H/.local/share/applications" "$SYS/applications" "$SYS2/applications" "$BIN"
APPS=$H/.local/share/applications
PROFILES=$H/.local/share/wgrun/profiles

# --- the fake applications ------------------------------------------------

cat >"$SYS/applications/firefox.desktop" <<'EOF'
[Desktop Entry]
Version=1.0
Name=Firefox
Name[de]=Firefox-Webbrowser
GenericName=Web Browser
Comment=Browse the World Wide Web
Exec=/usr/lib/firefox/firefox %u
TryExec=/usr/lib/firefox/firefox
Icon=firefox
Terminal=false
Type=Application
MimeType=text/html;text/xml;application/xhtml+xml;x-scheme-handler/http;x-scheme-handler/https;
StartupNotify=true
DBusActivatable=true
Categories=Network;WebBrowser;
Actions=new-window;new-private-window;

[Desktop Action new-window]
Name=New Window
Name[de]=Neues Fenster
Exec=/usr/lib/firefox/firefox --new-window %u

[Desktop Action new-private-window]
Name=New Private Window
Name[de]=Neues privates Fenster
Exec=/usr/lib/firefox/firefox --private-window %u
EOF

cat >"$SYS/applications/chromium.desktop" <<'EOF'
[Desktop Entry]
Version=1.0
Name=Chromium
Name[fr]=Navigateur Chromium
Comment=Access the Internet
Exec=/usr/bin/chromium %U
Terminal=false
X-MultipleArgs=false
Type=Application
Icon=chromium
Categories=Network;WebBrowser;
MimeType=text/html;x-scheme-handler/http;x-scheme-handler/https;
StartupWMClass=chromium
StartupNotify=true
Actions=new-window;incognito;

[Desktop Action new-window]
Name=New Window
Exec=/usr/bin/chromium

[Desktop Action incognito]
Name=New Incognito Window
Exec=/usr/bin/chromium --incognito
EOF

# A plain application, D-Bus activatable, with an action that has no Exec=.
cat >"$SYS/applications/gedit.desktop" <<'EOF'
[Desktop Entry]
Name=Text Editor
Name[de]=Texteditor
Comment=Edit text files
Exec=gedit %U
Terminal=false
Type=Application
StartupNotify=true
MimeType=text/plain;
Icon=org.gnome.gedit
Categories=GNOME;GTK;Utility;TextEditor;
Actions=new-window;new-document;
DBusActivatable=true

[Desktop Action new-window]
Name=New Window
Exec=gedit --new-window

[Desktop Action new-document]
Name=New Document
EOF

# The same id further down XDG_DATA_DIRS: must not be the one used.
cat >"$SYS2/applications/gedit.desktop" <<'EOF'
[Desktop Entry]
Name=Wrong Editor
Exec=wrong-gedit %U
Type=Application
EOF

# Flatpak Firefox: the profile must be granted to the sandbox.
cat >"$SYS2/applications/org.mozilla.firefox.desktop" <<'EOF'
[Desktop Entry]
Version=1.0
Name=Firefox
Exec=/usr/bin/flatpak run --branch=stable --arch=x86_64 --command=firefox --file-forwarding org.mozilla.firefox @@u %u @@
Icon=org.mozilla.firefox
Type=Application
MimeType=text/html;
X-Flatpak=org.mozilla.firefox
EOF

# The user's own copy of an application wins over the system's.
cat >"$SYS/applications/notes.desktop" <<'EOF'
[Desktop Entry]
Name=Notes (system)
Exec=notes
Type=Application
EOF
cat >"$APPS/notes.desktop" <<'EOF'
[Desktop Entry]
Name=Notes (mine)
Exec=notes --mine
Type=Application
EOF

# Hidden=true in the user's directory: the user uninstalled it.
cat >"$SYS/applications/hiddenapp.desktop" <<'EOF'
[Desktop Entry]
Name=Hidden App
Exec=hiddenapp
Type=Application
EOF
cat >"$APPS/hiddenapp.desktop" <<'EOF'
[Desktop Entry]
Name=Hidden App
Type=Application
Hidden=true
EOF

# Started by D-Bus activation only: nothing to wrap.
cat >"$SYS/applications/dbusonly.desktop" <<'EOF'
[Desktop Entry]
Name=D-Bus Only
Type=Application
DBusActivatable=true
EOF

# --- helpers ----------------------------------------------------------------

# run ARG...: wgrun-desktop in a clean environment; sets rc, out, err.
run() {
	env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$H" XDG_DATA_DIRS="$SYS:$SYS2" \
		${XDG_DATA_HOME:+XDG_DATA_HOME="$XDG_DATA_HOME"} \
		"$tool" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	out=$(cat "$T/out")
	err=$(cat "$T/err")
}

# expect NAME WANTED_RC: the last run exited WANTED_RC.
expect_rc() {
	if [ "$rc" = "$2" ]; then ok "$1"; else not_ok "$1" "exit $rc, wanted $2; stderr: $err"; fi
}

# has NAME FILE LINE: FILE has exactly this line.
has() {
	if [ -f "$2" ] && grep -qxF -- "$3" "$2"; then ok "$1"
	else not_ok "$1" "no line '$3' in $2: $(grep -F "${3%%=*}" "$2" 2>/dev/null | tr '\n' '|')"; fi
}

# lacks NAME FILE REGEX: no line of FILE matches REGEX.
lacks() {
	if [ -f "$2" ] && ! grep -qE -- "$3" "$2"; then ok "$1"
	else not_ok "$1" "$2 missing or has: $(grep -E -- "$3" "$2" 2>/dev/null | tr '\n' '|')"; fi
}

valid() {
	if [ "$have_validate" = 0 ]; then
		skip "$1" "desktop-file-validate not installed (apt-get install desktop-file-utils)"
	elif v=$(desktop-file-validate "$2" 2>&1) && [ -z "$v" ]; then ok "$1"
	else not_ok "$1" "$v"; fi
}

# all_wrapped NAME FILE TUNNEL: every Exec= line of FILE runs wgrun TUNNEL --.
all_wrapped() {
	local r
	r=$(grep -E '^Exec[ \t]*=' "$2" | grep -v "^Exec=wgrun $3 -- ")
	if [ -f "$2" ] && [ -z "$r" ]; then ok "$1"; else not_ok "$1" "${r:-no $2}"; fi
}

mode_700() {
	if [ -d "$2" ] && [ ! -L "$2" ] && [ "$(stat -c %a "$2")" = 700 ]; then ok "$1"
	else not_ok "$1" "$2: $(stat -c '%F %a' "$2" 2>&1)"; fi
}

# A stub wgrun for the launch tests: records its arguments, one per line.
cat >"$BIN/wgrun" <<EOF
#!/bin/sh
if [ "\$1" = --list ]; then printf 'home\nwork\n'; exit 0; fi
for a; do printf '%s\n' "\$a"; done >"$T/argv.tmp" && mv "$T/argv.tmp" "$T/argv"
EOF
chmod 0755 "$BIN/wgrun"

# launched NAME FILE URL EXPECTED-ARG...: launching FILE with URL the way a
# desktop does (GLib's gio launch) runs wgrun with exactly these arguments.
launched() {
	local name=$1 file=$2 url=$3 got want
	shift 3
	if ! command -v gio >/dev/null 2>&1; then
		skip "$name" "gio (libglib2.0-bin) not installed"
		return
	fi
	rm -f "$T/argv"
	env -i PATH="$BIN:/usr/bin:/bin" HOME="$H" timeout 10 gio launch "$file" "$url" >/dev/null 2>&1
	for _ in $(seq 50); do [ -f "$T/argv" ] && break; sleep 0.1; done
	got=$(cat "$T/argv" 2>/dev/null)
	want=$(printf '%s\n' "$@")
	if [ "$got" = "$want" ]; then ok "$name"
	else not_ok "$name" "wgrun got [$(echo "$got" | tr '\n' ' ')], wanted [$(echo "$want" | tr '\n' ' ')]"; fi
}

# --- wgrun-desktop ----------------------------------------------------------

echo "# wgrun-desktop: Firefox"
run work firefox
expect_rc "firefox: launcher written" 0
F=$APPS/wgrun-work-firefox.desktop
P=$PROFILES/work-firefox
[ -f "$F" ] && ok "firefox: file is wgrun-work-firefox.desktop" ||
	not_ok "firefox: file is wgrun-work-firefox.desktop" "$(ls "$APPS")"
has "firefox: main Exec wrapped with a private profile and no remoting" "$F" \
	"Exec=wgrun work -- /usr/lib/firefox/firefox --no-remote --profile $P %u"
has "firefox: new-window action wrapped" "$F" \
	"Exec=wgrun work -- /usr/lib/firefox/firefox --new-window --no-remote --profile $P %u"
has "firefox: new-private-window action wrapped" "$F" \
	"Exec=wgrun work -- /usr/lib/firefox/firefox --private-window --no-remote --profile $P %u"
n=$(grep -c '^Exec=' "$F")
[ "$n" = 3 ] && ok "firefox: every Exec line kept (3)" || not_ok "firefox: every Exec line kept (3)" "$n"
all_wrapped "firefox: no Exec line escapes wgrun" "$F" work
has "firefox: Name suffixed" "$F" "Name=Firefox (work)"
has "firefox: Name[de] suffixed" "$F" "Name[de]=Firefox-Webbrowser (work)"
has "firefox: Icon kept" "$F" "Icon=firefox"
lacks "firefox: no MimeType (links opened elsewhere stay out)" "$F" '^MimeType'
has "firefox: DBusActivatable=false" "$F" "DBusActivatable=false"
lacks "firefox: no DBusActivatable=true left" "$F" '^DBusActivatable[ =]*true'
r=$(grep '^TryExec' "$F" | grep -vx 'TryExec=wgrun')
[ -z "$r" ] && ok "firefox: TryExec gone or pointing at wgrun" || not_ok "firefox: TryExec gone or pointing at wgrun" "$r"
has "firefox: X-wgrun-Tunnel=work" "$F" "X-wgrun-Tunnel=work"
has "firefox: actions kept" "$F" "Actions=new-window;new-private-window;"
mode_700 "firefox: profile directory created, mode 0700" "$P"
valid "firefox: passes desktop-file-validate" "$F"
launched "firefox: launching it with a link runs wgrun work -- firefox (gio)" "$F" \
	https://example.com/ work -- /usr/lib/firefox/firefox --no-remote --profile "$P" https://example.com/

echo "# wgrun-desktop: Chromium"
run work chromium
expect_rc "chromium: launcher written" 0
F=$APPS/wgrun-work-chromium.desktop
P=$PROFILES/work-chromium
has "chromium: main Exec wrapped with --user-data-dir, field code last" "$F" \
	"Exec=wgrun work -- /usr/bin/chromium --user-data-dir=$P %U"
has "chromium: action without field code wrapped" "$F" \
	"Exec=wgrun work -- /usr/bin/chromium --incognito --user-data-dir=$P"
has "chromium: Name[fr] suffixed" "$F" "Name[fr]=Navigateur Chromium (work)"
lacks "chromium: no MimeType" "$F" '^MimeType'
has "chromium: DBusActivatable=false added" "$F" "DBusActivatable=false"
mode_700 "chromium: profile directory created, mode 0700" "$P"
valid "chromium: passes desktop-file-validate" "$F"

echo "# wgrun-desktop: a plain application"
run work gedit.desktop
expect_rc "gedit: launcher written (id given with .desktop)" 0
F=$APPS/wgrun-work-gedit.desktop
has "gedit: Exec wrapped, %U kept" "$F" "Exec=wgrun work -- gedit %U"
has "gedit: action wrapped" "$F" "Exec=wgrun work -- gedit --new-window"
lacks "gedit: no browser flags" "$F" 'profile|user-data-dir|no-remote'
[ ! -e "$PROFILES/work-gedit" ] && ok "gedit: no profile directory" ||
	not_ok "gedit: no profile directory" "$PROFILES/work-gedit exists"
has "gedit: first of XDG_DATA_DIRS wins" "$F" "Name=Text Editor (work)"
has "gedit: D-Bus-only action dropped from Actions" "$F" "Actions=new-window;"
lacks "gedit: D-Bus-only action group dropped" "$F" 'new-document'
has "gedit: DBusActivatable=true becomes false" "$F" "DBusActivatable=false"
lacks "gedit: no MimeType" "$F" '^MimeType'
valid "gedit: passes desktop-file-validate" "$F"
case $err in *new-document*) ok "gedit: dropping the action is reported" ;;
*) not_ok "gedit: dropping the action is reported" "stderr: $err" ;; esac
launched "gedit: launching it runs wgrun work -- gedit FILE (gio)" "$F" \
	/tmp/some-file work -- gedit /tmp/some-file

echo "# wgrun-desktop: lookup"
run home notes
has "notes: the user's own .desktop wins over the system's" "$APPS/wgrun-home-notes.desktop" \
	"Exec=wgrun home -- notes --mine"
run work org.mozilla.firefox
F=$APPS/wgrun-work-org.mozilla.firefox.desktop
P=$PROFILES/work-org.mozilla.firefox
has "flatpak firefox: profile granted to the sandbox, flags before the file forwarding" "$F" \
	"Exec=wgrun work -- /usr/bin/flatpak run --filesystem=$P --branch=stable --arch=x86_64 --command=firefox --file-forwarding org.mozilla.firefox --no-remote --profile $P @@u %u @@"
valid "flatpak firefox: passes desktop-file-validate" "$F"

XDG_DATA_HOME=$T/xdgdata
run vpn1 firefox
expect_rc "XDG_DATA_HOME: launcher written" 0
has "XDG_DATA_HOME: launcher and profile there" "$T/xdgdata/applications/wgrun-vpn1-firefox.desktop" \
	"Exec=wgrun vpn1 -- /usr/lib/firefox/firefox --no-remote --profile $T/xdgdata/wgrun/profiles/vpn1-firefox %u"
mode_700 "XDG_DATA_HOME: profile directory mode 0700" "$T/xdgdata/wgrun/profiles/vpn1-firefox"
[ ! -e "$APPS/wgrun-vpn1-firefox.desktop" ] && ok "XDG_DATA_HOME: nothing written under ~/.local/share" ||
	not_ok "XDG_DATA_HOME: nothing written under ~/.local/share" "$APPS/wgrun-vpn1-firefox.desktop exists"
unset XDG_DATA_HOME

# A home with characters that must be quoted in Exec=.
Hsave=$H
H=$T/"odd home \$x %y \"q\" \\b"
mkdir -p "$H"
run work firefox
expect_rc "odd HOME: launcher written" 0
F=$H/.local/share/applications/wgrun-work-firefox.desktop
valid "odd HOME: passes desktop-file-validate" "$F"
launched "odd HOME: the quoted profile path reaches firefox intact (gio)" "$F" \
	https://example.com/ work -- /usr/lib/firefox/firefox --no-remote \
	--profile "$H/.local/share/wgrun/profiles/work-firefox" https://example.com/
H=$Hsave

echo "# wgrun-desktop: refusals"
for bad in Work -work 'a/b' 'a b' '' abcdefghijklmnop 'w.rk' 'wörk' '../x'; do
	run -- "$bad" firefox
	if [ "$rc" = 2 ] && case $err in *"tunnel name"*) true ;; *) false ;; esac; then
		ok "bad tunnel name '$bad': exit 2, named"
	else
		not_ok "bad tunnel name '$bad': exit 2, named" "exit $rc; stderr: $err"
	fi
done
run abcdefghijklmno gedit
expect_rc "15-character tunnel name accepted" 0
for bad in ../firefox /usr/share/applications/firefox.desktop 'fire fox' '' '-firefox' 'a;b'; do
	run work "$bad"
	if [ "$rc" = 2 ] && case $err in *"application id"* | *"unknown option"*) true ;; *) false ;; esac; then
		ok "bad application id '$bad': exit 2, named"
	else
		not_ok "bad application id '$bad': exit 2, named" "exit $rc; stderr: $err"
	fi
done
run work nosuchapp
if [ "$rc" = 1 ] && case $err in *"no application 'nosuchapp'"*) true ;; *) false ;; esac; then
	ok "unknown application: exit 1, named"
else not_ok "unknown application: exit 1, named" "exit $rc; stderr: $err"; fi
[ ! -e "$APPS/wgrun-work-nosuchapp.desktop" ] && ok "unknown application: nothing written" ||
	not_ok "unknown application: nothing written" "file exists"
run work hiddenapp
if [ "$rc" = 1 ] && case $err in *Hidden*) true ;; *) false ;; esac; then
	ok "hidden application: exit 1"
else not_ok "hidden application: exit 1" "exit $rc; stderr: $err"; fi
run work dbusonly
if [ "$rc" = 1 ] && case $err in *"no Exec"*) true ;; *) false ;; esac; then
	ok "D-Bus-only application: exit 1"
else not_ok "D-Bus-only application: exit 1" "exit $rc; stderr: $err"; fi
run work wgrun-work-gedit
if [ "$rc" = 1 ] && case $err in *"already a wgrun launcher"*) true ;; *) false ;; esac; then
	ok "a wgrun launcher is not wrapped again"
else not_ok "a wgrun launcher is not wrapped again" "exit $rc; stderr: $err"; fi
run
expect_rc "no arguments: exit 2" 2
run work
expect_rc "one argument: exit 2" 2
run work firefox extra
expect_rc "three arguments: exit 2" 2
run --bogus work firefox
expect_rc "unknown option: exit 2" 2
run --help
if [ "$rc" = 0 ] && case $out in *"usage: wgrun-desktop"*) true ;; *) false ;; esac; then
	ok "--help: usage on stdout, exit 0"
else not_ok "--help: usage on stdout, exit 0" "exit $rc"; fi

echo "# wgrun-desktop: existing files"
F=$APPS/wgrun-work-gedit.desktop
cp "$F" "$T/before"
run work gedit
expect_rc "its own launcher is refreshed" 0
cmp -s "$F" "$T/before" && ok "refreshing gives the same file" || not_ok "refreshing gives the same file" "$(diff "$T/before" "$F")"
F=$APPS/wgrun-office-gedit.desktop
printf '[Desktop Entry]\nName=Mine\nExec=mine\nType=Application\n' >"$F"
cp "$F" "$T/before"
run office gedit
if [ "$rc" = 1 ] && case $err in *"not written by wgrun-desktop"*"--force"*) true ;; *) false ;; esac; then
	ok "a file of the user's is not overwritten: exit 1, says --force"
else not_ok "a file of the user's is not overwritten: exit 1, says --force" "exit $rc; stderr: $err"; fi
cmp -s "$F" "$T/before" && ok "the user's file is unchanged" || not_ok "the user's file is unchanged" "changed"
run --force office gedit
expect_rc "--force replaces it" 0
has "--force: replaced by a launcher" "$F" "Exec=wgrun office -- gedit %U"
F=$APPS/wgrun-office-firefox.desktop
printf '[Desktop Entry]\nName=Mine\nExec=mine\nType=Application\n' >"$F"
run office firefox
expect_rc "a browser launcher over a file of the user's is refused" 1
[ ! -e "$PROFILES/office-firefox" ] && ok "a refused launcher leaves no profile directory" ||
	not_ok "a refused launcher leaves no profile directory" "$PROFILES/office-firefox exists"
mkdir "$APPS/wgrun-office-chromium.desktop"
run --force office chromium
expect_rc "a directory in the way is refused, even with --force" 1
F=$APPS/wgrun-lab-gedit.desktop
echo precious >"$T/target"
ln -s "$T/target" "$F"
run lab gedit
expect_rc "a symbolic link in the way is refused" 1
run --force lab gedit
expect_rc "--force replaces the symbolic link" 0
[ ! -L "$F" ] && [ "$(cat "$T/target")" = precious ] && ok "--force wrote no file through the link" ||
	not_ok "--force wrote no file through the link" "$(ls -l "$F"; cat "$T/target")"
leftover=$(find "$APPS" -name '.wgrun-*')
[ -z "$leftover" ] && ok "no temporary files left" || not_ok "no temporary files left" "$leftover"

echo "# wgrun-desktop: unprivileged and POSIX"
if command -v dash >/dev/null 2>&1; then
	if dash -n "$tool"; then ok "parses with dash"; else not_ok "parses with dash" "syntax error"; fi
fi
if grep -nE '^[^#]*\bsudo\b' "$tool" >/dev/null; then not_ok "never calls sudo" "$(grep -nE '^[^#]*\bsudo\b' "$tool")"
else ok "never calls sudo"; fi
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1 && id nobody >/dev/null 2>&1; then
	NH=$T/nobody
	mkdir -p "$NH" && cp "$tool" "$BIN/wgrun-desktop" && chown "$(id -u nobody):$(id -g nobody)" "$NH"
	env -i PATH=/usr/bin:/bin HOME="$NH" XDG_DATA_DIRS="$SYS" \
		setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups \
		"$BIN/wgrun-desktop" work firefox >"$T/out" 2>"$T/err"
	rc=$? err=$(cat "$T/err")
	expect_rc "runs as an unprivileged user (nobody)" 0
	o=$(stat -c %U "$NH/.local/share/wgrun/profiles/work-firefox" 2>&1)
	[ "$o" = nobody ] && ok "its profile belongs to that user" || not_ok "its profile belongs to that user" "$o"
else
	skip "runs as an unprivileged user (nobody)" "not root: this whole run is unprivileged"
fi

echo "# example launcher"
valid "firefox-work.desktop passes desktop-file-validate" "$example"
all_wrapped "firefox-work.desktop: every Exec goes through wgrun" "$example" work
lacks "firefox-work.desktop: no MimeType" "$example" '^MimeType'
has "firefox-work.desktop: remoting off" "$example" \
	"Exec=wgrun work -- firefox --no-remote --profile /home/alice/.local/share/wgrun/profiles/work-firefox %u"

# --- bash completion ----------------------------------------------------------

echo "# bash completion"
printf '#!/bin/sh\n' >"$BIN/wgruntestcmd-alpha"
printf '#!/bin/sh\n' >"$BIN/wgruntestcmd-beta"
chmod 0755 "$BIN/wgruntestcmd-alpha" "$BIN/wgruntestcmd-beta"
mkdir -p "$T/broken" "$T/none"
cat >"$T/broken/wgrun" <<'EOF'
#!/bin/sh
echo "wgrun: unknown option" >&2
printf 'home\n'
exit 125
EOF
# Lines that are not tunnel names, two of them shell code that would create
# $T/evaluated if the completion ever evaluated them.
{
	echo '#!/bin/sh'
	printf "printf '%%s\\n' home 'Bad Name' '\$(touch %s)' '\`touch %s\`' waytoolongtunnelname\n" \
		"$T/evaluated" "$T/evaluated"
} >"$T/none/wgrun"
chmod 0755 "$T/broken/wgrun" "$T/none/wgrun"

# complete BASH_COMPLETION STUBDIR WORD...: COMPREPLY, sorted, space-separated,
# for the command line WORD... (the last word is the one being completed).
complete_line() {
	local bc=$1 stubs=$2
	shift 2
	env -i PATH="$stubs:/usr/bin:/bin" HOME="$H" bash --norc --noprofile -c '
		bc=$1 completion=$2; shift 2
		if [ -n "$bc" ]; then . "$bc" || exit 99; fi
		. "$completion" || exit 98
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		COMPREPLY=()
		_wgrun wgrun "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}" | LC_ALL=C sort -u | tr "\n" " "
	' complete-test "$bc" "$completion" "$@" 2>"$T/comp-err.raw"
	# Called outside a real completion, compopt complains; that is the harness.
	grep -v "compopt: not currently executing completion function" "$T/comp-err.raw" >"$T/comp-err"
}

# comp NAME BASH_COMPLETION STUBDIR EXPECTED WORD...
comp() {
	local name=$1 bc=$2 stubs=$3 want=$4 got
	shift 4
	got=$(complete_line "$bc" "$stubs" "$@")
	got=${got% }
	if [ "$got" = "$want" ] && [ ! -s "$T/comp-err" ]; then ok "$name"
	else not_ok "$name" "COMPREPLY [$got], wanted [$want]; stderr: $(cat "$T/comp-err")"; fi
}

bcs=("")
f=/usr/share/bash-completion/bash_completion
[ -r "$f" ] && bcs+=("$f")
[ ${#bcs[@]} = 2 ] || skip "completion with bash-completion loaded" "bash-completion not installed"
for bc in "${bcs[@]}"; do
	if [ -n "$bc" ]; then w="with bash-completion"; else w="plain bash"; fi
	comp "$w: first word: tunnels and options" "$bc" "$BIN" \
		"--check --down --help --list --status --up --version home work" wgrun ""
	comp "$w: first word: tunnel prefix" "$bc" "$BIN" "work" wgrun w
	comp "$w: first word: option prefix" "$bc" "$BIN" "--down" wgrun --d
	comp "$w: --down: tunnels, --all and --idle" "$bc" "$BIN" "--all --idle home work" wgrun --down ""
	comp "$w: --up: tunnels and --all" "$bc" "$BIN" "--all home work" wgrun --up ""
	comp "$w: --status: tunnels" "$bc" "$BIN" "home" wgrun --status h
	comp "$w: --list: -q" "$bc" "$BIN" "-q" wgrun --list ""
	comp "$w: TUNNEL --: the separator" "$bc" "$BIN" "--" wgrun work --
	comp "$w: TUNNEL -- COMMAND: commands" "$bc" "$BIN" \
		"wgruntestcmd-alpha wgruntestcmd-beta" wgrun work -- wgruntestcmd-
	comp "$w: TUNNEL COMMAND (no --): commands" "$bc" "$BIN" \
		"wgruntestcmd-alpha" wgrun work wgruntestcmd-a
	comp "$w: wgrun --list failing: options only, silently" "$bc" "$T/broken" \
		"--check --down --help --list --status --up --version" wgrun ""
	comp "$w: wgrun missing: options only, silently" "$bc" "$T/none/missing" \
		"--check --down --help --list --status --up --version" wgrun ""
	comp "$w: names that are not tunnel names are ignored" "$bc" "$T/none" \
		"home" wgrun --status ""
done
r=$(env -i PATH="$BIN:/usr/bin:/bin" bash --norc --noprofile -c '. "$1"; complete -p wgrun' x "$completion" 2>&1)
[ "$r" = "complete -F _wgrun wgrun" ] && ok "completion registered for wgrun" ||
	not_ok "completion registered for wgrun" "$r"
[ ! -e "$T/evaluated" ] && ok "what wgrun --list prints is never evaluated" ||
	not_ok "what wgrun --list prints is never evaluated" "$T/evaluated was created"

echo "desktop: $passed passed, $failed failed"
[ "$failed" = 0 ]
