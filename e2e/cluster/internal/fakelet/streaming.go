package fakelet

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/creack/pty"
	rc "k8s.io/cri-streaming/pkg/streaming/remotecommand"
	utilexec "k8s.io/utils/exec"
)

const streamIdleTimeout = 4 * time.Hour // the kubelet's default streamingConnectionIdleTimeout

// serveStreaming serves the kubelet API subset the apiserver proxies to: HTTPS, self-signed, HTTP/1.1 only (so
// SPDY and WebSocket upgrades work).
func (k *Kubelet) serveStreaming() (stop func(), err error) {
	cert, err := selfSignedCert()
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/attach/", k.serveAttach)
	mux.HandleFunc("/exec/", k.serveExec)
	mux.HandleFunc("/containerLogs/", k.serveLogs)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") })
	srv := &http.Server{
		Handler:      mux,
		TLSConfig:    &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"http/1.1"}},
		TLSNextProto: map[string]func(*http.Server, *tls.Conn, http.Handler){},
		ErrorLog:     nil,
	}
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(k.cfg.Port))
	if err != nil {
		return nil, err
	}
	go func() { _ = srv.ServeTLS(ln, "", "") }()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		_ = srv.Close()
	}, nil
}

func selfSignedCert() (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "kdbg-node@" + strconv.FormatInt(time.Now().Unix(), 10)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:     []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

// target is a parsed /{verb}/{namespace}/{pod}[/{uid}]/{container} path.
type target struct{ ns, pod, uid, container string }

func parseTarget(path, prefix string) (target, bool) {
	parts := strings.Split(strings.Trim(strings.TrimPrefix(path, prefix), "/"), "/")
	switch len(parts) {
	case 3:
		return target{parts[0], parts[1], "", parts[2]}, true
	case 4:
		return target{parts[0], parts[1], parts[2], parts[3]}, true
	}
	return target{}, false
}

// lookup finds a container's current run; with running, only a running one (the kubelet's findContainer, which
// only sees running containers).
func (k *Kubelet) lookup(t target, running bool) (*ctr, *instance, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	p := k.pods[t.ns+"/"+t.pod]
	full := t.pod + "_" + t.ns
	if p == nil || p.finished || (t.uid != "" && string(p.uid) != t.uid) {
		return nil, nil, fmt.Errorf("pod %s not found", full)
	}
	x := p.ctrs[t.container]
	if x == nil {
		return nil, nil, fmt.Errorf("container %s not found in pod %s", t.container, full)
	}
	in := x.cur
	if running && (in == nil || !in.running()) {
		return nil, nil, fmt.Errorf("container not found (%q)", t.container)
	}
	return x, in, nil
}

// The kubelet answers errors found before the upgrade with streaming.WriteError: 500 unless a gRPC NotFound.
func writeError(w http.ResponseWriter, err error) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = io.WriteString(w, err.Error())
}

func (k *Kubelet) serveAttach(w http.ResponseWriter, r *http.Request) {
	t, ok := parseTarget(r.URL.Path, "/attach/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	x, _, err := k.lookup(t, true)
	if err != nil {
		writeError(w, err)
		return
	}
	opts, err := rc.NewOptions(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	// "The TTY setting for attach must match the TTY setting in the initial container configuration"
	opts.TTY = x.spec.TTY
	if opts.TTY {
		opts.Stderr = false
	}
	rc.ServeAttach(w, r, k, t.ns+"/"+t.pod, t.uid, t.container, opts, streamIdleTimeout, rc.DefaultStreamCreationTimeout, rc.SupportedStreamingProtocols)
}

// AttachContainer implements rc.Attacher: output from now on (earlier output is only in the log), stdin into the
// container's stdin (closed on the client's EOF only with stdinOnce), until the client leaves or the container
// exits. It never reports an exit code: ServeAttach writes Success.
func (k *Kubelet) AttachContainer(ctx context.Context, name, uid, container string, in io.Reader, out, errOut io.WriteCloser, tty bool, resize <-chan rc.TerminalSize) error {
	ns, pod, _ := strings.Cut(name, "/")
	x, inst, err := k.lookup(target{ns, pod, uid, container}, true)
	if err != nil {
		return err
	}
	if inst.tty && resize != nil {
		go func() {
			for s := range resize {
				_ = pty.Setsize(inst.ptmx, &pty.Winsize{Rows: s.Height, Cols: s.Width})
			}
		}()
	}
	var stdout, stderr io.Writer
	if out != nil {
		stdout = out
	}
	if errOut != nil {
		stderr = errOut
	}
	unsubscribe := inst.out.subscribe(stdout, stderr)
	defer unsubscribe()
	if in != nil && x.spec.Stdin {
		go func() {
			buf := make([]byte, 32*1024)
			for {
				n, err := in.Read(buf)
				if n > 0 {
					inst.inMu.Lock()
					closed := inst.stdinClosed
					inst.inMu.Unlock()
					if !closed {
						if _, werr := inst.stdinWriter().Write(buf[:n]); werr != nil {
							break
						}
					}
				}
				if err != nil {
					break
				}
			}
			if inst.stdinOnce {
				inst.closeStdin(true)
			}
		}()
	}
	select {
	case <-ctx.Done():
	case <-inst.exited:
	}
	return nil
}

func (k *Kubelet) serveExec(w http.ResponseWriter, r *http.Request) {
	t, ok := parseTarget(r.URL.Path, "/exec/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	if _, _, err := k.lookup(t, true); err != nil {
		writeError(w, err)
		return
	}
	opts, err := rc.NewOptions(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rc.ServeExec(w, r, k, t.ns+"/"+t.pod, t.uid, t.container, r.URL.Query()["command"], opts, streamIdleTimeout, rc.DefaultStreamCreationTimeout, rc.SupportedStreamingProtocols)
}

// lenientWriter forwards to a client until the first error, then discards, so a process whose client left keeps
// running with its output drained.
type lenientWriter struct {
	mu  sync.Mutex
	w   io.Writer
	bad bool
}

func (l *lenientWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.w != nil && !l.bad {
		if _, err := l.w.Write(p); err != nil {
			l.bad = true
		}
	}
	return len(p), nil
}

// ExecInContainer implements rc.Executor: the command joins the container's namespaces with its user,
// capabilities and environment. A command keeps running when its client goes away, like on containerd.
func (k *Kubelet) ExecInContainer(ctx context.Context, name, uid, container string, cmd []string, in io.Reader, out, errOut io.WriteCloser, tty bool, resize <-chan rc.TerminalSize, _ time.Duration) error {
	ns, pod, _ := strings.Cut(name, "/")
	_, inst, err := k.lookup(target{ns, pod, uid, container}, true)
	if err != nil {
		return err
	}
	if len(cmd) == 0 {
		return errors.New("command is required")
	}
	prog, err := inst.img.resolve(cmd[0])
	if err != nil {
		return fmt.Errorf("failed to exec in container: failed to start exec %q: OCI runtime exec failed: exec failed: unable to start container process: %v: unknown", newContainerID(), err)
	}
	if inst.initPID == 0 {
		return fmt.Errorf("failed to exec in container: container %s has no process", container)
	}
	args := []string{"-t", strconv.Itoa(inst.initPID), "-p", "-m", "-n", "-i", "-u", "--"}
	args = append(append(args, k.tools.inContainer(inst.creds, tty)...), execName(cmd[0], prog))
	args = append(args, cmd[1:]...)
	c := exec.Command(k.tools.nsenter, args...)
	c.Env = inst.env
	c.Dir = inst.dir
	c.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	stdout, stderr := &lenientWriter{w: out}, &lenientWriter{w: errOut}
	if out == nil {
		stdout.w = nil
	}
	if errOut == nil {
		stderr.w = nil
	}
	var copies sync.WaitGroup
	var ptmx *os.File
	if tty {
		p, ttyF, err := pty.Open()
		if err != nil {
			return err
		}
		ptmx = p
		c.Stdin, c.Stdout, c.Stderr = ttyF, ttyF, ttyF
		if err := c.Start(); err != nil {
			_ = p.Close()
			_ = ttyF.Close()
			return err
		}
		_ = ttyF.Close()
		if resize != nil {
			go func() {
				for s := range resize {
					_ = pty.Setsize(p, &pty.Winsize{Rows: s.Height, Cols: s.Width})
				}
			}()
		}
		if in != nil {
			// containerd's shim shuts the console down when the exec's stdin ends (the client closed it or left):
			// the process gets a hangup, like a shell whose terminal went away
			go func() { _, _ = io.Copy(p, in); _ = p.Close() }()
		}
		copies.Add(1)
		go func() { defer copies.Done(); _, _ = io.Copy(stdout, p) }()
	} else {
		var stdinW io.WriteCloser
		if in != nil {
			if stdinW, err = c.StdinPipe(); err != nil {
				return err
			}
		}
		ro, wo, err := os.Pipe()
		if err != nil {
			return err
		}
		re, we, err := os.Pipe()
		if err != nil {
			return err
		}
		c.Stdout, c.Stderr = wo, we
		if err := c.Start(); err != nil {
			return err
		}
		_ = wo.Close()
		_ = we.Close()
		if stdinW != nil {
			// exec's stdin is closed when the client closes its stdin (SPDY half-close, WebSocket v5 CLOSE)
			go func() { _, _ = io.Copy(stdinW, in); _ = stdinW.Close() }()
		}
		copies.Add(2)
		go func() { defer copies.Done(); _, _ = io.Copy(stdout, ro); _ = ro.Close() }()
		go func() { defer copies.Done(); _, _ = io.Copy(stderr, re); _ = re.Close() }()
	}
	done := make(chan error, 1)
	go func() {
		err := c.Wait()
		drained := make(chan struct{})
		go func() { copies.Wait(); close(drained) }()
		select {
		case <-drained:
		case <-time.After(time.Second): // something left in the background holds the output open
		}
		if ptmx != nil {
			_ = ptmx.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil {
			return nil
		}
		code := exitCode(c.ProcessState, err)
		return utilexec.CodeExitError{Err: fmt.Errorf("command '%s' exited with %d", strings.Join(cmd, " "), code), Code: code}
	case <-ctx.Done():
		// the client left: the command goes on (its output is discarded from now on)
		return ctx.Err()
	}
}

func (k *Kubelet) serveLogs(w http.ResponseWriter, r *http.Request) {
	t, ok := parseTarget(r.URL.Path, "/containerLogs/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	x, inst, err := k.lookup(t, false)
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	q := r.URL.Query()
	k.mu.Lock()
	if q.Get("previous") == "true" {
		inst = x.prev
		if inst == nil {
			k.mu.Unlock()
			http.Error(w, fmt.Sprintf("previous terminated container %q in pod %q not found", t.container, t.pod), http.StatusBadRequest)
			return
		}
	}
	k.mu.Unlock()
	if inst == nil || inst.logPath == "" {
		http.Error(w, fmt.Sprintf("container %q in pod %q is waiting to start", t.container, t.pod), http.StatusBadRequest)
		return
	}
	opts := logOptions{tailLines: -1, follow: q.Get("follow") == "true", timestamps: q.Get("timestamps") == "true"}
	if v := q.Get("tailLines"); v != "" {
		opts.tailLines, _ = strconv.ParseInt(v, 10, 64)
	}
	if v := q.Get("limitBytes"); v != "" {
		opts.limitBytes, _ = strconv.ParseInt(v, 10, 64)
	}
	if v := q.Get("sinceSeconds"); v != "" {
		s, _ := strconv.ParseInt(v, 10, 64)
		opts.since = time.Now().Add(-time.Duration(s) * time.Second)
	}
	if v := q.Get("sinceTime"); v != "" {
		opts.since, _ = time.Parse(time.RFC3339, v)
	}
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(http.StatusOK)
	fw := &flushWriter{w: w}
	if f, ok := w.(http.Flusher); ok {
		fw.f = f
		f.Flush()
	}
	_ = serveLog(inst.logPath, opts, fw, inst.exited, r.Context().Done())
}

type flushWriter struct {
	w io.Writer
	f http.Flusher
}

func (f *flushWriter) Write(p []byte) (int, error) { return f.w.Write(p) }
func (f *flushWriter) Flush() {
	if f.f != nil {
		f.f.Flush()
	}
}
