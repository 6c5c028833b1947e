package dynamo

import (
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The table stores time in two encodings, each for its own reason, and each
// has one type that every item struct, update and condition uses:
//
//   - timestamp, a String, for every time attribute: fixed-width strings
//     sort and compare in time order, which GSI1SK and the condition
//     expressions on expiry and last use rely on.
//   - epochSeconds, a Number, for ttl alone: DynamoDB's TTL reads only epoch
//     seconds; a string or milliseconds is silently never expired
//     (docs/design.md §6).
//
// The zero time is NULL, which encodeItem leaves out of omitempty fields.
// TestWireFormat pins both encodings on every item kind.

// timeLayout is RFC 3339 in UTC with a fixed nine-digit fraction.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

// timestamp is a time attribute stored as a String in timeLayout.
type timestamp struct{ time.Time }

// String is the stored form of t; the zero time is "".
func (t timestamp) String() string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}

// MarshalDynamoDBAttributeValue implements attributevalue.Marshaler.
func (t timestamp) MarshalDynamoDBAttributeValue() (types.AttributeValue, error) {
	if t.IsZero() {
		return &types.AttributeValueMemberNULL{Value: true}, nil
	}
	return &types.AttributeValueMemberS{Value: t.String()}, nil
}

// UnmarshalDynamoDBAttributeValue implements attributevalue.Unmarshaler.
// NULL and "" are the zero time. A malformed value is an error rather than
// a silent zero, because zero times change expiry decisions.
func (t *timestamp) UnmarshalDynamoDBAttributeValue(av types.AttributeValue) error {
	switch v := av.(type) {
	case nil, *types.AttributeValueMemberNULL:
		*t = timestamp{}
	case *types.AttributeValueMemberS:
		if v.Value == "" {
			*t = timestamp{}
			return nil
		}
		parsed, err := time.Parse(time.RFC3339Nano, v.Value)
		if err != nil {
			return fmt.Errorf("stored time %q: %w", v.Value, err)
		}
		*t = timestamp{parsed.UTC()}
	default:
		return fmt.Errorf("stored time is %T, not a string", av)
	}
	return nil
}

// epochSeconds is the ttl attribute of an item that expires at Time: a
// Number of epoch seconds, rounded up so that the coarse ttl never hides
// an item before its exact expiry.
type epochSeconds struct{ time.Time }

// seconds is the stored number.
func (e epochSeconds) seconds() int64 {
	sec := e.Unix()
	if e.Nanosecond() > 0 {
		sec++
	}
	return sec
}

// MarshalDynamoDBAttributeValue implements attributevalue.Marshaler.
func (e epochSeconds) MarshalDynamoDBAttributeValue() (types.AttributeValue, error) {
	if e.IsZero() {
		return &types.AttributeValueMemberNULL{Value: true}, nil
	}
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(e.seconds(), 10)}, nil
}

// UnmarshalDynamoDBAttributeValue implements attributevalue.Unmarshaler:
// the whole second stored, in UTC; NULL is the zero time.
func (e *epochSeconds) UnmarshalDynamoDBAttributeValue(av types.AttributeValue) error {
	switch v := av.(type) {
	case nil, *types.AttributeValueMemberNULL:
		*e = epochSeconds{}
	case *types.AttributeValueMemberN:
		sec, err := strconv.ParseInt(v.Value, 10, 64)
		if err != nil {
			return fmt.Errorf("stored ttl %q: %w", v.Value, err)
		}
		*e = epochSeconds{time.Unix(sec, 0).UTC()}
	default:
		return fmt.Errorf("stored ttl is %T, not a number", av)
	}
	return nil
}

// encodeItem marshals an item struct. A NULL from timestamp or epochSeconds
// (a zero time) is left out of fields tagged omitempty.
func encodeItem(item any) (map[string]types.AttributeValue, error) {
	return attributevalue.MarshalMapWithOptions(item, func(o *attributevalue.EncoderOptions) {
		o.OmitNullAttributeValues = true
	})
}

// createdSortKey is the GSI1SK of an item in a subject's partition:
// <created>#<id>, so that the partition sorts by creation time.
func createdSortKey(created time.Time, id string) string {
	return timestamp{created}.String() + "#" + id
}
