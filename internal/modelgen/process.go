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

// primaryKeyComponents is getModelPrimaryKeyComponentFields: the primary key
// field and its sort key fields (nil for a sort key field that does not exist).
func primaryKeyComponents(m *model) []*field {
	for _, f := range m.fields {
		m.visits++
		if f.pk != nil {
			out := make([]*field, 0, 1+len(f.pk.sortKeyFields))
			out = append(out, f)
			return append(out, f.pk.sortKeyFields...)
		}
	}
	return nil
}

func ensureIDField(m *model) {
	if id := findField(m, "id"); id != nil {
		id.isNullable = false
		return
	}
	m.setFields(append([]*field{{name: "id", typ: "ID"}}, m.fields...))
}

func (r *run) ensurePrimaryKeyField(m *model) error {
	var withPK *field
	for _, f := range m.fields {
		if firstDirective(f, "primaryKey") != nil {
			withPK = f
			break
		}
	}
	if withPK == nil {
		ensureIDField(m)
		id := findField(m, "id")
		id.pk = &primaryKeyInfo{kind: pkManaged}
		return nil
	}
	pkf := findField(m, withPK.name)
	if pkf.isNullable {
		return errAt(pkf.pos, "The primary key on type '%s' must reference non-null fields.", m.name)
	}
	d := flattenFind(m, "primaryKey", anyDirective)
	names := d.args.get("sortKeyFields")
	info := &primaryKeyInfo{}
	if n, ok := jsLength(names); ok && n > 0 {
		arr, isArr := names.([]any)
		if !isArr {
			return errAt(d.pos, "sortKeyFields of @primaryKey on %s.%s must be a list", m.name, pkf.name)
		}
		for _, v := range arr {
			info.sortKeyFields = append(info.sortKeyFields, findFieldValue(m, v))
			info.sortKeyNames = append(info.sortKeyNames, v)
		}
	}
	info.kind = pkCustom
	if pkf.name == "id" && len(info.sortKeyFields) == 0 {
		info.kind = pkOptionallyManaged
	}
	pkf.pk = info
	return nil
}

func (r *run) addTimestampFields(m *model, modelDir *directive) error {
	if !r.opts.timestamps || modelDir.name != "model" {
		return nil
	}
	args := modelDir.args
	if args.has("timestamps") && args.get("timestamps") == nil {
		return nil
	}
	ts := args.get("timestamps")
	for _, def := range [2]string{"createdAt", "updatedAt"} {
		var v any = undefinedValue
		if o, ok := ts.(*jsObject); ok {
			v = o.get(def)
		}
		v = or(v, def)
		name, ok := v.(string)
		if !ok {
			return errAt(modelDir.pos, "timestamps.%s of @model on %s must be a string", def, m.name)
		}
		addFieldToModel(m, &field{name: name, typ: "AWSDateTime", isNullable: true, isReadOnly: true})
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

func (r *run) processPrimaryKey(m *model) {
	for _, d := range m.directives {
		if d.name == "key" && isUndefined(d.args.get("name")) {
			return
		}
	}
	var pkf *field
	var pkd *directive
	for _, f := range m.fields {
		if d := firstDirective(f, "primaryKey"); d != nil {
			pkf, pkd = f, d
			break
		}
	}
	if pkf == nil {
		return
	}
	args := newObject(1)
	args.set("fields", jsConcat([]any{pkf.name}, nullishDefault(pkd.args.get("sortKeyFields"), []any{})))
	m.directives = append(m.directives, &directive{name: "key", args: args})
}

// nullishDefault is v ?? def.
func nullishDefault(v, def any) any {
	if isNullish(v) {
		return def
	}
	return v
}

func (r *run) processIndex(m *model) error {
	var keys []*directive
	// indexMap: field name -> that field's @index directives; a repeated
	// field name keeps its first position and its last field.
	fields := keyedFields(m.fields)
	for _, f := range fields {
		for _, d := range f.directives {
			if d.name != "index" {
				continue
			}
			sk := nullishDefault(d.args.get("sortKeyFields"), []any{})
			name := d.args.get("name")
			if isNullish(name) {
				n, err := r.defaultIndexName(m.name, jsConcat([]any{f.name}, sk), d.pos)
				if err != nil {
					return err
				}
				name = n
			}
			args := newObject(3)
			args.set("name", name)
			args.set("queryField", d.args.get("queryField"))
			args.set("fields", jsConcat([]any{f.name}, sk))
			keys = append(keys, &directive{name: "key", args: args})
		}
	}
	var existing []any
	for _, d := range m.directives {
		if d.name == "key" && truthy(d.args.get("name")) {
			existing = append(existing, d.args.get("name"))
		}
	}
	for _, k := range keys {
		dup := false
		for _, e := range existing {
			if strictEquals(e, k.args.get("name")) {
				dup = true
				break
			}
		}
		if !dup {
			m.directives = append(m.directives, k)
		}
	}
	return nil
}

func (r *run) defaultIndexName(modelName string, fields []any, pos *ast.Position) (string, error) {
	b := indexPrefix(modelName) + "By"
	for i, f := range fields {
		s, ok := f.(string)
		if !ok {
			return "", errAt(pos, "@index field names on %s must be strings", modelName)
		}
		if i > 0 {
			b += "And"
		}
		b += ucfirst(s)
	}
	return b, nil
}

// ---- relations ----

func (r *run) processConnections() error {
	if err := r.processManyToMany(); err != nil {
		return err
	}
	custom := r.customPK()
	for _, m := range r.models.values() {
		fs := m.fields
		n := len(fs)
		for i := 0; i < n; i++ {
			f := fs[i]
			ci, err := r.connection(f, m, custom)
			if err != nil {
				return err
			}
			if ci == nil {
				continue
			}
			switch ci.kind {
			case hasMany:
				if custom {
					for _, af := range ci.associatedWithFields {
						if af == nil {
							return errAt(f.pos, "@hasMany on %s.%s: a referenced field does not exist in %s", m.name, f.name, ci.connected.name)
						}
						addFieldToModel(ci.connected, af)
					}
				} else {
					if ci.associatedWith == nil {
						return errAt(f.pos, "@hasMany on %s.%s: a referenced field does not exist in %s", m.name, f.name, ci.connected.name)
					}
					addFieldToModel(ci.connected, ci.associatedWith)
				}
				if hasManyHasImplicitKey(f, m, ci) {
					if err := addHasManyKey(f, m, ci); err != nil {
						return err
					}
				}
			case hasOne:
				if custom {
					comps := primaryKeyComponents(ci.connected)
					if len(comps) > 0 && ci.targetNames != nil {
						if err := addTargets(m, f, ci.targetNames, comps); err != nil {
							return err
						}
					}
				} else if len(ci.targetNames) > 0 && truthy(ci.targetNames[0]) {
					name, ok := ci.targetNames[0].(string)
					if !ok {
						return errAt(f.pos, "@hasOne on %s.%s: field names must be strings", m.name, f.name)
					}
					addFieldToModel(m, &field{name: name, typ: "ID", isNullable: f.isNullable})
				}
			case belongsTo:
				if custom {
					comps := primaryKeyComponents(ci.connected)
					if len(comps) > 0 {
						if err := addTargets(m, f, ci.targetNames, comps); err != nil {
							return err
						}
					}
				} else {
					var t any = undefinedValue
					if len(ci.targetNames) > 0 {
						t = ci.targetNames[0]
					}
					name, ok := t.(string)
					if !ok {
						return errAt(f.pos, "@belongsTo on %s.%s: field names must be strings", m.name, f.name)
					}
					addFieldToModel(m, &field{name: name, typ: "ID", isNullable: f.isNullable})
				}
			}
			f.conn = ci
		}
		// Fields of a model type without a relation are dropped.
		kept := make([]*field, 0, len(m.fields))
		for _, f := range m.fields {
			if f.conn == nil && r.isModelName(f.typ) {
				continue
			}
			kept = append(kept, f)
		}
		m.setFields(kept)
	}
	if !custom {
		for _, m := range r.models.values() {
			comps := primaryKeyComponents(m)
			pkName := ""
			if len(comps) > 0 && comps[0] != nil {
				pkName = comps[0].name
			}
			var drop map[string]bool
			for _, f := range m.fields {
				ci := f.conn
				if ci == nil || ci.kind != belongsTo || len(ci.targetNames) == 0 {
					continue
				}
				t, ok := ci.targetNames[0].(string)
				if !ok || t == "" || t == "id" || ci.usingReferences {
					continue
				}
				if r.target == targetIntrospection && pkName != "" && pkName == t {
					continue
				}
				if drop == nil {
					drop = map[string]bool{}
				}
				drop[t] = true
			}
			if drop != nil {
				removeFieldsFromModel(m, drop)
			}
		}
	}
	return nil
}

// isModelName reports whether some model in the map has that name.
func (r *run) isModelName(name string) bool {
	_, ok := r.models.by[name]
	return ok
}

// addTargets adds the foreign key fields a hasOne/belongsTo needs, typed like
// the connected model's key components.
func addTargets(m *model, f *field, targets []any, comps []*field) error {
	for i, t := range targets {
		if i >= len(comps) || comps[i] == nil {
			return errAt(f.pos, "relation on %s.%s names more fields than the related model's primary key has", m.name, f.name)
		}
		name, ok := t.(string)
		if !ok {
			return errAt(f.pos, "relation on %s.%s: field names must be strings", m.name, f.name)
		}
		addFieldToModel(m, &field{name: name, typ: comps[i].typ, isNullable: f.isNullable})
	}
	return nil
}

func (r *run) connection(f *field, m *model, custom bool) (*connectionInfo, error) {
	for _, d := range f.directives {
		switch d.name {
		case "hasOne":
			return r.hasOneConnection(f, m, d, custom)
		case "belongsTo":
			return r.belongsToConnection(f, m, d, custom)
		case "hasMany":
			return r.hasManyConnection(f, m, d, custom)
		}
	}
	return nil, nil
}

func (r *run) relatedModel(f *field, m *model, d *directive) (*model, error) {
	other := r.models.get(f.typ)
	if other == nil {
		if isObjectPrototypeKey(f.typ) {
			return nil, errAt(d.pos, "@%s on %s.%s: the generator cannot handle a type named %s", d.name, m.name, f.name, f.typ)
		}
		return nil, errAt(d.pos, "@%s on %s.%s: %s is not a model", d.name, m.name, f.name, f.typ)
	}
	return other, nil
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

func connectionAttributeName(typ, fieldName, comp string) string {
	return toCamelCaseWords(typ, fieldName, comp)
}

func (r *run) connectedFieldForReferences(f *field, m *model, other *model, dirName string) (*field, error) {
	ci := firstDirective(f, dirName)
	refs := ci.args.get("references")
	if !truthy(refs) {
		return nil, errAt(ci.pos, "The %s on model %s does not have references.", f.name, m.name)
	}
	if truthy(ci.args.get("fields")) {
		return nil, errAt(ci.pos, "'fields' and 'references' cannot be used together.")
	}
	want := stringifyCompact(refs)
	if dirName == "belongsTo" {
		for _, g := range belongsToConnectedFields(m, other) {
			for _, d := range g.directives {
				if (d.name == "hasOne" || d.name == "hasMany") && truthy(d.args.get("references")) && stringifyCompact(d.args.get("references")) == want {
					return g, nil
				}
			}
		}
		return nil, errAt(ci.pos, "Error processing @belongsTo directive on %s.%s. @hasOne or @hasMany directive with references %s was not found in connected model %s", m.name, f.name, want, other.name)
	}
	d := flattenFind(other, "", func(d *directive) bool {
		return truthy(d.args.get("references")) && stringifyCompact(d.args.get("references")) == want
	})
	if d == nil {
		return nil, errAt(ci.pos, "Error processing @%s directive on %s.%s. @belongsTo directive with references %s was not found in connected model %s", dirName, m.name, f.name, want, other.name)
	}
	return findField(other, d.fieldName), nil
}

// connectedFieldV2 is the pre-custom-primary-key lookup of the other side's field.
func (r *run) connectedFieldV2(f *field, m *model, other *model, dirName string) (*field, error) {
	ci := firstDirective(f, dirName)
	if dirName == "belongsTo" {
		if c := belongsToConnectedFields(m, other); len(c) == 1 {
			return c[0], nil
		}
	}
	indexName := ci.args.get("indexName")
	if truthy(ci.args.get("fields")) || dirName == "hasOne" {
		var cd *directive
		if truthy(indexName) {
			cd = flattenFindIndex(other, indexName)
			if cd == nil {
				return nil, errAt(ci.pos, "Error processing @%s directive on %s.%s, @index directive with name %s was not found in connected model %s", ci.name, m.name, f.name, displayValue(indexName), other.name)
			}
		} else {
			cd = flattenFind(other, "primaryKey", anyDirective)
		}
		name := "id"
		if cd != nil {
			name = cd.fieldName
		} else if bt := otherSideBelongsToField(m.name, other); bt != nil {
			name = bt.name
		}
		for g := range fieldsOfType(other, m.name) {
			for _, d := range g.directives {
				if (d.name == "belongsTo" || d.name == "hasOne" || d.name == "hasMany") && truthy(d.args.get("fields")) && strictEquals(jsIndex(d.args.get("fields"), 0), name) {
					return g, nil
				}
			}
		}
		g := findField(other, name)
		if g == nil {
			return nil, errAt(ci.pos, "Can not find key field %s in %s", name, other.name)
		}
		return g, nil
	}
	name := connectionAttributeName(m.name, f.name, "id")
	if g := findField(other, name); g != nil {
		return g, nil
	}
	return &field{name: name, typ: "ID", isNullable: true}, nil
}

// displayValue is how a template literal shows v in the generator's messages.
func displayValue(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return stringifyCompact(v)
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
