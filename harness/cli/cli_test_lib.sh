# What the CLI's shell tests share (sourced, never run): each sets $dir
# (its work directory) and fails=0 first, and ends by judging $fails.
expect() {  # expect STATUS DESCRIPTION -- command...: runs it, output in $dir/out.txt and err.txt
  local want=$1 what=$2
  shift 3
  "$@" >"$dir/out.txt" 2>"$dir/err.txt"
  local got=$?
  if [[ $got -ne $want ]]; then
    echo "FAIL: $what: exit status $got, want $want"
    sed 's/^/  | /' "$dir/out.txt" "$dir/err.txt" | head -40
    fails=$((fails + 1))
  fi
}
one_line_error() {  # the last command's stderr is exactly one line starting "gort: "
  if [[ $(wc -l <"$dir/err.txt") -ne 1 ]] || ! grep -q '^gort: ' "$dir/err.txt"; then
    echo "FAIL: $1: stderr is not one 'gort: ...' line:"
    sed 's/^/  | /' "$dir/err.txt"
    fails=$((fails + 1))
  fi
}
contains() {  # contains FILE TEXT WHAT
  if ! grep -qF -- "$2" "$1"; then
    echo "FAIL: $3: '$2' not in $1"
    sed 's/^/  | /' "$1" | head -40
    fails=$((fails + 1))
  fi
}
