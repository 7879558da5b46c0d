package modelgen

// hasOneConnection is processHasOneConnection.
func (r *run) hasOneConnection(f *field, m *model, d *directive, custom bool) (*connectionInfo, error) {
	other, err := r.relatedModel(f, m, d)
	if err != nil {
		return nil, err
	}
	bt := otherSideBelongsToField(m.name, other)
	if f.isList || (bt != nil && bt.isList) {
		return nil, errAt(d.pos, "A hasOne relationship should be 1:1, no lists")
	}
	connFields := or(d.args.get("fields"), []any{})
	refs := or(d.args.get("references"), []any{})
	var awf []*field
	if n, _ := jsLength(refs); n > 0 {
		if _, err := r.connectedFieldForReferences(f, m, other, "hasOne"); err != nil {
			return nil, err
		}
		for _, ref := range refs.([]any) {
			awf = append(awf, findFieldValue(other, ref))
		}
		ci := &connectionInfo{kind: hasOne, connected: other, associatedWithFields: awf}
		if len(awf) > 0 {
			ci.associatedWith = awf[0]
		}
		return ci, nil
	} else if custom {
		awf = primaryKeyComponents(other)
	} else {
		g, err := r.connectedFieldV2(f, m, other, "hasOne")
		if err != nil {
			return nil, err
		}
		awf = []*field{g}
	}
	var targets []any
	if n, _ := jsLength(connFields); n > 0 {
		targets, _ = jsSpread(connFields)
	} else if custom {
		for _, c := range primaryKeyComponents(other) {
			if c == nil {
				return nil, errAt(d.pos, "a sort key field of %s does not exist", other.name)
			}
			targets = append(targets, connectionAttributeName(m.name, f.name, c.name))
		}
	} else {
		targets = []any{connectionAttributeName(m.name, f.name, "id")}
	}
	if targets == nil {
		targets = []any{}
	}
	ci := &connectionInfo{kind: hasOne, connected: other, associatedWithFields: awf, targetNames: targets}
	if len(awf) > 0 {
		ci.associatedWith = awf[0]
	}
	return ci, nil
}
