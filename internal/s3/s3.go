// Package s3 serves the partition's buckets (signing name "s3", REST-XML,
// path-style addressing), read-only: ListBuckets, HeadBucket,
// GetBucketLocation, ListObjectsV2 (and V1), GetObject and HeadObject. The backend environments' deployment
// buckets hold the artifacts the domain builds from the stored state
// (amplify-meta.json and #current-cloud-backend.zip); the other buckets
// ListS3Buckets lists (storage resources', imported, configured) are empty.
package s3

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/amplifylite/amplifylite/internal/awsproto"
	"github.com/amplifylite/amplifylite/internal/backend"
)

// SigningName is S3's SigV4 service name.
const SigningName = "s3"

const xmlns = "http://s3.amazonaws.com/doc/2006-03-01/"

// Handler serves S3.
type Handler struct {
	svc *backend.Service
	log *slog.Logger
}

var _ awsproto.Handler = (*Handler)(nil)

// New returns the S3 handler on svc; log receives internal errors.
func New(svc *backend.Service, log *slog.Logger) *Handler {
	return &Handler{svc: svc, log: log}
}

// Serve answers one S3 request.
func (h *Handler) Serve(w http.ResponseWriter, r *http.Request, req *awsproto.Request) string {
	w.Header().Set("x-amz-request-id", req.RequestID)
	bucket, key, err := splitPath(r.URL.EscapedPath())
	if err != nil {
		awsproto.WriteS3Error(w, r, req.RequestID, r.URL.EscapedPath(), err)
		return "-"
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		awsproto.WriteS3Error(w, r, req.RequestID, "/"+bucket+"/"+key, &awsproto.Error{Code: "AccessDenied", Status: http.StatusForbidden,
			Message: "Access Denied: deployment buckets are read-only; amplifylite builds their objects from the backend's state"})
		return "-"
	}
	switch Operation(r, bucket, key) {
	case "ListBuckets":
		return h.listBuckets(w, r, req)
	case "HeadBucket":
		_, err := h.svc.Bucket(r.Context(), req.Partition, bucket)
		if err != nil {
			h.fail(w, r, req, "/"+bucket, err)
		} else {
			w.Header().Set("x-amz-bucket-region", req.Partition.Region)
			w.WriteHeader(http.StatusOK)
		}
		return "HeadBucket"
	case "GetBucketLocation":
		return h.bucketLocation(w, r, req, bucket)
	case "ListObjects", "ListObjectsV2":
		return h.listObjects(w, r, req, bucket)
	default:
		return h.getObject(w, r, req, bucket, key)
	}
}

// Operation names a GET or HEAD request's operation from its bucket and key.
func Operation(r *http.Request, bucket, key string) string {
	head := r.Method == http.MethodHead
	switch {
	case bucket == "":
		return "ListBuckets"
	case key == "" && head:
		return "HeadBucket"
	case key == "" && r.URL.Query().Has("location"):
		return "GetBucketLocation"
	case key == "" && r.URL.Query().Get("list-type") == "2":
		return "ListObjectsV2"
	case key == "":
		return "ListObjects"
	case head:
		return "HeadObject"
	}
	return "GetObject"
}

// Operation names a request's operation.
func (h *Handler) Operation(r *http.Request, _ []byte) string {
	bucket, key, err := splitPath(r.URL.EscapedPath())
	if err != nil || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		return "-"
	}
	return Operation(r, bucket, key)
}

// splitPath returns the bucket and the (unescaped) key of a path-style
// request path.
func splitPath(escaped string) (bucket, key string, _ *awsproto.Error) {
	b, k, _ := strings.Cut(strings.TrimPrefix(escaped, "/"), "/")
	bucket, err1 := url.PathUnescape(b)
	key, err2 := url.PathUnescape(k)
	if err1 != nil || err2 != nil {
		return "", "", &awsproto.Error{Code: "InvalidURI", Status: http.StatusBadRequest, Message: "Couldn't parse the specified URI."}
	}
	return bucket, key, nil
}

func (h *Handler) listBuckets(w http.ResponseWriter, r *http.Request, req *awsproto.Request) string {
	buckets, err := h.svc.Buckets(r.Context(), req.Partition)
	if err != nil {
		h.fail(w, r, req, "/", err)
		return "ListBuckets"
	}
	type bucketXML struct {
		Name         string
		CreationDate string
		BucketRegion string
	}
	out := struct {
		XMLName xml.Name `xml:"ListAllMyBucketsResult"`
		Xmlns   string   `xml:"xmlns,attr"`
		Owner   struct{ ID, DisplayName string }
		Buckets []bucketXML `xml:"Buckets>Bucket"`
	}{Xmlns: xmlns}
	out.Owner.ID, out.Owner.DisplayName = req.Partition.Account, req.Partition.Account
	for _, b := range buckets {
		out.Buckets = append(out.Buckets, bucketXML{b.Name, timestamp(b.Created), req.Partition.Region})
	}
	awsproto.WriteXML(w, http.StatusOK, out)
	return "ListBuckets"
}

// bucketLocation answers GetBucketLocation: every bucket is in the
// partition's region, which S3 names by an empty constraint in us-east-1.
func (h *Handler) bucketLocation(w http.ResponseWriter, r *http.Request, req *awsproto.Request, bucket string) string {
	if _, err := h.svc.Bucket(r.Context(), req.Partition, bucket); err != nil {
		h.fail(w, r, req, "/"+bucket, err)
		return "GetBucketLocation"
	}
	out := struct {
		XMLName xml.Name `xml:"LocationConstraint"`
		Xmlns   string   `xml:"xmlns,attr"`
		Region  string   `xml:",chardata"`
	}{Xmlns: xmlns}
	if req.Partition.Region != "us-east-1" {
		out.Region = req.Partition.Region
	}
	awsproto.WriteXML(w, http.StatusOK, out)
	return "GetBucketLocation"
}

// listObjects answers ListObjectsV2 (list-type=2) and ListObjects.
func (h *Handler) listObjects(w http.ResponseWriter, r *http.Request, req *awsproto.Request, bucket string) string {
	q := r.URL.Query()
	v2 := q.Get("list-type") == "2"
	name := "ListObjects"
	if v2 {
		name = "ListObjectsV2"
	}
	d, err := h.svc.Bucket(r.Context(), req.Partition, bucket)
	if err != nil {
		h.fail(w, r, req, "/"+bucket, err)
		return name
	}
	maxKeys := 1000
	if s := q.Get("max-keys"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			awsproto.WriteS3Error(w, r, req.RequestID, "/"+bucket, &awsproto.Error{Code: "InvalidArgument", Status: http.StatusBadRequest,
				Message: "Provided max-keys not an integer or within integer range"})
			return name
		}
		maxKeys = min(n, 1000)
	}
	after := q.Get("marker")
	if v2 {
		after = q.Get("start-after")
		if tok := q.Get("continuation-token"); tok != "" {
			raw, err := base64.RawURLEncoding.DecodeString(tok)
			if err != nil {
				awsproto.WriteS3Error(w, r, req.RequestID, "/"+bucket, &awsproto.Error{Code: "InvalidArgument", Status: http.StatusBadRequest,
					Message: "The continuation token provided is incorrect"})
				return name
			}
			after = string(raw)
		}
	}
	prefix, delim := q.Get("prefix"), q.Get("delimiter")
	type content struct {
		Key          string
		LastModified string
		ETag         string
		Size         int
		StorageClass string
	}
	type commonPrefix struct{ Prefix string }
	var contents []content
	var prefixes []commonPrefix
	truncated, last := false, ""
	for _, o := range d.Objects {
		if o.Key <= after || !strings.HasPrefix(o.Key, prefix) {
			continue
		}
		entry := o.Key
		if delim != "" {
			if i := strings.Index(o.Key[len(prefix):], delim); i >= 0 {
				entry = o.Key[:len(prefix)+i+len(delim)]
				if len(prefixes) > 0 && prefixes[len(prefixes)-1].Prefix == entry {
					continue
				}
			}
		}
		if len(contents)+len(prefixes) == maxKeys {
			truncated = true
			break
		}
		last = o.Key
		if entry != o.Key {
			prefixes = append(prefixes, commonPrefix{entry})
		} else {
			contents = append(contents, content{o.Key, timestamp(o.Modified), o.ETag, len(o.Body), "STANDARD"})
		}
	}
	out := struct {
		XMLName               xml.Name `xml:"ListBucketResult"`
		Xmlns                 string   `xml:"xmlns,attr"`
		Name                  string
		Prefix                string
		Marker                *string `xml:",omitempty"`
		NextMarker            string  `xml:",omitempty"`
		StartAfter            string  `xml:",omitempty"`
		ContinuationToken     string  `xml:",omitempty"`
		NextContinuationToken string  `xml:",omitempty"`
		KeyCount              *int    `xml:",omitempty"`
		MaxKeys               int
		Delimiter             string `xml:",omitempty"`
		IsTruncated           bool
		Contents              []content
		CommonPrefixes        []commonPrefix
	}{Xmlns: xmlns, Name: bucket, Prefix: prefix, MaxKeys: maxKeys, Delimiter: delim, IsTruncated: truncated, Contents: contents, CommonPrefixes: prefixes}
	if v2 {
		n := len(contents) + len(prefixes)
		out.KeyCount, out.StartAfter, out.ContinuationToken = &n, q.Get("start-after"), q.Get("continuation-token")
		if truncated {
			out.NextContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(last))
		}
	} else {
		m := q.Get("marker")
		out.Marker = &m
		if truncated && delim != "" {
			out.NextMarker = last
		}
	}
	awsproto.WriteXML(w, http.StatusOK, out)
	return name
}

func (h *Handler) getObject(w http.ResponseWriter, r *http.Request, req *awsproto.Request, bucket, key string) string {
	name := "GetObject"
	if r.Method == http.MethodHead {
		name = "HeadObject"
	}
	d, err := h.svc.Bucket(r.Context(), req.Partition, bucket)
	if err != nil {
		h.fail(w, r, req, "/"+bucket+"/"+key, err)
		return name
	}
	for _, o := range d.Objects {
		if o.Key == key {
			hd := w.Header()
			hd.Set("ETag", o.ETag)
			hd.Set("Content-Type", contentType(key))
			// ServeContent answers HEAD, Range and the conditional headers.
			http.ServeContent(w, r, "", o.Modified, bytes.NewReader(o.Body))
			return name
		}
	}
	awsproto.WriteS3Error(w, r, req.RequestID, "/"+bucket+"/"+key, &awsproto.Error{Code: "NoSuchKey", Status: http.StatusNotFound,
		Message: "The specified key does not exist."})
	return name
}

func contentType(key string) string {
	switch path.Ext(key) {
	case ".json":
		return "application/json"
	case ".zip":
		return "application/zip"
	}
	return "binary/octet-stream"
}

// fail answers a domain error: an unknown bucket is NoSuchBucket.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, req *awsproto.Request, resource string, err error) {
	var be *backend.Error
	if errors.As(err, &be) && be.Kind == backend.NotFound {
		awsproto.WriteS3Error(w, r, req.RequestID, resource, &awsproto.Error{Code: "NoSuchBucket", Status: http.StatusNotFound,
			Message: "The specified bucket does not exist"})
		return
	}
	awsproto.WriteS3Error(w, r, req.RequestID, resource, awsproto.Internal(h.log, req.RequestID, err))
}

// Fail answers a refused request as S3 does.
func (h *Handler) Fail(w http.ResponseWriter, r *http.Request, req *awsproto.Request, e *awsproto.Error) {
	awsproto.WriteS3Error(w, r, req.RequestID, r.URL.EscapedPath(), e)
}

func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
