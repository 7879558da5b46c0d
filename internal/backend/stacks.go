package backend

import (
	"context"
	"sort"
	"strings"
	"time"
)

// Each environment is described as the CloudFormation stacks an Amplify
// push leaves: a root stack (deployment bucket, auth and unauth roles, one
// nested stack per resource the project made) whose outputs are the
// provider's amplify-meta, and nested stacks whose outputs are their
// resource's.

// Stack is a CloudFormation stack of an environment.
type Stack struct {
	Name, ID    string
	ParentID    string // "" for a root stack
	Description string
	Status      string
	Created     time.Time
	Updated     time.Time // zero: never updated
	Outputs     []StackOutput
	Tags        []StackOutput // Key, Value
	Resources   []StackResource
}

// StackOutput is a key and its value.
type StackOutput struct{ Key, Value string }

// StackResource is one resource of a stack.
type StackResource struct {
	LogicalID, PhysicalID, Type string
}

// Stacks returns the stack named by nameOrID (a name or a stack ARN) with
// its environment's other stacks: the one asked for first. With nameOrID
// "", every stack of the partition. A stack no environment has is a
// NotFound error.
func (s *Service) Stacks(ctx context.Context, p Partition, nameOrID string) ([]Stack, error) {
	name := nameOrID
	if strings.HasPrefix(name, "arn:") {
		_, after, _ := strings.Cut(name, ":stack/")
		name, _, _ = strings.Cut(after, "/")
	}
	var out []Stack
	gen := s.gen.Load()
	err := s.store.View(ctx, func(tx Tx) error {
		if nameOrID == "" {
			var found error
			_, _, err := envWhere(tx, p, func(app *App, e *Env) bool {
				stacks, err := envStacks(tx, p, app, e)
				out, found = append(out, stacks...), err
				return err != nil
			})
			if err == nil {
				err = found
			}
			return err
		}
		app, e, err := s.rootOfStack(tx, p, gen, name)
		if err != nil || e == nil {
			return err
		}
		stacks, err := envStacks(tx, p, app, e)
		if err != nil {
			return err
		}
		for i, st := range stacks {
			if st.Name == name && (!strings.HasPrefix(nameOrID, "arn:") || st.ID == nameOrID) {
				out = append([]Stack{st}, append(stacks[:i:i], stacks[i+1:]...)...)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 && nameOrID != "" {
		return nil, notFoundf("Stack", "Stack with id %s does not exist", nameOrID)
	}
	return out, nil
}

// envStacks returns an environment's root stack, then its nested stacks.
func envStacks(tx Tx, p Partition, app *App, e *Env) ([]Stack, error) {
	resources, err := tx.Resources(p, app.ID, e.Name)
	if err != nil {
		return nil, err
	}
	tree, err := backendMeta(p, app, e, resources)
	if err != nil {
		return nil, err
	}
	pm := providerMeta(p, app, e)
	status, updated := "CREATE_COMPLETE", time.Time{}
	if !e.Pushed.IsZero() && e.Pushed.After(e.Created) {
		status, updated = "UPDATE_COMPLETE", e.Pushed
	}
	tags := []StackOutput{{"user:Application", app.Name}, {"user:Stack", e.Name}}
	root := Stack{Name: pm.StackName, ID: pm.StackId, Status: status, Created: e.Created, Updated: updated, Tags: tags,
		Description: "Root Stack for AWS Amplify CLI",
		Outputs: []StackOutput{{"AuthRoleArn", pm.AuthRoleArn}, {"AuthRoleName", pm.AuthRoleName},
			{"DeploymentBucketName", pm.DeploymentBucketName}, {"Region", pm.Region}, {"StackId", pm.StackId},
			{"StackName", pm.StackName}, {"UnauthRoleArn", pm.UnauthRoleArn}, {"UnauthRoleName", pm.UnauthRoleName}},
		Resources: []StackResource{{"AuthRole", pm.AuthRoleName, "AWS::IAM::Role"},
			{"DeploymentBucket", pm.DeploymentBucketName, "AWS::S3::Bucket"}, {"UnauthRole", pm.UnauthRoleName, "AWS::IAM::Role"}}}
	stacks := []Stack{root}
	for _, r := range resources {
		if r.Imported {
			continue // an imported resource has no stack of its own
		}
		m := tree[r.Kind][r.Name]
		logical := string(r.Kind) + r.Name
		d := idsFor(p, app.ID, e.Name, string(r.Kind), r.Name)
		name := pm.StackName + "-" + logical + "-" + strings.ToUpper(d.alnum("nestedstack", 12, false))
		nested := Stack{Name: name, ID: "arn:aws:cloudformation:" + p.Region + ":" + p.Account + ":stack/" + name + "/" + d.uuid("nestedstack"),
			ParentID: pm.StackId, Status: status, Created: e.Created, Updated: updated, Tags: tags}
		for k, v := range m.Output {
			if sv, ok := v.(string); ok {
				nested.Outputs = append(nested.Outputs, StackOutput{k, sv})
			}
		}
		sort.Slice(nested.Outputs, func(i, j int) bool { return nested.Outputs[i].Key < nested.Outputs[j].Key })
		nested.Resources = nestedResources(m.Output)
		stacks = append(stacks, nested)
		stacks[0].Resources = append(stacks[0].Resources, StackResource{logical, nested.ID, "AWS::CloudFormation::Stack"})
	}
	sort.Slice(stacks[0].Resources, func(i, j int) bool { return stacks[0].Resources[i].LogicalID < stacks[0].Resources[j].LogicalID })
	return stacks, nil
}

// nestedResources lists the resources a nested stack made, from its outputs.
func nestedResources(out map[string]any) []StackResource {
	var rs []StackResource
	for _, x := range []struct{ output, logical, typ string }{
		{"GraphQLAPIIdOutput", "GraphQLAPI", "AWS::AppSync::GraphQLApi"},
		{"GraphQLAPIKeyOutput", "GraphQLAPIDefaultApiKey", "AWS::AppSync::ApiKey"},
		{"UserPoolId", "UserPool", "AWS::Cognito::UserPool"},
		{"AppClientIDWeb", "UserPoolClientWeb", "AWS::Cognito::UserPoolClient"},
		{"AppClientID", "UserPoolClient", "AWS::Cognito::UserPoolClient"},
		{"IdentityPoolId", "IdentityPool", "AWS::Cognito::IdentityPool"},
		{"BucketName", "S3Bucket", "AWS::S3::Bucket"},
	} {
		if v, ok := out[x.output].(string); ok && v != "" {
			rs = append(rs, StackResource{x.logical, v, x.typ})
		}
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].LogicalID < rs[j].LogicalID })
	return rs
}
