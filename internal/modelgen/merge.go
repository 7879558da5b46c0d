package modelgen

import (
	"slices"
	"sort"

	"github.com/vektah/gqlparser/v2/ast"
)

// This file is graphql-tools' mergeTypeDefs (@graphql-tools/merge 8.4.2, as
// graphql-codegen's codegen calls it through mergeSchemas with
// convertExtensions on): every definition and extension of a name becomes
// one definition before the generator sees the schema. The rules, node by
// node in source order, the later node ("new") merged into what the earlier
// ones made ("existing"):
//
//	fields, interfaces, union members  existing first, then new ones
//	enum values                        new ones first, then existing ones
//	directives                         existing first; a new non-repeatable
//	                                   directive already there is merged into
//	                                   it (mergeDirectives below)
//	schema operation types             new ones replace existing ones
//
// The merged definitions are listed in the order of a JavaScript object
// keyed by name that starts out holding every directive definition: a type
// named like a directive takes the directive's place, before all others.

// merger holds what mergeTypeDefs needs to merge the user's definitions.
type merger struct {
	names      []string                   // the merged definitions' names, in order
	defs       map[string]*ast.Definition // the validated definition of each
	pieces     map[string][]piece         // the nodes of the names written more than once
	repeatable func(string) bool
}

// piece is one node's own content, as written.
type piece struct {
	fields ast.FieldList
	dirs   ast.DirectiveList
	vals   ast.EnumValueList
}

// newMerger plans the merge of the user's definitions and extensions. base
// holds, for each definition, the lengths of its fields, directives and
// enum values before validation appended its extensions' to them.
func newMerger(user *ast.SchemaDocument, s *ast.Schema, base map[*ast.Definition][3]int, amplify *ast.SchemaDocument) *merger {
	type node struct {
		def *ast.Definition
		ext bool
	}
	nodes := make([]node, 0, len(user.Definitions)+len(user.Extensions))
	for _, d := range user.Definitions {
		nodes = append(nodes, node{d, false})
	}
	for _, e := range user.Extensions {
		nodes = append(nodes, node{e, true})
	}
	sort.SliceStable(nodes, func(i, j int) bool { return posStart(nodes[i].def.Position) < posStart(nodes[j].def.Position) })

	// The directive definitions come first: the user's, then Amplify's.
	repeatable := map[string]bool{}
	var order []string
	slot := map[string]bool{}
	for _, list := range []ast.DirectiveDefinitionList{user.Directives, amplify.Directives} {
		for _, d := range list {
			if !slot[d.Name] {
				slot[d.Name] = true
				order = append(order, d.Name)
			}
			repeatable[d.Name] = d.IsRepeatable
		}
	}
	m := &merger{defs: map[string]*ast.Definition{}, pieces: map[string][]piece{}}
	for _, n := range nodes {
		name := n.def.Name
		if !slot[name] {
			slot[name] = true
			order = append(order, name)
		}
		p := piece{n.def.Fields, n.def.Directives, n.def.EnumValues}
		if !n.ext {
			b := base[n.def]
			p = piece{p.fields[:b[0]], p.dirs[:b[1]], p.vals[:b[2]]}
		}
		m.pieces[name] = append(m.pieces[name], p)
		if def := s.Types[name]; def != nil {
			m.defs[name] = def
		}
	}
	for name, ps := range m.pieces {
		if len(ps) == 1 {
			delete(m.pieces, name)
		}
	}
	for _, name := range order {
		if m.defs[name] != nil {
			m.names = append(m.names, name)
		}
	}
	// A type under a directive's name replaces its definition: that
	// directive is not repeatable when the types are merged.
	m.repeatable = func(name string) bool { return repeatable[name] && m.defs[name] == nil }
	return m
}

// ordered lists the merged definitions.
func (m *merger) ordered() []*ast.Definition {
	out := make([]*ast.Definition, len(m.names))
	for i, name := range m.names {
		out[i] = m.defs[name]
	}
	return out
}

// merge runs mergeTypeDefs once over the definitions written more than once.
// It changes directive arguments in place as graphql-tools does, so running
// it again can change them again: graphql-generator merges the same parsed
// schema once per file it writes (four times for the javascript target, whose
// schema.js is written after the last; once for introspection). changed
// reports whether this run changed any argument.
func (m *merger) merge() (changed bool, err error) {
	for _, name := range m.names {
		ps := m.pieces[name]
		if ps == nil {
			continue
		}
		def := m.defs[name]
		def.Fields = slices.Clone(ps[0].fields)
		def.Directives = slices.Clone(ps[0].dirs)
		def.EnumValues = slices.Clone(ps[0].vals)
		for _, p := range ps[1:] {
			var c bool
			if def.Directives, c, err = mergeDirectives(p.dirs, def.Directives, m.repeatable, name); err != nil {
				return false, err
			}
			changed = changed || c
			def.Fields = mergeFields(p.fields, def.Fields)
			def.EnumValues = mergeEnumValues(p.vals, def.EnumValues)
		}
	}
	return changed, nil
}

func posStart(p *ast.Position) int {
	if p == nil {
		return 0
	}
	return p.Start
}

// mergeFields is mergeFields: existing fields, then the new ones. (A field
// defined again is an error before this point.)
func mergeFields(newer, existing ast.FieldList) ast.FieldList {
	out := existing
	for _, f := range newer {
		if out.ForName(f.Name) == nil {
			out = append(out, f)
		}
	}
	return out
}

// mergeEnumValues is mergeEnumValues: the new node's values, then the
// existing ones it does not repeat.
func mergeEnumValues(newer, existing ast.EnumValueList) ast.EnumValueList {
	out := slices.Clone(newer)
	for _, v := range existing {
		if out.ForName(v.Name) == nil {
			out = append(out, v)
		}
	}
	return out
}

// mergeDirectives is graphql-tools' mergeDirectives(newer, existing): the
// existing directives (a non-repeatable one written twice folded into its
// first occurrence), then each new directive, folded into an existing one
// of its name unless it is repeatable. Folding merges the arguments as
// mergeArguments does, changing the existing argument nodes in place as
// graphql-tools does.
func mergeDirectives(newer, existing ast.DirectiveList, repeatable func(string) bool, typeName string) (_ ast.DirectiveList, changed bool, err error) {
	result := make(ast.DirectiveList, 0, len(existing)+len(newer))
	fold := func(d, into *ast.Directive) error {
		args, c, err := mergeDirectiveArgs(d.Arguments, into.Arguments, d.Name, typeName)
		changed = changed || c
		d.Arguments = args
		return err
	}
	for _, d := range existing {
		first := result.ForName(d.Name)
		if first != nil && !repeatable(d.Name) {
			// deduplicateDirectives: the merged list goes to the dropped
			// node; what stays is the in-place change to the first's.
			if err := fold(d, first); err != nil {
				return nil, false, err
			}
			continue
		}
		result = append(result, d)
	}
	for _, d := range newer {
		first := result.ForName(d.Name)
		if first == nil || repeatable(d.Name) {
			result = append(result, d)
			continue
		}
		args, c, err := mergeDirectiveArgs(d.Arguments, first.Arguments, d.Name, typeName)
		if err != nil {
			return nil, false, err
		}
		changed = changed || c || len(args) != len(first.Arguments)
		first.Arguments = args
	}
	return result, changed, nil
}

// mergeDirectiveArgs is directives.js's mergeArguments(newer, existing): the
// existing arguments, then the new ones; an argument in both takes the new
// value, except that two lists are concatenated without the new items
// whose value an existing item already has.
func mergeDirectiveArgs(newer, existing ast.ArgumentList, dirName, typeName string) (_ ast.ArgumentList, changed bool, err error) {
	result := slices.Clone(existing)
	for _, a := range newer {
		i := slices.IndexFunc(result, func(e *ast.Argument) bool { return e.Name == a.Name })
		if i < 0 {
			result = append(result, a)
			continue
		}
		ex := result[i]
		if ex.Value.Kind != ast.ListValue {
			changed = changed || ex.Value != a.Value
			ex.Value = a.Value
			continue
		}
		if a.Value.Kind != ast.ListValue {
			// graphql-tools fails reading the values of a non-list.
			return nil, false, errAt(a.Value.Position, "Unable to merge GraphQL type %q: argument %q of @%s is a list where it is merged with %s", typeName, a.Name, dirName, printValue(a.Value))
		}
		source := ex.Value.Children
		merged := slices.Clone(source)
		for _, t := range a.Value.Children {
			key, ok := jsValueKey(t.Value)
			if ok && slices.ContainsFunc(source, func(s *ast.ChildValue) bool {
				k, sok := jsValueKey(s.Value)
				return sok && k == key
			}) {
				continue
			}
			merged = append(merged, t)
		}
		changed = changed || len(merged) != len(source)
		ex.Value.Children = merged
	}
	return result, changed, nil
}

// jsValueKey is the `value` property of a graphql-js value node, for the
// `!value || !source.some(s => s.value === value)` test of deduplicateLists:
// ok is false when that property is falsy or undefined (the item is kept).
func jsValueKey(v *ast.Value) (string, bool) {
	switch v.Kind {
	case ast.IntValue, ast.FloatValue, ast.EnumValue:
		return "s" + v.Raw, v.Raw != ""
	case ast.StringValue, ast.BlockValue:
		x, err := convertValue(v)
		s, _ := x.(string)
		return "s" + s, err == nil && s != ""
	case ast.BooleanValue:
		return "true", v.Raw == "true"
	}
	return "", false
}

// mergeSchemaDefinitions merges the schema definition and extensions: for
// each operation, the last node that names a type wins.
func mergeSchemaDefinitions(nodes ast.SchemaDefinitionList) *ast.SchemaDefinition {
	nodes = slices.Clone(nodes)
	sort.SliceStable(nodes, func(i, j int) bool { return posStart(nodes[i].Position) < posStart(nodes[j].Position) })
	out := &ast.SchemaDefinition{Position: nodes[0].Position}
	for _, op := range []ast.Operation{ast.Query, ast.Mutation, ast.Subscription} {
		for i := len(nodes) - 1; i >= 0; i-- {
			ops := nodes[i].OperationTypes
			if j := slices.IndexFunc(ops, func(t *ast.OperationTypeDefinition) bool { return t.Operation == op }); j >= 0 {
				out.OperationTypes = append(out.OperationTypes, ops[j])
				break
			}
		}
	}
	for _, n := range nodes {
		out.Directives = append(out.Directives, n.Directives...)
	}
	return out
}
