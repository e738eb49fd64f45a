#!/usr/bin/env bash
# How test/fixtures/public-pipelines was made: from a git snapshot of a public pipeline, the Python files of its
# package that hold a table definition, every __init__.py on the way (they carry the imports
# names resolve through) and the files that pin DataJoint's version, verbatim, at one commit.
#   bash scripts/corpus/extract.sh <git-dir> <owner/name> <package-folder>...
# Appends the source's line to test/fixtures/public-pipelines/SOURCES.md; run from the repository root.
set -euo pipefail
git_dir="$1"; repo="$2"; shift 2
commit="$(git --git-dir="$git_dir" rev-parse HEAD)"
out="test/fixtures/public-pipelines/${repo/\//__}"
mkdir -p "$out"
pins='(^|/)(pyproject\.toml|setup\.py|setup\.cfg|requirements[^/]*\.txt|environment\.ya?ml)$'
{
  git --git-dir="$git_dir" ls-tree -r --name-only HEAD | grep -E "$pins" | grep -v -E '/(export|docs?)/' || true
  for pkg in "$@"; do
    git --git-dir="$git_dir" ls-tree -r --name-only HEAD -- "$pkg" | grep -E '/__init__\.py$' | grep -v -E '/(tests?|docs?|notebooks?)/' || true
    git --git-dir="$git_dir" grep -l -E 'definition\s*=' HEAD -- "$pkg" | sed 's/^HEAD://' | grep -E '\.py$' | grep -v -E '/(tests?|docs?|notebooks?)/' || true
  done
} | sort -u | while read -r f; do
  mkdir -p "$out/$(dirname "$f")"
  git --git-dir="$git_dir" show "HEAD:$f" > "$out/$f"
done
license="$(git --git-dir="$git_dir" show HEAD:LICENSE 2>/dev/null | head -1 || true)"
echo "| [$repo](https://github.com/$repo) | \`$commit\` | $* | ${license:-see the repository} |" >> test/fixtures/public-pipelines/SOURCES.md
