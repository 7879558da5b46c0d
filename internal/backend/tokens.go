package backend

import (
	"context"
	"strconv"

	ab "github.com/amplifylite/amplifylite/amplifybackend"
)

// CreateToken issues a one-time Admin UI challenge for an app.
func (s *Service) CreateToken(ctx context.Context, p Partition, in *ab.CreateTokenRequest) (*ab.CreateTokenResponse, error) {
	app := *in.AppId
	t := &Token{AppID: app, SessionID: newID(), Code: challengeCode(), Expires: s.now().Add(s.cfg.TokenTTL)}
	err := s.update(ctx, func(tx Tx) error {
		ok, err := tx.AddToken(p, t)
		if err == nil && !ok {
			err = appNotFound(app)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	out := tokenObj(t)
	return &out, nil
}

// GetToken returns a live challenge token.
func (s *Service) GetToken(ctx context.Context, p Partition, in *ab.GetTokenRequest) (*ab.GetTokenResponse, error) {
	var t *Token
	err := s.store.View(ctx, func(tx Tx) (err error) {
		t, err = s.liveToken(tx, p, *in.AppId, *in.SessionId)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := ab.GetTokenResponse(tokenObj(t))
	return &out, nil
}

// DeleteToken removes a live challenge token.
func (s *Service) DeleteToken(ctx context.Context, p Partition, in *ab.DeleteTokenRequest) (*ab.DeleteTokenResponse, error) {
	err := s.update(ctx, func(tx Tx) error {
		if _, err := s.liveToken(tx, p, *in.AppId, *in.SessionId); err != nil {
			return err
		}
		return tx.DeleteToken(p, *in.AppId, *in.SessionId)
	})
	if err != nil {
		return nil, err
	}
	return &ab.DeleteTokenResponse{IsSuccess: ab.Bool(true)}, nil
}

func (s *Service) liveToken(tx Tx, p Partition, app, session string) (*Token, error) {
	t, err := tx.Token(p, app, session)
	if err != nil {
		return nil, err
	}
	if t != nil { // a token goes with its app (RemoveAllBackends with cleanAmplifyApp)
		a, err := tx.App(p, app)
		if err != nil {
			return nil, err
		}
		if a == nil {
			t = nil
		}
	}
	if t == nil || !s.now().Before(t.Expires) {
		return nil, notFoundf(TypeToken, "Token with sessionId %s not found or expired for app %s", session, app)
	}
	return t, nil
}

func tokenObj(t *Token) ab.CreateTokenResponse {
	return ab.CreateTokenResponse{AppId: ab.String(t.AppID), ChallengeCode: ab.String(t.Code), SessionId: ab.String(t.SessionID),
		Ttl: ab.String(strconv.FormatInt(t.Expires.Unix(), 10))}
}
