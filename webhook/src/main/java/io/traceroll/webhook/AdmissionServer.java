package io.traceroll.webhook;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import io.traceroll.webhook.tls.ReloadingKeyManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTPS admission endpoint ({@code POST /mutate}, {@code GET /healthz}) served by every
 * operator replica, over HTTP/2 or HTTP/1.1 as the client negotiates (the API server offers both).
 *
 * <p>Non-blocking: a connection costs no thread while it handshakes or sits idle, so connections a
 * client opened and has not used yet cannot hold up an admission (the JDK server gave each new
 * connection a pool thread that then waited for its first request). Event-loop threads do the I/O,
 * TLS and HTTP framing, and answer each complete request where it arrived: an admission is a few
 * hundred microseconds of CPU that never waits on I/O, and handing it to another thread and back
 * cost the API server about 1 ms per call on two busy cores (measured with {@code make
 * bench-compare BENCH_ARGS=short}: 9.9 and 10.2 ms per call as the API server counts it, 8.7 and
 * 9.2 ms inline). The one admission that would wait, for a namespace the cache has not seen yet
 * (created a moment before), goes to a handler thread instead, so it never holds up the other
 * requests of its connection. TLS material comes from a {@link ReloadingKeyManager}, so certificate
 * rotation needs no restart.
 */
public final class AdmissionServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AdmissionServer.class);
  public static final String MUTATE_PATH = "/mutate";

  /** Largest AdmissionReview accepted; a pod spec is far smaller. */
  static final int MAX_BODY = 3 * 1024 * 1024;

  /** A connection that has seen nothing for this long is closed (Go's clients idle out at 90 s). */
  static final int IDLE_SECONDS = 300;

  /** Concurrent requests one HTTP/2 connection may carry. */
  static final int MAX_STREAMS = 1000;

  private final InetSocketAddress address;
  private final SslContext tls;
  private final AdmissionHandler handler;
  private final EventLoopGroup loops;
  private final EventExecutorGroup workers;
  private final AtomicBoolean firstConnection = new AtomicBoolean(true);
  private Channel listener;

  /**
   * Loads the server's classes (Netty, TLS) on a background thread, so that the start-up work that
   * runs before the server is made (API client, informers) overlaps with it: about 0.7 s of class
   * loading and initialisation otherwise on the path to the first admission.
   */
  public static void preload() {
    daemon("admission-preload")
        .newThread(
            () -> {
              try {
                SSLContext.getInstance("TLS").init(null, null, null);
                for (Class<?> type :
                    List.of(
                        ServerBootstrap.class,
                        MultiThreadIoEventLoopGroup.class,
                        NioServerSocketChannel.class,
                        JdkSslContext.class,
                        Http2FrameCodecBuilder.class,
                        Http2MultiplexHandler.class,
                        Http2StreamFrameToHttpObjectCodec.class,
                        HttpServerCodec.class,
                        HttpObjectAggregator.class,
                        DefaultEventExecutorGroup.class)) {
                  Class.forName(type.getName(), true, AdmissionServer.class.getClassLoader());
                }
                new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory())
                    .shutdownGracefully(0, 0, TimeUnit.SECONDS);
              } catch (GeneralSecurityException | ClassNotFoundException e) {
                LOG.debug("preloading the admission server's classes: {}", e.toString());
              }
            })
        .start();
  }

  /**
   * @param threads event-loop threads, each serving its share of the connections, and as many
   *     handler threads for the admissions that wait (started only when one does)
   */
  public AdmissionServer(
      InetSocketAddress address, ReloadingKeyManager keys, AdmissionHandler handler, int threads)
      throws IOException {
    this.address = address;
    this.handler = handler;
    // Netty's JDK TLS over an SSLContext made here: SslContextBuilder spent ~0.9 s of start-up
    // probing for native TLS and ciphers this server does not use.
    SSLContext jdk;
    try {
      jdk = SSLContext.getInstance("TLS");
      jdk.init(new KeyManager[] {keys}, null, null);
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot set up TLS: " + e.getMessage(), e);
    }
    this.tls =
        new JdkSslContext(
            jdk,
            false,
            null,
            IdentityCipherSuiteFilter.INSTANCE,
            new ApplicationProtocolConfig(
                ApplicationProtocolConfig.Protocol.ALPN,
                ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                ApplicationProtocolNames.HTTP_2,
                ApplicationProtocolNames.HTTP_1_1),
            ClientAuth.NONE,
            null,
            false);
    this.loops =
        new MultiThreadIoEventLoopGroup(threads, daemon("admission"), NioIoHandler.newFactory());
    this.workers = new DefaultEventExecutorGroup(threads, daemon("admission-handler"));
  }

  public void start() throws IOException {
    try {
      listener =
          new ServerBootstrap()
              .group(loops)
              .channel(NioServerSocketChannel.class)
              .option(ChannelOption.SO_BACKLOG, 256)
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                      channel
                          .pipeline()
                          .addLast(tls.newHandler(channel.alloc()))
                          .addLast(new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS))
                          .addLast(new CloseWhenIdle())
                          .addLast(new Negotiated());
                    }
                  })
              .bind(address)
              .sync()
              .channel();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while binding " + address, e);
    } catch (RuntimeException e) {
      throw new IOException("cannot listen on " + address + ": " + e.getMessage(), e);
    }
  }

  public int port() {
    return ((InetSocketAddress) listener.localAddress()).getPort();
  }

  @Override
  public void close() {
    if (listener != null) {
      listener.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
    loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  /** After TLS: HTTP/2 streams or HTTP/1.1 requests, both ending in {@link Requests}. */
  private final class Negotiated extends ApplicationProtocolNegotiationHandler {
    Negotiated() {
      super(ApplicationProtocolNames.HTTP_1_1);
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
      if (firstConnection.compareAndSet(true, false)) {
        LOG.info(
            "first admission connection from {} negotiated {}",
            ctx.channel().remoteAddress(),
            protocol);
      }
      ChannelPipeline pipeline = ctx.pipeline();
      if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
        pipeline.addLast(
            Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings().maxConcurrentStreams(MAX_STREAMS))
                .build(),
            new Http2MultiplexHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel stream) {
                    stream
                        .pipeline()
                        .addLast(new Http2StreamFrameToHttpObjectCodec(true))
                        .addLast(new HttpObjectAggregator(MAX_BODY))
                        .addLast(new Requests());
                  }
                }));
      } else if (ApplicationProtocolNames.HTTP_1_1.equals(protocol)) {
        pipeline.addLast(
            new HttpServerCodec(),
            new HttpServerKeepAliveHandler(),
            new HttpObjectAggregator(MAX_BODY));
        pipeline.addLast(new Requests());
      } else {
        ctx.close();
      }
    }

    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
      LOG.debug("admission TLS handshake failed: {}", cause.toString());
      ctx.close();
    }
  }

  /**
   * Routes one complete request on the event loop it arrived on; an admission that would wait goes
   * to a handler thread.
   */
  private final class Requests extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      String path = new QueryStringDecoder(request.uri()).path();
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      if (MUTATE_PATH.equals(path)) {
        if (!HttpMethod.POST.equals(request.method())) {
          reply(ctx, json(405, "{\"error\":\"POST an AdmissionReview\"}"), keepAlive);
          return;
        }
        byte[] body = ByteBufUtil.getBytes(request.content());
        AdmissionHandler.Response answer = handler.handleWithoutWaiting(body);
        if (answer != null) {
          reply(ctx, json(answer.status(), answer.body()), keepAlive);
        } else {
          workers.execute(
              () -> {
                AdmissionHandler.Response waited = handler.handle(body);
                reply(ctx, json(waited.status(), waited.body()), keepAlive);
              });
        }
      } else if ("/healthz".equals(path)) {
        reply(ctx, json(200, "ok\n"), keepAlive);
      } else {
        reply(ctx, json(404, "{\"error\":\"not found\"}"), keepAlive);
      }
    }

    /** Writes the response (from any thread: Netty hands it to the channel's event loop). */
    private void reply(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
      HttpUtil.setKeepAlive(response, keepAlive);
      var written = ctx.writeAndFlush(response);
      if (!keepAlive) {
        written.addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.debug("admission connection failed: {}", cause.toString());
      ctx.close();
    }
  }

  /** Closes a connection nothing has moved on for {@link #IDLE_SECONDS}. */
  private static final class CloseWhenIdle extends ChannelInboundHandlerAdapter {
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
      if (event instanceof IdleStateEvent) {
        ctx.close();
      } else {
        super.userEventTriggered(ctx, event);
      }
    }
  }

  /** Daemon threads of this name (the server's, its preload's and the warm-up's). */
  static ThreadFactory daemon(String name) {
    return runnable -> {
      Thread t = new Thread(runnable, name);
      t.setDaemon(true);
      return t;
    };
  }

  private static FullHttpResponse json(int status, String body) {
    return json(status, body.getBytes(StandardCharsets.UTF_8));
  }

  private static FullHttpResponse json(int status, byte[] body) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), Unpooled.wrappedBuffer(body));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    return response;
  }
}
