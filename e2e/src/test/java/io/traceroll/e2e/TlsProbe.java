package io.traceroll.e2e;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.traceroll.webhook.tls.CertificateAuthority;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * A TLS client of the operator's webhook port on 127.0.0.1, as the API server is one: it trusts
 * only the CAs it is given and checks that the certificate names the host it asks for (sent as SNI
 * too), or, to read what the server sends, trusts anything and checks nothing.
 */
final class TlsProbe {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  private TlsProbe() {}

  /**
   * A handshake as a client that trusts only {@code trust} and verifies that the certificate names
   * {@code host}; with no trust store, trusts anything and checks nothing. Returns the chain the
   * server sent.
   */
  static X509Certificate[] handshake(KeyStore trust, String host, int port) throws Exception {
    try (SSLSocket socket = open(trust, host, port, Duration.ofSeconds(5))) {
      return (X509Certificate[]) socket.getSession().getPeerCertificates();
    }
  }

  /**
   * A connection that has finished its handshake (no verification) and sent nothing, as a client
   * opens before it has a request to send. The caller closes it.
   */
  static SSLSocket handshaken(int port) throws Exception {
    return open(null, null, port, Duration.ofSeconds(5));
  }

  /** The certificate the port serves now (no verification). */
  static X509Certificate served(int port) throws Exception {
    return handshake(null, null, port)[0];
  }

  /**
   * POSTs a JSON body to the path as the API server calls a webhook (over {@link #open}), expects
   * 200 and returns the response body.
   */
  static String post(KeyStore trust, String host, int port, String path, byte[] body)
      throws Exception {
    try (SSLSocket tls = open(trust, host, port, Duration.ofSeconds(10))) {
      OutputStream out = tls.getOutputStream();
      out.write(
          ("POST %s?timeout=3s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/json\r\n"
                  + "Content-Length: %d\r\nConnection: close\r\n\r\n")
              .formatted(path, host, port, body.length)
              .getBytes(US_ASCII));
      out.write(body);
      out.flush();
      String response = new String(tls.getInputStream().readAllBytes(), UTF_8);
      assertThat(response).as("POST %s", path).startsWith("HTTP/1.1 200");
      return response.substring(response.indexOf("\r\n\r\n") + 4);
    }
  }

  /** A trust store holding every certificate in the PEM text (a bundle may hold several). */
  static KeyStore trusting(String pem) throws Exception {
    return trusting(certificates(pem));
  }

  static KeyStore trusting(List<X509Certificate> cas) throws Exception {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    int i = 0;
    for (X509Certificate ca : cas) {
      store.setCertificateEntry("ca-" + i++, ca);
    }
    return store;
  }

  /** Every certificate in the PEM text, in order. */
  static List<X509Certificate> certificates(String pem) {
    return CertificateAuthority.readCertificates(pem);
  }

  /** Every certificate in base64-encoded PEM, as a Secret's data or a caBundle holds it. */
  static List<X509Certificate> certificatesOfBase64(String base64) {
    return certificates(decode(base64));
  }

  static String decode(String base64) {
    return new String(Base64.getDecoder().decode(base64), UTF_8);
  }

  private static SSLSocket open(KeyStore trust, String host, int port, Duration readTimeout)
      throws Exception {
    TrustManager[] trustManagers;
    if (trust == null) {
      trustManagers = new TrustManager[] {new TrustingEverything()};
    } else {
      TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
      tmf.init(trust);
      trustManagers = tmf.getTrustManagers();
    }
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trustManagers, null);
    String serverName = host == null ? "127.0.0.1" : host;
    Socket plain = new Socket();
    plain.connect(new InetSocketAddress("127.0.0.1", port), (int) CONNECT_TIMEOUT.toMillis());
    SSLSocket socket =
        (SSLSocket) context.getSocketFactory().createSocket(plain, serverName, port, true);
    try {
      socket.setSoTimeout((int) readTimeout.toMillis());
      if (trust != null) {
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        if (!isAddress(serverName)) {
          parameters.setServerNames(List.of(new SNIHostName(serverName)));
        }
        socket.setSSLParameters(parameters);
      }
      socket.startHandshake();
      return socket;
    } catch (Exception e) {
      socket.close();
      throw e;
    }
  }

  private static boolean isAddress(String host) {
    return host.chars().allMatch(c -> c == '.' || Character.isDigit(c)) || host.contains(":");
  }

  /** Only to read what the server sends; the verifying handshakes use PKIX. */
  private static final class TrustingEverything implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
