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
	names      []string                       // the merged definitions' names, in order
	defs       map[string]*ast.Definition     // the validated definition of each
	pieces     map[string][]piece             // the nodes of the names written more than once
	repeatable map[string]bool                // the directives declared repeatable
	typeAt     map[string]int                 // the node index where each name first appears
	replacing  []int                          // typeAt of the types named like repeatable directives
	keys       map[*ast.Value]map[string]bool // jsValueKey of the items of each list merged into
}

// piece is one node's own content, as written, and its place among the nodes.
type piece struct {
	at     int
	fields ast.FieldList
	dirs   ast.DirectiveList
	vals   ast.EnumValueList
}

// isRepeatable is whether directive name counts as repeatable when node at
// is merged: graphql-tools keeps the directive definitions and the types in
// one map, so a type of the same name merged earlier has replaced it.
func (m *merger) isRepeatable(name string, at int) bool {
	t, ok := m.typeAt[name]
	return m.repeatable[name] && !(ok && t < at)
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
	m := &merger{defs: map[string]*ast.Definition{}, pieces: map[string][]piece{}, repeatable: repeatable,
		typeAt: map[string]int{}, keys: map[*ast.Value]map[string]bool{}}
	for i, n := range nodes {
		name := n.def.Name
		if !slot[name] {
			slot[name] = true
			order = append(order, name)
		}
		if _, ok := m.typeAt[name]; !ok {
			m.typeAt[name] = i
		}
		p := piece{i, n.def.Fields, n.def.Directives, n.def.EnumValues}
		if !n.ext {
			b := base[n.def]
			p = piece{i, p.fields[:b[0]], p.dirs[:b[1]], p.vals[:b[2]]}
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
	for name, rep := range repeatable {
		if t, ok := m.typeAt[name]; rep && ok {
			m.replacing = append(m.replacing, t)
		}
	}
	for _, name := range order {
		if m.defs[name] != nil {
			m.names = append(m.names, name)
		}
	}
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
		def.Fields, def.EnumValues = mergeFields(ps), mergeEnumValues(ps)
		c, err := m.mergeDirectives(def, ps)
		if err != nil {
			return false, err
		}
		changed = changed || c
	}
	return changed, nil
}

func posStart(p *ast.Position) int {
	if p == nil {
		return 0
	}
	return p.Start
}

// mergeFields is mergeFields over all the pieces: earlier pieces' fields
// first. (A field defined again is an error before this point; it would
// stay where it first was.)
func mergeFields(ps []piece) ast.FieldList {
	var out ast.FieldList
	seen := map[string]bool{}
	for _, p := range ps {
		for _, f := range p.fields {
			if !seen[f.Name] {
				seen[f.Name] = true
				out = append(out, f)
			}
		}
	}
	return out
}

// mergeEnumValues is mergeEnumValues over all the pieces: each merge puts
// the new piece's values first, so the last piece's come first.
func mergeEnumValues(ps []piece) ast.EnumValueList {
	var out ast.EnumValueList
	seen := map[string]bool{}
	for i := len(ps) - 1; i >= 0; i-- {
		for _, v := range ps[i].vals {
			if !seen[v.Name] {
				seen[v.Name] = true
				out = append(out, v)
			}
		}
	}
	return out
}

// mergeDirectives is graphql-tools' mergeDirectives(new, existing) applied
// piece after piece: the existing directives (on the first merge, a
// non-repeatable one written twice is folded into its first occurrence,
// deduplicateDirectives), then each new directive, folded into the
// existing one of its name unless it is repeatable. Folding merges the
// arguments (mergeDirectiveArgs), changing the existing directive and
// argument nodes in place as graphql-tools does.
func (m *merger) mergeDirectives(def *ast.Definition, ps []piece) (changed bool, err error) {
	result := slices.Clone(ps[0].dirs)
	first := map[string]*ast.Directive{} // the first directive of each name in result
	for k, p := range ps[1:] {
		if k == 0 || m.repeatableReplacedBetween(ps[k].at, p.at) {
			// deduplicateDirectives: a later non-repeatable directive is
			// dropped, its arguments folded into the first one's (the
			// merged list goes to the dropped node; what stays is the
			// in-place change to the first one's arguments).
			kept := result[:0:0]
			clear(first)
			for _, d := range result {
				f := first[d.Name]
				if f == nil {
					first[d.Name] = d
				} else if !m.isRepeatable(d.Name, p.at) {
					args, c, err := m.mergeDirectiveArgs(d.Arguments, f.Arguments, d.Name, def.Name)
					if err != nil {
						return false, err
					}
					changed = changed || c
					d.Arguments = args
					continue
				}
				kept = append(kept, d)
			}
			result = kept
		}
		for _, d := range p.dirs {
			f := first[d.Name]
			if f == nil || m.isRepeatable(d.Name, p.at) {
				if f == nil {
					first[d.Name] = d
				}
				result = append(result, d)
				continue
			}
			args, c, err := m.mergeDirectiveArgs(d.Arguments, f.Arguments, d.Name, def.Name)
			if err != nil {
				return false, err
			}
			changed = changed || c || len(args) != len(f.Arguments)
			f.Arguments = args
		}
	}
	def.Directives = result
	return changed, nil
}

// repeatableReplacedBetween reports whether a type named like a repeatable
// directive first appears after node from and before node to.
func (m *merger) repeatableReplacedBetween(from, to int) bool {
	return slices.ContainsFunc(m.replacing, func(t int) bool { return from <= t && t < to })
}

// mergeDirectiveArgs is directives.js's mergeArguments(new, existing): the
// existing arguments, then the new ones; an argument in both takes the new
// value, except that two lists are concatenated, leaving out the new items
// whose value an existing item already has (deduplicateLists).
func (m *merger) mergeDirectiveArgs(newer, existing ast.ArgumentList, dirName, typeName string) (_ ast.ArgumentList, changed bool, err error) {
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
		have := m.keys[ex.Value]
		if have == nil {
			have = map[string]bool{}
			for _, c := range ex.Value.Children {
				if k, ok := jsValueKey(c.Value); ok {
					have[k] = true
				}
			}
			m.keys[ex.Value] = have
		}
		var add ast.ChildValueList
		for _, t := range a.Value.Children {
			if k, ok := jsValueKey(t.Value); !ok || !have[k] {
				add = append(add, t)
			}
		}
		for _, t := range add {
			if k, ok := jsValueKey(t.Value); ok {
				have[k] = true
			}
		}
		changed = changed || len(add) > 0
		ex.Value.Children = append(ex.Value.Children, add...)
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
