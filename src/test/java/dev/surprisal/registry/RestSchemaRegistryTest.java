package dev.surprisal.registry;

import dev.surprisal.avro.TextEvent;
import dev.surprisal.testing.FreePorts;

import com.sun.net.httpserver.HttpServer;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RestSchemaRegistryTest {

    private static final Schema V1 = SchemaBuilder.record("Thing").namespace("t").fields()
            .requiredString("name").endRecord();
    private static final Schema V2_COMPATIBLE = SchemaBuilder.record("Thing").namespace("t").fields()
            .requiredString("name").optionalString("colour").endRecord();
    private static final Schema V2_INCOMPATIBLE = SchemaBuilder.record("Thing").namespace("t").fields()
            .requiredString("name").requiredInt("size").endRecord();

    private SchemaRegistryServer server;
    private RestSchemaRegistry client;

    @BeforeEach
    void start() throws IOException {
        server = SchemaRegistryServer.start(new InMemorySchemaRegistry(), "127.0.0.1", 0);
        client = new RestSchemaRegistry(server.url(), Map.of());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void registersFetchesByIdAndReportsTheLatestVersion() {
        int first = client.register("things-value", V1);
        assertEquals(first, client.register("things-value", V1), "registering again returns the same id");
        int second = client.register("things-value", V2_COMPATIBLE);

        RestSchemaRegistry fresh = new RestSchemaRegistry(server.url(), Map.of());
        assertEquals(V1, fresh.byId(first));
        assertEquals(V2_COMPATIBLE, fresh.byId(second));
        SchemaRegistry.RegisteredSchema latest = fresh.latest("things-value");
        assertEquals(2, latest.version());
        assertEquals(second, latest.id());
        assertEquals(List.of("things-value"), fresh.subjects());
        assertEquals(first, client.register("other-value", V1), "ids are global across subjects");
    }

    @Test
    void refusesAnIncompatibleSchemaWithAClearMessage() {
        client.register("things-value", V1);
        assertTrue(client.isCompatible("things-value", V2_COMPATIBLE));
        assertFalse(client.isCompatible("things-value", V2_INCOMPATIBLE));
        SchemaRegistry.IncompatibleSchemaException e = assertThrows(SchemaRegistry.IncompatibleSchemaException.class,
                () -> client.register("things-value", V2_INCOMPATIBLE));
        assertTrue(e.getMessage().contains("incompatible with version 1 of subject 'things-value'"), e.getMessage());
        assertTrue(e.getMessage().contains("size"), e.getMessage());
    }

    @Test
    void unknownIdsAndSubjectsAreReportedAsSuch() {
        assertThrows(SchemaRegistry.UnknownSchemaException.class, () -> client.byId(4242));
        assertThrows(SchemaRegistry.UnknownSchemaException.class, () -> client.latest("nothing-value"));
    }

    @Test
    void anUnreachableRegistryIsReportedAsUnavailable() throws IOException {
        int closedPort = FreePorts.any();
        RestSchemaRegistry down = new RestSchemaRegistry("http://127.0.0.1:" + closedPort, Map.of());
        SchemaRegistry.RegistryUnavailableException e = assertThrows(SchemaRegistry.RegistryUnavailableException.class,
                () -> down.byId(1));
        assertTrue(e.getMessage().contains("unreachable"), e.getMessage());
    }

    @Test
    void speaksTheConfluentRestApiToAnyHttpClient() throws Exception {
        client.register("text-events-value", TextEvent.getClassSchema());
        HttpResponse<String> subjects = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(server.url() + "/subjects")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, subjects.statusCode());
        assertEquals("[\"text-events-value\"]", subjects.body());
        HttpResponse<String> missing = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(server.url() + "/schemas/ids/99")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(404, missing.statusCode());
        assertTrue(missing.body().contains("\"error_code\":40403"), missing.body());
    }

    @Test
    void aUrlWithoutTheApiBasePathIsNotAnUnknownSchema() {
        client.register("things-value", V1);
        RestSchemaRegistry misaddressed = new RestSchemaRegistry(server.url() + "/not-the-api", Map.of());
        SchemaRegistry.RegistryUnavailableException e = assertThrows(SchemaRegistry.RegistryUnavailableException.class,
                () -> misaddressed.byId(1));
        assertEquals(SchemaRegistry.Fault.NOT_FOUND, e.fault());
        assertTrue(e.getMessage().contains("schema.registry.url must be the registry API's base path"), e.getMessage());
        assertThrows(SchemaRegistry.RegistryUnavailableException.class, misaddressed::check);
    }

    /** A registry's answers that are about the registry, not a schema: each a fault with its reason, none an unknown id. */
    @Test
    void everyFaultOfTheRegistryIsNamedAndNoneIsAnUnknownSchema() throws IOException {
        record Case(int status, String body, SchemaRegistry.Fault fault, String says) {
        }
        List<Case> cases = List.of(
                new Case(401, "{\"message\":\"User is not authenticated.\",\"error_code\":0}",
                        SchemaRegistry.Fault.CREDENTIALS_REFUSED, "basic.auth.user.info"),
                new Case(403, "", SchemaRegistry.Fault.CREDENTIALS_REFUSED, "(HTTP 403)"),
                new Case(404, "{\"detail\":\"Could not find resource\",\"status\":404}",
                        SchemaRegistry.Fault.NOT_FOUND, "base path"),
                new Case(404, "<html>Not Found</html>", SchemaRegistry.Fault.NOT_FOUND, "base path"),
                new Case(200, "<html>a console</html>", SchemaRegistry.Fault.NOT_FOUND, "base path"),
                new Case(429, "", SchemaRegistry.Fault.RATE_LIMITED, "HTTP 429"),
                new Case(503, "{\"message\":\"storage down\",\"error_code\":50003}",
                        SchemaRegistry.Fault.SERVER_ERROR, "storage down"));
        for (Case c : cases) {
            HttpServer fake = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            fake.createContext("/", exchange -> {
                byte[] body = c.body().getBytes(java.nio.charset.StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(c.status(), body.length == 0 ? -1 : body.length);
                if (body.length > 0) {
                    exchange.getResponseBody().write(body);
                }
                exchange.close();
            });
            fake.start();
            try {
                RestSchemaRegistry failing = new RestSchemaRegistry("http://127.0.0.1:" + fake.getAddress().getPort(),
                        Map.of(RestSchemaRegistry.USER_INFO, "me:expired"));
                for (var call : List.<Runnable>of(() -> failing.byId(1), failing::check)) {
                    SchemaRegistry.RegistryUnavailableException e = assertThrows(
                            SchemaRegistry.RegistryUnavailableException.class, call::run, c.toString());
                    assertEquals(c.fault(), e.fault(), c.toString());
                    assertTrue(e.getMessage().contains(c.says()), c + ": " + e.getMessage());
                }
            } finally {
                fake.stop(0);
            }
        }
    }

    /** Apicurio's compatibility endpoint says false under rule NONE, where registration would accept. */
    @Test
    void theCompatibilityCheckFollowsTheSubjectsRule() throws IOException {
        HttpServer fake = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        fake.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            String body = path.startsWith("/config") ? "{\"compatibilityLevel\":\"NONE\"}" : "{\"is_compatible\":false}";
            byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        fake.start();
        try {
            assertTrue(new RestSchemaRegistry("http://127.0.0.1:" + fake.getAddress().getPort(), Map.of())
                    .isCompatible("things-value", V2_INCOMPATIBLE));
        } finally {
            fake.stop(0);
        }
        assertEquals("BACKWARD", client.compatibilityLevel("things-value"));
    }
}
