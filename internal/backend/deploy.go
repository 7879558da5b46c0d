package backend

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"time"

	ab "github.com/amplifylite/amplifylite/amplifybackend"
)

// An environment's deployment bucket holds what the Amplify CLI left there
// after a push: amplify-meta.json and #current-cloud-backend.zip (the
// project's amplify/backend tree). They are built from the stored state when
// asked for, so they always show the state as the last completed job left
// it, and the same state always gives the same bytes.

// Artifact names in a deployment bucket.
const (
	MetaObject = "amplify-meta.json"
	ZipObject  = "#current-cloud-backend.zip"
)

// Object is one object of a deployment bucket.
type Object struct {
	Key      string
	Body     []byte
	ETag     string // quoted MD5 of Body, as S3 gives it
	Modified time.Time
}

// Deployment is an environment's deployment bucket and its objects, by key.
type Deployment struct {
	Bucket  string
	Created time.Time
	Objects []Object
}

// Bucket returns a bucket of the partition with its objects: an
// environment's deployment bucket, or, empty, one ListS3Buckets lists (a
// storage resource's, an imported or a configured one); else a NotFound
// error. Its objects are shared: a caller must not change them.
func (s *Service) Bucket(ctx context.Context, p Partition, bucket string) (*Deployment, error) {
	gen := s.gen.Load()
	if s.envs != nil {
		if d := s.envs.deployment(p, gen, bucket); d != nil {
			return d, nil
		}
	}
	var out *Deployment
	err := s.store.View(ctx, func(tx Tx) error {
		app, env, err := s.envNamed(tx, p, gen, bucketKey, bucket)
		if err != nil {
			return err
		}
		if env != nil {
			out, err = deployment(tx, p, app, env)
			return err
		}
		others, err := tx.Buckets(p)
		if err != nil {
			return err
		}
		for _, b := range others {
			if b.Name == bucket {
				out = &Deployment{Bucket: b.Name, Created: b.Created}
				return nil
			}
		}
		return notFoundf("Bucket", "The specified bucket does not exist")
	})
	if err != nil {
		return nil, err
	}
	if s.envs != nil {
		s.envs.keep(p, gen, out)
	}
	return out, nil
}

// envWhere returns the partition's first environment (by app id, then age)
// for which match holds, with its app; nil when none does.
func envWhere(tx Tx, p Partition, match func(*App, *Env) bool) (*App, *Env, error) {
	ids, err := tx.AppIDs(p)
	if err != nil {
		return nil, nil, err
	}
	for _, id := range ids {
		app, err := tx.App(p, id)
		if err != nil {
			return nil, nil, err
		}
		if app == nil {
			continue
		}
		envs, err := tx.Envs(p, id)
		if err != nil {
			return nil, nil, err
		}
		for i := range envs {
			if match(app, &envs[i]) {
				return app, &envs[i], nil
			}
		}
	}
	return nil, nil, nil
}

// pushedAt is when the environment's deployment last changed.
func pushedAt(e *Env) time.Time {
	if e.Pushed.IsZero() {
		return e.Created
	}
	return e.Pushed
}

func deployment(tx Tx, p Partition, app *App, e *Env) (*Deployment, error) {
	resources, err := tx.Resources(p, app.ID, e.Name)
	if err != nil {
		return nil, err
	}
	tree, err := backendTree(p, app, e, resources)
	if err != nil {
		return nil, err
	}
	zipped, err := zipTree(tree, pushedAt(e))
	if err != nil {
		return nil, err
	}
	_, bucket := stackOf(p, app, e)
	d := &Deployment{Bucket: bucket, Created: e.Created}
	for _, o := range []struct {
		key  string
		body []byte
	}{{MetaObject, tree[MetaObject]}, {ZipObject, zipped}} {
		sum := md5.Sum(o.body)
		d.Objects = append(d.Objects, Object{Key: o.key, Body: o.body, ETag: `"` + hex.EncodeToString(sum[:]) + `"`, Modified: pushedAt(e)})
	}
	sort.Slice(d.Objects, func(i, j int) bool { return d.Objects[i].Key < d.Objects[j].Key })
	return d, nil
}

// zipTree zips files (path → content) in path order, every entry dated at.
func zipTree(files map[string][]byte, at time.Time) ([]byte, error) {
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range paths {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p, Method: zip.Deflate, Modified: at.UTC()})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(files[p]); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// pushedMeta is one resource's entry of a pushed project's amplify-meta.json.
type pushedMeta struct {
	Service            string            `json:"service"`
	ProviderPlugin     string            `json:"providerPlugin"`
	ServiceType        string            `json:"serviceType,omitempty"`
	DependsOn          []dependency      `json:"dependsOn"`
	CustomAuth         *bool             `json:"customAuth,omitempty"`
	FrontendAuthConfig *frontendAuth     `json:"frontendAuthConfig,omitempty"`
	Output             map[string]any    `json:"output"`
	LastPushTimeStamp  string            `json:"lastPushTimeStamp"`
	ProviderMetadata   map[string]string `json:"providerMetadata,omitempty"`
}

type dependency struct {
	Category     string   `json:"category"`
	ResourceName string   `json:"resourceName"`
	Attributes   []string `json:"attributes"`
}

// backendTree returns the files of the environment's amplify/backend tree,
// by path: amplify-meta.json, backend-config.json, tags.json and what the
// Amplify CLI writes per resource.
func backendTree(p Partition, app *App, e *Env, resources []Resource) (map[string][]byte, error) {
	files, _, err := buildTree(p, app, e, resources)
	return files, err
}

// backendMeta returns the resources' entries of the environment's
// amplify-meta.json, by kind and name.
func backendMeta(p Partition, app *App, e *Env, resources []Resource) (map[ResourceKind]map[string]*pushedMeta, error) {
	_, meta, err := buildTree(p, app, e, resources)
	return meta, err
}

func buildTree(p Partition, app *App, e *Env, resources []Resource) (map[string][]byte, map[ResourceKind]map[string]*pushedMeta, error) {
	byKind := map[ResourceKind]map[string]*pushedMeta{}
	_, bucket := stackOf(p, app, e)
	pushed := pushedAt(e).UTC().Format("2006-01-02T15:04:05.000Z")
	meta := map[string]any{"providers": map[string]any{"awscloudformation": providerMeta(p, app, e)}}
	config := map[string]any{}
	files := map[string][]byte{}
	var authName string
	for _, r := range resources {
		if r.Kind == KindAuth {
			authName = deployedName(&r)
		}
	}
	for i := range resources {
		r := &resources[i]
		base, err := resourceMetaOf(p, app.ID, e.Name, r)
		if err != nil {
			return nil, nil, err
		}
		m := pushedMeta{Service: base.Service, ProviderPlugin: base.ProviderPlugin, ServiceType: base.ServiceType,
			DependsOn: []dependency{}, Output: map[string]any{}, LastPushTimeStamp: pushed}
		for k, v := range base.Output {
			m.Output[k] = v
		}
		if !r.Imported {
			m.ProviderMetadata = map[string]string{
				"s3TemplateURL": "https://s3.amazonaws.com/" + bucket + "/amplify-cfn-templates/" + string(r.Kind) + "/" + r.Name + "-cloudformation-template.json",
				"logicalId":     string(r.Kind) + r.Name,
			}
		}
		// backend-config.json holds what a resource is, not what it made.
		bc := map[string]any{"service": m.Service, "providerPlugin": m.ProviderPlugin, "dependsOn": m.DependsOn}
		if m.ServiceType != "" {
			bc["serviceType"] = m.ServiceType
		}
		name := deployedName(r)
		dir := string(r.Kind) + "/" + name + "/"
		switch r.Kind {
		case KindAuth:
			cfg, err := r.authConfig()
			if err != nil {
				return nil, nil, err
			}
			m.CustomAuth, m.FrontendAuthConfig = ab.Bool(false), frontendAuthOf(cfg)
			addOAuthOutputs(m.Output, cfg)
			m.Output["UserPoolArn"] = "arn:aws:cognito-idp:" + p.Region + ":" + p.Account + ":userpool/" + base.Output["UserPoolId"]
			if base.Output["IdentityPoolId"] != "" {
				m.Output["IdentityPoolName"] = identityPoolName(name, cfg)
			}
			bc["customAuth"] = false
			if !r.Imported {
				bc["frontendAuthConfig"] = m.FrontendAuthConfig
				if err := authFiles(files, dir, r.Name, cfg); err != nil {
					return nil, nil, err
				}
			} else {
				// What `amplify import auth` writes; the pool's ids are
				// environment parameters (envParameters).
				files[dir+"parameters.json"], err = indented(importedAuthParameters(p, name, base, cfg))
				if err != nil {
					return nil, nil, err
				}
			}
		case KindAPI:
			cfg, err := r.apiConfig()
			if err != nil {
				return nil, nil, err
			}
			auth := apiAuthConfig(cfg, authName)
			m.Output["authConfig"] = auth
			if authName != "" && usesUserPools(cfg) {
				m.DependsOn = []dependency{{Category: "auth", ResourceName: authName, Attributes: []string{"UserPoolId"}}}
			}
			bc["dependsOn"], bc["output"] = m.DependsOn, map[string]any{"authConfig": auth}
			if err := apiFiles(files, dir, r.Name, cfg); err != nil {
				return nil, nil, err
			}
		case KindStorage:
			cfg, err := r.storageConfig()
			if err != nil {
				return nil, nil, err
			}
			if authName != "" {
				m.DependsOn = []dependency{{Category: "auth", ResourceName: authName, Attributes: []string{"UserPoolId"}}}
				bc["dependsOn"] = m.DependsOn
			}
			if !r.Imported {
				files[dir+"cli-inputs.json"], err = storageCLIInputs(r.Name, cfg)
			} else {
				// What `amplify import storage` writes; the bucket itself is
				// an environment parameter (envParameters).
				files[dir+"parameters.json"], err = indented(map[string]string{"resourceName": r.Name, "serviceType": "imported"})
			}
			if err != nil {
				return nil, nil, err
			}
		}
		if byKind[r.Kind] == nil {
			byKind[r.Kind] = map[string]*pushedMeta{}
			meta[string(r.Kind)] = byKind[r.Kind]
		}
		byKind[r.Kind][name] = &m
		bcCategory, _ := config[string(r.Kind)].(map[string]any)
		if bcCategory == nil {
			bcCategory = map[string]any{}
			config[string(r.Kind)] = bcCategory
		}
		bcCategory[name] = bc
	}
	params, err := envParameters(p, app.ID, e, resources)
	if err != nil {
		return nil, nil, err
	}
	if len(params) > 0 {
		// The environment parameters the CLI fetches from SSM on pull.
		declared := map[string]any{}
		for _, ep := range params {
			declared[ep.Key()] = map[string]any{"usedBy": []map[string]string{{"category": ep.Category, "resourceName": ep.Resource}}}
		}
		config["parameters"] = declared
	}
	if files[MetaObject], err = indented(meta); err != nil {
		return nil, nil, err
	}
	if files["backend-config.json"], err = indented(config); err != nil {
		return nil, nil, err
	}
	// The project's feature flags, which the CLI moves to amplify/cli.json
	// on pull (model generation reads them).
	files["cli.json"] = []byte(featureFlags)
	// The CLI's own tags file, placeholders included (it fills them in at push).
	files["tags.json"], err = indented([]map[string]string{{"Key": "user:Stack", "Value": "{project-env}"}, {"Key": "user:Application", "Value": "{project-name}"}})
	return files, byKind, err
}

// indented is v as the Amplify CLI writes JSON files: two-space indents.
func indented(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// providerMeta is providers.awscloudformation of the environment's meta.
func providerMeta(p Partition, app *App, e *Env) cloudformationMeta {
	stack, bucket := stackOf(p, app, e)
	role := func(name string) string { return "arn:aws:iam::" + p.Account + ":role/" + name }
	return cloudformationMeta{
		AuthRoleName: stack + "-authRole", AuthRoleArn: role(stack + "-authRole"),
		UnauthRoleName: stack + "-unauthRole", UnauthRoleArn: role(stack + "-unauthRole"),
		Region: p.Region, DeploymentBucketName: bucket, StackName: stack,
		StackId:      "arn:aws:cloudformation:" + p.Region + ":" + p.Account + ":stack/" + stack + "/" + idsFor(p, app.ID, e.Name).uuid("stack"),
		AmplifyAppId: app.ID,
	}
}

// frontendAuth is the frontendAuthConfig of an auth resource: what
// aws-exports.js tells the UI libraries about sign-up and sign-in.
type frontendAuth struct {
	SocialProviders            []string       `json:"socialProviders"`
	UsernameAttributes         []string       `json:"usernameAttributes"`
	SignupAttributes           []string       `json:"signupAttributes"`
	PasswordProtectionSettings passwordPolicy `json:"passwordProtectionSettings"`
	MfaConfiguration           string         `json:"mfaConfiguration"`
	MfaTypes                   []string       `json:"mfaTypes"`
	VerificationMechanisms     []string       `json:"verificationMechanisms"`
}

type passwordPolicy struct {
	PasswordPolicyMinLength  int      `json:"passwordPolicyMinLength"`
	PasswordPolicyCharacters []string `json:"passwordPolicyCharacters"`
}

func frontendAuthOf(cfg *AuthConfig) *frontendAuth {
	f := &frontendAuth{SocialProviders: []string{}, UsernameAttributes: []string{}, SignupAttributes: []string{},
		PasswordProtectionSettings: passwordPolicy{PasswordPolicyMinLength: 8, PasswordPolicyCharacters: []string{}},
		MfaConfiguration:           "OFF", MfaTypes: []string{"SMS"}, VerificationMechanisms: []string{}}
	up := cfg.UserPoolConfigs
	if up == nil {
		return f
	}
	switch up.SignInMethod {
	case "EMAIL":
		f.UsernameAttributes = []string{"EMAIL"}
	case "PHONE_NUMBER":
		f.UsernameAttributes = []string{"PHONE_NUMBER"}
	case "EMAIL_AND_PHONE_NUMBER":
		f.UsernameAttributes = []string{"EMAIL", "PHONE_NUMBER"}
	}
	f.SignupAttributes = append(f.SignupAttributes, up.RequiredSignUpAttributes...)
	if pp := up.PasswordPolicy; pp != nil {
		if pp.MinimumLength != nil {
			f.PasswordProtectionSettings.PasswordPolicyMinLength = int(*pp.MinimumLength)
		}
		names := map[string]string{"REQUIRE_DIGIT": "REQUIRES_NUMBERS", "REQUIRE_LOWERCASE": "REQUIRES_LOWERCASE",
			"REQUIRE_SYMBOL": "REQUIRES_SYMBOLS", "REQUIRE_UPPERCASE": "REQUIRES_UPPERCASE"}
		for _, c := range pp.AdditionalConstraints {
			if n, ok := names[c]; ok {
				f.PasswordProtectionSettings.PasswordPolicyCharacters = append(f.PasswordProtectionSettings.PasswordPolicyCharacters, n)
			}
		}
	}
	if up.Mfa != nil && up.Mfa.MFAMode != "" {
		f.MfaConfiguration = up.Mfa.MFAMode
		if up.Mfa.Settings != nil && len(up.Mfa.Settings.MfaTypes) > 0 {
			f.MfaTypes = up.Mfa.Settings.MfaTypes
		}
	}
	if vm := up.VerificationMessage; vm != nil {
		switch vm.DeliveryMethod {
		case "EMAIL":
			f.VerificationMechanisms = []string{"EMAIL"}
		case "SMS":
			f.VerificationMechanisms = []string{"PHONE_NUMBER"}
		}
	}
	if o := up.OAuth; o != nil && o.SocialProviderSettings != nil {
		sp := o.SocialProviderSettings
		for _, x := range []struct {
			set  bool
			name string
		}{{sp.Facebook != nil, "FACEBOOK"}, {sp.Google != nil, "GOOGLE"}, {sp.LoginWithAmazon != nil, "AMAZON"}, {sp.SignInWithApple != nil, "APPLE"}} {
			if x.set {
				f.SocialProviders = append(f.SocialProviders, x.name)
			}
		}
	}
	return f
}

// addOAuthOutputs adds the hosted UI's outputs of an auth resource with OAuth.
func addOAuthOutputs(out map[string]any, cfg *AuthConfig) {
	if cfg.UserPoolConfigs == nil || cfg.UserPoolConfigs.OAuth == nil {
		return
	}
	o := cfg.UserPoolConfigs.OAuth
	flow := "code"
	if o.OAuthGrantType == "IMPLICIT" {
		flow = "implicit"
	}
	scopes := make([]string, 0, len(o.OAuthScopes))
	for _, s := range o.OAuthScopes {
		if s == "AWS_COGNITO_SIGNIN_USER_ADMIN" {
			scopes = append(scopes, "aws.cognito.signin.user.admin")
		} else {
			scopes = append(scopes, strings.ToLower(s))
		}
	}
	md, _ := json.Marshal(map[string][]string{"AllowedOAuthFlows": {flow}, "AllowedOAuthScopes": scopes,
		"CallbackURLs": nonNil(o.RedirectSignInURIs), "LogoutURLs": nonNil(o.RedirectSignOutURIs)})
	out["OAuthMetadata"] = string(md)
	if d := str(o.DomainPrefix); d != "" {
		out["HostedUIDomain"] = d
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func identityPoolName(resource string, cfg *AuthConfig) string {
	if cfg.IdentityPoolConfigs != nil && str(cfg.IdentityPoolConfigs.IdentityPoolName) != "" {
		return *cfg.IdentityPoolConfigs.IdentityPoolName
	}
	return resource + "_identitypool"
}

// apiAuthMode is an API's authentication mode as AppSync and the CLI name it.
func apiAuthMode(t *APIAuthType) map[string]any {
	mode := t.Mode
	if mode == "" {
		mode = "API_KEY"
	}
	out := map[string]any{"authenticationType": mode}
	settings := t.Settings
	if settings == nil {
		settings = &APIAuthSettings{}
	}
	switch mode {
	case "API_KEY":
		days := 7
		if settings.ExpirationTime != nil && *settings.ExpirationTime > 0 {
			days = int(*settings.ExpirationTime)
		}
		out["apiKeyConfig"] = map[string]any{"apiKeyExpirationDays": days, "description": str(settings.Description)}
	case "OPENID_CONNECT":
		out["openIDConnectConfig"] = map[string]any{"name": str(settings.OpenIDProviderName), "issuerUrl": str(settings.OpenIDIssueURL),
			"clientId": str(settings.OpenIDClientId), "iatTTL": str(settings.OpenIDIatTTL), "authTTL": str(settings.OpenIDAuthTTL)}
	}
	return out
}

func apiAuthConfig(cfg *APIConfig, authName string) map[string]any {
	def := APIAuthType{}
	if cfg.DefaultAuthType != nil {
		def = *cfg.DefaultAuthType
	}
	withPool := func(t *APIAuthType) map[string]any {
		m := apiAuthMode(t)
		if m["authenticationType"] == "AMAZON_COGNITO_USER_POOLS" {
			pool := "auth" + authName
			if t.Settings != nil && str(t.Settings.CognitoUserPoolId) != "" {
				pool = *t.Settings.CognitoUserPoolId
			}
			m["userPoolConfig"] = map[string]string{"userPoolId": pool}
		}
		return m
	}
	extra := []map[string]any{}
	for i := range cfg.AdditionalAuthTypes {
		extra = append(extra, withPool(&cfg.AdditionalAuthTypes[i]))
	}
	return map[string]any{"defaultAuthentication": withPool(&def), "additionalAuthenticationProviders": extra}
}

// apiModes lists an API's authentication modes, the default first.
func apiModes(cfg *APIConfig) []string {
	def := "API_KEY"
	if cfg.DefaultAuthType != nil && cfg.DefaultAuthType.Mode != "" {
		def = cfg.DefaultAuthType.Mode
	}
	modes := []string{def}
	for _, t := range cfg.AdditionalAuthTypes {
		modes = append(modes, t.Mode)
	}
	return modes
}

func apiKeyMode(cfg *APIConfig) bool { return contains(apiModes(cfg), "API_KEY") }

func usesUserPools(cfg *APIConfig) bool { return contains(apiModes(cfg), "AMAZON_COGNITO_USER_POOLS") }

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// Buckets lists the partition's buckets by name: its environments'
// deployment buckets (created with them) and those ListS3Buckets lists.
func (s *Service) Buckets(ctx context.Context, p Partition) ([]Bucket, error) {
	var out []Bucket
	err := s.store.View(ctx, func(tx Tx) error {
		_, _, err := envWhere(tx, p, func(app *App, e *Env) bool {
			_, b := stackOf(p, app, e)
			out = append(out, Bucket{Name: b, Created: e.Created})
			return false
		})
		if err != nil {
			return err
		}
		others, err := tx.Buckets(p)
		out = append(out, others...)
		return err
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return slices.CompactFunc(out, func(a, b Bucket) bool { return a.Name == b.Name }), err
}
