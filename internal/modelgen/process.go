package modelgen

import (
	"iter"

	"github.com/vektah/gqlparser/v2/ast"
)

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

// ---- field helpers ----

// The relation steps look a related model's fields up once per relation; a
// model with many relations (a hub joined to every other model) would be
// rescanned for each of them, so models with indexFrom fields or more keep
// an index instead.

// indexFrom is the field count from which lookups use the index rather than
// scan the fields (a variable so that tests can run either way on any model).
var indexFrom = 16

// fieldIndex is what the lookups keep about a model's fields.
type fieldIndex struct {
	// byName is the first field of each name; nil until findField needs it.
	byName map[string]*field
	// byType is the fields of each type and byDirective the field
	// directives of each name, in flattenFieldDirectives order; nil until a
	// lookup needs them.
	byType      map[string][]*field
	byDirective map[string][]*directive
	// stamped: stampAll has run since the last change, so running it again
	// would change nothing.
	stamped bool
	// related is belongsToConnectedFields by the name of the model asking;
	// nil until it is needed.
	related map[string][]*field
	// indexNamed is the first @index of each (string) name; nil until it is
	// needed.
	indexNamed map[string]*directive
}

func (m *model) index() *fieldIndex {
	if m.idx == nil {
		m.idx = &fieldIndex{}
	}
	return m.idx
}

// lookups returns the index with byType and byDirective built.
func (m *model) lookups() *fieldIndex {
	x := m.index()
	if x.byType != nil {
		return x
	}
	m.visits += len(m.fields)
	x.byType = map[string][]*field{}
	x.byDirective = map[string][]*directive{}
	for _, f := range m.fields {
		x.byType[f.typ] = append(x.byType[f.typ], f)
		for _, d := range f.directives {
			x.byDirective[d.name] = append(x.byDirective[d.name], d)
		}
	}
	return x
}

// setFields replaces m's fields.
func (m *model) setFields(fs []*field) {
	m.fields = fs
	m.idx = nil
}

// fieldChanged is called after the type or the directives of one of m's
// fields changed: only the index by name stays.
func (m *model) fieldChanged() {
	if m.idx != nil {
		*m.idx = fieldIndex{byName: m.idx.byName}
	}
}

// findField is model.fields.find(f => f.name === name).
func findField(m *model, name string) *field {
	if len(m.fields) >= indexFrom {
		x := m.index()
		if x.byName == nil {
			m.visits += len(m.fields)
			x.byName = make(map[string]*field, len(m.fields))
			for _, f := range m.fields {
				if _, ok := x.byName[f.name]; !ok {
					x.byName[f.name] = f
				}
			}
		}
		return x.byName[name]
	}
	for _, f := range m.fields {
		m.visits++
		if f.name == name {
			return f
		}
	}
	return nil
}

// fieldsOfType yields m's fields of type typ, in order.
func fieldsOfType(m *model, typ string) iter.Seq[*field] {
	return func(yield func(*field) bool) {
		if len(m.fields) >= indexFrom {
			for _, f := range m.lookups().byType[typ] {
				if !yield(f) {
					return
				}
			}
			return
		}
		for _, f := range m.fields {
			m.visits++
			if f.typ == typ && !yield(f) {
				return
			}
		}
	}
}

// findFieldValue is model.fields.find(f => f.name === v).
func findFieldValue(m *model, v any) *field {
	s, ok := v.(string)
	if !ok {
		return nil
	}
	return findField(m, s)
}

func firstDirective(f *field, name string) *directive {
	for _, d := range f.directives {
		if d.name == name {
			return d
		}
	}
	return nil
}

// addFieldToModel appends f unless a field of that name exists.
func addFieldToModel(m *model, f *field) {
	if findField(m, f.name) != nil {
		return
	}
	m.fields = append(m.fields, f)
	x := m.idx
	if x == nil {
		return
	}
	if len(f.directives) > 0 {
		m.idx = nil
		return
	}
	// A new name without directives: nothing stamped, related or indexed
	// by directive changes.
	if x.byName != nil {
		x.byName[f.name] = f
	}
	if x.byType != nil {
		x.byType[f.typ] = append(x.byType[f.typ], f)
	}
}

// removeFieldsFromModel drops the fields whose names are in names.
func removeFieldsFromModel(m *model, names map[string]bool) {
	out := make([]*field, 0, len(m.fields))
	for _, f := range m.fields {
		if !names[f.name] {
			out = append(out, f)
		}
	}
	m.setFields(out)
}

// stampAll is flattenFieldDirectives' side effect: every field directive of
// m gets fieldName = its field's name.
func stampAll(m *model) {
	if m.idx != nil && m.idx.stamped {
		return
	}
	m.visits += len(m.fields)
	for _, f := range m.fields {
		for _, d := range f.directives {
			d.fieldName = f.name
			d.stamped = true
		}
	}
	m.index().stamped = true
}

func anyDirective(*directive) bool { return true }

// flattenFind stamps m's field directives and returns the first one named
// name (of any name if name is "") that match accepts.
func flattenFind(m *model, name string, match func(d *directive) bool) *directive {
	stampAll(m)
	if name != "" && len(m.fields) >= indexFrom {
		for _, d := range m.lookups().byDirective[name] {
			if match(d) {
				return d
			}
		}
		return nil
	}
	for _, f := range m.fields {
		m.visits++
		for _, d := range f.directives {
			if (name == "" || d.name == name) && match(d) {
				return d
			}
		}
	}
	return nil
}

// flattenFindIndex is flattenFind for the first @index whose name is name.
func flattenFindIndex(m *model, name any) *directive {
	s, ok := name.(string)
	if !ok || len(m.fields) < indexFrom {
		return flattenFind(m, "index", func(d *directive) bool { return strictEquals(d.args.get("name"), name) })
	}
	stampAll(m)
	x := m.lookups()
	if x.indexNamed == nil {
		x.indexNamed = map[string]*directive{}
		for _, d := range x.byDirective["index"] {
			if n, ok := d.args.get("name").(string); ok {
				if _, seen := x.indexNamed[n]; !seen {
					x.indexNamed[n] = d
				}
			}
		}
	}
	return x.indexNamed[s]
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

// ---- processDirectives ----

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

// otherSideBelongsToField is the first field of other of type typeName with @belongsTo.
func otherSideBelongsToField(typeName string, other *model) *field {
	for g := range fieldsOfType(other, typeName) {
		if firstDirective(g, "belongsTo") != nil {
			return g
		}
	}
	return nil
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
