// The pod sandbox ("pause") program of the local real node, which has no registry to pull
// registry.k8s.io/pause from. It only has to exist: it holds the pod's namespaces, and when the
// pod shares one PID namespace it is PID 1, so it reaps the orphans re-parented to it. It exits
// cleanly on SIGTERM or SIGINT (a PID 1 without handlers would ignore them).
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	signals := make(chan os.Signal, 16)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT, syscall.SIGCHLD)
	for sig := range signals {
		if sig != syscall.SIGCHLD {
			os.Exit(0)
		}
		reapZombies()
	}
}

// Several children may exit behind one delivered SIGCHLD, so collect until none is left.
func reapZombies() {
	for {
		var status syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &status, syscall.WNOHANG, nil)
		if pid <= 0 || err != nil {
			return
		}
	}
}
