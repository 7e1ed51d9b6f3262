#!/usr/bin/env bash
# Which issues a pull request needs previews of, one path a line (relative to the newsletter root):
# the issues/*.md it added or changed, or every issue when it touched templates/ or newsletter.yaml
# (a template or config change can change every email). Deleted issues are left out.
#
#   scripts/changed-issues.sh [BASE] [ROOT]     BASE default origin/main, ROOT default .
#
# Compares with the merge base of BASE and HEAD, including uncommitted and untracked files, so the same
# command answers locally ("what would CI shoot?") and in the workflow (checkout with fetch-depth: 0).
set -euo pipefail
base="${1:-origin/main}"
root="${2:-.}"
cd "$root"
if ! git rev-parse --verify --quiet "$base^{commit}" >/dev/null; then
  echo "changed-issues: base \"$base\" is not a commit here; fetch it (actions/checkout with fetch-depth: 0) or pass another, e.g. scripts/changed-issues.sh main" >&2
  exit 2
fi
mb="$(git merge-base "$base" HEAD)"
# --relative: paths relative to ROOT, and only files under it
changed="$( { git diff --name-only --relative "$mb" --; git ls-files --others --exclude-standard; } | LC_ALL=C sort -u )"
shopt -s nullglob
if grep -qE '^(templates/|newsletter\.yaml$)' <<<"$changed"; then
  echo "changed-issues: templates/ or newsletter.yaml changed: every issue" >&2
  for f in issues/*.md; do echo "$f"; done
  exit 0
fi
grep -E '^issues/[^/]+\.md$' <<<"$changed" | while IFS= read -r f; do
  if [[ -f "$f" ]]; then echo "$f"; fi
done || true
