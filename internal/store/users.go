package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"fmt"
	"regexp"
	"sync"
	"time"
	"unicode/utf8"

	"cptrends/indicators"

	"golang.org/x/crypto/bcrypt"
)

// Roles, from least to most trusted (see package indicators).
const (
	RoleViewer  = indicators.RoleViewer
	RoleAnalyst = indicators.RoleAnalyst
	RoleAdmin   = indicators.RoleAdmin
)

// User is an account.
type User struct {
	ID        int64
	Name      string
	Role      string
	CreatedAt time.Time
}

// MinPasswordLength follows the NCSC's advice: length over complexity.
const MinPasswordLength = 10

var userNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$`)

// ValidRole reports whether role is one of the three roles.
func ValidRole(role string) bool { return indicators.ValidRole(role) }

// AddUser creates an account with a bcrypt hash of its password.
func (s *Store) AddUser(ctx context.Context, name, role, password string) (User, error) {
	switch {
	case !userNamePattern.MatchString(name):
		return User{}, indicators.Errorf(indicators.EINVALID, "A user name is 1 to 64 letters, digits, dots, hyphens, underscores or @, starting with a letter or digit.")
	case !ValidRole(role):
		return User{}, indicators.Errorf(indicators.EINVALID, "The role must be viewer, analyst or admin.")
	case utf8.RuneCountInString(password) < MinPasswordLength:
		return User{}, indicators.Errorf(indicators.EINVALID, "The password must be at least %d characters long.", MinPasswordLength)
	case len(password) > 72:
		return User{}, indicators.Errorf(indicators.EINVALID, "The password must be at most 72 bytes long.")
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return User{}, fmt.Errorf("store: hash password: %w", err)
	}
	u := User{Name: name, Role: role, CreatedAt: s.now().UTC()}
	err = s.db.QueryRowContext(ctx, `INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
		name, role, hash, timestamp(u.CreatedAt)).Scan(&u.ID)
	if isConstraint(err) {
		return User{}, indicators.Errorf(indicators.ECONFLICT, "There is already a user called %q.", name)
	}
	if err != nil {
		return User{}, fmt.Errorf("store: add user: %w", err)
	}
	return u, nil
}

// dummyHash is compared against when a user name is unknown, so that a
// login takes as long for a name that exists as for one that does not. It
// is made on first use: making it takes some 60 ms, which every command
// and every start of serve would otherwise spend.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("not a real password"), bcrypt.DefaultCost)
	return h
})

// Authenticate checks a name and password.
func (s *Store) Authenticate(ctx context.Context, name, password string) (User, error) {
	var u User
	var hash []byte
	var created string
	err := s.db.QueryRowContext(ctx, `SELECT id, name, role, password_hash, created_at FROM users WHERE lower(name) = lower(?)`, name).
		Scan(&u.ID, &u.Name, &u.Role, &hash, &created)
	if err == sql.ErrNoRows {
		bcrypt.CompareHashAndPassword(dummyHash(), []byte(password))
		return User{}, errBadLogin
	}
	if err != nil {
		return User{}, fmt.Errorf("store: find user: %w", err)
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil {
		return User{}, errBadLogin
	}
	u.CreatedAt = parseTime(sql.NullString{String: created, Valid: true})
	return u, nil
}

var errBadLogin = indicators.Errorf(indicators.EUNAUTHORIZED, "The user name or password is not right.")

// Users lists every account by name.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, role, created_at FROM users ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("store: list users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		var u User
		var created string
		if err := rows.Scan(&u.ID, &u.Name, &u.Role, &created); err != nil {
			return nil, err
		}
		u.CreatedAt = parseTime(sql.NullString{String: created, Valid: true})
		out = append(out, u)
	}
	return out, rows.Err()
}

// RemoveUser deletes an account and ends its sessions.
func (s *Store) RemoveUser(ctx context.Context, id int64) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM users WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("store: remove user: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return indicators.Errorf(indicators.ENOTFOUND, "There is no such user.")
	}
	return nil
}

// SetPassword changes a password and ends every session of the account.
func (s *Store) SetPassword(ctx context.Context, id int64, password string) error {
	if utf8.RuneCountInString(password) < MinPasswordLength || len(password) > 72 {
		return indicators.Errorf(indicators.EINVALID, "The password must be %d to 72 characters long.", MinPasswordLength)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return err
	}
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, hash, id); err != nil {
		return fmt.Errorf("store: set password: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, id); err != nil {
		return fmt.Errorf("store: end sessions: %w", err)
	}
	return tx.Commit()
}

// SessionLifetime is how long a login lasts.
const SessionLifetime = 12 * time.Hour

// CreateSession starts a session for a user and returns its secret token.
func (s *Store) CreateSession(ctx context.Context, userID int64) (string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	now := s.now()
	if _, err := s.db.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
		tokenHash(token), userID, timestamp(now), timestamp(now.Add(SessionLifetime))); err != nil {
		return "", fmt.Errorf("store: create session: %w", err)
	}
	return token, nil
}

// SessionUser returns the user of a live session.
func (s *Store) SessionUser(ctx context.Context, token string) (User, error) {
	var u User
	var expires string
	err := s.db.QueryRowContext(ctx, `
		SELECT u.id, u.name, u.role, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = ?`, tokenHash(token)).Scan(&u.ID, &u.Name, &u.Role, &expires)
	if err == sql.ErrNoRows {
		return User{}, indicators.Errorf(indicators.EUNAUTHORIZED, "Your session has ended. Sign in again.")
	}
	if err != nil {
		return User{}, fmt.Errorf("store: session: %w", err)
	}
	if !s.now().Before(parseTime(sql.NullString{String: expires, Valid: true})) {
		s.EndSession(ctx, token)
		return User{}, indicators.Errorf(indicators.EUNAUTHORIZED, "Your session has ended. Sign in again.")
	}
	return u, nil
}

// EndSession logs a session out.
func (s *Store) EndSession(ctx context.Context, token string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash(token))
	return err
}

func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}
