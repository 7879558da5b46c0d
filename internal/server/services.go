package server

import (
	"github.com/amplifylite/amplifylite/internal/awsproto"
	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/sts"
)

// services returns the AWS services served beside AmplifyBackend, by
// signing name, and the public ones, by path prefix.
func services(svc *backend.Service) (signed, public map[string]awsproto.Handler) {
	signed = map[string]awsproto.Handler{
		sts.SigningName: sts.Handler{},
	}
	return signed, map[string]awsproto.Handler{}
}
