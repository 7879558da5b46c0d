package server

import "github.com/amplifylite/amplifylite/internal/backend"

// modelGenerator returns the model generator wired into the domain; nil
// until internal/modelgen is available.
func modelGenerator() backend.ModelGenerator { return nil }
