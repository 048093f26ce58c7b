#!/usr/bin/env bash
# Builds etcd, kube-apiserver, kube-controller-manager, kubectl and the node and scheduling
# binaries (kubelet, kube-proxy, kube-scheduler) from the Go module next to this
# script, and the image tooling (pause, registry, crane, htpasswd) from its own module in images/,
# once, into a cache outside the repository:
#   ${XDG_CACHE_HOME:-$HOME/.cache}/ocmadm/k8sbins/<key>/
#   key = sha256(each KEY_FILES file + `go version`), as src/sandbox/binaries.ts computes it
# OCMADM_K8S_BIN=<dir> skips all of this and uses <dir> as is.
# `build.sh --key` prints the key and exits (the unit tests compare it with binaries.ts).
# Progress goes to stderr; the last line of stdout is the directory holding the binaries.
set -euo pipefail

BINS=(etcd kube-apiserver kube-controller-manager kubectl kube-scheduler kubelet kube-proxy pause registry crane htpasswd)
# Everything a build depends on besides the Go toolchain; keep in step with KEY_FILES in binaries.ts.
KEY_FILES=(go.sum images/go.sum images/pause/main.go images/htpasswd/main.go)
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

say() { printf 'k8sbins: %s\n' "$*" >&2; }
die() { printf 'k8sbins: error: %s\n' "$*" >&2; exit 1; }

check_dir() {
  local dir="$1" b
  for b in "${BINS[@]}"; do [[ -x "$dir/$b" ]] || return 1; done
}

if [[ -n "${OCMADM_K8S_BIN:-}" && "${1:-}" != --key ]]; then
  check_dir "$OCMADM_K8S_BIN" || die "OCMADM_K8S_BIN=$OCMADM_K8S_BIN lacks one of: ${BINS[*]}"
  echo "$OCMADM_K8S_BIN"
  exit 0
fi

command -v go >/dev/null 2>&1 || die "no Go toolchain on PATH: install Go >= 1.26 (https://go.dev/dl/) or set OCMADM_K8S_BIN to a directory with ${BINS[*]}"

export GOWORK=off GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
goversion="$(go version)"
key="$( { for f in "${KEY_FILES[@]}"; do cat "$here/$f"; done; printf '%s\n' "$goversion"; } | sha256sum | cut -c1-16)"
if [[ "${1:-}" == --key ]]; then echo "$key"; exit 0; fi
cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/ocmadm/k8sbins"
dest="$cache_root/$key"

if check_dir "$dest"; then echo "$dest"; exit 0; fi

mkdir -p "$cache_root"
# One builder per key: a second caller waits here, then finds the finished directory.
exec 9>"$cache_root/.lock-$key"
if ! flock -n 9; then
  say "another build of $key is running; waiting for it"
  flock 9
fi
if check_dir "$dest"; then echo "$dest"; exit 0; fi

kver="$(awk '$1 == "k8s.io/kubernetes" { print $2; exit }' "$here/go.mod")"
[[ "$kver" =~ ^v([0-9]+)\.([0-9]+)\. ]] || die "cannot read the k8s.io/kubernetes version from $here/go.mod"
major="${BASH_REMATCH[1]}" minor="${BASH_REMATCH[2]}"
ldflags="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $p.gitVersion=$kver -X $p.gitMajor=$major -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
done

tmp="$cache_root/.tmp-$key-$$"
rm -rf "$tmp"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT

start=$SECONDS
say "building Kubernetes $kver control-plane binaries with $goversion into $dest"
say "first run: downloads ~0.8 GB of modules and compiles for 5-20 min; later runs reuse the cache"
cd "$here"
say "downloading modules..."
go mod download
pkgs=(./etcd k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kubectl
  k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kube-proxy)
total="$(go list -deps "${pkgs[@]}" | wc -l)"
say "compiling (at most $total packages; -v lists only those not already in the Go build cache)..."

# `go build -v` names each package as it is compiled: count them and report every 100 or 30 s.
log="$tmp/build.log"
set +e
go build -v -trimpath -ldflags "$ldflags" -o "$tmp/" "${pkgs[@]}" 2>&1 | tee "$log" | {
  n=0 last=$SECONDS
  while IFS= read -r _; do
    n=$((n + 1))
    if (( n % 100 == 0 || SECONDS - last >= 30 )); then
      say "still building: $n/$total packages compiled, $((SECONDS - start)) s elapsed"
      last=$SECONDS
    fi
  done
  say "compiled $n packages"
}
rc=${PIPESTATUS[0]}
if (( rc == 0 )); then
  # The image tooling: its own module, so its dependencies never move the Kubernetes ones.
  say "building the image tooling (pause, registry, crane, htpasswd) from images/..."
  (cd "$here/images" && go build -trimpath -ldflags "-s -w" -o "$tmp/" ./pause ./htpasswd \
    github.com/distribution/distribution/v3/cmd/registry github.com/google/go-containerregistry/cmd/crane) >"$log" 2>&1
  rc=$?
fi
set -e
if (( rc != 0 )); then
  tail -n 40 "$log" >&2
  die "go build failed (exit $rc); the full output was above"
fi
rm -f "$log"
check_dir "$tmp" || die "go build finished but $tmp lacks one of: ${BINS[*]}"

# Atomic install: the directory appears complete or not at all.
mv -T "$tmp" "$dest"
trap - EXIT
say "done in $((SECONDS - start)) s"
echo "$dest"
