package main

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// TestMain_BasePath: `serve --base-path /cptrends` answers under the sub-path
// and nowhere else; $CPTRENDS_BASE_PATH does the same; a bad path is refused.
func TestMain_BasePath(t *testing.T) {
	t.Run("Flag", func(t *testing.T) {
		base := MustRunMain(t, "--base-path", "/cptrends")
		mustGet(t, base+"/cptrends/healthz", http.StatusOK)
		page := string(mustGet(t, base+"/cptrends/", http.StatusOK))
		if !strings.Contains(page, `href="/cptrends/indicators/referrals"`) {
			t.Error("the overview under /cptrends does not link to its indicators under /cptrends")
		}
		var s seriesJSON
		mustGetJSON(t, base+"/cptrends/api/indicators/referrals", &s)
		checkNumber(t, "2014/15 referrals", s.point(t, "2014/15").Value, 635620)
		mustGet(t, base+"/healthz", http.StatusNotFound)
		mustGet(t, base+"/", http.StatusNotFound)
	})

	t.Run("Env", func(t *testing.T) {
		env := func(key string) string {
			if key == "CPTRENDS_BASE_PATH" {
				return "intranet/cptrends/"
			}
			return ""
		}
		db := filepath.Join(t.TempDir(), "cptrends.db")
		r := startMain(t, context.Background(), &Main{Getenv: env}, "serve", "--db", db, "--addr", "127.0.0.1:0")
		mustGet(t, r.URL+"/intranet/cptrends/healthz", http.StatusOK)
		mustGet(t, r.URL+"/healthz", http.StatusNotFound)
		if code := r.stop(t); code != 0 {
			t.Fatalf("serve exited with status %d\n%s", code, r.Stderr.String())
		}
		if !strings.Contains(r.Stderr.String(), "/intranet/cptrends") {
			t.Errorf("serve does not log its URL with the base path:\n%s", r.Stderr.String())
		}
	})

	t.Run("Invalid", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "cptrends.db")
		res := runMain(t, "serve", "--db", db, "--addr", "127.0.0.1:0", "--base-path", "/../etc")
		if res.Code != 2 || !strings.Contains(res.Stderr, "--base-path") {
			t.Errorf("serve --base-path /../etc: status %d, stderr %q; want 2 and a message naming the flag", res.Code, res.Stderr)
		}
	})
}
