package dev.surprisal.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The subset of the Confluent Schema Registry REST API that Avro serdes and operators use, over a
 * {@link InMemorySchemaRegistry}: subjects and versions, schemas by id, registration, lookup,
 * compatibility checks and the global compatibility level (BACKWARD).
 */
public final class SchemaRegistryServer implements AutoCloseable {

    static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SCHEMA_BY_ID = Pattern.compile("/schemas/ids/(\\d+)/?");
    private static final Pattern VERSIONS = Pattern.compile("/subjects/([^/]+)/versions/?");
    private static final Pattern VERSION = Pattern.compile("/subjects/([^/]+)/versions/([^/]+)/?");
    private static final Pattern SUBJECT = Pattern.compile("/subjects/([^/]+)/?");
    private static final Pattern COMPATIBILITY = Pattern.compile("/compatibility/subjects/([^/]+)/versions/([^/]+)/?");

    private final InMemorySchemaRegistry registry;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "schema-registry-http");
        t.setDaemon(true);
        return t;
    });

    private SchemaRegistryServer(InMemorySchemaRegistry registry, HttpServer server) {
        this.registry = registry;
        this.server = server;
    }

    /** Serves {@code registry} on {@code host:port} (port 0 picks a free one). */
    public static SchemaRegistryServer start(InMemorySchemaRegistry registry, String host, int port) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(host, port), 0);
        SchemaRegistryServer server = new SchemaRegistryServer(registry, http);
        http.createContext("/", server::handle);
        http.setExecutor(server.executor);
        http.start();
        return server;
    }

    public String url() {
        return "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Response response;
            try {
                response = route(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(), exchange);
            } catch (SchemaRegistry.UnknownSchemaException e) {
                response = error(404, e.getMessage().contains("subject") ? 40401 : 40403, e.getMessage());
            } catch (SchemaRegistry.IncompatibleSchemaException e) {
                response = error(409, 409, e.getMessage());
            } catch (SchemaParseException | IllegalArgumentException e) {
                response = error(422, 42201, "invalid schema: " + e.getMessage());
            } catch (SchemaRegistry.RegistryUnavailableException e) {
                response = error(500, 50001, e.getMessage());
            }
            byte[] body = JSON.writeValueAsBytes(response.body());
            exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
            exchange.sendResponseHeaders(response.status(), body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private record Response(int status, Object body) {
    }

    private Response route(String method, String path, HttpExchange exchange) throws IOException {
        Matcher m;
        if ("GET".equals(method) && (path.equals("/subjects") || path.equals("/subjects/"))) {
            return ok(registry.subjects());
        }
        if ("GET".equals(method) && (path.equals("/config") || path.startsWith("/config/"))) {
            return ok(JSON.createObjectNode().put("compatibilityLevel", "BACKWARD"));
        }
        if ("GET".equals(method) && (m = SCHEMA_BY_ID.matcher(path)).matches()) {
            return ok(JSON.createObjectNode().put("schema", registry.byId(Integer.parseInt(m.group(1))).toString()));
        }
        if ((m = VERSIONS.matcher(path)).matches()) {
            String subject = decode(m.group(1));
            if ("POST".equals(method)) {
                return ok(JSON.createObjectNode().put("id", registry.register(subject, schemaFrom(exchange))));
            }
            return ok(registry.versions(subject).stream().map(SchemaRegistry.RegisteredSchema::version).toList());
        }
        if ("GET".equals(method) && (m = VERSION.matcher(path)).matches()) {
            return ok(describe(version(decode(m.group(1)), m.group(2))));
        }
        if ("POST".equals(method) && (m = COMPATIBILITY.matcher(path)).matches()) {
            version(decode(m.group(1)), m.group(2));
            return ok(JSON.createObjectNode().put("is_compatible",
                    registry.isCompatible(decode(m.group(1)), schemaFrom(exchange))));
        }
        if ("POST".equals(method) && (m = SUBJECT.matcher(path)).matches()) {
            String subject = decode(m.group(1));
            registry.versions(subject);
            SchemaRegistry.RegisteredSchema found = registry.find(subject, schemaFrom(exchange));
            if (found == null) {
                return error(404, 40403, "schema not found under subject '" + subject + "'");
            }
            return ok(describe(found));
        }
        return error(404, 404, "no such endpoint: " + method + " " + path);
    }

    private SchemaRegistry.RegisteredSchema version(String subject, String version) {
        List<SchemaRegistry.RegisteredSchema> versions = registry.versions(subject);
        if ("latest".equals(version)) {
            return versions.get(versions.size() - 1);
        }
        int wanted = Integer.parseInt(version);
        return versions.stream().filter(v -> v.version() == wanted).findFirst()
                .orElseThrow(() -> new SchemaRegistry.UnknownSchemaException("version " + version + " of '"
                        + subject + "' not found"));
    }

    private static ObjectNode describe(SchemaRegistry.RegisteredSchema r) {
        return JSON.createObjectNode().put("subject", r.subject()).put("version", r.version()).put("id", r.id())
                .put("schema", r.schema().toString());
    }

    private static Schema schemaFrom(HttpExchange exchange) throws IOException {
        JsonNode body = JSON.readTree(exchange.getRequestBody());
        if (body == null || !body.hasNonNull("schema")) {
            throw new IllegalArgumentException("the request body needs a \"schema\" field");
        }
        if (body.hasNonNull("schemaType") && !"AVRO".equals(body.get("schemaType").asText())) {
            throw new IllegalArgumentException("only AVRO schemas are supported");
        }
        return new Schema.Parser().parse(body.get("schema").asText());
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static Response ok(Object body) {
        return new Response(200, body);
    }

    private static Response error(int status, int code, String message) {
        return new Response(status, JSON.createObjectNode().put("error_code", code).put("message", message));
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
