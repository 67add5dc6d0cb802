// Command kdbg-envd is the non-apiserver half of kdbg's e2e control plane:
//
//	kdbg-envd etcd --data-dir DIR --port N --peer-port M       embedded etcd on 127.0.0.1
//	kdbg-envd node --kubeconfig F --port N --state-dir DIR     the kubelet stand-in (node kdbg-node)
//	kdbg-envd binder --kubeconfig F --node-name N              binds unscheduled pods to node N (for the real kubelet)
//
// Each prints a READY line on stdout once it serves, and stops cleanly on SIGTERM/SIGINT.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"k8s.io/component-base/version"

	"kdbg/e2e/cluster/internal/binder"
	"kdbg/e2e/cluster/internal/etcd"
	"kdbg/e2e/cluster/internal/fakelet"
)

func main() {
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)
	if len(os.Args) < 2 {
		usage()
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	switch os.Args[1] {
	case "etcd":
		fs := flag.NewFlagSet("etcd", flag.ExitOnError)
		dir := fs.String("data-dir", "", "data directory")
		port := fs.Int("port", 2379, "client port on 127.0.0.1")
		peer := fs.Int("peer-port", 2380, "peer port on 127.0.0.1")
		_ = fs.Parse(os.Args[2:])
		e, err := etcd.Start(*dir, *port, *peer)
		if err != nil {
			log.Fatalf("etcd: %v", err)
		}
		fmt.Println("ETCD_READY")
		select {
		case <-ctx.Done():
		case err := <-e.Err():
			log.Printf("etcd: %v", err)
		}
		e.Close()
	case "node":
		fs := flag.NewFlagSet("node", flag.ExitOnError)
		cfg := fakelet.Config{}
		fs.StringVar(&cfg.NodeName, "node-name", "kdbg-node", "Node name")
		fs.StringVar(&cfg.Kubeconfig, "kubeconfig", "", "admin kubeconfig")
		fs.IntVar(&cfg.Port, "port", 10250, "HTTPS port for /attach, /exec, /containerLogs on 127.0.0.1")
		fs.StringVar(&cfg.StateDir, "state-dir", "", "directory for logs and images")
		fs.DurationVar(&cfg.StatusLag, "status-lag", 500*time.Millisecond,
			"delay between a container change and its API status (the kubelet's 1 s PLEG relist: 0-1 s, 0.5 s on average)")
		_ = fs.Parse(os.Args[2:])
		cfg.Version = version.Get().GitVersion
		if cfg.Kubeconfig == "" || cfg.StateDir == "" {
			log.Fatal("node: --kubeconfig and --state-dir are required")
		}
		err := fakelet.Run(ctx, cfg, func() { fmt.Println("NODE_READY") })
		if err != nil {
			log.Fatalf("node: %v", err)
		}
	case "binder":
		fs := flag.NewFlagSet("binder", flag.ExitOnError)
		kubeconfig := fs.String("kubeconfig", "", "admin kubeconfig")
		node := fs.String("node-name", "localhost", "the node unscheduled pods are bound to")
		_ = fs.Parse(os.Args[2:])
		if *kubeconfig == "" {
			log.Fatal("binder: --kubeconfig is required")
		}
		if err := binder.Run(ctx, *kubeconfig, *node, func() { fmt.Println("BINDER_READY") }); err != nil {
			log.Fatalf("binder: %v", err)
		}
	default:
		usage()
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: kdbg-envd etcd|node|binder [flags]")
	os.Exit(2)
}
