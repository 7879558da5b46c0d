package modelgen

// belongsToConnection is processBelongsToConnection.
func (r *run) belongsToConnection(f *field, m *model, d *directive, custom bool) (*connectionInfo, error) {
	if f.isList {
		return nil, errAt(d.pos, "A list field does not support the 'belongsTo' relation")
	}
	other, err := r.relatedModel(f, m, d)
	if err != nil {
		return nil, err
	}
	connected := belongsToConnectedFields(m, other)
	if len(connected) == 0 {
		return nil, errAt(d.pos, "A 'belongsTo' field should match to a corresponding 'hasMany' or 'hasOne' field")
	}
	refs := or(d.args.get("references"), []any{})
	n, _ := jsLength(refs)
	usingRefs := n > 0
	if usingRefs {
		if _, err := r.connectedFieldForReferences(f, m, other, "belongsTo"); err != nil {
			return nil, err
		}
	}
	var otherField *field
	if custom {
		otherField = connected[0]
	} else {
		otherField, err = r.connectedFieldV2(f, m, other, "belongsTo")
		if err != nil {
			return nil, err
		}
	}
	connFields := or(d.args.get("fields"), []any{})
	a, ok1 := jsSpread(connFields)
	b, ok2 := jsSpread(refs)
	if !ok1 || !ok2 {
		return nil, errAt(d.pos, "fields and references of @belongsTo must be lists")
	}
	targets := append(append([]any{}, a...), b...)
	if len(targets) == 0 {
		if otherField.isList {
			if custom {
				for _, c := range primaryKeyComponents(other) {
					if c == nil {
						return nil, errAt(d.pos, "a sort key field of %s does not exist", other.name)
					}
					targets = append(targets, connectionAttributeName(other.name, otherField.name, c.name))
				}
			} else {
				targets = []any{connectionAttributeName(other.name, otherField.name, "id")}
			}
		} else {
			if custom {
				for _, c := range primaryKeyComponents(other) {
					if c == nil {
						return nil, errAt(d.pos, "a sort key field of %s does not exist", other.name)
					}
					targets = append(targets, connectionAttributeName(m.name, f.name, c.name))
				}
			} else {
				targets = []any{connectionAttributeName(m.name, f.name, "id")}
			}
		}
	}
	return &connectionInfo{kind: belongsTo, connected: other, targetNames: targets, usingReferences: usingRefs}, nil
}

// belongsToConnectedFields is getBelongsToConnectedFields: the hasOne
// (non-list) and hasMany (list) fields of other whose type is m. The caller
// must not modify the slice.
func belongsToConnectedFields(m *model, other *model) []*field {
	stampAll(other)
	x := other.index()
	if x.related == nil {
		// One pass for every model asking: hub models are asked once per
		// relation.
		x.related = map[string][]*field{}
		other.visits += len(other.fields)
		for _, g := range other.fields {
			for _, d := range g.directives {
				cf := findField(other, d.fieldName)
				if cf == nil {
					continue
				}
				if (d.name == "hasOne" && !cf.isList) || (d.name == "hasMany" && cf.isList) {
					x.related[cf.typ] = append(x.related[cf.typ], cf)
				}
			}
		}
	}
	return x.related[m.name]
}
