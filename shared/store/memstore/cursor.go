package memstore

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/latchkey/latchkey/shared/tokens"
)

// errBadCursor is every reason ListSubject refuses a cursor. It wraps
// tokens.ErrNotFound: the page the cursor names does not exist.
var errBadCursor = fmt.Errorf("malformed cursor: %w", tokens.ErrNotFound)

// cursorKey is the DynamoDB store's cursor: the table and index key of the
// last item a page read.
type cursorKey struct {
	PK     string `json:"pk"`
	SK     string `json:"sk"`
	GSI1PK string `json:"gsi1pk"`
	GSI1SK string `json:"gsi1sk"`
}

// encodeCursor renders the position after it in subject's index as the
// DynamoDB store does: base64url (unpadded) of the JSON cursorKey.
func encodeCursor(it indexItem, subject string) string {
	b, _ := json.Marshal(cursorKey{PK: it.pk, SK: skMeta, GSI1PK: subjectPrefix + subject, GSI1SK: it.sk}) // strings only: cannot fail
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor reverses encodeCursor for a query of subject; "" is the
// first page (nil). It accepts only what encodeCursor writes, for subject.
func decodeCursor(after, subject string) (*indexItem, error) {
	if after == "" {
		return nil, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(after)
	if err != nil {
		return nil, errBadCursor
	}
	var k cursorKey
	if err := json.Unmarshal(raw, &k); err != nil {
		return nil, errBadCursor
	}
	canonical, err := json.Marshal(k)
	switch {
	case err != nil || !bytes.Equal(canonical, raw):
		return nil, errBadCursor
	case k.PK == "" || k.SK == "" || k.GSI1SK == "":
		return nil, errBadCursor
	case k.GSI1PK != subjectPrefix+subject:
		return nil, fmt.Errorf("%w: it names another subject", errBadCursor)
	}
	return &indexItem{sk: k.GSI1SK, pk: k.PK}, nil
}
