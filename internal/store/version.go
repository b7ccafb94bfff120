package store

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
	"time"
)

// versionRecheck is how old RecentDataVersion's answer may be for a change
// made by another process: `cptrends import` while `serve` runs, or
// another instance of serve on the same PostgreSQL database.
const versionRecheck = 100 * time.Millisecond

// versionCache keeps the data version in memory, so that a page cache can
// ask for it on every request without a query each time. Changes made
// through this Store clear it at once; the database is asked again at
// most every versionRecheck to see changes made by other processes.
type versionCache struct {
	base    time.Time    // monotonic origin for checked
	checked atomic.Int64 // nanoseconds after base of the last query; 0: none valid
	v       atomic.Int64
	mu      sync.Mutex // one query at a time; held by changed so a query under way cannot outlive it
}

func newVersionCache() *versionCache { return &versionCache{base: time.Now()} }

func (c *versionCache) fresh() bool {
	t := c.checked.Load()
	return t != 0 && time.Duration(int64(time.Since(c.base))-t) < versionRecheck
}

func (c *versionCache) get(ctx context.Context, query func(context.Context) (int64, error)) (int64, error) {
	if c.fresh() {
		return c.v.Load(), nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fresh() {
		return c.v.Load(), nil
	}
	start := max(int64(time.Since(c.base)), 1)
	v, err := query(ctx)
	if err != nil {
		return 0, err
	}
	c.v.Store(v)
	c.checked.Store(start)
	return v, nil
}

// changed forgets the version: the next get asks the database. It waits
// for a query under way, which may have read the data before the change.
func (c *versionCache) changed() {
	c.mu.Lock()
	c.checked.Store(0)
	c.mu.Unlock()
}

// RecentDataVersion is DataVersion from memory: exact for changes made
// through this Store, and at most 100 ms behind changes made by another
// process on the same database. For caches; a check before a write uses
// DataVersion.
func (s *Store) RecentDataVersion(ctx context.Context) (int64, error) {
	return s.version.get(ctx, s.DataVersion)
}

// commitData commits a transaction that changed the current data and
// tells the version cache at once.
func (s *Store) commitData(tx *sql.Tx) error {
	err := tx.Commit()
	s.version.changed()
	return err
}
