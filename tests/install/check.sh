# check.sh: the shared steps of the install tests (sourced, not run): a
# temporary directory removed on exit, and `check`, which runs one
# assertion, prints ok/FAIL and remembers a failure in $fail, so a script
# reports every failing check before it exits 1.
# usage: . check.sh PREFIX   (sets $tmp, a fresh directory named PREFIX.*)
tmp="$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # check DESCRIPTION COMMAND...
  local what="$1"; shift
  if "$@"; then echo "ok   $what"; else echo "FAIL $what"; fail=1; fi
}
