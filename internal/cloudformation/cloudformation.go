// Package cloudformation serves the read side of AWS CloudFormation
// (signing name "cloudformation", query protocol) the Amplify CLI uses on
// pull: DescribeStacks and ListStackResources on the stacks the domain
// derives from each backend environment.
package cloudformation

import (
	"encoding/xml"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/amplifylite/amplifylite/internal/awsproto"
	"github.com/amplifylite/amplifylite/internal/backend"
)

// SigningName is CloudFormation's SigV4 service name.
const SigningName = "cloudformation"

const xmlns = "http://cloudformation.amazonaws.com/doc/2010-05-15/"

// Handler serves CloudFormation.
type Handler struct {
	svc *backend.Service
	log *slog.Logger
}

var _ awsproto.Handler = (*Handler)(nil)

// New returns the CloudFormation handler on svc; log receives internal errors.
func New(svc *backend.Service, log *slog.Logger) *Handler {
	return &Handler{svc: svc, log: log}
}

type outputXML struct {
	OutputKey   string
	OutputValue string
}

type tagXML struct{ Key, Value string }

type stackXML struct {
	StackName                   string
	StackId                     string
	Description                 string `xml:",omitempty"`
	CreationTime                string
	LastUpdatedTime             string `xml:",omitempty"`
	StackStatus                 string
	DisableRollback             bool
	NotificationARNs            struct{}
	Capabilities                []string    `xml:"Capabilities>member"`
	Outputs                     []outputXML `xml:"Outputs>member"`
	Tags                        []tagXML    `xml:"Tags>member"`
	EnableTerminationProtection bool
	ParentId                    string `xml:",omitempty"`
	RootId                      string `xml:",omitempty"`
	DriftInformation            struct{ StackDriftStatus string }
}

type summaryXML struct {
	LogicalResourceId    string
	PhysicalResourceId   string
	ResourceType         string
	LastUpdatedTimestamp string
	ResourceStatus       string
	DriftInformation     struct{ StackResourceDriftStatus string }
}

// Serve answers a query-protocol request.
func (h *Handler) Serve(w http.ResponseWriter, r *http.Request, req *awsproto.Request) string {
	form, perr := awsproto.QueryForm(r, req.Body)
	if perr != nil {
		awsproto.WriteQueryError(w, req.RequestID, perr)
		return "-"
	}
	action := form.Get("Action")
	switch action {
	case "DescribeStacks":
		stacks, err := h.svc.Stacks(r.Context(), req.Partition, form.Get("StackName"))
		if err != nil {
			h.fail(w, req, err)
			return action
		}
		if form.Get("StackName") != "" {
			stacks = stacks[:1]
		}
		out := struct {
			XMLName xml.Name   `xml:"DescribeStacksResult"`
			Stacks  []stackXML `xml:"Stacks>member"`
		}{Stacks: []stackXML{}}
		for _, st := range stacks {
			x := stackXML{StackName: st.Name, StackId: st.ID, Description: st.Description, CreationTime: ts(st.Created),
				StackStatus: st.Status, ParentId: st.ParentID, RootId: st.ParentID,
				Capabilities: []string{"CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"}}
			if !st.Updated.IsZero() {
				x.LastUpdatedTime = ts(st.Updated)
			}
			for _, o := range st.Outputs {
				x.Outputs = append(x.Outputs, outputXML{o.Key, o.Value})
			}
			for _, t := range st.Tags {
				x.Tags = append(x.Tags, tagXML{t.Key, t.Value})
			}
			x.DriftInformation.StackDriftStatus = "NOT_CHECKED"
			out.Stacks = append(out.Stacks, x)
		}
		awsproto.QueryResponse(w, xmlns, action, req.RequestID, out)
	case "ListStackResources":
		name := form.Get("StackName")
		if name == "" {
			awsproto.WriteQueryError(w, req.RequestID, &awsproto.Error{Code: "ValidationError", Status: http.StatusBadRequest,
				Message: "1 validation error detected: Value null at 'stackName' failed to satisfy constraint: Member must not be null"})
			return action
		}
		stacks, err := h.svc.Stacks(r.Context(), req.Partition, name)
		if err != nil {
			h.fail(w, req, err)
			return action
		}
		st := stacks[0]
		updated := st.Created
		if !st.Updated.IsZero() {
			updated = st.Updated
		}
		status := "CREATE_COMPLETE"
		if st.Status == "UPDATE_COMPLETE" {
			status = "UPDATE_COMPLETE"
		}
		out := struct {
			XMLName   xml.Name     `xml:"ListStackResourcesResult"`
			Summaries []summaryXML `xml:"StackResourceSummaries>member"`
		}{Summaries: []summaryXML{}}
		for _, res := range st.Resources {
			s := summaryXML{LogicalResourceId: res.LogicalID, PhysicalResourceId: res.PhysicalID, ResourceType: res.Type,
				LastUpdatedTimestamp: ts(updated), ResourceStatus: status}
			s.DriftInformation.StackResourceDriftStatus = "NOT_CHECKED"
			out.Summaries = append(out.Summaries, s)
		}
		awsproto.QueryResponse(w, xmlns, action, req.RequestID, out)
	case "":
		awsproto.WriteQueryError(w, req.RequestID, &awsproto.Error{Code: "MissingAction", Status: http.StatusBadRequest, Message: "Missing Action"})
		return "-"
	default:
		awsproto.WriteQueryError(w, req.RequestID, &awsproto.Error{Code: "InvalidAction", Status: http.StatusBadRequest,
			Message: "amplifylite serves only DescribeStacks and ListStackResources of CloudFormation, not " + action})
		return "-"
	}
	return action
}

// fail answers a domain error: an unknown stack is a ValidationError, as
// CloudFormation says it.
func (h *Handler) fail(w http.ResponseWriter, req *awsproto.Request, err error) {
	var be *backend.Error
	if errors.As(err, &be) && be.Kind == backend.NotFound {
		awsproto.WriteQueryError(w, req.RequestID, &awsproto.Error{Code: "ValidationError", Status: http.StatusBadRequest, Message: be.Message})
		return
	}
	awsproto.WriteQueryError(w, req.RequestID, awsproto.Internal(h.log, req.RequestID, err))
}

// Fail answers a refused request in the query protocol.
func (h *Handler) Fail(w http.ResponseWriter, _ *http.Request, req *awsproto.Request, e *awsproto.Error) {
	awsproto.WriteQueryError(w, req.RequestID, e)
}

func ts(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// Operation names a request's operation: its Action.
func (h *Handler) Operation(r *http.Request, body []byte) string {
	return awsproto.QueryAction(r, body)
}
