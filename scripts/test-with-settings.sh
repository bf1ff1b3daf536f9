#!/usr/bin/env bash
# Runs `npm test` in a copy of this repository whose environment files are replaced by another set
# (default: test/settings/alternate), so that the tests prove they follow the settings.
#   bash scripts/test-with-settings.sh [settings folder]
set -euo pipefail
cd "$(dirname "$0")/.."
settings=${1:-test/settings/alternate}
copy=$(mktemp -d)
trap 'rm -rf "$copy"' EXIT
git ls-files -z | tar --null -T - -cf - | tar -xf - -C "$copy"
ln -s "$PWD/node_modules" "$copy/node_modules"
# Each file replaces the one at the same place under environments/ (state.ts, meeting-notes/staging.ts, ...);
# it sits two folders deeper (test/settings/<set>/), so its imports lose two "../".
(cd "$settings" && find . -name '*.ts') | while read -r file; do
  mkdir -p "$(dirname "$copy/environments/$file")"
  sed 's#"\.\./\.\./#"#' "$settings/$file" > "$copy/environments/$file"
done
echo "npm test with the settings of $settings"
(cd "$copy" && npm run synth && npm test)
