package dev.surprisal.registry;

import dev.surprisal.avro.TextEvent;
import dev.surprisal.testing.FreePorts;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
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
}
