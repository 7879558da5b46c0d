package backend

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// resourceOf makes a stored resource with cfg as its configuration.
func resourceOf(t *testing.T, kind ResourceKind, name string, cfg any) Resource {
	t.Helper()
	r := Resource{AppID: "app1", Env: "dev", Kind: kind, Name: name}
	if err := r.setConfig(cfg); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestBackendTree_AuthParametersAsTheCLIWritesThem(t *testing.T) {
	p := Partition{Account: "123456789012", Region: "eu-west-1"}
	app := &App{ID: "app1", Name: "App One"}
	env := &Env{AppID: "app1", Name: "dev", Created: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	min := 10.0
	auth := resourceOf(t, KindAuth, "myauth", &AuthConfig{AuthResources: "IDENTITY_POOL_AND_USER_POOL", Service: "COGNITO",
		UserPoolConfigs: &AuthUserPoolConfig{SignInMethod: "EMAIL_AND_PHONE_NUMBER", RequiredSignUpAttributes: []string{"EMAIL", "FAMILY_NAME"},
			PasswordPolicy: &AuthPasswordPolicy{MinimumLength: &min, AdditionalConstraints: []string{"REQUIRE_DIGIT", "REQUIRE_LOWERCASE"}},
			Mfa:            &AuthMFAConfig{MFAMode: "OPTIONAL", Settings: &AuthMFASettings{MfaTypes: []string{"SMS", "TOTP"}}},
			OAuth: &AuthOAuthConfig{DomainPrefix: ptr("myapp"), OAuthGrantType: "CODE", OAuthScopes: []string{"EMAIL", "AWS_COGNITO_SIGNIN_USER_ADMIN"},
				RedirectSignInURIs: []string{"https://in/"}, RedirectSignOutURIs: []string{"https://out/"},
				SocialProviderSettings: &AuthSocialProviders{Google: &AuthSocialProvider{ClientId: ptr("g")}, SignInWithApple: &AuthAppleProvider{ClientId: ptr("a")}}},
			VerificationMessage: &AuthVerificationMessage{DeliveryMethod: "SMS"}}})
	files, meta, err := buildTree(p, app, env, []Resource{auth})
	if err != nil {
		t.Fatal(err)
	}
	var params map[string]any
	if err := json.Unmarshal(files["auth/myauth/build/parameters.json"], &params); err != nil {
		t.Fatalf("build/parameters.json: %v", err)
	}
	var inputs struct{ CognitoConfig map[string]any }
	if err := json.Unmarshal(files["auth/myauth/cli-inputs.json"], &inputs); err != nil || !reflect.DeepEqual(inputs.CognitoConfig, params) {
		t.Fatalf("cli-inputs.json's cognitoConfig differs from build/parameters.json: %v", err)
	}
	for key, want := range map[string]any{
		"usernameAttributes":       []any{"email, phone_number"},
		"requiredAttributes":       []any{"email", "family_name"},
		"autoVerifiedAttributes":   []any{"phone_number"},
		"passwordPolicyMinLength":  10.0,
		"passwordPolicyCharacters": []any{"Requires Numbers", "Requires Lowercase"},
		"mfaConfiguration":         "OPTIONAL",
		"mfaTypes":                 []any{"SMS Text Message", "TOTP"},
		"authProvidersUserPool":    []any{"Google", "SignInWithApple"},
		"hostedUIDomainName":       "myapp",
		"hostedUI":                 true,
		"authSelections":           "identityPoolAndUserPool",
	} {
		if got := params[key]; !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, want %#v", key, got, want)
		}
	}
	var oauth map[string]any
	if err := json.Unmarshal([]byte(params["oAuthMetadata"].(string)), &oauth); err != nil ||
		!reflect.DeepEqual(oauth["AllowedOAuthScopes"], []any{"email", "aws.cognito.signin.user.admin"}) || !reflect.DeepEqual(oauth["AllowedOAuthFlows"], []any{"code"}) {
		t.Errorf("oAuthMetadata %v (%v)", params["oAuthMetadata"], err)
	}
	f := meta[KindAuth]["myauth"].FrontendAuthConfig
	if !reflect.DeepEqual(f.UsernameAttributes, []string{"EMAIL", "PHONE_NUMBER"}) || !reflect.DeepEqual(f.SocialProviders, []string{"GOOGLE", "APPLE"}) ||
		!reflect.DeepEqual(f.PasswordProtectionSettings.PasswordPolicyCharacters, []string{"REQUIRES_NUMBERS", "REQUIRES_LOWERCASE"}) {
		t.Errorf("frontendAuthConfig %+v", f)
	}
	out := meta[KindAuth]["myauth"].Output
	if out["HostedUIDomain"] != "myapp" || out["IdentityPoolId"] == nil || out["IdentityPoolId"] == "" {
		t.Errorf("auth output %v", out)
	}
	if meta[KindAuth]["myauth"].LastPushTimeStamp != "2026-01-02T03:04:05.000Z" {
		t.Errorf("lastPushTimeStamp %s", meta[KindAuth]["myauth"].LastPushTimeStamp)
	}
}

func TestBackendTree_APIKeyOnlyWithAnAPIKeyMode(t *testing.T) {
	p := Partition{Account: "123456789012", Region: "eu-west-1"}
	app := &App{ID: "app1", Name: "App One"}
	env := &Env{AppID: "app1", Name: "dev"}
	for _, c := range []struct {
		name       string
		cfg        *APIConfig
		key, store bool
	}{
		{"default mode absent: API key", &APIConfig{}, true, false},
		{"IAM with an extra API key", &APIConfig{DefaultAuthType: &APIAuthType{Mode: "AWS_IAM"}, AdditionalAuthTypes: []APIAuthType{{Mode: "API_KEY"}}}, true, false},
		{"user pools only, conflict resolution NONE", &APIConfig{DefaultAuthType: &APIAuthType{Mode: "AMAZON_COGNITO_USER_POOLS"},
			ConflictResolution: &APIConflictResolution{ResolutionStrategy: "NONE"}}, false, false},
		{"OIDC with DataStore", &APIConfig{DefaultAuthType: &APIAuthType{Mode: "OPENID_CONNECT"},
			ConflictResolution: &APIConflictResolution{ResolutionStrategy: "OPTIMISTIC_CONCURRENCY"}}, false, true},
	} {
		files, meta, err := buildTree(p, app, env, []Resource{resourceOf(t, KindAPI, "api1", c.cfg)})
		if err != nil {
			t.Fatal(err)
		}
		key, hasKey := meta[KindAPI]["api1"].Output["GraphQLAPIKeyOutput"]
		// GetBackend's amplifyMetaConfig names the same key, or none.
		told, err := amplifyMeta(p, app, env, []Resource{resourceOf(t, KindAPI, "api1", c.cfg)})
		if err != nil {
			t.Fatal(err)
		}
		var got amplifyMetaJSON
		if err := json.Unmarshal([]byte(told), &got); err != nil {
			t.Fatal(err)
		}
		if k, ok := got.API["api1"].Output["GraphQLAPIKeyOutput"]; ok != hasKey || (ok && k != key) {
			t.Errorf("%s: GetBackend's key %q (%v), the deployed meta's %v (%v)", c.name, k, ok, key, hasKey)
		}
		var tc map[string]any
		json.Unmarshal(files["api/api1/transform.conf.json"], &tc)
		_, datastore := tc["ResolverConfig"]
		if hasKey != c.key || datastore != c.store {
			t.Errorf("%s: API key %v, ResolverConfig %v", c.name, hasKey, datastore)
		}
	}
}

func TestZipTree_SameStateSameBytes(t *testing.T) {
	at := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	a, err := zipTree(map[string][]byte{"b": []byte("2"), "a/x": []byte("1")}, at)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := zipTree(map[string][]byte{"a/x": []byte("1"), "b": []byte("2")}, at)
	c, _ := zipTree(map[string][]byte{"a/x": []byte("1"), "b": []byte("2")}, at.Add(time.Second))
	if string(a) != string(b) || string(a) == string(c) {
		t.Errorf("same files: equal %v; another time: equal %v", string(a) == string(b), string(a) == string(c))
	}
}

func ptr(s string) *string { return &s }
