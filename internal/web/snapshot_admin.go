package web

import (
	"errors"
	"net/http"
	"strconv"

	"cptrends/internal/store"

	"github.com/labstack/echo/v4"
)

// refuseSnapshotLimit answers a snapshot the account may not make now with
// 429 Too Many Requests (or 403 for a full quota, which waiting does not
// cure) and says why; it returns false for any other error.
func (s *Server) refuseSnapshotLimit(c echo.Context, err error) (bool, error) {
	var limit *store.SnapshotLimitError
	if !errors.As(err, &limit) {
		return false, nil
	}
	status := http.StatusForbidden
	if limit.RetryAfter > 0 {
		status = http.StatusTooManyRequests
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(limit.RetryAfter.Seconds())))
	}
	s.log.Warn("snapshot refused", "user", currentUser(c).Name, "reason", limit.Message)
	page := errorPage{layout: s.layout(c, "You cannot make a snapshot now"), Status: status, Message: limit.Message}
	return true, s.render(c, status, "error", page)
}

// handleSnapshotDelete is an admin's removal of a snapshot: it is shown
// to no one any more, and kept, as it was, in the list of deleted
// snapshots on the admin page.
func (s *Server) handleSnapshotDelete(c echo.Context) error {
	id := c.Param("id")
	if err := s.store.DeleteSnapshot(c.Request().Context(), id, currentUser(c).Name); err != nil {
		return err
	}
	s.log.Info("snapshot deleted", "id", id, "by", currentUser(c).Name)
	return c.Redirect(http.StatusSeeOther, s.url("/admin/users?done=snapshot-deleted"))
}
