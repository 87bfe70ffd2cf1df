package io.traceroll.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Loopback ports for the processes a test starts. The kernel may hand the same free port out twice
 * once the probing socket is closed, so a port given out once is never given out again in this JVM:
 * two servers of one test then never race for one port.
 */
public final class FreePorts {
  private static final Set<Integer> GIVEN = new HashSet<>();

  private FreePorts() {}

  /** A port that was free just now and that no other caller in this JVM has been given. */
  public static synchronized int next() {
    List<ServerSocket> held = new ArrayList<>();
    try {
      while (true) {
        ServerSocket socket = new ServerSocket(0);
        held.add(socket);
        if (GIVEN.add(socket.getLocalPort())) {
          return socket.getLocalPort();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      for (ServerSocket socket : held) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // closing a socket that only reserved a number
        }
      }
    }
  }
}
