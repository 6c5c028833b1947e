package main

import (
	"fmt"
	"strings"
)

// prelude runs before the steps. curl is wrapped so every HTTP answer's
// status and body are kept in $__W_DIR for the next check while the body
// still goes to stdout, pipes and $(...) as usual; __step names each
// command in the output (shown if the run fails); __check hands an answer
// to `walkthrough check`.
const prelude = `set -euo pipefail
curl() {
	local rc=0
	command curl --show-error "$@" -o "$__W_DIR/body" -w '%{http_code}' >"$__W_DIR/status" || rc=$?
	cat "$__W_DIR/body" 2>/dev/null || true
	return "$rc"
}
__step() { printf '== %s\n' "$1" >&2; }
__check() { "$__W_BIN" check -dir "$__W_DIR" -where "$1" -mode "$2" -- "$3"; }
`

// script returns the bash program that runs steps in one shell, checking
// each shown answer right after its command. envFile, when set, replaces
// the README's .cache/dev.env, so a test stack's file is sourced instead.
func script(readme string, steps []step, envFile string) string {
	var b strings.Builder
	b.WriteString(prelude)
	for _, s := range steps {
		where := fmt.Sprintf("%s:%d", readme, s.line)
		first, _, _ := strings.Cut(s.command, "\n")
		fmt.Fprintf(&b, "__step %s\n", shellQuote(where+": "+strings.TrimSpace(first)))
		command := s.command
		if envFile != "" {
			command = strings.ReplaceAll(command, ".cache/dev.env", shellQuote(envFile))
		}
		switch {
		case s.answer == "":
			fmt.Fprintf(&b, "%s\n", command)
		case s.curl:
			fmt.Fprintf(&b, "%s\n__check %s http %s\n", command, shellQuote(where), expandable(s.answer))
		default:
			fmt.Fprintf(&b, "{\n%s\n} >\"$__W_DIR/stdout\"\ncat \"$__W_DIR/stdout\"\n__check %s stdout %s\n",
				command, shellQuote(where), expandable(s.answer))
		}
	}
	return b.String()
}

// shellQuote quotes s for bash as one word, expanding nothing.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// expandable quotes an answer for bash so that $NAME and ${NAME} expand
// (an answer may show "sub":"$SUBJECT") and nothing else does.
func expandable(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\' || c == '`':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '$' && (i+1 == len(s) || !isNameStart(s[i+1])):
			b.WriteString(`\$`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func isNameStart(c byte) bool {
	return c == '{' || c == '_' || ('A' <= c && c <= 'Z') || ('a' <= c && c <= 'z')
}
