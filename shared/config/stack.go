package config

import "maps"

// templateParameters maps each parameter of template.yaml that carries a
// deployment setting to the variable the functions read it from.
var templateParameters = map[string]string{
	"LogLevel":           "LOG_LEVEL",
	"AccessTokenTTL":     "DEFAULT_ACCESS_TOKEN_TTL",
	"RefreshAbsoluteTTL": "DEFAULT_REFRESH_ABSOLUTE_TTL",
	"RefreshIdleTTL":     "DEFAULT_REFRESH_IDLE_TTL",
	"RefreshReuseGrace":  "DEFAULT_REFRESH_REUSE_GRACE",
	"MaxLongLivedTTL":    "MAX_LONG_LIVED_TTL",
	"AllowNeverExpiring": "ALLOW_NEVER_EXPIRING",
	"KeyRotationPeriod":  "KEY_ROTATION_PERIOD",
	"LoginIdleTTL":       "LOGIN_IDLE_TTL",
	"LoginAbsoluteTTL":   "LOGIN_ABSOLUTE_TTL",
	// Self-registration (issue 13): off unless turned on.
	"DynamicRegistration":       "DYNAMIC_REGISTRATION",
	"ClientIDMetadataDocuments": "CLIENT_ID_METADATA_DOCUMENTS",
	"ClientIDMetadataHosts":     "CLIENT_ID_METADATA_HOSTS",
	"DynamicClientScopes":       "DYNAMIC_CLIENT_SCOPES",
	"DynamicClientResources":    "DYNAMIC_CLIENT_RESOURCES",
}

// TemplateParameters returns, for each parameter of template.yaml that
// carries a deployment setting, the variable the functions read it from.
// The admin CLI reads a stack's parameter values through it, so clients
// it creates get the deployment's defaults (AccessTokenTTL and the
// refresh lifetimes), not the CLI's own.
func TemplateParameters() map[string]string { return maps.Clone(templateParameters) }
