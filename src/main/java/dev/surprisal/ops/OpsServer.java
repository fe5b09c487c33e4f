package dev.surprisal.ops;

import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelLease;
import dev.surprisal.model.ModelProvider;
import dev.surprisal.registry.SchemaRegistry;
import dev.surprisal.scoring.EventScore;
import dev.surprisal.scoring.EventScorer;
import dev.surprisal.session.SessionState;
import dev.surprisal.stream.ScorerConfig;
import dev.surprisal.stream.ScorerService;
import dev.surprisal.stream.ScoringTopology;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The scorer's HTTP face: Prometheus metrics, liveness and readiness ({@link Health}), and
 * interactive queries over the session-state store. A session is answered by the instance that
 * owns it; any other instance forwards the request there. {@code /metrics} and {@code /sessions}
 * may require credentials ({@link Access}); the health endpoints never do (probes have none). TLS
 * is left to a proxy in front (see README), with {@code http.bind.address} keeping the port local.
 */
public final class OpsServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = LoggerFactory.getLogger(OpsServer.class);
    private static final String SESSIONS = "/sessions/";

    private final HttpServer server;
    private final HostInfo self;
    private final ModelProvider models;
    private final PrometheusMeterRegistry prometheus;
    private final EventScorer predictions;
    private final HttpClient forwarder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "ops-http");
        t.setDaemon(true);
        return t;
    });
    private final Health health;
    private final Access access;
    private final int maxIdChars;
    private volatile KafkaStreams streams;

    private OpsServer(HttpServer server, HostInfo self, ModelProvider models, PrometheusMeterRegistry prometheus,
                      ScorerConfig config, Health health) {
        this.server = server;
        this.self = self;
        this.models = models;
        this.prometheus = prometheus;
        this.predictions = new EventScorer(config.topK(), 0);
        this.health = health;
        this.access = new Access(config.httpBasicAuth(), config.httpBearerToken());
        this.maxIdChars = config.httpMaxIdChars();
    }

    /**
     * Binds the configured address and port before the scorer starts, so the advertised address is
     * right from the first rebalance. {@code registry} is probed for readiness (null: not probed).
     */
    public static OpsServer start(ScorerConfig config, ModelProvider models, PrometheusMeterRegistry prometheus,
                                  SchemaRegistry registry) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(config.httpBindAddress(), config.httpPort()), 0);
        OpsServer ops = new OpsServer(http, new HostInfo(config.getString(ScorerConfig.ADVERTISED_HOST),
                http.getAddress().getPort()), models, prometheus, config, new Health(config, models, registry));
        http.createContext("/metrics", ops.handler(true, ops::metrics));
        http.createContext("/health/live", ops.handler(false, ex -> ops.health(ex, false)));
        http.createContext("/health/ready", ops.handler(false, ex -> ops.health(ex, true)));
        http.createContext(SESSIONS, ops.handler(true, ops::session));
        http.setExecutor(ops.executor);
        http.start();
        return ops;
    }

    /** Starts answering health and session queries from this scorer. */
    public void attach(ScorerService running) {
        this.streams = running.streams();
        health.attach(running);
    }

    /**
     * GET only; credentials where asked for; and no failure's details in a response (they go to the
     * log): a caller learns a status and a plain reason, never an exception.
     */
    private HttpHandler handler(boolean protectedPath, HttpHandler inner) {
        return ex -> {
            try {
                if (!"GET".equals(ex.getRequestMethod())) {
                    ex.getResponseHeaders().set("Allow", "GET");
                    json(ex, 405, error("only GET is supported"));
                } else if (protectedPath && !access.allows(ex.getRequestHeaders().getFirst("Authorization"))) {
                    ex.getResponseHeaders().set("WWW-Authenticate", access.challenge());
                    json(ex, 401, error("authentication required"));
                } else {
                    inner.handle(ex);
                }
            } catch (RuntimeException e) {
                LOG.warn("HTTP {} {} failed", ex.getRequestMethod(), ex.getRequestURI().getRawPath(), e);
                json(ex, 500, error("internal error"));
            }
        };
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void metrics(HttpExchange ex) throws IOException {
        respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", prometheus.scrape().getBytes(StandardCharsets.UTF_8));
    }

    private void health(HttpExchange ex, boolean readiness) throws IOException {
        Health.Verdict v = readiness ? health.ready() : health.live();
        ObjectNode body = JSON.createObjectNode().put("state", v.state());
        v.problems().forEach(body.putArray("problems")::add);
        json(ex, v.ok() ? 200 : 503, body);
    }

    private void session(HttpExchange ex) throws IOException {
        String raw = ex.getRequestURI().getRawPath().substring(SESSIONS.length());
        // a UTF-8 character is at most 12 escaped bytes: anything longer than that cannot fit the limit
        if (raw.length() > 12L * maxIdChars) {
            json(ex, 400, error("session id longer than " + maxIdChars + " characters"));
            return;
        }
        String id;
        try {
            id = URLDecoder.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            json(ex, 400, error("malformed percent-encoding in the session id"));
            return;
        }
        if (id.length() > maxIdChars) {
            json(ex, 400, error("session id longer than " + maxIdChars + " characters"));
            return;
        }
        boolean forwarded = "forwarded=true".equals(ex.getRequestURI().getRawQuery());
        KafkaStreams s = streams;
        if (s == null || id.isEmpty()) {
            json(ex, s == null ? 503 : 400, error(s == null ? "the scorer is starting" : "no session id"));
            return;
        }
        KeyQueryMetadata owner = s.queryMetadataForKey(ScoringTopology.STATE_STORE, id, new StringSerializer());
        if (owner == null || KeyQueryMetadata.NOT_AVAILABLE.equals(owner)) {
            json(ex, 503, error("session state is not available now (rebalancing?)"));
            return;
        }
        if (!forwarded && !self.equals(owner.activeHost())) {
            forward(ex, owner.activeHost(), id);
            return;
        }
        try {
            ReadOnlyKeyValueStore<String, SessionState> store = s.store(StoreQueryParameters.fromNameAndType(
                    ScoringTopology.STATE_STORE, QueryableStoreTypes.<String, SessionState>keyValueStore()));
            SessionState state = store.get(id);
            if (state == null) {
                json(ex, 404, error("no open session '" + id + "'"));
                return;
            }
            json(ex, 200, describe(id, state));
        } catch (InvalidStateStoreException e) {
            json(ex, 503, error("session state is not queryable now (rebalancing or restoring)"));
        }
    }

    private ObjectNode describe(String id, SessionState state) {
        ObjectNode out = JSON.createObjectNode()
                .put("sessionId", id)
                .put("modelVersion", state.modelVersion())
                .put("events", state.events())
                .put("tokens", state.tokens())
                .put("sessionPerplexity", state.perplexity())
                .put("anomalousEvents", state.anomalousEvents())
                .put("firstEventTime", Instant.ofEpochMilli(state.firstEventTime()).toString())
                .put("lastEventTime", Instant.ofEpochMilli(state.lastEventTime()).toString())
                .put("servedBy", self.host() + ":" + self.port());
        ArrayNode next = out.putArray("nextTokenPredictions");
        try (ModelLease lease = models.lease()) {
            LanguageModel model = lease.model();
            if (model.version().equals(state.modelVersion())) {
                for (EventScore.Candidate c : predictions.predictNext(model, state.recurrent())) {
                    next.addObject().put("token", model.tokenizer().render(c.tokenId()))
                            .put("probability", c.probability());
                }
            }
        }
        return out;
    }

    private void forward(HttpExchange ex, HostInfo owner, String id) throws IOException {
        URI uri = URI.create("http://" + owner.host() + ":" + owner.port() + SESSIONS
                + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20") + "?forwarded=true");
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
            String credentials = ex.getRequestHeaders().getFirst("Authorization");
            if (credentials != null) {
                request.header("Authorization", credentials); // instances share their credentials
            }
            HttpResponse<byte[]> reply = forwarder.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            respond(ex, reply.statusCode(), "application/json", reply.body());
        } catch (IOException e) {
            LOG.warn("forwarding a session query to {}:{} failed: {}", owner.host(), owner.port(), e.toString());
            json(ex, 502, error("the instance owning this session (" + owner.host() + ":" + owner.port()
                    + ") did not answer"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            json(ex, 503, error("interrupted"));
        }
    }

    private static ObjectNode error(String message) {
        return JSON.createObjectNode().put("error", message);
    }

    private void json(HttpExchange ex, int status, ObjectNode body) throws IOException {
        respond(ex, status, "application/json", JSON.writeValueAsBytes(body));
    }

    private void respond(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
        try (ex) {
            ex.getResponseHeaders().set("Content-Type", contentType);
            ex.sendResponseHeaders(status, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        health.close();
    }
}
