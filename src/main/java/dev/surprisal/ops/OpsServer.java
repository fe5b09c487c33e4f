package dev.surprisal.ops;

import dev.surprisal.avro.Feedback;
import dev.surprisal.avro.FeedbackVerdict;
import dev.surprisal.feedback.FeedbackLog;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelLease;
import dev.surprisal.model.ModelProvider;
import dev.surprisal.registry.SchemaRegistry;
import dev.surprisal.scoring.EventScore;
import dev.surprisal.scoring.EventScorer;
import dev.surprisal.session.SessionState;
import dev.surprisal.stream.RecentEvents;
import dev.surprisal.stream.ScorerConfig;
import dev.surprisal.stream.ScorerService;
import dev.surprisal.stream.ScoringTopology;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Gauge;
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
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The scorer's HTTP face: Prometheus metrics, liveness and readiness ({@link Health}), interactive
 * queries over the session-state store, and the pages a person opens ({@link LiveView}). A session
 * is answered by the instance that owns it; any other instance forwards the request there.
 * Everything but the health endpoints may require credentials ({@link Access}); probes have none.
 * TLS is left to a proxy in front (see docs/guides/your-cluster.md), with {@code http.bind.address} keeping the port local.
 */
public final class OpsServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = LoggerFactory.getLogger(OpsServer.class);
    private static final String SESSIONS = "/sessions/";

    private final HttpFront http;
    private final HostInfo self;
    private final ModelProvider models;
    private final PrometheusMeterRegistry prometheus;
    private final EventScorer predictions;
    private final HttpClient forwarder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Health health;
    private final int maxIdChars;
    private final LiveView live;
    private final Map<String, Object> clientProps;
    private final SchemaRegistry registry;
    private final String feedbackTopic;
    private volatile KafkaStreams streams;

    private OpsServer(HttpFront http, String advertisedHost, ModelProvider models, PrometheusMeterRegistry prometheus,
                      ScorerConfig config, Health health, SchemaRegistry registry) {
        this.clientProps = config.clientProperties();
        this.registry = registry;
        this.feedbackTopic = config.releaseTopics().feedback();
        this.http = http;
        this.self = new HostInfo(advertisedHost, http.port());
        this.models = models;
        this.prometheus = prometheus;
        this.predictions = new EventScorer(config.topK(), 0);
        this.health = health;
        this.maxIdChars = config.httpMaxIdChars();
        this.live = new LiveView(models, self.host() + ":" + self.port(), () -> health.ready().problems());
    }

    /**
     * Binds the configured address and port before the scorer starts, so the advertised address is
     * right from the first rebalance. {@code registry} is probed for readiness (null: not probed).
     */
    public static OpsServer start(ScorerConfig config, ModelProvider models, PrometheusMeterRegistry prometheus,
                                  SchemaRegistry registry) throws IOException {
        HttpFront http = new HttpFront(config.httpBindAddress(), config.httpPort(),
                new Access(config.httpBasicAuth(), config.httpBearerToken()));
        Health health = new Health(config, models, registry);
        try {
            http.start();
        } catch (IOException e) {
            health.close();
            throw e;
        }
        OpsServer ops = new OpsServer(http, config.getString(ScorerConfig.ADVERTISED_HOST), models, prometheus, config,
                health, registry);
        // probes answer over HTTP; these let Prometheus keep their history and alert on it
        Gauge.builder("surprisal.ready", () -> health.ready().ok() ? 1 : 0)
                .description("1 when /health/ready answers 200 (may take traffic), else 0").register(prometheus);
        Gauge.builder("surprisal.live", () -> health.live().ok() ? 1 : 0)
                .description("1 when /health/live answers 200, else 0").register(prometheus);
        for (SchemaRegistry.Fault fault : SchemaRegistry.Fault.values()) {
            Gauge.builder("surprisal.registry.fault", () -> health.registryFault() == fault ? 1 : 0)
                    .description("1 while the readiness probe finds the schema registry failing for this reason")
                    .tag("reason", fault.label()).register(prometheus);
        }
        http.mount("/metrics", true, call -> ops.metrics())
                .mount("/health/live", false, call -> ops.health(false))
                .mount("/health/ready", false, call -> ops.health(true))
                .mount(SESSIONS, true, ops::session)
                .mount("/", true, call -> LiveView.asset("live.html"))
                .mount("/live/", true, call -> LiveView.asset(call.rest()))
                .mount("/api/live", true, ops.live::live)
                .mountPost("/feedback", true, ops::feedback);
        return ops;
    }

    /** Starts answering health and session queries from this scorer. */
    public void attach(ScorerService running) {
        this.streams = running.streams();
        showing(running.recent());
        health.attach(running);
    }

    /** Shows these events on the live page (the scorer's own, once attached). */
    void showing(RecentEvents events) {
        live.attach(events);
    }

    /** Whether the last probe of the cluster had an answer (true before the first). */
    public boolean clusterAnswers() {
        return health.clusterAnswers();
    }

    public int port() {
        return http.port();
    }

    private HttpFront.Reply metrics() {
        return new HttpFront.Reply(200, "text/plain; version=0.0.4; charset=utf-8",
                HttpFront.utf8(prometheus.scrape()), java.util.Map.of());
    }

    private HttpFront.Reply health(boolean readiness) {
        Health.Verdict v = readiness ? health.ready() : health.live();
        ObjectNode body = JSON.createObjectNode().put("state", v.state());
        v.problems().forEach(body.putArray("problems")::add);
        v.reasons().forEach(body.putArray("reasons")::add);
        return HttpFront.Reply.json(v.ok() ? 200 : 503, body);
    }

    private HttpFront.Reply session(HttpFront.Call call) throws Exception {
        if (call.wantsHtml()) {
            return LiveView.asset("session.html"); // a browser; its script asks this path again for JSON
        }
        String raw = call.rest();
        String query = call.query();
        String authorization = call.authorization();
        // a UTF-8 character is at most 12 escaped bytes: anything longer than that cannot fit the limit
        if (raw.length() > 12L * maxIdChars) {
            return HttpFront.Reply.error(400, "session id longer than " + maxIdChars + " characters");
        }
        String id;
        try {
            id = URLDecoder.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return HttpFront.Reply.error(400, "malformed percent-encoding in the session id");
        }
        if (id.length() > maxIdChars) {
            return HttpFront.Reply.error(400, "session id longer than " + maxIdChars + " characters");
        }
        boolean forwarded = "forwarded=true".equals(query);
        KafkaStreams s = streams;
        if (s == null) {
            return HttpFront.Reply.error(503, "the scorer is starting");
        }
        if (id.isEmpty()) {
            return HttpFront.Reply.error(400, "no session id");
        }
        KeyQueryMetadata owner = s.queryMetadataForKey(ScoringTopology.STATE_STORE, id, new StringSerializer());
        if (owner == null || KeyQueryMetadata.NOT_AVAILABLE.equals(owner)) {
            return HttpFront.Reply.error(503, "session state is not available now (rebalancing?)");
        }
        if (!forwarded && !self.equals(owner.activeHost())) {
            return forward(owner.activeHost(), id, authorization);
        }
        try {
            ReadOnlyKeyValueStore<String, SessionState> store = s.store(StoreQueryParameters.fromNameAndType(
                    ScoringTopology.STATE_STORE, QueryableStoreTypes.<String, SessionState>keyValueStore()));
            SessionState state = store.get(id);
            RecentEvents recent = live.recent();
            List<RecentEvents.Event> latest = recent == null ? List.of() : recent.ofSession(id);
            if (state == null && latest.isEmpty()) {
                return HttpFront.Reply.error(404, "no open session '" + id + "'");
            }
            // an ended session has no state left, but what it said lately is still worth seeing
            ObjectNode described = state == null ? ended(id, latest.get(0)) : describe(id, state);
            described.set("recentEvents", LiveView.events(latest));
            return HttpFront.Reply.json(200, described);
        } catch (InvalidStateStoreException e) {
            return HttpFront.Reply.error(503, "session state is not queryable now (rebalancing or restoring)");
        }
    }

    private ObjectNode ended(String id, RecentEvents.Event last) {
        ObjectNode out = JSON.createObjectNode()
                .put("sessionId", id)
                .put("open", false)
                .put("modelVersion", last.modelVersion())
                .put("sessionPerplexity", last.sessionPerplexity())
                .put("lastEventTime", last.eventTime().toString())
                .put("servedBy", self.host() + ":" + self.port());
        ArrayNode next = out.putArray("nextTokenPredictions");
        last.next().forEach(p -> next.addObject().put("token", p.getToken()).put("probability", p.getProbability()));
        return out;
    }

    private ObjectNode describe(String id, SessionState state) {
        ObjectNode out = JSON.createObjectNode()
                .put("sessionId", id)
                .put("open", true)
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

    /** {@code POST /feedback} with {"eventId", "sessionId", "verdict": "normal"|"anomalous", "by", "reason"}. */
    private HttpFront.Reply feedback(HttpFront.Call call) throws InterruptedException {
        JsonNode body;
        try {
            body = JSON.readTree(call.body());
        } catch (IOException e) {
            return HttpFront.Reply.error(400, "the body is not JSON");
        }
        if (body == null || !body.isObject()) {
            return HttpFront.Reply.error(400, "the body must be a JSON object");
        }
        String verdict = text(body, "verdict");
        if (!"normal".equalsIgnoreCase(verdict) && !"anomalous".equalsIgnoreCase(verdict)) {
            return HttpFront.Reply.error(400, "verdict must be 'normal' or 'anomalous'");
        }
        Feedback f = Feedback.newBuilder().setFeedbackId(UUID.randomUUID().toString())
                .setEventId(text(body, "eventId")).setSessionId(text(body, "sessionId"))
                .setVerdict(FeedbackVerdict.valueOf(verdict.toUpperCase(java.util.Locale.ROOT)))
                .setBy(text(body, "by") == null ? "" : text(body, "by"))
                .setReason(text(body, "reason") == null ? "" : text(body, "reason"))
                .setTime(Instant.now()).build();
        String problem = FeedbackLog.problem(f);
        if (problem != null) {
            return HttpFront.Reply.error(400, problem);
        }
        if (registry == null) {
            return HttpFront.Reply.error(503, "feedback is kept on " + feedbackTopic + " through the schema registry, "
                    + "and this scorer runs without one (set schema.registry.url)");
        }
        try {
            FeedbackLog.publish(clientProps, registry, feedbackTopic, f);
        } catch (IllegalStateException | org.apache.kafka.common.KafkaException e) {
            LOG.warn("cannot record feedback: {}", e.toString());
            return HttpFront.Reply.error(503, "the feedback topic cannot be written now");
        }
        return HttpFront.Reply.json(202, JSON.createObjectNode().put("feedbackId", f.getFeedbackId())
                .put("topic", feedbackTopic));
    }

    private static String text(JsonNode body, String field) {
        JsonNode v = body.get(field);
        return v == null || v.isNull() || v.asText().isBlank() ? null : v.asText();
    }

    private HttpFront.Reply forward(HostInfo owner, String id, String authorization) throws InterruptedException {
        URI uri = URI.create("http://" + owner.host() + ":" + owner.port() + SESSIONS
                + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20") + "?forwarded=true");
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
            if (authorization != null) {
                request.header("Authorization", authorization); // instances share their credentials
            }
            HttpResponse<byte[]> reply = forwarder.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new HttpFront.Reply(reply.statusCode(), "application/json", reply.body(), java.util.Map.of());
        } catch (IOException e) {
            LOG.warn("forwarding a session query to {}:{} failed: {}", owner.host(), owner.port(), e.toString());
            return HttpFront.Reply.error(502, "the instance owning this session (" + owner.host() + ":" + owner.port()
                    + ") did not answer");
        }
    }

    @Override
    public void close() {
        http.close();
        health.close();
    }
}
