package main

import (
	"fmt"
	"io"
	"os"
	"time"
)

// progressReader reports how much of a large file has been read, on one
// terminal line that it rewrites at most a few times a second.
type progressReader struct {
	r     io.Reader
	w     io.Writer
	name  string
	size  int64
	read  int64
	shown time.Time
}

// withProgress wraps r to show progress on w when w is a terminal and the
// file is large enough for the wait to be noticed.
func withProgress(r io.Reader, w io.Writer, name string, size int64) io.Reader {
	f, ok := w.(*os.File)
	if !ok || size < 4<<20 {
		return r
	}
	if fi, err := f.Stat(); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return r
	}
	return &progressReader{r: r, w: w, name: name, size: size}
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.read += int64(n)
	if now := time.Now(); now.Sub(p.shown) > 200*time.Millisecond || err == io.EOF {
		p.shown = now
		fmt.Fprintf(p.w, "\rreading %s: %3d%% of %d MB", p.name, p.read*100/p.size, p.size>>20)
		if err == io.EOF {
			fmt.Fprintln(p.w)
		}
	}
	return n, err
}
