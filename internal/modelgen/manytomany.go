package modelgen

import "github.com/vektah/gqlparser/v2/ast"

type m2mContext struct {
	m *model
	f *field
	d *directive
}

// relationName is graphqlName(toUpper(relationName)) of a @manyToMany.
func (r *run) relationName(d *directive) (string, error) {
	rn, ok := d.args.get("relationName").(string)
	if !ok {
		return "", errAt(d.pos, "relationName of @manyToMany must be a string")
	}
	return graphqlName(ucfirst(rn)), nil
}

// processManyToMany is the visitor's processManyToManyDirectives: for each
// relation name, in the order first met, a join model is added to the models
// and the two @manyToMany fields become @hasMany fields of its type.
func (r *run) processManyToMany() error {
	order, rels, err := r.manyToManyRelations()
	if err != nil {
		return err
	}
	// The primary key field of each model, which nothing here changes: a hub
	// model is asked once per relation.
	pkNames := map[*model]string{}
	for _, name := range order {
		v := rels[name]
		if len(v) != 2 {
			rn, _ := v[0].d.args.get("relationName").(string)
			return errAt(v[0].d.pos, "Error for relation: '%s', there should be two matching manyToMany directives and found: %d", rn, len(v))
		}
		join, err := r.intermediateModel(v[0].m, v[1].m, name, v[0].d.pos)
		if err != nil {
			return err
		}
		copyAuthDirectives(join, v[0].m, v[1].m)
		if err := r.processJoinModel(join); err != nil {
			return err
		}
		r.models.set(join)
		if err := r.convertManyToManyDirectives(v, name, pkNames); err != nil {
			return err
		}
	}
	return nil
}

// manyToManyRelations is the plugin's manyDirectiveMap: the @manyToMany
// fields by relation name, and the names in the order first met.
func (r *run) manyToManyRelations() ([]string, map[string][]m2mContext, error) {
	var order []string
	rels := map[string][]m2mContext{}
	for _, m := range r.models.values() {
		for _, f := range m.fields {
			for _, d := range f.directives {
				if d.name != "manyToMany" {
					continue
				}
				name, err := r.relationName(d)
				if err != nil {
					return nil, nil, err
				}
				if _, ok := rels[name]; !ok {
					order = append(order, name)
				}
				rels[name] = append(rels[name], m2mContext{m, f, d})
			}
		}
	}
	return order, rels, nil
}

// copyAuthDirectives appends to join the distinct (by JSON text) @auth
// directives of a and b, as JSON copies.
func copyAuthDirectives(join, a, b *model) {
	var seen []string
	for _, d := range append(append([]*directive{}, a.directives...), b.directives...) {
		if d.name != "auth" {
			continue
		}
		key := stringifyCompact(d.args)
		dup := false
		for _, s := range seen {
			if s == key {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		seen = append(seen, key)
		args, _ := jsonRoundTrip(d.args).(*jsObject)
		join.directives = append(join.directives, &directive{name: "auth", args: args, pos: d.pos})
	}
}

// processJoinModel gives a join model what the visitor's walk and
// processV2KeyDirectives gave the models of the schema.
func (r *run) processJoinModel(join *model) error {
	r.processPrimaryKey(join)
	if err := r.processIndex(join); err != nil {
		return err
	}
	if err := r.ensurePrimaryKeyField(join); err != nil {
		return err
	}
	if err := r.addTimestampFields(join, join.directives[0]); err != nil {
		return err
	}
	sortFields(join)
	return nil
}

// convertManyToManyDirectives replaces the @manyToMany directive of each
// side of relation name with a @hasMany by the join model's index on it.
func (r *run) convertManyToManyDirectives(v []m2mContext, name string, pkNames map[*model]string) error {
	for _, c := range v {
		idx := -1
		for i, d := range c.f.directives {
			if d == c.d {
				idx = i
				break
			}
		}
		if idx < 0 {
			return errAt(c.d.pos, "manyToMany directive not found on manyToMany field...")
		}
		c.f.directives = append(c.f.directives[:idx:idx], c.f.directives[idx+1:]...)
		c.f.typ = name
		c.m.fieldChanged()
		sk, err := sortKeyFields(c.m)
		if err != nil {
			return err
		}
		pk, ok := pkNames[c.m]
		if !ok {
			pk = determinePrimaryKeyFieldName(c.m)
			pkNames[c.m] = pk
		}
		fields := []any{pk}
		for _, s := range sk {
			if s == nil {
				return errAt(c.d.pos, "a sort key field of %s does not exist", c.m.name)
			}
			fields = append(fields, s.name)
		}
		args := newObject(2)
		args.set("indexName", "by"+c.m.name)
		args.set("fields", fields)
		c.f.directives = append(c.f.directives, &directive{name: "hasMany", args: args, pos: c.d.pos})
		c.m.fieldChanged()
	}
	return nil
}

// sortKeyFields is getSortKeyFields: the fields after the first of the
// model's primary 'key' attribute.
func sortKeyFields(m *model) ([]*field, error) {
	for _, d := range m.directives {
		if d.name == "key" && !truthy(d.args.get("name")) {
			fields, ok := d.args.get("fields").([]any)
			if !ok {
				return nil, errAt(m.pos, "invalid key on %s", m.name)
			}
			var out []*field
			for _, v := range fields[min(1, len(fields)):] {
				out = append(out, findFieldValue(m, v))
			}
			return out, nil
		}
	}
	return nil, nil
}

// determinePrimaryKeyFieldName is the visitor's determinePrimaryKeyFieldname.
func determinePrimaryKeyFieldName(m *model) string {
	name := "id"
	m.visits += len(m.fields)
	for _, f := range m.fields {
		for _, d := range f.directives {
			if d.name == "primaryKey" {
				name = f.name
			}
		}
	}
	return name
}

// intermediateModel is the visitor's generateIntermediateModel (with
// generateIntermediateModelPrimaryKeyFieldName and
// generateIntermediateModelSortKeyFieldName): the join model of a and b.
func (r *run) intermediateModel(a, b *model, name string, pos *ast.Position) (*model, error) {
	keyName := func(m *model) (string, error) {
		if r.customPK() {
			for _, f := range m.fields {
				m.visits++
				if f.pk != nil {
					return toCamelCaseWords(m.name, f.name), nil
				}
			}
			return "", errAt(pos, "no primary key field in %s", m.name)
		}
		return camelCase(m.name) + "ID", nil
	}
	sortName := func(m *model, f *field) string {
		return lcfirst(m.name) + f.name
	}
	aKey, err := keyName(a)
	if err != nil {
		return nil, err
	}
	aSort, err := sortKeyFields(a)
	if err != nil {
		return nil, err
	}
	bKey, err := keyName(b)
	if err != nil {
		return nil, err
	}
	bSort, err := sortKeyFields(b)
	if err != nil {
		return nil, err
	}
	for _, s := range append(append([]*field{}, aSort...), bSort...) {
		if s == nil {
			return nil, errAt(pos, "a sort key field of a @manyToMany model does not exist")
		}
	}
	sortNames := func(m *model, sk []*field) []any {
		out := make([]any, 0, len(sk))
		for _, f := range sk {
			out = append(out, sortName(m, f))
		}
		return out
	}
	indexDir := func(m *model, sk []*field) *directive {
		args := newObject(2)
		args.set("name", "by"+m.name)
		args.set("sortKeyFields", sortNames(m, sk))
		return &directive{name: "index", args: args, pos: pos}
	}
	belongs := func(key string, m *model, sk []*field) *directive {
		args := newObject(1)
		args.set("fields", append([]any{key}, sortNames(m, sk)...))
		return &directive{name: "belongsTo", args: args, pos: pos}
	}
	fields := []*field{{name: "id", typ: "ID", pos: pos}}
	fields = append(fields, &field{name: aKey, typ: "ID", isNullable: true, directives: []*directive{indexDir(a, aSort)}, pos: pos})
	for _, f := range aSort {
		fields = append(fields, &field{name: sortName(a, f), typ: f.typ, isNullable: true, isList: f.isList, pos: pos})
	}
	fields = append(fields, &field{name: bKey, typ: "ID", isNullable: true, directives: []*directive{indexDir(b, bSort)}, pos: pos})
	for _, f := range bSort {
		fields = append(fields, &field{name: sortName(b, f), typ: f.typ, isNullable: true, isList: f.isList, pos: pos})
	}
	fields = append(fields,
		&field{name: camelCase(a.name), typ: a.name, directives: []*directive{belongs(aKey, a, aSort)}, pos: pos},
		&field{name: camelCase(b.name), typ: b.name, directives: []*directive{belongs(bKey, b, bSort)}, pos: pos},
	)
	return &model{
		name:       name,
		directives: []*directive{{name: "model", args: newObject(0), pos: pos}},
		fields:     fields,
		pos:        pos,
	}, nil
}
