package modelgen

// addTimestampFields is the visitor's addTimestampFields: the createdAt and
// updatedAt fields, or those @model's timestamps argument names.
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
