// Package appstate serves the Admin UI's AppState endpoint (public,
// unsigned, JSON; the Amplify CLI finds it at AMPLIFY_CLI_APPSTATE_BASE_URL):
// GET /AppState/?appId=X tells whether an app has Amplify Studio and where,
// GET /AppState/{sandboxId} serves `amplify pull --sandboxId`. It also
// answers Amplify UI Builder (signing name "amplifyuibuilder"), which
// amplifylite does not implement, with a clean not-found error.
package appstate

import (
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/amplifylite/amplifylite/internal/awsproto"
	"github.com/amplifylite/amplifylite/internal/backend"
)

// Prefix is the path prefix of AppState requests.
const Prefix = "/AppState"

// UIBuilderSigningName is Amplify UI Builder's SigV4 service name.
const UIBuilderSigningName = "amplifyuibuilder"

// UIBuilderPrefix is the path prefix of UI Builder's app requests, which
// are answered when unsigned too.
const UIBuilderPrefix = "/app/"

// Handler serves AppState.
type Handler struct {
	svc *backend.Service
	log *slog.Logger
	// protected: accounts are kept apart (--credentials). AppState is
	// unsigned, so it cannot tell whose request it is: a sandbox's schema
	// (an app's API schema) is then not handed to anyone who names the app.
	protected bool
}

var _ awsproto.Handler = (*Handler)(nil)

// New returns the AppState handler on svc; log receives internal errors.
// With protected (accounts kept apart by --credentials), GET
// /AppState/{sandboxId} answers no schema: an app that would be a sandbox
// is "not found" to unsigned callers.
func New(svc *backend.Service, log *slog.Logger, protected bool) *Handler {
	return &Handler{svc: svc, log: log, protected: protected}
}

// Serve answers an AppState request.
func (h *Handler) Serve(w http.ResponseWriter, r *http.Request, req *awsproto.Request) string {
	if r.Method != http.MethodGet {
		awsproto.WriteJSON(w, http.StatusMethodNotAllowed, map[string]string{"message": "AppState answers GET only"})
		return "-"
	}
	rest := strings.TrimPrefix(strings.TrimPrefix(r.URL.EscapedPath(), Prefix), "/")
	if rest == "" {
		appID := r.URL.Query().Get("appId")
		if appID == "" {
			awsproto.WriteJSON(w, http.StatusBadRequest, map[string]string{"message": "The query parameter appId is required"})
			return "GetAppState"
		}
		app, err := h.svc.AdminApp(r.Context(), req.Partition, appID)
		if err != nil {
			h.internal(w, req, err)
			return "GetAppState"
		}
		if app == nil {
			awsproto.WriteJSON(w, http.StatusOK, struct{}{})
			return "GetAppState"
		}
		out := map[string]string{"appId": app.AppID, "region": app.Region}
		if app.LoginAuthConfig != "" {
			out["loginAuthConfig"] = app.LoginAuthConfig // a JSON string, as the CLI parses it
		}
		awsproto.WriteJSON(w, http.StatusOK, out)
		return "GetAppState"
	}
	id, err := url.PathUnescape(rest)
	if err != nil || strings.Contains(id, "/") {
		awsproto.WriteJSON(w, http.StatusNotFound, map[string]string{"message": "Requested app was not found"})
		return "GetSandbox"
	}
	sb, err := h.svc.Sandbox(r.Context(), req.Partition, id)
	switch {
	case err != nil:
		h.internal(w, req, err)
	case !sb.Found, sb.AppID == "" && h.protected:
		awsproto.WriteJSON(w, http.StatusNotFound, map[string]string{"message": "Requested app was not found"})
	case sb.AppID != "":
		awsproto.WriteJSON(w, http.StatusOK, map[string]string{"appId": sb.AppID})
	case sb.Schema != "":
		awsproto.WriteJSON(w, http.StatusOK, map[string]string{"schema": sb.Schema})
	default:
		awsproto.WriteJSON(w, http.StatusOK, struct{}{})
	}
	return "GetSandbox"
}

func (h *Handler) internal(w http.ResponseWriter, req *awsproto.Request, err error) {
	h.Fail(w, nil, req, awsproto.Internal(h.log, req.RequestID, err))
}

// Fail answers a refused request.
func (h *Handler) Fail(w http.ResponseWriter, _ *http.Request, _ *awsproto.Request, e *awsproto.Error) {
	awsproto.WriteJSON(w, e.Status, map[string]string{"message": e.Message})
}

// UIBuilder answers Amplify UI Builder's requests: amplifylite keeps no UI
// Builder components, themes or forms, so every request is a
// ResourceNotFoundException (the CLI then reports "Failed to sync UI
// components" and goes on).
type UIBuilder struct{}

var _ awsproto.Handler = UIBuilder{}

// Serve answers a UI Builder request.
func (UIBuilder) Serve(w http.ResponseWriter, r *http.Request, _ *awsproto.Request) string {
	awsproto.WriteJSONError(w, &awsproto.Error{Code: "ResourceNotFoundException", Status: http.StatusNotFound,
		Message: "amplifylite does not serve Amplify UI Builder: no UI Builder data for " + r.URL.EscapedPath()})
	return "-"
}

// Fail answers a refused request in REST-JSON.
func (UIBuilder) Fail(w http.ResponseWriter, _ *http.Request, _ *awsproto.Request, e *awsproto.Error) {
	awsproto.WriteJSONError(w, e)
}
