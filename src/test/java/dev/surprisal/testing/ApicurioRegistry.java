package dev.surprisal.testing;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Apicurio Registry, a third-party registry with a Confluent-compatible API, run from its server
 * distribution (unpacked by Maven into {@code apicurio.home}) on a Java 21+ found on this machine.
 * Users log in with basic auth; what each may do is a role mapping that its admin changes while it
 * runs, so a test can take a client's rights away and give them back as an operator would.
 */
public final class ApicurioRegistry implements AutoCloseable {

    /** The Confluent-compatible API's base path. */
    public static final String CCOMPAT = "/apis/ccompat/v7";
    private static final String ADMIN = "admin";
    private static final String ADMIN_PASSWORD = "admin-secret";
    private static final Pattern VERSION = Pattern.compile("JAVA_VERSION=\"(\\d+)");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final int port;
    private final HttpClient http = HttpClient.newHttpClient();

    private ApicurioRegistry(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** The server's launcher, if Maven unpacked it. */
    public static Optional<Path> distribution() {
        String home = System.getProperty("apicurio.home");
        Path jar = home == null ? null : Path.of(home, "quarkus-run.jar");
        return jar != null && Files.isRegularFile(jar) ? Optional.of(jar) : Optional.empty();
    }

    /**
     * A {@code java} of version 21 or later: {@code APICURIO_JAVA}, this JVM, {@code JAVA_HOME}, then
     * the JDKs under {@code /usr/lib/jvm}.
     */
    public static Optional<Path> java21() {
        List<Path> homes = new ArrayList<>();
        Optional.ofNullable(System.getenv("APICURIO_JAVA")).map(Path::of).ifPresent(homes::add);
        homes.add(Path.of(System.getProperty("java.home")));
        Optional.ofNullable(System.getenv("JAVA_HOME")).map(Path::of).ifPresent(homes::add);
        try (Stream<Path> jvms = Files.list(Path.of("/usr/lib/jvm"))) {
            jvms.sorted().forEach(homes::add);
        } catch (IOException e) {
            // no JVM directory: only the homes above
        }
        for (Path home : homes) {
            Path java = home.resolve("bin/java");
            if (Files.isExecutable(java) && major(home) >= 21) {
                return Optional.of(java);
            }
        }
        return Optional.empty();
    }

    private static int major(Path home) {
        try {
            Matcher m = VERSION.matcher(Files.readString(home.resolve("release")));
            return m.find() ? Integer.parseInt(m.group(1)) : 0;
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    /**
     * Starts the registry with these users (name to password), each with no rights until
     * {@link #grant}ed, and waits until it answers. Its output goes to {@code log}.
     */
    public static ApicurioRegistry start(Path java, Path launcher, Map<String, String> users, Path log)
            throws IOException, InterruptedException {
        int port = FreePorts.any();
        // its management interface (health, metrics) is built in: give it a free port too, not 9000
        List<String> command = new ArrayList<>(List.of(java.toString(), "-Xmx384m", "-XX:TieredStopAtLevel=1",
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + port, "-Dquarkus.management.host=127.0.0.1",
                "-Dquarkus.management.port=" + FreePorts.any(),
                "-Dquarkus.http.auth.basic=true", "-Dquarkus.security.users.embedded.enabled=true",
                "-Dquarkus.security.users.embedded.plain-text=true",
                "-Dquarkus.security.users.embedded.users." + ADMIN + "=" + ADMIN_PASSWORD,
                "-Dquarkus.security.users.embedded.roles." + ADMIN + "=sr-admin",
                "-Dapicurio.auth.enabled=true", "-Dapicurio.auth.role-based-authorization=true",
                "-Dapicurio.auth.role-source=application", "-Dapicurio.auth.admin-override.enabled=true",
                "-Dapicurio.auth.admin-override.from=token", "-Dapicurio.auth.admin-override.type=role",
                "-Dapicurio.auth.admin-override.role=sr-admin", "-Dquarkus.log.level=WARN"));
        users.forEach((user, password) -> command.add("-Dquarkus.security.users.embedded.users." + user + "=" + password));
        command.addAll(List.of("-jar", launcher.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        ApicurioRegistry registry = new ApicurioRegistry(process, port);
        try {
            Await.until("Apicurio Registry answers on port " + port, Duration.ofSeconds(90), () -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("Apicurio Registry exited: " + Files.readString(log));
                }
                return registry.admin("GET", CCOMPAT + "/subjects", null) == 200;
            });
        } catch (RuntimeException | InterruptedException e) {
            registry.close();
            throw e;
        }
        return registry;
    }

    /** The Confluent-compatible API's URL, what {@code schema.registry.url} should be. */
    public String url() {
        return "http://127.0.0.1:" + port + CCOMPAT;
    }

    /** The server without the API's base path: the mistake a user makes first. */
    public String serverUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** Gives {@code user} a role: READ_ONLY, DEVELOPER (read and write) or ADMIN. */
    public void grant(String user, String role) throws IOException, InterruptedException {
        expect(204, "POST", "/apis/registry/v3/admin/roleMappings",
                JSON.createObjectNode().put("principalId", user).put("role", role).toString());
    }

    /** Takes {@code user}'s rights away: the registry answers its calls with 403 from then on. */
    public void revoke(String user) throws IOException, InterruptedException {
        expect(204, "DELETE", "/apis/registry/v3/admin/roleMappings/" + user, null);
    }

    /** Sets a subject's compatibility rule (Apicurio's default is NONE, Confluent's BACKWARD). */
    public void compatibility(String subject, String level) throws IOException, InterruptedException {
        expect(200, "PUT", CCOMPAT + "/config/" + subject,
                JSON.createObjectNode().put("compatibility", level).toString());
    }

    /** Registers an Avro schema under {@code subject} as the admin; returns its id. */
    public int register(String subject, String schema) throws IOException, InterruptedException {
        HttpResponse<String> r = send("POST", CCOMPAT + "/subjects/" + subject + "/versions",
                JSON.createObjectNode().put("schema", schema).toString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("registering under " + subject + ": HTTP " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body()).get("id").asInt();
    }

    private void expect(int status, String method, String path, String body) throws IOException, InterruptedException {
        HttpResponse<String> r = send(method, path, body);
        if (r.statusCode() != status) {
            throw new IllegalStateException(method + " " + path + ": HTTP " + r.statusCode() + " " + r.body());
        }
    }

    private int admin(String method, String path, String body) {
        try {
            return send(method, path, body).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
        String auth = Base64.getEncoder().encodeToString((ADMIN + ":" + ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(serverUrl() + path))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Basic " + auth)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
