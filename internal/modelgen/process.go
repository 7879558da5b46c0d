package modelgen

import "github.com/vektah/gqlparser/v2/ast"

// target selects which of the plugin's visitors is being reproduced.
type target uint8

const (
	targetModels        target = iota + 1 // the 'metadata' visitor behind schema.js
	targetIntrospection                   // the 'introspection' visitor
)

// orderedModels is the plugin's modelMap / nonModelMap: a JavaScript object
// keyed by type name (assigning an existing name keeps its position).
type orderedModels struct {
	names []string
	by    map[string]*model
}

func (o *orderedModels) set(m *model) {
	if o.by == nil {
		o.by = map[string]*model{}
	}
	if _, ok := o.by[m.name]; !ok {
		o.names = append(o.names, m.name)
	}
	o.by[m.name] = m
}

func (o *orderedModels) get(name string) *model {
	if isObjectPrototypeKey(name) {
		return nil
	}
	return o.by[name]
}

func (o *orderedModels) values() []*model {
	out := make([]*model, len(o.names))
	for i, n := range o.names {
		out[i] = o.by[n]
	}
	return out
}

type enumType struct {
	name   string
	values *jsObject // constantCase(value) -> value
}

// run holds one visitor's state: one target, one set of options.
type run struct {
	opts     resolvedOptions
	target   target
	models   orderedModels
	nonModel orderedModels
	enums    []*enumType
	enumBy   map[string]*enumType
	inputs   []*model
	inputBy  map[string]*model
	queries  []*field
	mutation []*field
	subs     []*field
	unions   map[string]bool
	ifaces   map[string]bool
	preimage string // the text whose MD5 is the models' version
	sizeHint int    // expected output size
}

type resolvedOptions struct {
	respectPK  bool
	timestamps bool
}

func (r *run) customPK() bool { return r.opts.respectPK }

func (r *run) plural(name string) string { return plural(name) }

// protoType is a definition converted once per Generate call; each run
// clones what it mutates (fields and directives; argument values are shared,
// the generator never modifies them).
type protoType struct {
	kind       ast.DefinitionKind
	name       string
	pos        *ast.Position
	directives []*directive
	fields     []*field
	enum       *enumType
}

// convertDocument converts the definitions the visitor looks at.
func convertDocument(doc *document) ([]*protoType, error) {
	out := make([]*protoType, 0, len(doc.defs))
	for _, def := range doc.defs {
		if skippedTypes[def.Name] {
			continue
		}
		p := &protoType{kind: def.Kind, name: def.Name, pos: def.Position}
		switch def.Kind {
		case ast.Object:
			ds, err := convertDirectives(def.Directives)
			if err != nil {
				return nil, err
			}
			fs, err := convertFields(def.Fields)
			if err != nil {
				return nil, err
			}
			p.directives, p.fields = ds, fs
		case ast.InputObject:
			fs := make([]*field, 0, len(def.Fields))
			for _, fd := range def.Fields {
				ds, err := convertDirectives(fd.Directives)
				if err != nil {
					return nil, err
				}
				f := &field{name: fd.Name, directives: ds, pos: fd.Position}
				typeInfo(f, fd.Type)
				fs = append(fs, f)
			}
			p.fields = fs
		case ast.Enum:
			e := &enumType{name: def.Name, values: newObject(len(def.EnumValues))}
			for _, v := range def.EnumValues {
				e.values.set(constantCase(v.Name), v.Name)
			}
			p.enum = e
		}
		out = append(out, p)
	}
	return out, nil
}

func cloneDirectives(ds []*directive) []*directive {
	out := make([]*directive, len(ds))
	backing := make([]directive, len(ds))
	for i, d := range ds {
		backing[i] = *d
		out[i] = &backing[i]
	}
	return out
}

func cloneFields(fs []*field) []*field {
	out := make([]*field, len(fs), len(fs)+4)
	backing := make([]field, len(fs))
	for i, f := range fs {
		backing[i] = *f
		backing[i].directives = cloneDirectives(f.directives)
		out[i] = &backing[i]
	}
	return out
}

// load is the visitor's walk over the printed schema.
func (r *run) load(doc *document, protos []*protoType) error {
	r.enumBy = map[string]*enumType{}
	r.inputBy = map[string]*model{}
	r.unions = map[string]bool{}
	r.ifaces = map[string]bool{}
	for _, p := range protos {
		switch p.kind {
		case ast.Object:
			ds := cloneDirectives(p.directives)
			fs := cloneFields(p.fields)
			var modelDir *directive
			for _, d := range ds {
				if d.name == "model" {
					modelDir = d
					break
				}
			}
			m := &model{name: p.name, directives: ds, fields: fs, pos: p.pos}
			switch {
			case modelDir != nil:
				if r.opts.respectPK || r.target == targetIntrospection {
					if err := r.ensurePrimaryKeyField(m); err != nil {
						return err
					}
				} else {
					ensureIDField(m)
				}
				if err := r.addTimestampFields(m, modelDir); err != nil {
					return err
				}
				sortFields(m)
				r.models.set(m)
			case p.name == doc.query:
				r.queries = append(r.queries, fs...)
			case p.name == doc.mutation:
				r.mutation = append(r.mutation, fs...)
			case p.name == doc.subs:
				r.subs = append(r.subs, fs...)
			default:
				r.nonModel.set(m)
			}
		case ast.InputObject:
			in := &model{name: p.name, fields: p.fields, pos: p.pos}
			if _, ok := r.inputBy[p.name]; !ok {
				r.inputs = append(r.inputs, in)
			}
			r.inputBy[p.name] = in
		case ast.Enum:
			if _, ok := r.enumBy[p.name]; !ok {
				r.enums = append(r.enums, p.enum)
			}
			r.enumBy[p.name] = p.enum
		case ast.Union:
			r.unions[p.name] = true
		case ast.Interface:
			r.ifaces[p.name] = true
		}
	}
	return nil
}

// sortFields moves the fields named id to the front.
func sortFields(m *model) {
	ids := 0
	for i, f := range m.fields {
		if f.name == "id" {
			ids++
			if ids > 1 || i > 0 {
				ids = -1
				break
			}
		}
	}
	if ids >= 0 {
		return // nothing moves
	}
	out := make([]*field, 0, len(m.fields))
	for _, f := range m.fields {
		if f.name == "id" {
			out = append([]*field{f}, out...)
		} else {
			out = append(out, f)
		}
	}
	m.setFields(out)
}

// process is the visitor's processDirectives for transformer v2:
// processV2KeyDirectives, processConnectionDirectivesV2, processAuthDirectives.
func (r *run) process() error {
	for _, m := range r.models.values() {
		r.processPrimaryKey(m)
		if err := r.processIndex(m); err != nil {
			return err
		}
	}
	if err := r.processConnections(); err != nil {
		return err
	}
	return r.processAuthDirectives()
}

// isObjectPrototypeKey reports names that `name in {}` finds on
// Object.prototype; the generator's type lookups misbehave on them.
func isObjectPrototypeKey(name string) bool {
	switch name {
	case "constructor", "hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable",
		"toLocaleString", "toString", "valueOf":
		return true
	}
	return false
}
