package main

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// marker precedes, on its own line, every README code block the
// walk-through runs (an HTML comment: invisible when rendered).
const marker = "<!-- walkthrough -->"

// answerPrefix starts the comment line that shows a command's answer.
const answerPrefix = "# → "

// step is one command of a marked block, with the answer shown under it.
type step struct {
	line    int    // README line of the command's first line
	command string // the command, continuation lines joined with "\n"
	// curl: a curl command ran since the previous answer, so the answer
	// is the last HTTP answer; otherwise it is this command's stdout.
	curl   bool
	answer string // the shown answer without answerPrefix; "" if none
}

var curlWord = regexp.MustCompile(`(^|[\s|(;&$])curl\s`)

// parseREADME returns the steps of every marked ```sh block, in order.
func parseREADME(r io.Reader) ([]step, error) {
	sc := bufio.NewScanner(r)
	var steps []step
	n, armed, inBlock, sinceAnswer := 0, false, false, false
	var cur *step
	for sc.Scan() {
		n++
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		switch {
		case !inBlock && trimmed == marker:
			armed = true
		case !inBlock && armed:
			if trimmed != "```sh" {
				return nil, fmt.Errorf("README line %d: %s must be followed by a ```sh block", n, marker)
			}
			inBlock, armed = true, false
		case inBlock && trimmed == "```":
			if cur != nil {
				return nil, fmt.Errorf("README line %d: the block ends inside a continued command", n)
			}
			inBlock = false
		case inBlock && cur != nil:
			cur.command += "\n" + line
		case inBlock && strings.HasPrefix(trimmed, answerPrefix):
			if len(steps) == 0 || steps[len(steps)-1].answer != "" {
				return nil, fmt.Errorf("README line %d: an answer must follow a command", n)
			}
			steps[len(steps)-1].answer = strings.TrimPrefix(trimmed, answerPrefix)
			steps[len(steps)-1].curl = sinceAnswer
			sinceAnswer = false
		case inBlock && (trimmed == "" || strings.HasPrefix(trimmed, "#")):
		case inBlock:
			cur = &step{line: n, command: line}
		}
		if cur != nil && !strings.HasSuffix(line, `\`) {
			sinceAnswer = sinceAnswer || curlWord.MatchString(" "+cur.command)
			steps, cur = append(steps, *cur), nil
		}
	}
	if inBlock || armed {
		return nil, fmt.Errorf("README: a marked block is not closed")
	}
	return steps, sc.Err()
}
