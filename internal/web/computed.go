package web

import (
	"context"

	"cptrends/internal/store"
)

// knownLACodes lists the local authority codes recorded so far, by which
// an upload of a file that names authorities by three-digit code alone
// (LAIT's) is read.
func (s *Server) knownLACodes(ctx context.Context) ([]store.LACode, error) {
	codes, err := s.store.LACodes(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]store.LACode, 0, len(codes))
	for _, c := range codes {
		out = append(out, c)
	}
	return out, nil
}
