package dynamo

// The attribute names that code names: in keys, condition, update, filter
// and projection expressions. Each item struct repeats its names in its
// dynamodbav tags, because a struct tag cannot name a constant;
// TestWireFormat pins that the two agree for every item kind.
const (
	// Keys and the one index, on every item (docs/design.md §6).
	attrPK     = "PK"
	attrSK     = "SK"
	attrGSI1PK = "GSI1PK"
	attrGSI1SK = "GSI1SK"
	indexGSI1  = "GSI1"
	// attrTTL is the expiry DynamoDB's TTL reads: epoch seconds.
	attrTTL = "ttl"
	// attrType tells the kinds apart in a subject's GSI1 partition.
	attrType = "type"

	// Sessions; long-lived tokens share status, subject, last_used_at and
	// revoked_at.
	attrSubject       = "subject"
	attrClientID      = "client_id"
	attrStatus        = "status"
	attrGeneration    = "generation"
	attrAbsoluteExpAt = "absolute_expires_at"
	attrIdleExpAt     = "idle_expires_at"
	attrLastUsedAt    = "last_used_at"
	attrRotatedAt     = "rotated_at"
	attrCurrentHash   = "current_hash"
	attrPreviousHash  = "previous_hash"
	attrAccessJTI     = "access_jti"
	attrIP            = "ip"
	attrUserAgent     = "user_agent"
	attrRevokedAt     = "revoked_at"
	attrRevokedReason = "revoked_reason"

	// Reference access tokens, revoked JWT ids and long-lived tokens.
	attrExpiresAt = "expires_at"
	attrRevoked   = "revoked"

	// Clients, users and the key set.
	attrDisabled     = "disabled"
	attrFailedLogins = "failed_logins"
	attrLastFailedAt = "last_failed_at"
	attrVersion      = "version"

	// Sign-in attempt windows (loginattempt.go).
	attrAttempts = "attempts"
)
