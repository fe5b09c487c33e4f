package dev.surprisal.ops;

import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelProvider;
import dev.surprisal.registry.InMemorySchemaRegistry;
import dev.surprisal.stream.RecentEvents;
import dev.surprisal.stream.ScorerConfig;
import dev.surprisal.testing.Await;
import dev.surprisal.testing.PageEvents;
import dev.surprisal.testing.TinyModelExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTTP face before any scorer is attached: methods, credentials, hostile ids, honest health. */
@ExtendWith(TinyModelExtension.class)
class OpsServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BASIC = "Basic " + Base64.getEncoder()
            .encodeToString("ops:secret".getBytes(StandardCharsets.UTF_8));

    private final LanguageModel model;
    private final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private OpsServer ops;

    OpsServerTest(LanguageModel shared) {
        this.model = shared;
    }

    @BeforeEach
    void start() throws IOException {
        ScorerConfig config = new ScorerConfig(Map.of(ScorerConfig.HTTP_PORT, 0,
                ScorerConfig.HTTP_BIND_ADDRESS, "127.0.0.1", ScorerConfig.BOOTSTRAP_SERVERS, "127.0.0.1:1",
                ScorerConfig.HTTP_AUTH_BASIC, "ops:secret", ScorerConfig.HTTP_AUTH_BEARER, "t0ken",
                ScorerConfig.HTTP_MAX_ID_CHARS, 64));
        ops = OpsServer.start(config, ModelProvider.fixed(model), prometheus, new InMemorySchemaRegistry());
    }

    @AfterEach
    void stop() {
        ops.close();
        prometheus.close();
    }

    /** A raw request, so that paths no URI class would build (a bare %) can be sent. */
    private Reply request(String method, String path, String authorization) throws IOException {
        return request(method, path, authorization, null);
    }

    private Reply request(String method, String path, String authorization, String accept) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", ops.port())) {
            OutputStream out = socket.getOutputStream();
            String head = method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                    + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
                    + (accept == null ? "" : "Accept: " + accept + "\r\n")
                    + "Content-Length: 0\r\n\r\n";
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int status = Integer.parseInt(response.substring(9, 12));
            return new Reply(status, response.substring(response.indexOf("\r\n\r\n") + 4));
        }
    }

    private record Reply(int status, String body) {
    }

    @Test
    void onlyGetIsAnsweredButFeedbackIsPosted() throws IOException {
        assertEquals(405, request("POST", "/health/ready", null).status());
        assertEquals(405, request("GET", "/feedback", BASIC).status());
        assertEquals(401, request("POST", "/feedback", null).status());
        Reply empty = request("POST", "/feedback", BASIC);
        assertEquals(400, empty.status(), "an empty body is no verdict");
        assertTrue(empty.body().contains("JSON"), empty.body());
        Reply delete = request("DELETE", "/sessions/s", BASIC);
        assertEquals(405, delete.status());
        assertTrue(delete.body().contains("only GET"), delete.body());
    }

    @Test
    void sessionsAndMetricsNeedCredentialsAndHealthDoesNot() throws IOException {
        assertEquals(401, request("GET", "/metrics", null).status());
        assertEquals(401, request("GET", "/metrics", "Basic b3BzOndyb25n").status());
        assertEquals(401, request("GET", "/sessions/s", "Bearer nope").status());
        assertEquals(200, request("GET", "/metrics", BASIC).status());
        assertEquals(200, request("GET", "/metrics", "Bearer t0ken").status());
        assertEquals(200, request("GET", "/health/live", null).status());
    }

    @Test
    void hostileSessionIdsGetA400WithoutEchoOrExceptionNames() throws IOException {
        for (String malformed : new String[] {"%", "a%2", "%zz"}) {
            Reply reply = request("GET", "/sessions/" + malformed, BASIC);
            assertEquals(400, reply.status(), malformed);
            assertFalse(reply.body().contains("Exception") || reply.body().contains("Jetty"), reply.body());
            assertTrue(reply.body().startsWith("{\"error\""), reply.body());
        }
        Reply overLimit = request("GET", "/sessions/" + "%C3%A9".repeat(65), BASIC);
        assertEquals(400, overLimit.status());
        assertFalse(overLimit.body().contains("%C3") || overLimit.body().contains("\u00e9"), overLimit.body());
        // beyond what a request line may carry at all, the server refuses it before any route: still no echo
        Reply huge = request("GET", "/sessions/" + "x".repeat(100_000), BASIC);
        assertEquals(414, huge.status());
        assertTrue(huge.body().length() < 200, "no echo: " + huge.body().length() + " characters");
    }

    @Test
    void readinessSaysWhyItIsNotReady() throws Exception {
        Reply ready = request("GET", "/health/ready", null);
        assertEquals(503, ready.status());
        assertTrue(ready.body().contains("the scorer is starting"), ready.body());
        // nothing listens at the configured bootstrap address: the background probe finds out
        Await.until("readiness names the unreachable cluster", Duration.ofSeconds(30),
                () -> request("GET", "/health/ready", null).body().contains("the Kafka cluster does not answer"));
    }

    @Test
    void thePagesNeedCredentialsAndServeOnlyTheirOwnFiles() throws IOException {
        assertEquals(401, request("GET", "/", null).status());
        assertEquals(401, request("GET", "/api/live", null).status());
        Reply page = request("GET", "/", BASIC);
        assertEquals(200, page.status());
        assertTrue(page.body().contains("/live/live.js"), page.body());
        assertEquals(200, request("GET", "/live/view.js", BASIC).status());
        assertEquals(404, request("GET", "/live/OpsServer.class", BASIC).status());
        assertFalse(request("GET", "/live/../../../../etc/passwd", BASIC).status() == 200);
        // a browser asking for a session gets the page, whose script asks again for JSON
        Reply browser = request("GET", "/sessions/s1", BASIC, "text/html,application/xhtml+xml");
        assertEquals(200, browser.status());
        assertTrue(browser.body().contains("/live/session.js"), browser.body());
    }

    @Test
    void theLiveFeedGivesFlaggedEventsNewestFirstAfterTheLastSeen() throws IOException {
        assertTrue(request("GET", "/api/live", BASIC).body().contains("\"state\":\"starting\""));
        RecentEvents recent = new RecentEvents();
        ops.showing(recent);
        recent.add(PageEvents.scored("s1", "e1", "GET /a 200", "", false));
        recent.add(PageEvents.scored("s1", "e2", "GET /etc/passwd 200", "/etc/passwd", true));
        recent.add(PageEvents.scored("s2", "e3", "DROP TABLE users", "DROP", true));

        JsonNode all = JSON.readTree(request("GET", "/api/live", BASIC).body());
        assertEquals(3, all.get("eventsScored").asLong());
        assertEquals(2, all.get("eventsFlagged").asLong());
        assertEquals(model.version(), all.get("servingModel").asText());
        JsonNode flagged = all.get("flagged");
        assertEquals(List.of("e3", "e2"), List.of(flagged.get(0).get("eventId").asText(),
                flagged.get(1).get("eventId").asText()));
        assertEquals("PERPLEXITY", flagged.get(0).get("rule").asText());
        assertEquals(12.0, flagged.get(0).get("tokens").get(0).get("b").asDouble());

        long seenUpTo = flagged.get(1).get("seq").asLong();
        JsonNode newer = JSON.readTree(request("GET", "/api/live?after=" + seenUpTo, BASIC).body()).get("flagged");
        assertEquals(1, newer.size());
        assertEquals("e3", newer.get(0).get("eventId").asText());
        assertEquals(400, request("GET", "/api/live?after=x", BASIC).status());
    }

    @Test
    void aTemplateModelsEventIsShownAsItsLineWithTheValuesMarked() throws IOException {
        RecentEvents recent = new RecentEvents();
        ops.showing(recent);
        recent.add(PageEvents.line("n1", "e1", "Jun 9 06:06:20 combo sshd[19939]: session opened for user root by (uid=0)",
                "session opened for user <*> by (uid=<*>)", List.of("root", "uid=0"), 9.5, true));
        recent.add(PageEvents.line("n1", "e2", "Jun 9 06:06:21 combo kernel: a line nobody has seen", "<new template>",
                List.of(), 14, true));

        JsonNode flagged = JSON.readTree(request("GET", "/api/live", BASIC).body()).get("flagged");
        JsonNode fresh = flagged.get(0).get("line");
        assertEquals(1, fresh.size(), "a new template's line is shown whole");
        assertEquals("Jun 9 06:06:21 combo kernel: a line nobody has seen", fresh.get(0).get("s").asText());
        List<String> values = new ArrayList<>();
        StringBuilder whole = new StringBuilder();
        flagged.get(1).get("line").forEach(p -> {
            whole.append(p.get("s").asText());
            if (p.get("v").asBoolean()) {
                values.add(p.get("s").asText());
            }
        });
        assertEquals("Jun 9 06:06:20 combo sshd[19939]: session opened for user root by (uid=0)", whole.toString());
        assertEquals(List.of("root", "uid=0"), values);
    }
}
