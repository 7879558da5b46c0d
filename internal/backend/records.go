package backend

import (
	"encoding/json"
	"fmt"
)

// The domain's stored records. App, Env, Resource, Job, Token and Bucket
// (store.go) are what the Store keeps; the configurations a resource holds,
// a job's request and an app's Admin UI login config are the types below,
// owned by the domain: they were written from the API model of version
// 2020-08-11 and keep its JSON member names, which is also the form every
// earlier release stored, but a later model that renames or adds a member
// changes only the conversion to and from it (wire.go), never what is on disk.
//
// A record carries the version of its form (V; absent means 1). A release
// reads every version up to its own and refuses newer ones with a clear error
// instead of misreading them.

// recordVersion is the version of the record forms this release writes.
const recordVersion = 1

// checkVersion refuses a record written in a form newer than this release's.
func checkVersion(what string, v int) error {
	if v > recordVersion {
		return fmt.Errorf("%s is in record version %d, written by a newer release of amplifylite (this one reads up to %d)", what, v, recordVersion)
	}
	return nil
}

// AuthConfig is the stored form of the API model's CreateBackendAuthResourceConfig.
type AuthConfig struct {
	AuthResources       string                  `json:"authResources,omitempty"`
	IdentityPoolConfigs *AuthIdentityPoolConfig `json:"identityPoolConfigs,omitzero"`
	Service             string                  `json:"service,omitempty"`
	UserPoolConfigs     *AuthUserPoolConfig     `json:"userPoolConfigs,omitzero"`
}

// AuthConfigUpdate is the stored form of the API model's UpdateBackendAuthResourceConfig.
type AuthConfigUpdate struct {
	AuthResources       string                        `json:"authResources,omitempty"`
	IdentityPoolConfigs *AuthIdentityPoolConfigUpdate `json:"identityPoolConfigs,omitzero"`
	Service             string                        `json:"service,omitempty"`
	UserPoolConfigs     *AuthUserPoolConfigUpdate     `json:"userPoolConfigs,omitzero"`
}

// APIConfig is the stored form of the API model's BackendAPIResourceConfig.
type APIConfig struct {
	AdditionalAuthTypes []APIAuthType          `json:"additionalAuthTypes,omitzero"`
	ApiName             *string                `json:"apiName,omitempty"`
	ConflictResolution  *APIConflictResolution `json:"conflictResolution,omitzero"`
	DefaultAuthType     *APIAuthType           `json:"defaultAuthType,omitzero"`
	Service             *string                `json:"service,omitempty"`
	TransformSchema     *string                `json:"transformSchema,omitempty"`
}

// StorageConfig is the stored form of the API model's CreateBackendStorageResourceConfig.
type StorageConfig struct {
	BucketName  *string             `json:"bucketName,omitempty"`
	Permissions *StoragePermissions `json:"permissions,omitzero"`
	ServiceName string              `json:"serviceName,omitempty"`
}

// StorageConfigUpdate is the stored form of the API model's UpdateBackendStorageResourceConfig.
type StorageConfigUpdate struct {
	Permissions *StoragePermissions `json:"permissions,omitzero"`
	ServiceName string              `json:"serviceName,omitempty"`
}

// AuthImport is the stored form of the API model's ImportBackendAuthRequest.
type AuthImport struct {
	IdentityPoolId *string `json:"identityPoolId,omitempty"`
	NativeClientId *string `json:"nativeClientId,omitempty"`
	UserPoolId     *string `json:"userPoolId,omitempty"`
	WebClientId    *string `json:"webClientId,omitempty"`
}

// StorageImport is the stored form of the API model's ImportBackendStorageRequest.
type StorageImport struct {
	BucketName  *string `json:"bucketName,omitempty"`
	ServiceName string  `json:"serviceName,omitempty"`
}

// LoginAuthConfig is the stored form of the API model's LoginAuthConfigReqObj.
type LoginAuthConfig struct {
	AwsCognitoIdentityPoolId *string `json:"aws_cognito_identity_pool_id,omitempty"`
	AwsCognitoRegion         *string `json:"aws_cognito_region,omitempty"`
	AwsUserPoolsId           *string `json:"aws_user_pools_id,omitempty"`
	AwsUserPoolsWebClientId  *string `json:"aws_user_pools_web_client_id,omitempty"`
}

// AuthIdentityPoolConfig is the stored form of the API model's CreateBackendAuthIdentityPoolConfig.
type AuthIdentityPoolConfig struct {
	IdentityPoolName     *string `json:"identityPoolName,omitempty"`
	UnauthenticatedLogin *bool   `json:"unauthenticatedLogin,omitempty"`
}

// AuthUserPoolConfig is the stored form of the API model's CreateBackendAuthUserPoolConfig.
type AuthUserPoolConfig struct {
	ForgotPassword           *AuthForgotPasswordConfig `json:"forgotPassword,omitzero"`
	Mfa                      *AuthMFAConfig            `json:"mfa,omitzero"`
	OAuth                    *AuthOAuthConfig          `json:"oAuth,omitzero"`
	PasswordPolicy           *AuthPasswordPolicy       `json:"passwordPolicy,omitzero"`
	RequiredSignUpAttributes []string                  `json:"requiredSignUpAttributes,omitzero"`
	SignInMethod             string                    `json:"signInMethod,omitempty"`
	UserPoolName             *string                   `json:"userPoolName,omitempty"`
	VerificationMessage      *AuthVerificationMessage  `json:"verificationMessage,omitzero"`
}

// AuthIdentityPoolConfigUpdate is the stored form of the API model's UpdateBackendAuthIdentityPoolConfig.
type AuthIdentityPoolConfigUpdate struct {
	UnauthenticatedLogin *bool `json:"unauthenticatedLogin,omitempty"`
}

// AuthUserPoolConfigUpdate is the stored form of the API model's UpdateBackendAuthUserPoolConfig.
type AuthUserPoolConfigUpdate struct {
	ForgotPassword      *AuthForgotPasswordConfigUpdate `json:"forgotPassword,omitzero"`
	Mfa                 *AuthMFAConfigUpdate            `json:"mfa,omitzero"`
	OAuth               *AuthOAuthConfigUpdate          `json:"oAuth,omitzero"`
	PasswordPolicy      *AuthPasswordPolicyUpdate       `json:"passwordPolicy,omitzero"`
	VerificationMessage *AuthVerificationMessageUpdate  `json:"verificationMessage,omitzero"`
}

// APIAuthType is the stored form of the API model's BackendAPIAuthType.
type APIAuthType struct {
	Mode     string           `json:"mode,omitempty"`
	Settings *APIAuthSettings `json:"settings,omitzero"`
}

// APIConflictResolution is the stored form of the API model's BackendAPIConflictResolution.
type APIConflictResolution struct {
	ResolutionStrategy string `json:"resolutionStrategy,omitempty"`
}

// StoragePermissions is the stored form of the API model's BackendStoragePermissions.
type StoragePermissions struct {
	Authenticated   []string `json:"authenticated,omitzero"`
	UnAuthenticated []string `json:"unAuthenticated,omitzero"`
}

// AuthForgotPasswordConfig is the stored form of the API model's CreateBackendAuthForgotPasswordConfig.
type AuthForgotPasswordConfig struct {
	DeliveryMethod string             `json:"deliveryMethod,omitempty"`
	EmailSettings  *AuthEmailSettings `json:"emailSettings,omitzero"`
	SmsSettings    *AuthSmsSettings   `json:"smsSettings,omitzero"`
}

// AuthMFAConfig is the stored form of the API model's CreateBackendAuthMFAConfig.
type AuthMFAConfig struct {
	MFAMode  string           `json:"MFAMode,omitempty"`
	Settings *AuthMFASettings `json:"settings,omitzero"`
}

// AuthOAuthConfig is the stored form of the API model's CreateBackendAuthOAuthConfig.
type AuthOAuthConfig struct {
	DomainPrefix           *string              `json:"domainPrefix,omitempty"`
	OAuthGrantType         string               `json:"oAuthGrantType,omitempty"`
	OAuthScopes            []string             `json:"oAuthScopes,omitzero"`
	RedirectSignInURIs     []string             `json:"redirectSignInURIs,omitzero"`
	RedirectSignOutURIs    []string             `json:"redirectSignOutURIs,omitzero"`
	SocialProviderSettings *AuthSocialProviders `json:"socialProviderSettings,omitzero"`
}

// AuthPasswordPolicy is the stored form of the API model's CreateBackendAuthPasswordPolicyConfig.
type AuthPasswordPolicy struct {
	AdditionalConstraints []string `json:"additionalConstraints,omitzero"`
	MinimumLength         *float64 `json:"minimumLength,omitempty"`
}

// AuthVerificationMessage is the stored form of the API model's CreateBackendAuthVerificationMessageConfig.
type AuthVerificationMessage struct {
	DeliveryMethod string             `json:"deliveryMethod,omitempty"`
	EmailSettings  *AuthEmailSettings `json:"emailSettings,omitzero"`
	SmsSettings    *AuthSmsSettings   `json:"smsSettings,omitzero"`
}

// AuthForgotPasswordConfigUpdate is the stored form of the API model's UpdateBackendAuthForgotPasswordConfig.
type AuthForgotPasswordConfigUpdate struct {
	DeliveryMethod string             `json:"deliveryMethod,omitempty"`
	EmailSettings  *AuthEmailSettings `json:"emailSettings,omitzero"`
	SmsSettings    *AuthSmsSettings   `json:"smsSettings,omitzero"`
}

// AuthMFAConfigUpdate is the stored form of the API model's UpdateBackendAuthMFAConfig.
type AuthMFAConfigUpdate struct {
	MFAMode  string           `json:"MFAMode,omitempty"`
	Settings *AuthMFASettings `json:"settings,omitzero"`
}

// AuthOAuthConfigUpdate is the stored form of the API model's UpdateBackendAuthOAuthConfig.
type AuthOAuthConfigUpdate struct {
	DomainPrefix           *string              `json:"domainPrefix,omitempty"`
	OAuthGrantType         string               `json:"oAuthGrantType,omitempty"`
	OAuthScopes            []string             `json:"oAuthScopes,omitzero"`
	RedirectSignInURIs     []string             `json:"redirectSignInURIs,omitzero"`
	RedirectSignOutURIs    []string             `json:"redirectSignOutURIs,omitzero"`
	SocialProviderSettings *AuthSocialProviders `json:"socialProviderSettings,omitzero"`
}

// AuthPasswordPolicyUpdate is the stored form of the API model's UpdateBackendAuthPasswordPolicyConfig.
type AuthPasswordPolicyUpdate struct {
	AdditionalConstraints []string `json:"additionalConstraints,omitzero"`
	MinimumLength         *float64 `json:"minimumLength,omitempty"`
}

// AuthVerificationMessageUpdate is the stored form of the API model's UpdateBackendAuthVerificationMessageConfig.
type AuthVerificationMessageUpdate struct {
	DeliveryMethod string             `json:"deliveryMethod,omitempty"`
	EmailSettings  *AuthEmailSettings `json:"emailSettings,omitzero"`
	SmsSettings    *AuthSmsSettings   `json:"smsSettings,omitzero"`
}

// APIAuthSettings is the stored form of the API model's BackendAPIAppSyncAuthSettings.
type APIAuthSettings struct {
	CognitoUserPoolId  *string  `json:"cognitoUserPoolId,omitempty"`
	Description        *string  `json:"description,omitempty"`
	ExpirationTime     *float64 `json:"expirationTime,omitempty"`
	OpenIDAuthTTL      *string  `json:"openIDAuthTTL,omitempty"`
	OpenIDClientId     *string  `json:"openIDClientId,omitempty"`
	OpenIDIatTTL       *string  `json:"openIDIatTTL,omitempty"`
	OpenIDIssueURL     *string  `json:"openIDIssueURL,omitempty"`
	OpenIDProviderName *string  `json:"openIDProviderName,omitempty"`
}

// AuthEmailSettings is the stored form of the API model's EmailSettings.
type AuthEmailSettings struct {
	EmailMessage *string `json:"emailMessage,omitempty"`
	EmailSubject *string `json:"emailSubject,omitempty"`
}

// AuthSmsSettings is the stored form of the API model's SmsSettings.
type AuthSmsSettings struct {
	SmsMessage *string `json:"smsMessage,omitempty"`
}

// AuthMFASettings is the stored form of the API model's Settings.
type AuthMFASettings struct {
	MfaTypes   []string `json:"mfaTypes,omitzero"`
	SmsMessage *string  `json:"smsMessage,omitempty"`
}

// AuthSocialProviders is the stored form of the API model's SocialProviderSettings.
type AuthSocialProviders struct {
	Facebook        *AuthSocialProvider `json:"Facebook,omitzero"`
	Google          *AuthSocialProvider `json:"Google,omitzero"`
	LoginWithAmazon *AuthSocialProvider `json:"LoginWithAmazon,omitzero"`
	SignInWithApple *AuthAppleProvider  `json:"SignInWithApple,omitzero"`
}

// AuthSocialProvider is the stored form of the API model's BackendAuthSocialProviderConfig.
type AuthSocialProvider struct {
	ClientId     *string `json:"client_id,omitempty"`
	ClientSecret *string `json:"client_secret,omitempty"`
}

// AuthAppleProvider is the stored form of the API model's BackendAuthAppleProviderConfig.
type AuthAppleProvider struct {
	ClientId   *string `json:"client_id,omitempty"`
	KeyId      *string `json:"key_id,omitempty"`
	PrivateKey *string `json:"private_key,omitempty"`
	TeamId     *string `json:"team_id,omitempty"`
}

// decodeRecord reads a stored record of type T; an empty one is T's zero
// value.
func decodeRecord[T any](what string, raw json.RawMessage) (*T, error) {
	out := new(T)
	if len(raw) == 0 || string(raw) == "null" {
		return out, nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	return out, nil
}

// config reads the resource's configuration as T, checking its version.
func config[T any](r *Resource, kind ResourceKind) (*T, error) {
	what := fmt.Sprintf("configuration of %s resource %s", r.Kind, r.Name)
	if r.Kind != kind {
		return nil, fmt.Errorf("read %s as %s configuration", what, kind)
	}
	if err := checkVersion(what, r.V); err != nil {
		return nil, err
	}
	return decodeRecord[T](what, r.Config)
}

// authConfig, apiConfig and storageConfig read a resource's configuration.
func (r *Resource) authConfig() (*AuthConfig, error) { return config[AuthConfig](r, KindAuth) }
func (r *Resource) apiConfig() (*APIConfig, error)   { return config[APIConfig](r, KindAPI) }
func (r *Resource) storageConfig() (*StorageConfig, error) {
	return config[StorageConfig](r, KindStorage)
}

// setConfig stores cfg (an AuthConfig, APIConfig or StorageConfig) as the
// resource's configuration, in this release's record version.
func (r *Resource) setConfig(cfg any) error {
	raw, err := json.Marshal(cfg)
	if err != nil {
		return fmt.Errorf("write configuration of %s resource %s: %w", r.Kind, r.Name, err)
	}
	r.Config, r.V = raw, recordVersion
	return nil
}

// authImport is the import request of an imported auth resource.
func (r *Resource) authImport() (*AuthImport, error) {
	return decodeRecord[AuthImport](fmt.Sprintf("import source of auth resource %s", r.Name), r.Source)
}

// setSource records what an imported resource was imported from.
func (r *Resource) setSource(src any) error {
	raw, err := json.Marshal(src)
	if err != nil {
		return fmt.Errorf("write import source of %s resource %s: %w", r.Kind, r.Name, err)
	}
	r.Source, r.Imported = raw, true
	return nil
}

// loginAuthConfig reads the Admin UI login configuration; nil when absent.
func (c *AppConfig) loginAuthConfig() (*LoginAuthConfig, error) {
	if len(c.LoginAuthConfig) == 0 {
		return nil, nil
	}
	return decodeRecord[LoginAuthConfig]("Admin UI login configuration", c.LoginAuthConfig)
}

func (c *AppConfig) setLoginAuthConfig(l *LoginAuthConfig) error {
	raw, err := json.Marshal(l)
	if err != nil {
		return fmt.Errorf("write Admin UI login configuration: %w", err)
	}
	c.LoginAuthConfig = raw
	return nil
}
