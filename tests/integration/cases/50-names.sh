# Names that break naive parsers: spaces, newlines, tabs, commas,
# backslashes, non-UTF-8 bytes; and paths near PATH_MAX.

name_case() { # $1: the name as bytes (printf format), $2: escaped for the config
	local name
	name=$(printf "$1")
	mkdir -p "$ROOT/$name"
	conf "[mount t]
type = tmpfs
target = /$2
options = nosuid"
	apply --json
	expect_rc 0 || return 1
	[ "$(stat -f -c %T "$ROOT/$name")" = tmpfs ] || fail "no tmpfs at the named directory" || return 1
	printf '%s' "$STDOUT" | NAME="/$name" python3 -c '
import json, os, sys
d = json.load(sys.stdin)
want = os.environ["NAME"]
got = d["entries"][0]["resolved"]
assert got == want, (got, want)
' || fail "resolved path in JSON differs"
}

case_name_with_space() { name_case 'with space' 'with\sspace'; }
case_name_with_inline_comment_chars() { name_case 'a ;b #c' 'a\s\;b\s\#c'; }
case_name_with_newline() { name_case 'new\nline' 'new\nline'; }
case_name_with_tab() { name_case 'tab\there' 'tab\there'; }
case_name_with_comma() { name_case 'com,ma,ro' 'com,ma,ro'; }
case_name_with_backslash() { name_case 'back\\\\slash' 'back\\\\slash'; }
case_name_with_trailing_space() { name_case 'trail ' 'trail\x20'; }
case_name_with_octal_lookalike() { name_case 'x\\\\040y' 'x\\\\040y'; }

case_name_non_utf8_byte() {
	mkdir -p "$ROOT/$(printf 'bad\377')"
	conf "[mount t]
type = tmpfs
target = /bad\xff"
	apply --json
	expect_rc 0 || return 1
	printf '%s' "$STDOUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["entries"][0]["resolved"] == "/bad\u00ff", d' || fail "json"
}

case_bind_source_with_comma_and_space() {
	mkdir -p "$T/src a,b" "$ROOT/d"
	echo x >"$T/src a,b/f"
	conf "[mount b]
type = bind
source = $T/src\sa,b
target = /d"
	apply
	expect_rc 0 || return 1
	[ "$(cat "$ROOT/d/f")" = x ] || fail "content"
}

# A tree whose in-root path is long; reached through a symlink because one
# INI line holds at most 199 bytes.
deep_tree() { # $1: exact length of the in-root path
	local rel="" comp last
	comp=$(printf 'd%.0s' $(seq 1 100))
	while [ $((${#rel} + 101 + 2)) -le "$1" ]; do rel="$rel/$comp"; done
	last=$(printf 'e%.0s' $(seq 1 $(($1 - ${#rel} - 1))))
	rel="$rel/$last"
	mkdir -p "$ROOT$rel" || return 1
	ln -s "${rel#/}" "$ROOT/deep"
	DEEP_REL=$rel
}

case_deep_path_within_path_max() {
	# Root path + in-root path stays below PATH_MAX: works.
	deep_tree $((3900 - ${#ROOT}))
	conf "[mount t]
type = tmpfs
target = /deep"
	apply
	expect_rc 0 || return 1
	[ "$(stat -f -c %T "$ROOT$DEEP_REL")" = tmpfs ] || fail "not mounted at the deep dir"
}

case_deep_path_beyond_path_max_fails_closed() {
	# The kernel cannot name the target in PATH_MAX bytes, so it cannot be
	# verified: refused, and the directory the entry created is removed.
	# The parent's host path is 4090 bytes; "/newdir" takes it past 4095.
	deep_tree $((4090 - ${#ROOT}))
	local before
	before=$(snapshot)
	conf "[mount t]
type = tmpfs
target = /deep/newdir
create = dir"
	apply
	expect_rc 3 || return 1
	expect_err "PATH_MAX" || return 1
	expect_unchanged "$before" || return 1
	[ ! -e "$ROOT$DEEP_REL/newdir" ] || fail "created dir left behind"
}
