#!/usr/bin/env bash
# Builds the bench peers (BENCH_PEERS=1 npm run bench) from the Go module proxy, once, into a cache
# outside the repository:
#   ${XDG_CACHE_HOME:-$HOME/.cache}/ocmadm/peers/<key>/{clusteradm,registration,work,placement,registration-operator}
#   key = sha256(bench/peers/*/go.mod + go.sum + `go version`)
# Versions are pinned by bench/peers/{ocm,clusteradm}/go.{mod,sum}: clusteradm v1.3.1 and OCM v1.2.1
# (the proxy serves no ocm v1.3.x zip; clusteradm v1.3.1 is built against ocm v1.2.1's chart package).
# The sum database has no entry for the ocm module, so GONOSUMDB skips it; the committed go.sum
# still pins every hash. Builds run at nice 19 with GOMAXPROCS=1 (the machine is shared).
# OCMADM_PEERS_BIN=<dir> skips all of this. Progress on stderr; the last stdout line is the directory.
set -euo pipefail

BINS=(clusteradm registration work placement registration-operator)
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../bench/peers" && pwd)"
say() { printf 'peers: %s\n' "$*" >&2; }
die() { printf 'peers: error: %s\n' "$*" >&2; exit 1; }
check_dir() { local b; for b in "${BINS[@]}"; do [[ -x "$1/$b" ]] || return 1; done; }

if [[ -n "${OCMADM_PEERS_BIN:-}" ]]; then
  check_dir "$OCMADM_PEERS_BIN" || die "OCMADM_PEERS_BIN=$OCMADM_PEERS_BIN lacks one of: ${BINS[*]}"
  echo "$OCMADM_PEERS_BIN"; exit 0
fi
command -v go >/dev/null 2>&1 || die "no Go toolchain on PATH: install Go >= 1.25 or set OCMADM_PEERS_BIN"

export GOWORK=off GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false" GONOSUMDB=open-cluster-management.io GOMAXPROCS=1
key="$( { cat "$here"/ocm/go.mod "$here"/ocm/go.sum "$here"/clusteradm/go.mod "$here"/clusteradm/go.sum; go version; } | sha256sum | cut -c1-16)"
cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/ocmadm/peers"
dest="$cache_root/$key"
if check_dir "$dest"; then echo "$dest"; exit 0; fi

mkdir -p "$cache_root"
exec 9>"$cache_root/.lock-$key"
if ! flock -n 9; then say "another build of $key is running; waiting for it"; flock 9; fi
if check_dir "$dest"; then echo "$dest"; exit 0; fi

tmp="$cache_root/.tmp-$key-$$"
rm -rf "$tmp"; mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
start=$SECONDS
ver() { awk -v m="$1" '$1 == m { print $2; exit }' "$2"; }
ocmv="$(ver open-cluster-management.io/ocm "$here/ocm/go.mod")"
admv="$(ver open-cluster-management.io/clusteradm "$here/clusteradm/go.mod")"
say "building clusteradm $admv and OCM $ocmv (registration, work, placement, registration-operator) into $dest"
say "first run: downloads modules and compiles at nice 19 with GOMAXPROCS=1; about 1,800 packages, slow on a busy machine"
ocm_ld="-s -w -X k8s.io/client-go/pkg/version.gitVersion=$ocmv -X k8s.io/component-base/version.gitVersion=$ocmv"
(cd "$here/ocm" && go mod download && nice -n 19 go build -p 1 -trimpath -ldflags "$ocm_ld" -o "$tmp/" \
  open-cluster-management.io/ocm/cmd/registration open-cluster-management.io/ocm/cmd/work \
  open-cluster-management.io/ocm/cmd/placement open-cluster-management.io/ocm/cmd/registration-operator) >&2
say "OCM programs built after $((SECONDS - start)) s; now clusteradm"
adm_ld="-s -w -X open-cluster-management.io/clusteradm/pkg/version.versionFromGit=$admv"
(cd "$here/clusteradm" && go mod download && nice -n 19 go build -p 1 -trimpath -ldflags "$adm_ld" -o "$tmp/" \
  open-cluster-management.io/clusteradm/cmd/clusteradm) >&2
check_dir "$tmp" || die "go build finished but $tmp lacks one of: ${BINS[*]}"
printf 'clusteradm %s\nocm %s\nbuilt in %s s with %s\n' "$admv" "$ocmv" "$((SECONDS - start))" "$(go version)" >"$tmp/VERSIONS"
mv -T "$tmp" "$dest"
trap - EXIT
say "done in $((SECONDS - start)) s"
echo "$dest"
