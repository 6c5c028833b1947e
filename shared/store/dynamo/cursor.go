package dynamo

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/latchkey/latchkey/shared/tokens"
)

// errBadCursor is every reason ListSubject refuses a cursor. It wraps
// tokens.ErrNotFound: the page the cursor names does not exist.
var errBadCursor = fmt.Errorf("malformed cursor: %w", tokens.ErrNotFound)

// cursorKey is the LastEvaluatedKey of a GSI1 Query: the table key and the
// index key of the last item read.
type cursorKey struct {
	PK     string `json:"pk"`
	SK     string `json:"sk"`
	GSI1PK string `json:"gsi1pk"`
	GSI1SK string `json:"gsi1sk"`
}

// encodeCursor renders a Query's LastEvaluatedKey as the page cursor:
// base64url (unpadded) of the JSON object {"pk","sk","gsi1pk","gsi1sk"},
// every value a string. No key (the last page) is "". The cursor is opaque
// to callers but not secret or signed; the core seals it, and
// decodeCursor never lets it leave the queried subject's partition.
func encodeCursor(lek map[string]types.AttributeValue) (string, error) {
	if len(lek) == 0 {
		return "", nil
	}
	var k cursorKey
	fields := map[string]*string{attrPK: &k.PK, attrSK: &k.SK, attrGSI1PK: &k.GSI1PK, attrGSI1SK: &k.GSI1SK}
	if len(lek) != len(fields) {
		return "", fmt.Errorf("last evaluated key has %d attributes; want %d", len(lek), len(fields))
	}
	for name, dst := range fields {
		v, ok := lek[name].(*types.AttributeValueMemberS)
		if !ok {
			return "", fmt.Errorf("last evaluated key: %s is not a string", name)
		}
		*dst = v.Value
	}
	b, err := json.Marshal(k)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// decodeCursor reverses encodeCursor for a query of subject's partition;
// "" is the first page (a nil start key). It accepts only what
// encodeCursor writes: canonical JSON, four non-empty keys, and GSI1PK
// SUB#<subject>. Anything else is errBadCursor.
func decodeCursor(after, subject string) (map[string]types.AttributeValue, error) {
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
	return map[string]types.AttributeValue{
		attrPK:     &types.AttributeValueMemberS{Value: k.PK},
		attrSK:     &types.AttributeValueMemberS{Value: k.SK},
		attrGSI1PK: &types.AttributeValueMemberS{Value: k.GSI1PK},
		attrGSI1SK: &types.AttributeValueMemberS{Value: k.GSI1SK},
	}, nil
}
