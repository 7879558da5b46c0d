package backend

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"

	ab "github.com/amplifylite/amplifylite/amplifybackend"
)

// ids derives stable identifiers from (partition, app, env, resource): the
// same inputs give the same ids on every run and every machine.
type ids struct{ seed string }

func idsFor(p Partition, parts ...string) ids {
	return ids{seed: strings.Join(append([]string{p.Account, p.Region}, parts...), "\x00")}
}

func (d ids) sum(purpose string) [32]byte { return sha256.Sum256([]byte(d.seed + "\x00" + purpose)) }

// alnum returns n characters of [a-z0-9] (upper adds A-Z) for purpose.
func (d ids) alnum(purpose string, n int, upper bool) string {
	const lower = "abcdefghijklmnopqrstuvwxyz0123456789"
	const mixed = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	set := lower
	if upper {
		set = mixed
	}
	out := make([]byte, 0, n)
	for i := 0; len(out) < n; i++ {
		sum := d.sum(fmt.Sprintf("%s/%d", purpose, i))
		for _, b := range sum {
			if len(out) < n {
				out = append(out, set[int(b)%len(set)])
			}
		}
	}
	return string(out)
}

func (d ids) digits(purpose string, n int) string {
	s := d.sum(purpose)
	out := make([]byte, n)
	for i := range out {
		out[i] = '0' + s[i]%10
	}
	return string(out)
}

// uuid formats 16 derived bytes as a version-4-shaped UUID.
func (d ids) uuid(purpose string) string {
	b := d.sum(purpose)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// stackPrefix is the prefix of an environment's Amplify-made names:
// amplify-<app name>-<env>-<5 digits>, lower case, S3-safe.
func stackPrefix(p Partition, app *App, env string) string {
	clean := func(s string, max int) string {
		var b strings.Builder
		for _, r := range strings.ToLower(s) {
			if (r >= 'a' && r <= 'z' || r >= '0' && r <= '9') && b.Len() < max {
				b.WriteRune(r)
			}
		}
		if b.Len() == 0 {
			return "x"
		}
		return b.String()
	}
	return fmt.Sprintf("amplify-%s-%s-%s", clean(app.Name, 20), clean(env, 10), idsFor(p, app.ID, env).digits("stack", 5))
}

// stackOf returns an environment's root stack name and deployment bucket:
// those Amplify Hosting was given, else derived.
func stackOf(p Partition, app *App, e *Env) (stack, bucket string) {
	prefix := stackPrefix(p, app, e.Name)
	stack, bucket = prefix, prefix+"-deployment"
	if e.StackName != "" {
		stack = e.StackName
	}
	if e.DeploymentBucket != "" {
		bucket = e.DeploymentBucket
	}
	return stack, bucket
}

// cloudformationMeta is providers.awscloudformation of amplify-meta.json; the
// Amplify CLI requires its first eight keys.
type cloudformationMeta struct {
	AuthRoleName         string
	AuthRoleArn          string
	UnauthRoleName       string
	UnauthRoleArn        string
	Region               string
	DeploymentBucketName string
	StackName            string
	StackId              string
	AmplifyAppId         string
}

// resourceMeta is one resource's entry in its category of amplify-meta.json.
type resourceMeta struct {
	Service        string            `json:"service"`
	ProviderPlugin string            `json:"providerPlugin"`
	ServiceType    string            `json:"serviceType,omitempty"`
	Output         map[string]string `json:"output"`
}

type amplifyMetaJSON struct {
	Providers struct {
		Awscloudformation cloudformationMeta `json:"awscloudformation"`
	} `json:"providers"`
	Auth    map[string]resourceMeta `json:"auth,omitempty"`
	API     map[string]resourceMeta `json:"api,omitempty"`
	Storage map[string]resourceMeta `json:"storage,omitempty"`
}

// amplifyMeta renders an environment's amplify-meta.json as GetBackend
// returns it (the deployment bucket's is fuller: backendTree).
func amplifyMeta(p Partition, app *App, e *Env, resources []Resource) (string, error) {
	env := e.Name
	var meta amplifyMetaJSON
	meta.Providers.Awscloudformation = providerMeta(p, app, e)
	for i := range resources {
		r := &resources[i]
		category := map[ResourceKind]*map[string]resourceMeta{KindAuth: &meta.Auth, KindAPI: &meta.API, KindStorage: &meta.Storage}[r.Kind]
		if category == nil {
			continue
		}
		if *category == nil {
			*category = map[string]resourceMeta{}
		}
		m, err := resourceMetaOf(p, app.ID, env, r)
		if err != nil {
			return "", err
		}
		(*category)[r.Name] = m
	}
	b, err := json.Marshal(&meta)
	return string(b), err
}

func resourceMetaOf(p Partition, app, env string, r *Resource) (resourceMeta, error) {
	d := idsFor(p, app, env, string(r.Kind), r.Name)
	m := resourceMeta{ProviderPlugin: "awscloudformation"}
	if r.Imported {
		m.ServiceType = "imported"
	}
	switch r.Kind {
	case KindAuth:
		m.Service = "Cognito"
		m.Output = map[string]string{
			"UserPoolId":     p.Region + "_" + d.alnum("userpool", 9, true),
			"UserPoolName":   r.Name,
			"AppClientIDWeb": d.alnum("webclient", 26, false),
			"AppClientID":    d.alnum("nativeclient", 26, false),
		}
		cfg, err := r.authConfig()
		if err != nil {
			return m, err
		}
		if cfg.AuthResources == string(ab.AuthResourcesIdentityPoolAndUserPool) {
			m.Output["IdentityPoolId"] = p.Region + ":" + d.uuid("identitypool")
		}
		if r.Imported {
			src, err := r.authImport()
			if err != nil {
				return m, err
			}
			m.Output["UserPoolId"], m.Output["AppClientIDWeb"], m.Output["AppClientID"] = str(src.UserPoolId), str(src.WebClientId), str(src.NativeClientId)
			if id := str(src.IdentityPoolId); id != "" {
				m.Output["IdentityPoolId"] = id
			}
		}
	case KindAPI:
		m.Service = "AppSync"
		m.Output = map[string]string{
			"GraphQLAPIIdOutput":       d.alnum("graphqlapi", 26, false),
			"GraphQLAPIEndpointOutput": "https://" + d.alnum("endpoint", 26, false) + ".appsync-api." + p.Region + ".amazonaws.com/graphql",
		}
		cfg, err := r.apiConfig()
		if err != nil {
			return m, err
		}
		if apiKeyMode(cfg) {
			// The key a pulled project's aws-exports.js carries
			// (aws_appsync_apiKey): GetBackend tells it too.
			m.Output["GraphQLAPIKeyOutput"] = "da2-" + d.alnum("apikey", 26, false)
		}
	case KindStorage:
		m.Service = "S3"
		cfg, err := r.storageConfig()
		if err != nil {
			return m, err
		}
		m.Output = map[string]string{"BucketName": str(cfg.BucketName), "Region": p.Region}
	}
	return m, nil
}

// adminLoginConfig is the Admin UI login configuration CreateBackendConfig
// provisions for an app.
func adminLoginConfig(p Partition, app string) *LoginAuthConfig {
	d := idsFor(p, app, "admin-ui")
	return &LoginAuthConfig{
		AwsCognitoIdentityPoolId: ab.String(p.Region + ":" + d.uuid("identitypool")),
		AwsCognitoRegion:         ab.String(p.Region),
		AwsUserPoolsId:           ab.String(p.Region + "_" + d.alnum("userpool", 9, true)),
		AwsUserPoolsWebClientId:  ab.String(d.alnum("webclient", 26, false)),
	}
}

// featureFlags is the cli.json of a new project made by the current Amplify
// CLI (Gen 1, transformer v2).
const featureFlags = `{"features":{"graphqltransformer":{"addmissingownerfields":true,"improvepluralization":false,"validatetypenamereservedwords":true,"useexperimentalpipelinedtransformer":true,"enableiterativegsiupdates":true,"secondarykeyasgsi":true,"skipoverridemutationinputtypes":true,"transformerversion":2,"suppressschemamigrationprompt":true,"securityenhancementnotification":false,"showfieldauthnotification":false,"usesubusernamefordefaultidentityclaim":true,"usefieldnameforprimarykeyconnectionfield":false,"enableautoindexquerynames":true,"respectprimarykeyattributesonconnectionfield":true,"shoulddeepmergedirectiveconfigdefaults":false,"populateownerfieldforstaticgroupauth":true,"subscriptionsinheritprimaryauth":false},"frontend-ios":{"enablexcodeintegration":true},"auth":{"enablecaseinsensitivity":true,"useinclusiveterminology":true,"breakcirculardependency":true,"forcealiasattributes":false,"useenabledmfas":true},"codegen":{"useappsyncmodelgenplugin":true,"usedocsgeneratorplugin":true,"usetypesgeneratorplugin":true,"cleangeneratedmodelsdirectory":true,"retaincasestyle":true,"addtimestampfields":true,"handlelistnullabilitytransparently":true,"emitauthprovider":true,"generateindexrules":true,"enabledartnullsafety":true,"generatemodelsforlazyloadandcustomselectionset":true},"appsync":{"generategraphqlpermissions":true},"latestregionsupport":{"pinpoint":1,"translate":1,"transcribe":1,"rekognition":1,"textract":1,"comprehend":1},"project":{"overrides":true}},"debug":{}}`
