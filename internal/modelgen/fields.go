package modelgen

import "iter"

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

// firstDirective is getDirective(f)(name).
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

// otherSideBelongsToField is the first field of other of type typeName with @belongsTo.
func otherSideBelongsToField(typeName string, other *model) *field {
	for g := range fieldsOfType(other, typeName) {
		if firstDirective(g, "belongsTo") != nil {
			return g
		}
	}
	return nil
}
