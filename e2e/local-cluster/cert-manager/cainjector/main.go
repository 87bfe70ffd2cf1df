// Command cert-manager-cainjector runs cert-manager's CA injector against the local cluster, as a
// process on the host: it writes the CA of the Certificate (or Secret) an object names in
// cert-manager.io/inject-ca-from (-secret) into webhook configurations, APIServices and CRD
// conversion webhooks.
//
// The injector is cert-manager's own (package pkg/controller/cainjector of the
// github.com/cert-manager/cert-manager module, at the version build.sh pins). Upstream's command
// lives in cmd/cainjector, a separate Go module the module proxy cannot serve (its path does not
// match its directory), so this small main sets up a controller-runtime manager the way
// upstream's does (Secrets uncached, metadata-only Secret watches) and registers all injectors.
// No leader election, no pprof; metrics only when --metrics-bind-address is given.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	corev1 "k8s.io/api/core/v1"
	apiext "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	kscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/klog/v2"
	apireg "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	cmscheme "github.com/cert-manager/cert-manager/pkg/client/clientset/versioned/scheme"
	"github.com/cert-manager/cert-manager/pkg/controller/cainjector"
	"github.com/cert-manager/cert-manager/pkg/util"
)

func main() {
	namespace := flag.String("namespace", "", "inject only into objects of this namespace (default: all)")
	metrics := flag.String("metrics-bind-address", "0", "address of the metrics endpoint, 0 for none")
	certificates := flag.Bool("enable-certificates-data-source", true,
		"read CAs of Certificates named by cert-manager.io/inject-ca-from")
	version := flag.Bool("version", false, "print the cert-manager version and exit")
	// --kubeconfig is controller-runtime's flag (default $KUBECONFIG, else in-cluster).
	klog.InitFlags(nil)
	flag.Parse()
	if *version {
		fmt.Println(util.AppVersion)
		return
	}
	log := klog.Background().WithName("cert-manager").WithName("cainjector")
	ctrl.SetLogger(log)
	if err := run(*namespace, *metrics, *certificates); err != nil {
		log.Error(err, "cainjector failed")
		os.Exit(1)
	}
}

func run(namespace, metrics string, certificates bool) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	restConfig, err := ctrl.GetConfig()
	if err != nil {
		return fmt.Errorf("loading kubeconfig: %w", err)
	}
	restConfig = util.RestConfigWithUserAgent(restConfig, "cainjector")

	scheme := runtime.NewScheme()
	utilruntime.Must(kscheme.AddToScheme(scheme))
	utilruntime.Must(cmscheme.AddToScheme(scheme))
	utilruntime.Must(apiext.AddToScheme(scheme))
	utilruntime.Must(apireg.AddToScheme(scheme))

	var namespaces map[string]cache.Config
	if namespace != "" {
		namespaces = map[string]cache.Config{namespace: {}}
	}
	mgr, err := ctrl.NewManager(restConfig, ctrl.Options{
		Scheme: scheme,
		Cache: cache.Options{
			ReaderFailOnMissingInformer: true,
			DefaultNamespaces:           namespaces,
		},
		// Secrets are read from the API server when needed, never cached (as upstream).
		Client: client.Options{
			Cache: &client.CacheOptions{DisableFor: []client.Object{&corev1.Secret{}}},
		},
		Metrics:                metricsserver.Options{BindAddress: metrics},
		HealthProbeBindAddress: "0",
	})
	if err != nil {
		return fmt.Errorf("creating manager: %w", err)
	}
	err = cainjector.RegisterAllInjectors(ctx, mgr, cainjector.SetupOptions{
		Namespace:                    namespace,
		EnableCertificatesDataSource: certificates,
		EnabledReconcilersFor: map[string]bool{
			cainjector.MutatingWebhookConfigurationName:   true,
			cainjector.ValidatingWebhookConfigurationName: true,
			cainjector.APIServiceName:                     true,
			cainjector.CustomResourceDefinitionName:       true,
		},
	})
	if err != nil {
		return fmt.Errorf("registering injectors: %w", err)
	}
	log := ctrl.Log
	log.Info("cert-manager cainjector running", "version", util.AppVersion)
	return mgr.Start(ctx)
}
