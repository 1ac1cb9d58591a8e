#!/usr/bin/env bash
# The Debian package test (`make test-package`; ctest test `package`): builds the .deb from an
# already built tree with CPack, runs lintian (no error, no warning), unpacks it into a
# temporary root and checks what an installed system would see: the file list, the conffile,
# the unit's paths (and `systemd-analyze verify` of it in that root), the packaged programs'
# --version and --check-config with the packaged configuration, bash completion, and that the
# postinst's sysusers and tmpfiles steps make the user and /srv/edgesync in that root.
# Usage: packaging/test_package.sh BUILD_DIR
set -euo pipefail
build=$(realpath "${1:?usage: test_package.sh BUILD_DIR}")
src=$(realpath "$(dirname "$0")/..")
version=$(head -n 1 "$src/VERSION")
arch=$(dpkg --print-architecture)
work=$(mktemp -d "${TMPDIR:-/tmp}/edgesync-package.XXXXXX")
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
check() { local what=$1; shift; if "$@"; then echo "ok: $what"; else fail "$what"; fi; }

echo "== cpack"
cpack --config "$build/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log"; exit 1; }
deb="$work/out/edgesync_${version}_${arch}.deb"
[ -f "$deb" ] || { echo "FAIL: no $deb"; ls "$work/out"; exit 1; }
echo "package: $(basename "$deb"), $(stat -c %s "$deb") bytes"

echo "== lintian"
# Errors and warnings fail; info tags are printed (packaging/README.md lists them).
lintian_args=(--info --fail-on error,warning)
[ "$(id -u)" -eq 0 ] && lintian_args+=(--allow-root)
check "lintian: no errors or warnings" lintian "${lintian_args[@]}" "$deb"

echo "== control"
dpkg-deb -e "$deb" "$work/control"
field() { dpkg-deb -f "$deb" "$1"; }
check "Version is VERSION ($version)" test "$(field Version)" = "$version"
check "Depends come from dpkg-shlibdeps (librocksdb, libssl)" \
  bash -c '[[ "$0" == *librocksdb* && "$0" == *libssl3* ]]' "$(field Depends)"
check "conffiles is the packaged configuration" test "$(cat "$work/control/conffiles")" = "/etc/edgesync/edgesync.toml"
for script in postinst prerm postrm; do
  check "$script is executable and valid sh" bash -c '[ -x "$0" ] && sh -n "$0"' "$work/control/$script"
done
check "postinst enables and starts nothing" bash -c \
  '! grep -v "^ *#" "$0" | grep -Eq "(systemctl|deb-systemd-helper|deb-systemd-invoke)( .*)? (enable|start)( |$)"' \
  "$work/control/postinst"

echo "== files"
root="$work/root"
dpkg-deb -x "$deb" "$root"
(cd "$root" && find . -type f -o -type l) | sed 's|^\.||' | sort >"$work/files.txt"
check "file list is packaging/package-files.txt" diff -u "$src/packaging/package-files.txt" "$work/files.txt"
check "conffile is systemd/edgesync.toml.example" \
  cmp "$root/etc/edgesync/edgesync.toml" "$src/systemd/edgesync.toml.example"
check "changelog.gz names version $version" grep -q "^edgesync ($version) " <(zcat "$root/usr/share/doc/edgesync/changelog.gz")

echo "== unit"
unit="$root/lib/systemd/system/edgesyncd.service"
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
check "ExecStart is /usr/bin/edgesyncd ($exec_start)" test "$exec_start" = "/usr/bin/edgesyncd"
check "ExecStart's program is in the package" test -x "$root$exec_start"
check "Documentation= names packaged files" bash -c \
  'grep -q "^Documentation=man:edgesyncd(8) file:/usr/share/doc/edgesync/operations.md$" "$0" &&
   [ -f "$1/usr/share/doc/edgesync/operations.md" ]' "$unit" "$root"
if command -v systemd-analyze >/dev/null; then
  # --root resolves ExecStart= inside a copy of the unpacked package, which gets the host's
  # units (the targets the unit names) and /bin/kill (ExecReload=) as an installed system has.
  verify_root="$work/verify-root"
  cp -a "$root" "$verify_root"
  cp -rn /lib/systemd/system/. "$verify_root/lib/systemd/system/"
  install -D /usr/bin/kill "$verify_root/bin/kill"
  check "systemd-analyze verify of the installed unit" \
    systemd-analyze verify --man=no --root="$verify_root" /lib/systemd/system/edgesyncd.service
else
  fail "systemd-analyze is not installed (package systemd)"
fi

echo "== programs"
run_dir="$work/run"
mkdir -p "$run_dir"
check "edgesyncd --version" grep -qx "edgesyncd $version (commit [0-9a-f]\{12\})\|edgesyncd $version (commit unknown)" \
  <("$root/usr/bin/edgesyncd" --version)
check "edgesync --version" grep -qx "edgesync $version (commit [0-9a-f]\{12\})\|edgesync $version (commit unknown)" \
  <("$root/usr/bin/edgesync" --version)
check "edgesyncd --check-config with the packaged configuration" bash -c \
  'cd "$0" && "$1/usr/bin/edgesyncd" --check-config --config "$1/etc/edgesync/edgesync.toml" | grep -q "^configuration ok"' \
  "$run_dir" "$root"
check "man pages name the daemon's flags" bash -c \
  'zcat "$0/usr/share/man/man8/edgesyncd.8.gz" | grep -q "check\\\\-config" &&
   zcat "$0/usr/share/man/man1/edgesync.1.gz" | grep -q "^\\.SH FILES"' "$root"

echo "== bash completion"
if [ -f /usr/share/bash-completion/bash_completion ]; then
  completion=$(PATH="$root/usr/bin:$PATH" bash -c '
    source /usr/share/bash-completion/bash_completion
    source "$0"
    COMP_WORDS=(edgesync cluster s); COMP_CWORD=2; COMP_LINE="edgesync cluster s"; COMP_POINT=${#COMP_LINE}
    _edgesync; echo "${COMPREPLY[*]}"' "$root/usr/share/bash-completion/completions/edgesync")
  check "edgesync cluster s<TAB> completes to sign ($completion)" test "$completion" = "sign"
else
  fail "bash-completion is not installed"
fi

echo "== postinst's systemd steps in the unpacked root"
if [ "$(id -u)" -eq 0 ]; then
  check "systemd-sysusers makes user edgesync" bash -c \
    'systemd-sysusers --root="$0" edgesync.conf && grep -q "^edgesync:x:[0-9]*:[0-9]*:.*:/var/lib/edgesync:/usr/sbin/nologin$" "$0/etc/passwd"' "$root"
  check "systemd-tmpfiles makes /srv/edgesync owned by edgesync" bash -c \
    'systemd-tmpfiles --root="$0" --create edgesync.conf &&
     [ "$(stat -c %u:%a "$0/srv/edgesync")" = "$(awk -F: "\$1 == \"edgesync\" {print \$3}" "$0/etc/passwd"):755" ]' "$root"
else
  echo "skip: not root, the sysusers and tmpfiles steps are not run"
fi

if [ "$failures" -ne 0 ]; then
  echo "package test: $failures check(s) failed"
  exit 1
fi
echo "package test: all checks passed"
