package server

import (
	"log/slog"

	"github.com/amplifylite/amplifylite/amplifyhosting"
	"github.com/amplifylite/amplifylite/internal/appstate"
	"github.com/amplifylite/amplifylite/internal/awsproto"
	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/cloudformation"
	"github.com/amplifylite/amplifylite/internal/cognito"
	"github.com/amplifylite/amplifylite/internal/cognitoidentity"
	"github.com/amplifylite/amplifylite/internal/hosting"
	"github.com/amplifylite/amplifylite/internal/s3"
	"github.com/amplifylite/amplifylite/internal/ssm"
	"github.com/amplifylite/amplifylite/internal/sts"
)

// services returns the AWS services served beside AmplifyBackend, by
// signing name, and the public ones, by path prefix; protected: accounts
// are kept apart (--credentials).
func services(svc *backend.Service, log *slog.Logger, protected bool) (signed, public map[string]awsproto.Handler) {
	signed = map[string]awsproto.Handler{
		sts.SigningName:               sts.Handler{},
		amplifyhosting.SigningName:    hosting.New(svc, log),
		s3.SigningName:                s3.New(svc, log),
		cloudformation.SigningName:    cloudformation.New(svc, log),
		appstate.UIBuilderSigningName: appstate.UIBuilder{},
		cognito.SigningName:           cognito.New(svc, log),
		cognitoidentity.SigningName:   cognitoidentity.New(svc, log),
		ssm.SigningName:               ssm.New(svc, log),
	}
	public = map[string]awsproto.Handler{
		appstate.Prefix:          appstate.New(svc, log, protected),
		appstate.UIBuilderPrefix: appstate.UIBuilder{},
	}
	return signed, public
}
