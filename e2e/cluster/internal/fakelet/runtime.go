package fakelet

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/creack/pty"
)

// tools are the host programs the runtime is built from, by absolute path (a container's PATH is its image's).
type tools struct {
	nsenter, unshare, setsid, setpriv, mount, sh, ip, hostname, sleep string
}

func findTools() (tools, error) {
	var t tools
	var missing []string
	look := func(dst *string, names ...string) {
		for _, n := range names {
			if p, err := exec.LookPath(n); err == nil {
				*dst = p
				return
			}
		}
		missing = append(missing, names[0])
	}
	look(&t.nsenter, "nsenter")
	look(&t.unshare, "unshare")
	look(&t.setsid, "setsid")
	look(&t.setpriv, "setpriv")
	look(&t.mount, "mount")
	look(&t.sh, "sh")
	look(&t.ip, "ip")
	look(&t.hostname, "hostname")
	look(&t.sleep, "sleep")
	if len(missing) > 0 {
		return t, fmt.Errorf("missing host tools: %s", strings.Join(missing, ", "))
	}
	return t, nil
}

// sandbox is a pod's "pause" process: PID 1 of fresh PID/net/IPC/UTS/mount namespaces with lo up.
type sandbox struct {
	cmd *exec.Cmd
	pid int // host PID of the pause process (PID 1 inside)
}

func (t tools) startSandbox(hostname string) (*sandbox, error) {
	script := `"$1" link set lo up && "$2" "$3" && echo ready && exec "$4" infinity`
	cmd := exec.Command(t.unshare, "--fork", "--pid", "--mount-proc", "--net", "--ipc", "--uts", "--kill-child",
		"--", t.sh, "-c", script, "pause", t.ip, t.hostname, hostname, t.sleep)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Env = []string{"PATH=" + hostPath}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	if strings.TrimSpace(line) != "ready" {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, fmt.Errorf("pod sandbox did not start: %s", strings.TrimSpace(stderr.String()))
	}
	pid, err := childPID(cmd.Process.Pid, 2*time.Second)
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, err
	}
	go func() { _ = cmd.Wait() }()
	return &sandbox{cmd: cmd, pid: pid}, nil
}

func (s *sandbox) kill() {
	_ = syscall.Kill(s.pid, syscall.SIGKILL)
	_ = s.cmd.Process.Kill()
}

// childPID returns the first child of pid (the process `unshare --fork` or `nsenter -p` created).
func childPID(pid int, timeout time.Duration) (int, error) {
	deadline := time.Now().Add(timeout)
	for {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
		if err != nil {
			return 0, fmt.Errorf("process %d is gone", pid)
		}
		if f := strings.Fields(string(b)); len(f) > 0 {
			return strconv.Atoi(f[0])
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("process %d has no child", pid)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// fanout copies a container's output to its log and to the clients attached at that moment.
type fanout struct {
	mu   sync.Mutex
	log  *logFile
	subs map[int]*subscriber
	next int
}

type subscriber struct{ stdout, stderr io.Writer }

func (f *fanout) write(stream string, p []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log.write(stream, p)
	for id, s := range f.subs {
		w := s.stdout
		if stream == "stderr" {
			w = s.stderr
		}
		if w == nil {
			continue
		}
		if _, err := w.Write(p); err != nil {
			delete(f.subs, id)
		}
	}
}

func (f *fanout) subscribe(stdout, stderr io.Writer) func() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.subs == nil {
		f.subs = map[int]*subscriber{}
	}
	id := f.next
	f.next++
	f.subs[id] = &subscriber{stdout: stdout, stderr: stderr}
	return func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		delete(f.subs, id)
	}
}

// instance is one run of a container: a process tree in the pod's namespaces.
type instance struct {
	id        string
	argv      []string
	env       []string
	creds     creds
	img       *image
	dir       string
	tty       bool
	stdin     bool
	stdinOnce bool
	logPath   string

	cmd     *exec.Cmd
	initPID int // host PID of the container's main process (PID 1 of its PID namespace, or in the target's)
	ptmx    *os.File
	stdinW  *os.File
	out     *fanout

	inMu        sync.Mutex
	stdinClosed bool

	startedAt  time.Time
	finishedAt time.Time
	exitCode   int
	startErr   string        // the run failed to start (containerd's StartError)
	exited     chan struct{} // closed when the process has exited and its output is drained
}

func newContainerID() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// launch starts the instance's process. nsArgs are the nsenter arguments that place it (e.g. "-t", pid, "-n",
// "-i", "-u"); ownPID wraps it in `unshare --fork --pid --mount-proc` so it is PID 1 of a PID namespace of its own.
// Either way it gets a mount namespace of its own with a private /tmp; the chain (nsenter, unshare, sh, setsid,
// setpriv) execs into the command, which keeps the PID that childPID finds.
func (t tools) launch(in *instance, nsArgs []string, ownPID bool, onExit func()) error {
	args := append([]string{}, nsArgs...)
	args = append(args, "--")
	if ownPID {
		args = append(args, t.unshare, "--fork", "--pid", "--mount-proc", "--kill-child", "--")
	} else {
		// in the target's PID namespace (nsenter -p): a mount namespace of its own whose /proc shows that namespace
		args = append(args, t.unshare, "--mount-proc", "--")
	}
	// a private /tmp, as a container's own root filesystem would have (the rest is the host's)
	args = append(args, t.sh, "-c", `"$1" -t tmpfs -o mode=1777 tmpfs /tmp && shift && exec "$@"`, "container-init", t.mount)
	args = append(args, t.inContainer(in.creds, in.tty)...)
	args = append(args, in.argv...)
	cmd := exec.Command(t.nsenter, args...)
	cmd.Env = in.env
	cmd.Dir = in.dir
	// a session of its own outside the container (no controlling terminal there: see inContainer)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Pdeathsig: syscall.SIGKILL}
	lf, err := newLogFile(in.logPath)
	if err != nil {
		return err
	}
	in.out = &fanout{log: lf}
	in.exited = make(chan struct{})
	var readers []io.Reader
	var streams []string
	var childEnds []*os.File
	if in.tty {
		ptmx, tty, err := pty.Open()
		if err != nil {
			return err
		}
		cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
		in.ptmx = ptmx
		childEnds = append(childEnds, tty)
		readers, streams = append(readers, ptmx), append(streams, "stdout")
	} else {
		if in.stdin {
			r, w, err := os.Pipe()
			if err != nil {
				return err
			}
			cmd.Stdin, in.stdinW = r, w
			childEnds = append(childEnds, r)
		}
		for _, s := range []string{"stdout", "stderr"} {
			r, w, err := os.Pipe()
			if err != nil {
				return err
			}
			if s == "stdout" {
				cmd.Stdout = w
			} else {
				cmd.Stderr = w
			}
			childEnds = append(childEnds, w)
			readers, streams = append(readers, r), append(streams, s)
		}
	}
	if err := cmd.Start(); err != nil {
		for _, f := range childEnds {
			_ = f.Close()
		}
		return err
	}
	for _, f := range childEnds {
		_ = f.Close()
	}
	in.cmd = cmd
	in.startedAt = time.Now()
	if pid, err := childPID(cmd.Process.Pid, 2*time.Second); err == nil {
		in.initPID = pid
	}
	var wg sync.WaitGroup
	for i, r := range readers {
		wg.Add(1)
		go func(r io.Reader, stream string) {
			defer wg.Done()
			buf := make([]byte, 32*1024)
			for {
				n, err := r.Read(buf)
				if n > 0 {
					in.out.write(stream, buf[:n])
				}
				if err != nil {
					return
				}
			}
		}(r, streams[i])
	}
	go func() {
		err := cmd.Wait()
		in.finishedAt = time.Now()
		in.exitCode = exitCode(cmd.ProcessState, err)
		// Output still buffered in the pipes is drained; processes the container left behind (only possible when it
		// joined another container's PID namespace) are not waited for, like runc killing the container's cgroup.
		drained := make(chan struct{})
		go func() { wg.Wait(); close(drained) }()
		select {
		case <-drained:
		case <-time.After(300 * time.Millisecond):
			for _, r := range readers {
				if c, ok := r.(io.Closer); ok {
					_ = c.Close()
				}
			}
			<-drained
		}
		if in.ptmx != nil {
			_ = in.ptmx.Close()
		}
		in.closeStdin(false)
		in.out.log.close()
		close(in.exited)
		onExit()
	}()
	return nil
}

// inContainer is the command prefix that runs inside the container's namespaces, like runc's init: a new session
// (the process leads its session and process group, and with a TTY the terminal is its controlling terminal),
// then the user, groups and capabilities. Both exec, so the command keeps the PID.
func (t tools) inContainer(c creds, tty bool) []string {
	args := []string{t.setsid}
	if tty {
		args = append(args, "--ctty")
	}
	sp := c.setprivArgs()
	sp[0] = t.setpriv
	return append(args, sp...)
}

func exitCode(ps *os.ProcessState, err error) int {
	if ps == nil {
		return 128
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	return ps.ExitCode()
}

func (in *instance) running() bool {
	select {
	case <-in.exited:
		return false
	default:
		return in.cmd != nil
	}
}

// writeStdin feeds the container's stdin (its pty when it has a TTY).
func (in *instance) stdinWriter() io.Writer {
	if in.tty {
		return in.ptmx
	}
	return in.stdinW
}

// closeStdin closes the container's stdin: EOF for a pipe. For a TTY, containerd's shim shuts the console down when
// the stdin FIFO closes (shutdownConsole: the process gets a hangup), so a client's EOF does that too.
func (in *instance) closeStdin(clientEOF bool) {
	in.inMu.Lock()
	defer in.inMu.Unlock()
	if in.stdinClosed {
		return
	}
	in.stdinClosed = true
	if in.stdinW != nil {
		_ = in.stdinW.Close()
	}
	if clientEOF && in.ptmx != nil {
		_ = in.ptmx.Close()
	}
}

// signal sends sig to the container's main process (PID 1 of its namespace: the kernel only delivers it if the
// process handles it, except SIGKILL, which also kills everything else in that PID namespace).
func (in *instance) signal(sig syscall.Signal) {
	if in.initPID > 0 {
		_ = syscall.Kill(in.initPID, sig)
	}
	if sig == syscall.SIGKILL && in.cmd != nil && in.cmd.Process != nil {
		_ = in.cmd.Process.Kill()
	}
}
