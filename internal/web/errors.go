package web

import (
	"errors"
	"net/http"
	"strings"

	"cptrends/indicators"

	"github.com/labstack/echo/v4"
)

// statusOf maps a domain error code to its HTTP status.
var statusOf = map[string]int{
	indicators.EINVALID:      http.StatusBadRequest,
	indicators.ENOTFOUND:     http.StatusNotFound,
	indicators.ECONFLICT:     http.StatusConflict,
	indicators.EUNAUTHORIZED: http.StatusUnauthorized,
	indicators.EFORBIDDEN:    http.StatusForbidden,
}

type errorPage struct {
	layout
	Status    int
	Message   string
	RequestID string
}

// handleError is the one place errors become responses. Internal errors are
// logged with the request id and shown only as "Something went wrong".
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, msg := http.StatusInternalServerError, "Something went wrong."
	var he *echo.HTTPError
	switch {
	case errors.As(err, &he):
		status = he.Code
		msg = http.StatusText(status) + "."
		if status == http.StatusNotFound {
			msg = "Page not found."
		}
	case indicators.ErrorCode(err) != indicators.EINTERNAL:
		status = statusOf[indicators.ErrorCode(err)]
		msg = indicators.ErrorMessage(err)
	}
	reqID := c.Response().Header().Get(echo.HeaderXRequestID)
	if status >= 500 {
		s.log.Error("request failed", "err", err, "request_id", reqID, "uri", c.Request().RequestURI)
		msg = "Something went wrong. If it happens again, quote reference " + reqID + "."
	}
	if strings.HasPrefix(c.Path(), "/api/") || strings.HasPrefix(c.Request().URL.Path, "/api/") {
		_ = c.JSON(status, map[string]string{"error": msg, "request_id": reqID})
		return
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	page := errorPage{layout: s.layout(c, http.StatusText(status)), Status: status, Message: msg, RequestID: reqID}
	if rerr := s.render(c, status, "error", page); rerr != nil {
		s.log.Error("render error page", "err", rerr, "request_id", reqID)
		_ = c.String(status, msg)
	}
}
