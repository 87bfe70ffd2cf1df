package io.traceroll.webhook.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Serves whichever certificate was loaded last. New TLS handshakes pick up a rotated certificate at
 * once; connections already open keep theirs, so no request is dropped.
 */
public final class ReloadingKeyManager extends X509ExtendedKeyManager {
  private static final String ALIAS = "webhook";

  private record Material(X509Certificate[] chain, PrivateKey key) {}

  private final AtomicReference<Material> current = new AtomicReference<>();

  public void load(X509Certificate[] chain, PrivateKey key) {
    current.set(new Material(chain.clone(), key));
  }

  /** The certificate served now, or null before the first load. */
  public X509Certificate certificate() {
    Material m = current.get();
    return m == null ? null : m.chain()[0];
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return aliasFor(keyType);
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return aliasFor(keyType);
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    Material m = current.get();
    return m == null ? null : m.chain().clone();
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    Material m = current.get();
    return m == null ? null : m.key();
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    String alias = aliasFor(keyType);
    return alias == null ? new String[0] : new String[] {alias};
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return new String[0];
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return null;
  }

  /** Our alias when the handshake asks for our key's type (EC or RSA). */
  private String aliasFor(String keyType) {
    Material m = current.get();
    if (m == null || keyType == null) {
      return null;
    }
    return keyType.startsWith(m.key().getAlgorithm()) ? ALIAS : null;
  }
}
