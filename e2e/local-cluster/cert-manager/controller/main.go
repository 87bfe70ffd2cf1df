// Command cert-manager-controller runs cert-manager's certificate controllers against the local
// cluster, as a process on the host.
//
// The controllers are cert-manager's own (package pkg/controller and its subpackages of the
// github.com/cert-manager/cert-manager module, at the version build.sh pins). Upstream's command
// lives in cmd/controller, a separate Go module whose path does not match its directory, so the
// module proxy cannot serve it; this small main wires the same library the same way: one
// ContextFactory, every enabled controller built from it, then the shared informers started.
//
// Linked in: the certificate lifecycle, Issuers and ClusterIssuers, the CertificateRequest
// approver and the SelfSigned and CA issuers. Not linked in: ACME, Vault and Venafi (cloud SDKs
// the local cluster has no use for), ingress/gateway shims, and the metrics, healthz and leader
// election servers (one process per cluster, nothing listens on a port).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"k8s.io/klog/v2"

	"github.com/cert-manager/cert-manager/pkg/controller"
	logf "github.com/cert-manager/cert-manager/pkg/logs"
	"github.com/cert-manager/cert-manager/pkg/util"

	// Each of these registers its controller(s) with controller.Register in init.
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/approver"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/ca"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/selfsigned"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/issuing"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/keymanager"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/metrics"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/readiness"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/requestmanager"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/revisionmanager"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/trigger"
	_ "github.com/cert-manager/cert-manager/pkg/controller/clusterissuers"
	_ "github.com/cert-manager/cert-manager/pkg/controller/issuers"
	// The issuer types the Issuer/ClusterIssuer controllers can set up (RegisterIssuer in init).
	_ "github.com/cert-manager/cert-manager/pkg/issuer/ca"
	_ "github.com/cert-manager/cert-manager/pkg/issuer/selfsigned"
)

func main() {
	kubeconfig := flag.String("kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig of the cluster (empty: in-cluster)")
	namespace := flag.String("namespace", "", "watch only this namespace (default: all)")
	clusterResourceNamespace := flag.String("cluster-resource-namespace", "kube-system",
		"namespace of the Secrets that ClusterIssuers reference")
	enabled := flag.String("controllers", "*", "comma-separated controllers to run, * for all linked in")
	workers := flag.Int("concurrent-workers", 5, "workers per controller")
	version := flag.Bool("version", false, "print the cert-manager version and exit")
	klog.InitFlags(nil)
	flag.Parse()
	if *version {
		fmt.Println(util.AppVersion)
		return
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx = logf.NewContext(ctx, klog.Background(), "cert-manager", "controller")
	log := logf.FromContext(ctx)

	names, err := selected(*enabled, *namespace != "")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}

	factory, err := controller.NewContextFactory(ctx, controller.ContextOptions{
		Kubeconfig:         *kubeconfig,
		KubernetesAPIQPS:   20,
		KubernetesAPIBurst: 50,
		Namespace:          *namespace,
		IssuerOptions: controller.IssuerOptions{
			ClusterResourceNamespace:        *clusterResourceNamespace,
			ClusterIssuerAmbientCredentials: true,
		},
		// cert-manager's defaults for these (internal/apis/config/controller/v1alpha1).
		CertificateOptions: controller.CertificateOptions{
			CopiedAnnotationPrefixes: []string{
				"*", "-kubectl.kubernetes.io/", "-fluxcd.io/", "-argocd.argoproj.io/",
			},
			CertificateRequestMinimumBackoffDuration: time.Hour,
			CertificateRequestMaximumBackoffDuration: 32 * time.Hour,
		},
		SchedulerOptions: controller.SchedulerOptions{MaxConcurrentChallenges: 60},
	})
	if err != nil {
		log.Error(err, "cannot build the controller context")
		os.Exit(1)
	}
	base, err := factory.Build()
	if err != nil {
		log.Error(err, "cannot build the controller context")
		os.Exit(1)
	}

	errs := make(chan error, len(names))
	var running sync.WaitGroup
	for _, name := range names {
		c, err := controller.Known()[name](factory)
		if err != nil {
			log.Error(err, "cannot construct controller", "controller", name)
			os.Exit(1)
		}
		running.Add(1)
		go func() {
			defer running.Done()
			log.Info("starting controller", "controller", name)
			if err := c.Run(*workers, ctx); err != nil {
				errs <- fmt.Errorf("controller %s: %w", name, err)
			}
		}()
	}
	// Informers start after every controller asked for its own, as upstream does.
	base.SharedInformerFactory.Start(ctx.Done())
	base.KubeSharedInformerFactory.Start(ctx.Done())
	base.HTTP01ResourceMetadataInformersFactory.Start(ctx.Done())
	log.Info("cert-manager controller running", "version", util.AppVersion, "controllers", names)

	select {
	case <-ctx.Done():
	case err := <-errs:
		log.Error(err, "controller failed")
		stop()
		running.Wait()
		os.Exit(1)
	}
	running.Wait()
	base.SharedInformerFactory.Shutdown()
	base.KubeSharedInformerFactory.Shutdown()
	base.HTTP01ResourceMetadataInformersFactory.Shutdown()
}

// selected resolves --controllers against those linked in; a namespaced controller leaves out
// ClusterIssuers, as upstream does.
func selected(flagValue string, namespaced bool) ([]string, error) {
	var names []string
	for _, n := range strings.Split(flagValue, ",") {
		n = strings.TrimSpace(n)
		switch {
		case n == "*":
			for known := range controller.Known() {
				names = append(names, known)
			}
		case n == "":
		case controller.Known()[n] == nil:
			return nil, fmt.Errorf("controller %q is not linked into this build", n)
		default:
			names = append(names, n)
		}
	}
	sort.Strings(names)
	out := names[:0]
	for i, n := range names {
		if (i > 0 && names[i-1] == n) || (namespaced && n == "clusterissuers") {
			continue
		}
		out = append(out, n)
	}
	return out, nil
}
