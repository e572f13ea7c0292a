#!/bin/sh
# Print the path of a Python >= 3.12 (Mesa 3.5 needs it), or fail with a hint.
# Order: $PYTHON, python3.12/3.13/3.14/python3/python on PATH (a pyenv shim that
# cannot run is skipped), then every pyenv-installed 3.12+ interpreter.
set -u

ok() {  # ok INTERPRETER -> true when it runs and is at least 3.12
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1
}

for cand in ${PYTHON:-} python3.12 python3.13 python3.14 python3 python; do
    path=$(command -v "$cand" 2>/dev/null) || continue
    if ok "$path"; then echo "$path"; exit 0; fi
done

root=""
if command -v pyenv >/dev/null 2>&1; then root=$(pyenv root 2>/dev/null); fi
[ -n "$root" ] || root="${PYENV_ROOT:-$HOME/.pyenv}"
for dir in $(ls -d "$root"/versions/3.1[2-9]* "$root"/versions/3.[2-9][0-9]* 2>/dev/null | sort -V); do
    if ok "$dir/bin/python"; then echo "$dir/bin/python"; exit 0; fi
done

echo "find-python: no Python >= 3.12 found (tried \$PYTHON, python3.12+ on PATH, pyenv versions);" \
     "install one or set PYTHON=/path/to/python3.12" >&2
exit 1
