package dev.surprisal.ops;

import dev.surprisal.avro.Prediction;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelLease;
import dev.surprisal.model.ModelProvider;
import dev.surprisal.session.LineParts;
import dev.surprisal.stream.RecentEvents;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The pages a person opens in a browser: the live stream of flagged events ({@code /}) and a
 * session's view ({@code /sessions/{id}} asked for as HTML). Both are static files from the jar
 * whose scripts poll JSON: {@code /api/live} here, the session query for the other.
 */
final class LiveView {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FOLDER = "/dev/surprisal/ops/live/";
    private static final Map<String, String> ASSETS = Map.of(
            "live.html", "text/html; charset=utf-8",
            "session.html", "text/html; charset=utf-8",
            "view.css", "text/css; charset=utf-8",
            "view.js", "text/javascript; charset=utf-8",
            "live.js", "text/javascript; charset=utf-8",
            "session.js", "text/javascript; charset=utf-8");
    private static final int MAX_FLAGGED = 100;
    /** Learned templates the page lists: a deployment brings a handful, a broken parser a flood. */
    private static final int MAX_LEARNED = 50;

    private final ModelProvider models;
    private final String instance;
    private final Supplier<List<String>> problems;
    private volatile RecentEvents recent;

    /** @param problems what readiness finds wrong now, shown above the events (dead letters among them) */
    LiveView(ModelProvider models, String instance, Supplier<List<String>> problems) {
        this.models = models;
        this.instance = instance;
        this.problems = problems;
    }

    void attach(RecentEvents events) {
        this.recent = events;
    }

    RecentEvents recent() {
        return recent;
    }

    /** One of the page files; anything else is not found (no path is ever resolved against a folder). */
    static HttpFront.Reply asset(String name) {
        String type = ASSETS.get(name);
        if (type == null) {
            return HttpFront.Reply.error(404, "not found");
        }
        try (InputStream in = LiveView.class.getResourceAsStream(FOLDER + name)) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks " + FOLDER + name);
            }
            return new HttpFront.Reply(200, type, in.readAllBytes(), Map.of("Cache-Control", "no-cache"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code /api/live?after=SEQ}: totals, the serving model, and the flagged events after SEQ. */
    HttpFront.Reply live(HttpFront.Call call) {
        long after = 0;
        if (call.query() != null && call.query().startsWith("after=")) {
            try {
                after = Long.parseLong(call.query().substring("after=".length()));
            } catch (NumberFormatException e) {
                return HttpFront.Reply.error(400, "after= takes the seq of the last event seen");
            }
        }
        ObjectNode out = JSON.createObjectNode().put("instance", instance).put("now", Instant.now().toString());
        problems.get().forEach(out.putArray("problems")::add);
        try (ModelLease lease = models.lease()) {
            LanguageModel model = lease.model();
            out.put("servingModel", model.version())
                    .put("perplexityThreshold", model.manifest().anomalyThreshold())
                    .put("tokenizer", model.tokenizer().spec().type());
        } catch (IllegalStateException noModelYet) {
            out.putNull("servingModel");
        }
        RecentEvents events = recent;
        if (events == null) {
            return HttpFront.Reply.json(200, out.put("state", "starting").set("flagged", JSON.createArrayNode()));
        }
        RecentEvents.Totals totals = events.totals();
        out.put("state", "scoring").put("eventsScored", totals.events()).put("tokensScored", totals.tokens())
                .put("eventsFlagged", totals.flagged());
        out.set("flagged", events(events.flaggedAfter(after, MAX_FLAGGED)));
        ArrayNode learned = out.putArray("learned");
        events.learned().stream().limit(MAX_LEARNED).forEach(t -> learned.addObject().put("id", t.id())
                .put("text", t.text()).put("lines", t.lines()).put("firstSeen", t.firstSeen().toString()));
        return HttpFront.Reply.json(200, out);
    }

    static ArrayNode events(List<RecentEvents.Event> events) {
        ArrayNode array = JSON.createArrayNode();
        for (RecentEvents.Event e : events) {
            ObjectNode o = array.addObject()
                    .put("seq", e.seq()).put("eventId", e.eventId()).put("sessionId", e.sessionId())
                    .put("modelVersion", e.modelVersion()).put("eventTime", e.eventTime().toString())
                    .put("text", e.text()).put("truncated", e.truncated())
                    .put("perplexity", finite(e.perplexity())).put("perplexityThreshold", finite(e.threshold()))
                    .put("sessionPerplexity", finite(e.sessionPerplexity())).put("anomalous", e.anomalous())
                    .put("rule", e.rule()).put("anomalyScore", finite(e.anomalyScore()));
            ArrayNode tokens = o.putArray("tokens");
            for (RecentEvents.Token t : e.tokens()) {
                tokens.addObject().put("t", t.text()).put("b", Math.round(finite(t.bits()) * 1000) / 1000.0)
                        .put("r", t.rank());
            }
            if (e.templateValues() != null) {
                // a template model's event: the line with the values its template masks marked
                ArrayNode parts = o.putArray("line");
                for (LineParts.Part p : LineParts.of(e.text(), e.templateValues())) {
                    parts.addObject().put("s", p.text()).put("v", p.variable());
                }
                o.put("caption", LineParts.caption(e.tokens().isEmpty() ? "" : e.tokens().get(0).text(), e.notes()));
            }
            ArrayNode next = o.putArray("next");
            for (Prediction p : e.next()) {
                next.addObject().put("token", p.getToken()).put("probability", p.getProbability());
            }
        }
        return array;
    }

    /** JSON has no infinities: an impossible token is shown as very surprising, not as null. */
    private static double finite(double v) {
        return Double.isNaN(v) ? 0 : Math.max(-Double.MAX_VALUE, Math.min(Double.MAX_VALUE, v));
    }
}
