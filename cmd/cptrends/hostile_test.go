package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImport_Hostile runs every hostile and invalid fixture, and generated
// oversized ones, through the import command: each is refused with exit
// status 1, every problem in the promised form, and the database unchanged.
func TestImport_Hostile(t *testing.T) {
	db := newDB(t)
	before := dbState(t, db)

	var files []string
	for _, pattern := range []string{"../../testdata/hostile/*.csv", "../../testdata/native/invalid/*.csv", "../../testdata/ees/invalid/*.csv"} {
		m, _ := filepath.Glob(pattern)
		files = append(files, m...)
	}
	dir := t.TempDir()
	huge := filepath.Join(dir, "over_the_limit.csv")
	writeRepeated(t, huge, "indicator,period,value\n", "referrals,2014/15,1\n", 3<<20)
	longLine := filepath.Join(dir, "ten_mb_line.csv")
	writeRepeated(t, longLine, "indicator,period,value,note\nreferrals,2014/15,1,", "x", 10<<20)
	files = append(files, huge, longLine)

	for _, f := range files {
		if strings.HasSuffix(f, "_accepted.csv") {
			continue
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			args := []string{"import", "--db", db, f}
			if f == huge {
				args = append(args, "--max-file-mb", "2") // the file is 3 MB
			}
			res := runMain(t, args...)
			if res.Code != 1 {
				t.Fatalf("exit status %d, want 1\nstdout:\n%s\nstderr:\n%s", res.Code, res.Stdout, res.Stderr)
			}
			found := problems(t, res.Stderr)
			if len(found) == 0 {
				t.Errorf("no problem reported:\n%s", res.Stderr)
			}
			for _, p := range found {
				if !strings.HasPrefix(p, f+":") {
					t.Errorf("problem %q does not name the file %s", p, f)
				}
			}
		})
	}
	if after := dbState(t, db); after != before {
		t.Errorf("the database changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// writeRepeated writes head, then body repeated until the file has size bytes.
func writeRepeated(t *testing.T, path, head, body string, size int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.WriteString(head)
	chunk := strings.Repeat(body, max(1, 64<<10/len(body)))
	for written := len(head); written < size; written += len(chunk) {
		if _, err := f.WriteString(chunk); err != nil {
			t.Fatal(err)
		}
	}
}
