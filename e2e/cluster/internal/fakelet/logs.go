package fakelet

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"sync"
	"time"
)

// logFile is a container's log in the CRI format ("<RFC3339Nano> <stream> <F|P> <content>"), as containerd
// writes it and the kubelet reads it for /containerLogs.
type logFile struct {
	mu   sync.Mutex
	path string
	f    *os.File
}

func newLogFile(path string) (*logFile, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return nil, err
	}
	return &logFile{path: path, f: f}, nil
}

// write records one chunk of output: complete lines as "F", a trailing partial line as "P".
func (l *logFile) write(stream string, p []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ts := time.Now().UTC().Format(time.RFC3339Nano)
	var buf bytes.Buffer
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		tag, line := "P", p
		if i >= 0 {
			tag, line, p = "F", p[:i], p[i+1:]
		} else {
			p = nil
		}
		buf.WriteString(ts + " " + stream + " " + tag + " ")
		buf.Write(line)
		buf.WriteByte('\n')
	}
	_, _ = l.f.Write(buf.Bytes())
}

func (l *logFile) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	_ = l.f.Close()
}

// logEntry is one parsed CRI log line.
type logEntry struct {
	ts      time.Time
	stream  string
	partial bool
	content []byte
}

func parseLogLine(b []byte) (logEntry, bool) {
	parts := bytes.SplitN(b, []byte(" "), 4)
	if len(parts) < 3 {
		return logEntry{}, false
	}
	ts, err := time.Parse(time.RFC3339Nano, string(parts[0]))
	if err != nil {
		return logEntry{}, false
	}
	e := logEntry{ts: ts, stream: string(parts[1]), partial: string(parts[2]) == "P"}
	if len(parts) == 4 {
		e.content = parts[3]
	}
	return e, true
}

type logOptions struct {
	follow     bool
	timestamps bool
	tailLines  int64 // <0: all
	limitBytes int64 // <=0: unlimited
	since      time.Time
}

// serveLog copies the log at path to w like the kubelet's ReadLogs: tailLines counts lines from the end,
// timestamps prefixes each line, follow keeps reading until done is closed and the file is drained.
func serveLog(path string, opts logOptions, w io.Writer, done <-chan struct{}, stop <-chan struct{}) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	written := int64(0)
	emit := func(e logEntry) bool {
		if !opts.since.IsZero() && e.ts.Before(opts.since) {
			return true
		}
		var out []byte
		if opts.timestamps {
			out = append(out, e.ts.Format(time.RFC3339Nano)+" "...)
		}
		out = append(out, e.content...)
		if !e.partial {
			out = append(out, '\n')
		}
		if opts.limitBytes > 0 && written+int64(len(out)) > opts.limitBytes {
			out = out[:opts.limitBytes-written]
		}
		n, err := w.Write(out)
		written += int64(n)
		if fl, ok := w.(interface{ Flush() }); ok {
			fl.Flush()
		}
		return err == nil && (opts.limitBytes <= 0 || written < opts.limitBytes)
	}
	r := bufio.NewReader(f)
	var pending []byte
	readAvailable := func() []logEntry {
		var out []logEntry
		for {
			line, err := r.ReadBytes('\n')
			pending = append(pending, line...)
			if err != nil {
				return out
			}
			if e, ok := parseLogLine(bytes.TrimSuffix(pending, []byte("\n"))); ok {
				out = append(out, e)
			}
			pending = nil
		}
	}
	entries := readAvailable() // everything present now, then tailLines
	if opts.tailLines >= 0 {
		// a line ends with an F entry (or with the last, still partial, entry)
		lines, start := int64(0), len(entries)
		for i := len(entries) - 1; i >= 0; i-- {
			if !entries[i].partial || i == len(entries)-1 {
				if lines == opts.tailLines {
					break
				}
				lines++
			}
			start = i
		}
		entries = entries[start:]
	}
	for _, e := range entries {
		if !emit(e) {
			return nil
		}
	}
	if !opts.follow {
		return nil
	}
	for {
		finished := false
		select {
		case <-stop:
			return nil
		case <-done:
			finished = true
		case <-time.After(100 * time.Millisecond):
		}
		for _, e := range readAvailable() {
			if !emit(e) {
				return nil
			}
		}
		if finished {
			return nil
		}
	}
}
