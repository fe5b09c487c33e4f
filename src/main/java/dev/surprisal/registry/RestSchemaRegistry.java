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
    /** Whether {@link #check()} has passed once, so that a 40403 is trusted to be about the id. */
    private volatile boolean baseChecked;

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
            JsonNode reply;
            try {
                reply = call("POST", "subjects/" + encode(subject) + "/versions", body(schema));
            } catch (IncompatibleSchemaException e) {
                throw new IncompatibleSchemaException("the schema registry at " + base + " refused "
                        + schema.getFullName() + " under subject '" + subject + "': " + e.getMessage());
            }
            int id = reply.get("id").asInt();
            byId.putIfAbsent(id, schema);
            return id;
        });
    }

    /**
     * The schema with this id. An id is only called unknown when the registry said so at a base path
     * that answers for its other endpoints too: a 404 from a URL that is not the API is the URL's fault.
     */
    @Override
    public Schema byId(int id) {
        return byId.computeIfAbsent(id, i -> {
            try {
                return parse(call("GET", "schemas/ids/" + i, null).get("schema").asText());
            } catch (UnknownSchemaException e) {
                if (!baseChecked) {
                    check();
                    baseChecked = true;
                }
                throw e;
            }
        });
    }

    @Override
    public RegisteredSchema latest(String subject) {
        JsonNode r = call("GET", "subjects/" + encode(subject) + "/versions/latest", null);
        return new RegisteredSchema(r.get("subject").asText(), r.get("version").asInt(), r.get("id").asInt(),
                parse(r.get("schema").asText()));
    }

    /**
     * Whether registering {@code schema} now would be accepted. Registries disagree on the
     * compatibility endpoint under rule NONE (Apicurio answers false for a change that registration
     * accepts), so the subject's rule is read first and NONE means compatible.
     */
    @Override
    public boolean isCompatible(String subject, Schema schema) {
        if ("NONE".equals(compatibilityLevel(subject))) {
            return true;
        }
        try {
            return call("POST", "compatibility/subjects/" + encode(subject) + "/versions/latest", body(schema))
                    .get("is_compatible").asBoolean();
        } catch (UnknownSchemaException e) {
            return true;
        }
    }

    /** The rule the registry applies to {@code subject} (its own, else the global one); null if it does not say. */
    String compatibilityLevel(String subject) {
        for (String path : List.of("config/" + encode(subject) + "?defaultToGlobal=true", "config")) {
            try {
                JsonNode config = call("GET", path, null);
                JsonNode level = config.has("compatibilityLevel") ? config.get("compatibilityLevel")
                        : config.get("compatibility");
                if (level != null) {
                    return level.asText();
                }
            } catch (UnknownSchemaException e) {
                // no rule of the subject's own: Confluent answers 40408 where Apicurio falls back to the global one
            } catch (RegistryUnavailableException e) {
                if (e.fault() != Fault.NOT_FOUND) {
                    throw e; // else a registry without the config endpoint
                }
            }
        }
        return null;
    }

    @Override
    public void check() {
        subjects();
        baseChecked = true;
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
            throw new RegistryUnavailableException(Fault.UNREACHABLE, "the schema registry at " + base
                    + " is unreachable (" + method + " " + uri.getPath() + ": " + e
                    + "); check " + URL + " and that the registry runs", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryUnavailableException(Fault.UNREACHABLE, "interrupted while calling the schema registry", e);
        }
        return reply(method, uri, response);
    }

    /**
     * The reply's JSON, or the exception its status means. A 404 is about a schema, subject or
     * version only when the registry says so with its own error code (404xx); any other 404 means the
     * URL does not reach the API.
     */
    private JsonNode reply(String method, URI uri, HttpResponse<String> response) {
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
        String message = json != null && json.has("message") ? json.get("message").asText() : shorten(response.body());
        int code = json != null && json.has("error_code") ? json.get("error_code").asInt() : status;
        String where = " (" + method + " " + uri + ")";
        if (status == 404 && code >= 40400 && code <= 40499) {
            throw new UnknownSchemaException(message + where);
        }
        if (status == 404 || status / 100 == 2) {
            throw new RegistryUnavailableException(Fault.NOT_FOUND, "the schema registry at " + base
                    + (status == 404 ? " answered 404 for " : " answered with something other than JSON for ")
                    + uri.getPath() + ": " + URL + " must be the registry API's base path "
                    + "(Apicurio Registry: http://host:8080/apis/ccompat/v7)", null);
        }
        if (status == 409) {
            throw new IncompatibleSchemaException(message + where);
        }
        if (status == 401 || status == 403) {
            throw new RegistryUnavailableException(Fault.CREDENTIALS_REFUSED, "the schema registry at " + base
                    + (status == 401 ? " refused the credentials (HTTP 401)" : " refused these credentials the right "
                    + "to " + method + " " + uri.getPath() + " (HTTP 403)") + "; check " + USER_INFO
                    + (status == 403 ? " and the account's role in the registry" : ""), null);
        }
        if (status == 429) {
            throw new RegistryUnavailableException(Fault.RATE_LIMITED, "the schema registry at " + base
                    + " is rate-limiting this client (HTTP 429)" + where, null);
        }
        if (status >= 500) {
            throw new RegistryUnavailableException(Fault.SERVER_ERROR, "the schema registry at " + base
                    + " failed (HTTP " + status + ", error " + code + ": " + message + ")" + where, null);
        }
        throw new RegistryException("schema registry error " + code + ": " + message + where, null);
    }

    private static String shorten(String body) {
        String flat = body == null ? "" : body.replaceAll("\\s+", " ").strip();
        return flat.length() > 200 ? flat.substring(0, 200) + "…" : flat;
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
