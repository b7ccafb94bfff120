package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"cptrends/indicators"
	"cptrends/internal/store"
)

func (m *Main) user(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "add" {
		return &exitError{code: 2, msg: "user: usage: cptrends user add --name NAME --role viewer|analyst|admin (password on standard input)"}
	}
	fs, dbPath := m.flags("user add")
	name := fs.String("name", "", "user name")
	role := fs.String("role", "", "viewer, analyst or admin")
	if rest, err := parse(fs, args[1:]); err != nil {
		return err
	} else if len(rest) > 0 {
		return &exitError{code: 2, msg: fmt.Sprintf("user add: unexpected argument %q", rest[0])}
	}
	// The password is the first line of standard input, so that it never
	// appears in the process list or the shell's history.
	line, err := bufio.NewReader(m.Stdin).ReadString('\n')
	if err != nil && line == "" {
		return &exitError{code: 1, msg: "user add: give the password on standard input"}
	}
	password := strings.TrimRight(line, "\r\n")
	st, err := store.Open(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer st.Close()
	u, err := st.AddUser(ctx, *name, *role, password)
	if err != nil {
		if code := indicators.ErrorCode(err); code != indicators.EINTERNAL {
			return &exitError{code: 1, msg: "user add: " + indicators.ErrorMessage(err)}
		}
		return err
	}
	fmt.Fprintf(m.Stdout, "created %s user %s\n", u.Role, u.Name)
	return nil
}
