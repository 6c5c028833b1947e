package signing

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
)

// withExtra appends extra claims to the encoded JSON object obj. A claim
// obj already has is never replaced: the core's claims decide (RFC 7519
// §4 names are Latchkey's to set). Names are written sorted, so one set
// of claims always encodes the same way.
func withExtra(obj []byte, extra map[string]any) ([]byte, error) {
	if len(extra) == 0 {
		return obj, nil
	}
	var have map[string]json.RawMessage
	if err := json.Unmarshal(obj, &have); err != nil {
		return nil, err
	}
	out := bytes.TrimSuffix(obj, []byte("}"))
	for _, name := range slices.Sorted(maps.Keys(extra)) {
		if _, taken := have[name]; taken {
			continue
		}
		k, err := json.Marshal(name)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(extra[name])
		if err != nil {
			return nil, fmt.Errorf("%w: claim %s: %w", ErrInvalidClaims, name, err)
		}
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = append(append(append(out, k...), ':'), v...)
	}
	return append(out, '}'), nil
}
