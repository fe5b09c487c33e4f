package dev.surprisal.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.avro.Schema;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Client of a Confluent-compatible schema registry over its REST API. Ids and registrations are
 * cached: after the first lookup a schema id never costs a request again.
 *
 * <p>Settings use the Confluent client's names: {@code schema.registry.url},
 * {@code basic.auth.user.info} ({@code user:password}), and
 * {@code schema.registry.ssl.truststore.*} / {@code schema.registry.ssl.keystore.*}.
 */
public final class RestSchemaRegistry implements SchemaRegistry {

    public static final String URL = "schema.registry.url";
    public static final String USER_INFO = "basic.auth.user.info";
    public static final String TRUSTSTORE = "schema.registry.ssl.truststore.location";
    public static final String TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
    public static final String KEYSTORE = "schema.registry.ssl.keystore.location";
    public static final String KEYSTORE_PASSWORD = "schema.registry.ssl.keystore.password";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final String authorization;
    private final HttpClient http;
    private final Map<Integer, Schema> byId = new ConcurrentHashMap<>();
    private final Map<String, Integer> registered = new ConcurrentHashMap<>();

    public RestSchemaRegistry(String url, Map<String, ?> settings) {
        this.base = URI.create(url.endsWith("/") ? url : url + "/");
        Object userInfo = settings.get(USER_INFO);
        this.authorization = userInfo == null ? null
                : "Basic " + Base64.getEncoder().encodeToString(userInfo.toString().getBytes(StandardCharsets.UTF_8));
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(TIMEOUT);
        if (settings.get(TRUSTSTORE) != null || settings.get(KEYSTORE) != null) {
            builder.sslContext(sslContext(settings));
        }
        this.http = builder.build();
    }

    /** The URL's registry, with settings taken from client properties (e.g. a {@code --config} file). */
    public static RestSchemaRegistry fromProperties(Map<String, ?> props) {
        Object url = props.get(URL);
        if (url == null) {
            throw new IllegalArgumentException(URL + " is not set");
        }
        return new RestSchemaRegistry(url.toString(), props);
    }

    @Override
    public int register(String subject, Schema schema) {
        return registered.computeIfAbsent(subject + '\0' + schema, k -> {
            JsonNode reply = call("POST", "subjects/" + encode(subject) + "/versions", body(schema));
            int id = reply.get("id").asInt();
            byId.putIfAbsent(id, schema);
            return id;
        });
    }

    @Override
    public Schema byId(int id) {
        return byId.computeIfAbsent(id, i -> parse(call("GET", "schemas/ids/" + i, null).get("schema").asText()));
    }

    @Override
    public RegisteredSchema latest(String subject) {
        JsonNode r = call("GET", "subjects/" + encode(subject) + "/versions/latest", null);
        return new RegisteredSchema(r.get("subject").asText(), r.get("version").asInt(), r.get("id").asInt(),
                parse(r.get("schema").asText()));
    }

    @Override
    public boolean isCompatible(String subject, Schema schema) {
        try {
            return call("POST", "compatibility/subjects/" + encode(subject) + "/versions/latest", body(schema))
                    .get("is_compatible").asBoolean();
        } catch (UnknownSchemaException e) {
            return true;
        }
    }

    @Override
    public List<String> subjects() {
        List<String> out = new ArrayList<>();
        call("GET", "subjects", null).forEach(n -> out.add(n.asText()));
        return out;
    }

    private JsonNode call(String method, String path, String body) {
        URI uri = base.resolve(path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                .header("Accept", SchemaRegistryServer.CONTENT_TYPE)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (body != null) {
            request.header("Content-Type", SchemaRegistryServer.CONTENT_TYPE);
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new RegistryUnavailableException("schema registry at " + base + " is unreachable (" + method + " "
                    + uri.getPath() + "): " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryUnavailableException("interrupted while calling the schema registry", e);
        }
        return reply(method, uri, response);
    }

    private static JsonNode reply(String method, URI uri, HttpResponse<String> response) {
        JsonNode json;
        try {
            json = JSON.readTree(response.body());
        } catch (IOException e) {
            json = null;
        }
        int status = response.statusCode();
        if (status / 100 == 2 && json != null) {
            return json;
        }
        String message = json != null && json.has("message") ? json.get("message").asText() : response.body();
        int code = json != null && json.has("error_code") ? json.get("error_code").asInt() : status;
        String where = " (" + method + " " + uri + ")";
        if (status == 404) {
            throw new UnknownSchemaException(message + where);
        }
        if (status == 409) {
            throw new IncompatibleSchemaException(message + where);
        }
        if (status == 401 || status == 403) {
            throw new RegistryException("the schema registry refused the credentials (HTTP " + status + ")" + where, null);
        }
        if (status >= 500) {
            throw new RegistryUnavailableException("schema registry error " + code + ": " + message + where, null);
        }
        throw new RegistryException("schema registry error " + code + ": " + message + where, null);
    }

    private static String body(Schema schema) {
        return JSON.createObjectNode().put("schema", schema.toString()).toString();
    }

    private static Schema parse(String text) {
        return new Schema.Parser().parse(text);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static SSLContext sslContext(Map<String, ?> settings) {
        try {
            TrustManagerFactory trust = null;
            if (settings.get(TRUSTSTORE) != null) {
                trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trust.init(keyStore(settings.get(TRUSTSTORE).toString(), settings.get(TRUSTSTORE_PASSWORD)));
            }
            KeyManagerFactory keys = null;
            if (settings.get(KEYSTORE) != null) {
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                Object password = settings.get(KEYSTORE_PASSWORD);
                keys.init(keyStore(settings.get(KEYSTORE).toString(), password),
                        password == null ? new char[0] : password.toString().toCharArray());
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys == null ? null : keys.getKeyManagers(), trust == null ? null : trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cannot set up TLS for the schema registry: " + e.getMessage(), e);
        }
    }

    private static KeyStore keyStore(String location, Object password) throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        try (InputStream in = Files.newInputStream(Path.of(location))) {
            store.load(in, password == null ? null : password.toString().toCharArray());
        }
        return store;
    }
}
