package main

import (
	"context"
	"fmt"
	"os"

	"cptrends/internal/store"
)

func (m *Main) backup(ctx context.Context, args []string) error {
	fs, dbPath := m.flags("backup")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return &exitError{code: 2, msg: "backup: name one file to write"}
	}
	if store.IsPostgres(*dbPath) {
		return &exitError{code: 1, msg: "backup: " + store.ErrBackupPostgres.Error()}
	}
	// An empty file (one made by mktemp, say) may be written; anything else
	// that exists is never overwritten.
	if fi, err := os.Stat(rest[0]); err == nil && (fi.Size() > 0 || !fi.Mode().IsRegular()) {
		return &exitError{code: 1, msg: fmt.Sprintf("backup: %s already exists; choose a new file name", rest[0])}
	}
	if _, err := os.Stat(*dbPath); err != nil {
		return &exitError{code: 1, msg: fmt.Sprintf("backup: there is no database at %s", *dbPath)}
	}
	st, err := store.Open(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Backup(ctx, rest[0]); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "backup written to %s\n", rest[0])
	return nil
}
