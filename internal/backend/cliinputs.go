package backend

import (
	"encoding/json"
	"strings"
)

// The per-resource files of the Amplify CLI's amplify/backend tree, in the
// forms the CLI (Gen 1, transformer v2) writes them, derived from a
// resource's stored configuration.

// authFiles adds auth/<name>/: cli-inputs.json and build/parameters.json,
// the same parameters (the CLI reads the built ones when it derives the
// frontend's auth configuration on pull).
func authFiles(files map[string][]byte, dir, name string, cfg *AuthConfig) error {
	params := authParams(name, cfg)
	var err error
	if files[dir+"cli-inputs.json"], err = indented(map[string]any{"version": "1", "cognitoConfig": params}); err != nil {
		return err
	}
	files[dir+"build/parameters.json"], err = indented(params)
	return err
}

// authParams are an auth resource's parameters, as the CLI's auth
// walkthrough names and spells them.
func authParams(name string, cfg *AuthConfig) map[string]any {
	up := cfg.UserPoolConfigs
	if up == nil {
		up = &AuthUserPoolConfig{}
	}
	f := frontendAuthOf(cfg)
	lower := func(xs []string) []string {
		out := make([]string, 0, len(xs))
		for _, x := range xs {
			out = append(out, strings.ToLower(x))
		}
		return out
	}
	mfaTypes := []string{}
	for _, t := range f.MfaTypes {
		if t == "SMS" {
			mfaTypes = append(mfaTypes, "SMS Text Message")
		} else {
			mfaTypes = append(mfaTypes, t)
		}
	}
	selections := "userPoolOnly"
	if cfg.AuthResources == "IDENTITY_POOL_AND_USER_POOL" {
		selections = "identityPoolAndUserPool"
	}
	unauth := cfg.IdentityPoolConfigs != nil && cfg.IdentityPoolConfigs.UnauthenticatedLogin != nil && *cfg.IdentityPoolConfigs.UnauthenticatedLogin
	required := lower(up.RequiredSignUpAttributes)
	autoVerified := lower(f.VerificationMechanisms)
	userPoolName := str(up.UserPoolName)
	if userPoolName == "" {
		userPoolName = name + "_userpool"
	}
	c := map[string]any{
		"resourceName": name, "serviceName": "Cognito", "authSelections": selections, "useDefault": "manual",
		"userPoolName": userPoolName, "identityPoolName": identityPoolName(name, cfg),
		"allowUnauthenticatedIdentities": unauth,
		"usernameAttributes":             lower(f.UsernameAttributes), "requiredAttributes": required,
		"autoVerifiedAttributes": autoVerified, "aliasAttributes": []string{},
		"mfaConfiguration": f.MfaConfiguration, "mfaTypes": mfaTypes,
		"passwordPolicyMinLength":      f.PasswordProtectionSettings.PasswordPolicyMinLength,
		"passwordPolicyCharacters":     f.PasswordProtectionSettings.PasswordPolicyCharacters,
		"userpoolClientGenerateSecret": false, "userpoolClientRefreshTokenValidity": 30,
		"userpoolClientReadAttributes": required, "userpoolClientWriteAttributes": required,
		"usernameCaseSensitive": false, "useEnabledMfas": true, "breakCircularDependency": true,
		"userPoolGroupList": []string{}, "userPoolGroups": false, "adminQueries": false,
		"triggers": map[string]any{}, "dependsOn": []any{}, "permissions": []any{},
		"hostedUI": up.OAuth != nil, "authProviders": []string{},
		"authRoleArn":   map[string]any{"Fn::GetAtt": []string{"AuthRole", "Arn"}},
		"unauthRoleArn": map[string]any{"Fn::GetAtt": []string{"UnauthRole", "Arn"}},
	}
	if vm := up.VerificationMessage; vm != nil {
		if vm.EmailSettings != nil {
			c["emailVerificationSubject"], c["emailVerificationMessage"] = str(vm.EmailSettings.EmailSubject), str(vm.EmailSettings.EmailMessage)
		}
		if vm.SmsSettings != nil {
			c["smsVerificationMessage"] = str(vm.SmsSettings.SmsMessage)
		}
	}
	if up.SignInMethod == "EMAIL_AND_PHONE_NUMBER" {
		// The walkthrough's one answer, which the CLI splits on commas.
		c["usernameAttributes"] = []string{"email, phone_number"}
	}
	chars := []string{}
	for _, ch := range f.PasswordProtectionSettings.PasswordPolicyCharacters {
		// REQUIRES_LOWERCASE → "Requires Lowercase"
		words := strings.Split(strings.ToLower(ch), "_")
		for i, w := range words {
			words[i] = strings.ToUpper(w[:1]) + w[1:]
		}
		chars = append(chars, strings.Join(words, " "))
	}
	c["passwordPolicyCharacters"] = chars
	if o := up.OAuth; o != nil {
		if str(o.DomainPrefix) != "" {
			c["hostedUIDomainName"] = *o.DomainPrefix
		}
		meta := map[string]any{}
		addOAuthOutputs(meta, cfg)
		c["oAuthMetadata"] = meta["OAuthMetadata"]
		providers, providerMeta := []string{}, []map[string]any{}
		if sp := o.SocialProviderSettings; sp != nil {
			set := map[string]bool{"Facebook": sp.Facebook != nil, "Google": sp.Google != nil,
				"LoginWithAmazon": sp.LoginWithAmazon != nil, "SignInWithApple": sp.SignInWithApple != nil}
			for _, x := range socialProviders {
				if set[x.name] {
					providers = append(providers, x.name)
					providerMeta = append(providerMeta, map[string]any{"ProviderName": x.name, "authorize_scopes": x.scopes,
						"AttributeMapping": map[string]string{"email": "email", "username": x.username}})
				}
			}
		}
		c["authProvidersUserPool"] = providers
		pm, _ := json.Marshal(providerMeta)
		c["hostedUIProviderMeta"] = string(pm)
	}
	return c
}

// apiFiles adds api/<name>/: schema.graphql, cli-inputs.json,
// parameters.json and transform.conf.json.
func apiFiles(files map[string][]byte, dir, name string, cfg *APIConfig) error {
	files[dir+"schema.graphql"] = []byte(str(cfg.TransformSchema))
	mode := func(t APIAuthType) map[string]any {
		m := map[string]any{"mode": t.Mode}
		if t.Mode == "" {
			m["mode"] = "API_KEY"
		}
		if s := t.Settings; s != nil {
			if s.ExpirationTime != nil {
				m["expirationTime"] = int(*s.ExpirationTime)
			}
			if str(s.Description) != "" {
				m["keyDescription"] = *s.Description
			}
			if str(s.CognitoUserPoolId) != "" {
				m["cognitoUserPoolId"] = *s.CognitoUserPoolId
			}
			for k, v := range map[string]*string{"openIDProviderName": s.OpenIDProviderName, "openIDIssuerURL": s.OpenIDIssueURL,
				"openIDClientID": s.OpenIDClientId, "openIDAuthTTL": s.OpenIDAuthTTL, "openIDIatTTL": s.OpenIDIatTTL} {
				if str(v) != "" {
					m[k] = *v
				}
			}
		} else if m["mode"] == "API_KEY" {
			m["expirationTime"] = 7
		}
		return m
	}
	def := APIAuthType{}
	if cfg.DefaultAuthType != nil {
		def = *cfg.DefaultAuthType
	}
	extra := []map[string]any{}
	for _, t := range cfg.AdditionalAuthTypes {
		extra = append(extra, mode(t))
	}
	sc := map[string]any{"apiName": name, "serviceName": "AppSync", "defaultAuthType": mode(def), "additionalAuthTypes": extra}
	transform := map[string]any{"Version": 5, "ElasticsearchWarning": true}
	if cr := cfg.ConflictResolution; cr != nil && cr.ResolutionStrategy != "" && cr.ResolutionStrategy != "NONE" {
		strategy := map[string]any{"type": cr.ResolutionStrategy}
		if cr.ResolutionStrategy == "LAMBDA" {
			strategy["resolver"] = map[string]string{"type": "NEW"}
		}
		sc["conflictResolution"] = map[string]any{"defaultResolutionStrategy": strategy}
		project := map[string]any{"ConflictHandler": cr.ResolutionStrategy, "ConflictDetection": "VERSION"}
		if cr.ResolutionStrategy == "LAMBDA" {
			fn := name + "ConflictHandler"
			project["LambdaConflictHandler"] = map[string]string{"name": fn, "lambdaArn": fn}
		}
		transform["ResolverConfig"] = map[string]any{"project": project}
	}
	var err error
	if files[dir+"cli-inputs.json"], err = indented(map[string]any{"version": 1, "serviceConfiguration": sc}); err != nil {
		return err
	}
	if files[dir+"parameters.json"], err = indented(map[string]any{"AppSyncApiName": name,
		"DynamoDBBillingMode": "PAY_PER_REQUEST", "DynamoDBEnableServerSideEncryption": false}); err != nil {
		return err
	}
	files[dir+"transform.conf.json"], err = indented(transform)
	return err
}

// storageCLIInputs is storage/<name>/cli-inputs.json.
func storageCLIInputs(name string, cfg *StorageConfig) ([]byte, error) {
	authAccess, guestAccess := []string{}, []string{}
	if cfg.Permissions != nil {
		authAccess, guestAccess = nonNil(cfg.Permissions.Authenticated), nonNil(cfg.Permissions.UnAuthenticated)
	}
	access := "auth"
	if len(guestAccess) > 0 {
		access = "authAndGuest"
	}
	return indented(map[string]any{
		"resourceName": name, "bucketName": str(cfg.BucketName), "policyUUID": idsFor(Partition{}, name).alnum("policy", 8, false),
		"storageAccess": access, "authAccess": authAccess, "guestAccess": guestAccess,
		"triggerFunction": "NONE", "groupAccess": map[string]any{},
	})
}
