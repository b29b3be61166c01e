#!/bin/sh
# npm-install.sh DIR: installs the npm packages of tests/editors/package.json (VS Code's TextMate
# tokenizer, vsce) into DIR/node_modules, once: again only when the list changes. Never in git.
set -eu
dir=$1
here=$(dirname "$0")
mkdir -p "$dir"
if [ -d "$dir/node_modules/vscode-textmate" ] && cmp -s "$here/package.json" "$dir/package.json"; then
    exit 0
fi
cp "$here/package.json" "$dir/package.json"
cd "$dir"
npm install --no-audit --no-fund --no-save --loglevel=error >npm.log 2>&1 || {
    cat npm.log >&2
    exit 1
}
