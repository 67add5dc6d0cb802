package fakelet

import (
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// image is what a "pulled" image means here: a PATH of host tools, a default command and a user.
type image struct {
	// repo is the normalized repository, e.g. "busybox" or "nicolaka/netshoot".
	repo string
	// binDir, when set, is the only directory of the image's PATH: the image has nothing else (absolute
	// commands are looked up there by their base name, so "/bin/sh" in a busybox image is busybox's sh).
	// Empty means the image carries the host's tools (PATH = hostPath, absolute paths as on the host).
	binDir string
	// busybox: binDir is filled with links to the host's static busybox
	busybox bool
	cmd     []string // the image's default command (ENTRYPOINT+CMD)
	user    string   // "uid[:gid]", empty for root
	home    string
	size    int64 // bytes, reported in the "Pulled" event
}

const hostPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// imageTable maps image repositories (any tag or digest) to host tools.
var imageTable = []image{
	{repo: "busybox", busybox: true, cmd: []string{"sh"}, size: 2_167_176},
	{repo: "alpine", busybox: true, cmd: []string{"/bin/sh"}, size: 3_653_068},
	{repo: "nicolaka/netshoot", cmd: []string{"bash"}, size: 182_764_352},
	{repo: "ubuntu", cmd: []string{"/bin/bash"}, size: 29_754_422},
	{repo: "debian", cmd: []string{"bash"}, size: 48_494_272},
	// an image without a shell (like a distroless one): only its entrypoint exists
	{repo: "example/noshell", cmd: []string{"/app"}, size: 1_024_000},
	// an image whose USER is 1000
	{repo: "example/nonroot", busybox: true, cmd: []string{"sh"}, user: "1000:1000", home: "/home/app", size: 2_170_000},
}

// normalizeImage turns "busybox:1.36", "docker.io/library/busybox@sha256:…" into the repository
// ("busybox") and the reference a containerd status reports ("docker.io/library/busybox:1.36").
func normalizeImage(ref string) (repo, full string) {
	name, tag := ref, "latest"
	if i := strings.Index(name, "@"); i >= 0 {
		name, tag = name[:i], ""
	}
	if i := strings.LastIndex(name, ":"); i > strings.LastIndex(name, "/") {
		name, tag = name[:i], name[i+1:]
	}
	repo = name
	if i := strings.Index(repo, "/"); i >= 0 && strings.ContainsAny(repo[:i], ".:") || strings.HasPrefix(repo, "localhost/") {
		if strings.HasPrefix(repo, "docker.io/") {
			repo = strings.TrimPrefix(repo, "docker.io/")
		} else {
			full = name
			if tag != "" {
				full += ":" + tag
			}
			return repo, full // another registry: not in the table
		}
	}
	repo = strings.TrimPrefix(repo, "library/")
	host := "docker.io/"
	if !strings.Contains(repo, "/") {
		host += "library/"
	}
	full = host + repo
	if tag != "" {
		full += ":" + tag
	} else {
		full = ref
	}
	return repo, full
}

// imageStore holds the prepared images (busybox link farms) under dir.
type imageStore struct {
	dir    string
	byRepo map[string]*image
}

func newImageStore(dir string) (*imageStore, error) {
	s := &imageStore{dir: dir, byRepo: map[string]*image{}}
	var applets []string
	busybox, err := exec.LookPath("busybox")
	if err == nil {
		out, err := exec.Command(busybox, "--list").Output()
		if err != nil {
			return nil, fmt.Errorf("busybox --list: %w", err)
		}
		applets = strings.Fields(string(out))
	}
	for i := range imageTable {
		img := imageTable[i]
		bin := filepath.Join(dir, strings.ReplaceAll(img.repo, "/", "_"), "bin")
		switch {
		case img.busybox:
			if busybox == "" {
				logf("image %s is unavailable: no busybox on this host (apt-get install busybox-static)", img.repo)
				continue
			}
			if err := os.MkdirAll(bin, 0o755); err != nil {
				return nil, err
			}
			for _, a := range applets {
				_ = os.Symlink(busybox, filepath.Join(bin, a))
			}
			img.binDir = bin
		case img.repo == "example/noshell":
			if err := os.MkdirAll(bin, 0o755); err != nil {
				return nil, err
			}
			img.binDir = bin // empty: even /app does not exist, so any start fails like a missing entrypoint
		}
		if img.home == "" {
			img.home = "/root"
			if img.user != "" {
				img.home = "/"
			}
		}
		s.byRepo[img.repo] = &img
	}
	return s, nil
}

// lookup returns the image for a pod's image reference, or nil when it cannot be "pulled".
func (s *imageStore) lookup(ref string) *image {
	repo, _ := normalizeImage(ref)
	return s.byRepo[repo]
}

func (img *image) path() string {
	if img.binDir != "" {
		return img.binDir
	}
	return hostPath
}

// resolve finds the executable for argv0 like runc does inside the image, or returns runc's error text.
func (img *image) resolve(argv0 string) (string, error) {
	if argv0 == "" {
		return "", fmt.Errorf("exec: \"\": executable file not found in $PATH")
	}
	if strings.Contains(argv0, "/") {
		p := argv0
		if img.binDir != "" {
			p = filepath.Join(img.binDir, filepath.Base(argv0))
		}
		if st, err := os.Stat(p); err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
			return "", fmt.Errorf("exec: %q: stat %s: no such file or directory", argv0, argv0)
		}
		return p, nil
	}
	for _, dir := range filepath.SplitList(img.path()) {
		p := filepath.Join(dir, argv0)
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("exec: %q: executable file not found in $PATH", argv0)
}

// imageID is a stable fake digest reference, like containerd's "docker.io/library/busybox@sha256:…".
func imageID(full string) string {
	name := full
	if i := strings.LastIndex(name, ":"); i > strings.LastIndex(name, "/") {
		name = name[:i]
	}
	if i := strings.Index(name, "@"); i >= 0 {
		name = name[:i]
	}
	return fmt.Sprintf("%s@sha256:%x", name, sha256.Sum256([]byte(full)))
}

// execName is what setpriv is told to exec: a bare name stays bare (setpriv finds it through the container's PATH,
// as runc would, and the process keeps its argv[0]); a path is the resolved one.
func execName(argv0, resolved string) string {
	if strings.Contains(argv0, "/") {
		return resolved
	}
	return argv0
}
