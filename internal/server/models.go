package server

import (
	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/modelgen"
)

// modelGenerator wires Amplify's model generation into the domain, with the
// generator's default options (as the real service ran it).
func modelGenerator() backend.ModelGenerator {
	return func(schema string) (string, string, error) {
		res, err := modelgen.Generate(schema, modelgen.Options{})
		return res.Models, res.ModelIntrospectionSchema, err
	}
}
