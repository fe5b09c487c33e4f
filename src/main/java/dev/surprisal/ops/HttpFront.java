package dev.surprisal.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The HTTP plumbing under {@link OpsServer} (Jetty): routes by path prefix, one method each (GET,
 * or POST with a small body), credentials
 * where a route asks for them, and no failure's details in any response. Requests Jetty itself
 * refuses (a malformed URI, an oversized request line) get the same plain JSON error, without
 * echoing the request or naming an exception or the server.
 */
final class HttpFront implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HttpFront.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a route answers. */
    record Reply(int status, String contentType, byte[] body, Map<String, String> headers) {
        static Reply json(int status, Object body) {
            try {
                return new Reply(status, "application/json", JSON.writeValueAsBytes(body), Map.of());
            } catch (IOException impossible) {
                throw new IllegalStateException(impossible);
            }
        }

        static Reply error(int status, String message) {
            return json(status, Map.of("error", message));
        }

        Reply with(String header, String value) {
            Map<String, String> more = new LinkedHashMap<>(headers);
            more.put(header, value);
            return new Reply(status, contentType, body, more);
        }
    }

    /**
     * What a route sees of a request: the raw path below its prefix, the raw query, and the
     * Authorization and Accept headers (each null when absent).
     */
    record Call(String rest, String query, String authorization, String accept, byte[] body) {
        boolean wantsHtml() {
            return accept != null && accept.contains("text/html");
        }
    }

    @FunctionalInterface
    interface Route {
        Reply handle(Call call) throws Exception;
    }

    private record Mount(String prefix, boolean exact, boolean protectedPath, String method, Route route) {
    }

    /** Largest request body a POST route reads. */
    static final int MAX_BODY_BYTES = 64 * 1024;

    private final Server server;
    private final ServerConnector connector;
    private final Access access;
    private final Map<String, Mount> mounts = new LinkedHashMap<>();

    HttpFront(String host, int port, Access access) {
        this.access = access;
        QueuedThreadPool threads = new QueuedThreadPool(8, 2);
        threads.setName("ops-http");
        threads.setDaemon(true);
        this.server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        this.connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                send(response, callback, dispatch(request));
                return true;
            }
        });
        server.setErrorHandler((request, response, callback) -> {
            int status = response.getStatus() >= 400 ? response.getStatus() : 400;
            send(response, callback, Reply.error(status, HttpStatus.getMessage(status).toLowerCase(Locale.ROOT)));
            return true;
        });
    }

    /** Answers {@code path} exactly, or every path under it when it ends with a slash ({@code /}: exactly). */
    HttpFront mount(String path, boolean protectedPath, Route route) {
        mounts.put(path, new Mount(path, !path.endsWith("/") || path.equals("/"), protectedPath, "GET", route));
        return this;
    }

    /** Answers POSTs to exactly {@code path}; the route gets the body. */
    HttpFront mountPost(String path, boolean protectedPath, Route route) {
        mounts.put(path, new Mount(path, true, protectedPath, "POST", route));
        return this;
    }

    void start() throws IOException {
        try {
            server.start();
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("cannot start the HTTP endpoints on " + connector.getHost() + ":"
                    + connector.getPort() + ": " + e.getMessage(), e);
        }
    }

    int port() {
        return connector.getLocalPort();
    }

    private Reply dispatch(Request request) {
        String path = request.getHttpURI().getPath();
        Mount mount = null;
        for (Mount m : mounts.values()) {
            if (m.exact() ? path.equals(m.prefix()) : path.startsWith(m.prefix())) {
                mount = m;
                break;
            }
        }
        if (mount == null) {
            return Reply.error(404, "not found");
        }
        if (!mount.method().equals(request.getMethod())) {
            return Reply.error(405, "only " + mount.method() + " is supported").with("Allow", mount.method());
        }
        String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (mount.protectedPath() && !access.allows(authorization)) {
            return Reply.error(401, "authentication required").with("WWW-Authenticate", access.challenge());
        }
        try {
            byte[] body = new byte[0];
            if ("POST".equals(mount.method())) {
                if (request.getLength() > MAX_BODY_BYTES) {
                    return Reply.error(413, "the body is larger than " + MAX_BODY_BYTES + " bytes");
                }
                try (InputStream in = Request.asInputStream(request)) {
                    body = in.readNBytes(MAX_BODY_BYTES + 1);
                }
                if (body.length > MAX_BODY_BYTES) {
                    return Reply.error(413, "the body is larger than " + MAX_BODY_BYTES + " bytes");
                }
            }
            return mount.route().handle(new Call(mount.exact() ? "" : path.substring(mount.prefix().length()),
                    request.getHttpURI().getQuery(), authorization, request.getHeaders().get(HttpHeader.ACCEPT), body));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Reply.error(503, "interrupted");
        } catch (Exception e) {
            LOG.warn("HTTP {} {} failed", request.getMethod(), mount.prefix(), e);
            return Reply.error(500, "internal error");
        }
    }

    private static void send(Response response, Callback callback, Reply reply) {
        response.setStatus(reply.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, reply.contentType());
        // pages load only their own scripts and styles, and no other site may frame them
        response.getHeaders().put("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'");
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        reply.headers().forEach(response.getHeaders()::put);
        response.write(true, ByteBuffer.wrap(reply.body()), callback);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("stopping the HTTP endpoints: {}", e.toString());
        }
    }
}
