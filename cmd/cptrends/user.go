package main

import "context"

func (m *Main) user(ctx context.Context, args []string) error {
	return &exitError{code: 2, msg: "user: accounts are not available in this version"}
}
