package web

import (
	"net/http"
	"strconv"
	"strings"

	"cptrends/indicators"
	"cptrends/internal/store"

	"github.com/labstack/echo/v4"
)

type adminUsersPage struct {
	layout
	Users []store.User
	// DeletedSnapshots is the audit list of snapshots admins have deleted.
	DeletedSnapshots []store.DeletedSnapshot
	Error            string
	Notice           string
	Name             string
	Role             string
	MinPass          int
}

func (s *Server) renderAdminUsers(c echo.Context, status int, page adminUsersPage) error {
	users, err := s.store.Users(c.Request().Context())
	if err != nil {
		return err
	}
	if page.DeletedSnapshots, err = s.store.DeletedSnapshots(c.Request().Context()); err != nil {
		return err
	}
	page.layout, page.Users, page.MinPass = s.layout(c, "Users"), users, store.MinPasswordLength
	return s.render(c, status, "admin_users", page)
}

// adminNotices are the messages the admin page shows after an action, by
// the key its redirect gives in ?done=; any other text is ignored, so that
// a link cannot make the page say what it likes.
var adminNotices = map[string]string{
	"added":            "The account has been added.",
	"removed":          "The account has been removed.",
	"password":         "The password has been changed, and the account's sessions ended.",
	"snapshot-deleted": "The snapshot has been deleted; it is kept in the list of deleted snapshots below.",
}

func (s *Server) handleAdminUsers(c echo.Context) error {
	return s.renderAdminUsers(c, http.StatusOK, adminUsersPage{Notice: adminNotices[c.QueryParam("done")]})
}

// handleAdminUserAdd creates an account from the admin page.
func (s *Server) handleAdminUserAdd(c echo.Context) error {
	name, role := strings.TrimSpace(c.FormValue("name")), c.FormValue("role")
	u, err := s.store.AddUser(c.Request().Context(), name, role, c.FormValue("password"))
	if code := indicators.ErrorCode(err); code == indicators.EINVALID || code == indicators.ECONFLICT {
		return s.renderAdminUsers(c, http.StatusUnprocessableEntity, adminUsersPage{Error: indicators.ErrorMessage(err), Name: name, Role: role})
	}
	if err != nil {
		return err
	}
	s.log.Info("user added", "user", u.Name, "role", u.Role, "by", currentUser(c).Name)
	return c.Redirect(http.StatusSeeOther, s.url("/admin/users?done=added"))
}

func (s *Server) handleAdminUserRemove(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return indicators.Errorf(indicators.ENOTFOUND, "There is no such user.")
	}
	if id == currentUser(c).ID {
		return s.renderAdminUsers(c, http.StatusUnprocessableEntity, adminUsersPage{Error: "You cannot remove your own account."})
	}
	if err := s.store.RemoveUser(c.Request().Context(), id); err != nil {
		return err
	}
	s.log.Info("user removed", "id", id, "by", currentUser(c).Name)
	return c.Redirect(http.StatusSeeOther, s.url("/admin/users?done=removed"))
}

// handleAdminUserPassword sets a new password, which ends the user's sessions.
func (s *Server) handleAdminUserPassword(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return indicators.Errorf(indicators.ENOTFOUND, "There is no such user.")
	}
	err = s.store.SetPassword(c.Request().Context(), id, c.FormValue("password"))
	if indicators.ErrorCode(err) == indicators.EINVALID {
		return s.renderAdminUsers(c, http.StatusUnprocessableEntity, adminUsersPage{Error: indicators.ErrorMessage(err)})
	}
	if err != nil {
		return err
	}
	s.log.Info("password set", "id", id, "by", currentUser(c).Name)
	return c.Redirect(http.StatusSeeOther, s.url("/admin/users?done=password"))
}
