package dev.surprisal.ops;

import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelProvider;
import dev.surprisal.registry.InMemorySchemaRegistry;
import dev.surprisal.session.LearnedTemplates;
import dev.surprisal.stream.RecentEvents;
import dev.surprisal.stream.ScorerConfig;
import dev.surprisal.testing.PageEvents;
import dev.surprisal.testing.TinyModelExtension;
import dev.surprisal.tokenize.TemplateSettings;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The live page in a real browser: headless Chromium loads it, runs its scripts against the feed,
 * and the rendered DOM must show the flagged events (and only those), each token coloured by its
 * surprisal, the event text never interpreted as markup. Skipped where no Chromium is installed;
 * leaves a screenshot in {@code target/live-page.png} to look at.
 */
@ExtendWith(TinyModelExtension.class)
class LivePageBrowserTest {

    private static final Pattern TOKEN_SPAN = Pattern.compile("<span [^>]*data-bits=\"([0-9.]+)\"[^>]*>");

    private final LanguageModel model;
    private final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private OpsServer ops;

    LivePageBrowserTest(LanguageModel shared) {
        this.model = shared;
    }

    @BeforeEach
    void start() throws IOException {
        ScorerConfig config = new ScorerConfig(Map.of(ScorerConfig.HTTP_PORT, 0,
                ScorerConfig.HTTP_BIND_ADDRESS, "127.0.0.1", ScorerConfig.BOOTSTRAP_SERVERS, "127.0.0.1:1"));
        ops = OpsServer.start(config, ModelProvider.fixed(model), prometheus, new InMemorySchemaRegistry());
    }

    @AfterEach
    void stop() {
        ops.close();
        prometheus.close();
    }

    @Test
    void showsTheFlaggedEventsColouredBySurprisal(@TempDir Path profile) throws Exception {
        String chromium = findChromium();
        assumeTrue(chromium != null, "no Chromium on this machine");
        RecentEvents recent = new RecentEvents();
        ops.showing(recent);
        recent.add(PageEvents.scored("shop-1", "quiet-1", "INFO GET /api/products 200", "", false));
        recent.add(PageEvents.scored("shop-1", "loud-1", "INFO GET /api/../../etc/passwd 404", "../../etc/passwd", true));
        recent.add(PageEvents.scored("shop-2", "loud-2", "q=<script>alert(1)</script>", "<script>", true));
        String url = "http://127.0.0.1:" + ops.port() + "/";

        String dom = run(chromium, profile, "--dump-dom", url);
        assertTrue(dom.contains("data-event-id=\"loud-1\"") && dom.contains("data-event-id=\"loud-2\""), dom);
        assertFalse(dom.contains("data-event-id=\"quiet-1\""), "an unflagged event is not listed");
        assertTrue(dom.contains("PERPLEXITY") && dom.contains(model.version()), dom);
        assertEquals(2, count(dom, "<script"), "the page's own two scripts, and no event text as markup");
        assertTrue(dom.contains("&lt;"), "the event's '<' is shown as text");

        List<Double> painted = new ArrayList<>();
        List<Double> plain = new ArrayList<>();
        Matcher m = TOKEN_SPAN.matcher(dom);
        while (m.find()) {
            (m.group().contains("background: rgb(") ? painted : plain).add(Double.parseDouble(m.group(1)));
        }
        assertTrue(painted.size() >= "../../etc/passwd".length() + "<script>".length(), "coloured tokens: " + painted);
        assertTrue(painted.stream().allMatch(bits -> bits >= 1), "only surprising tokens are coloured: " + painted);
        assertTrue(plain.size() > 10 && plain.stream().allMatch(bits -> bits < 1), "the rest are not: " + plain);

        Path screenshot = Path.of("target", "live-page.png").toAbsolutePath();
        Files.deleteIfExists(screenshot);
        run(chromium, profile, "--screenshot=" + screenshot, "--window-size=1280,600", url);
        assertTrue(Files.size(screenshot) > 10_000, "a screenshot with something on it");
    }

    @Test
    void showsATemplateModelsAlertsAsTheirLinesWithTheValuesMarked(@TempDir Path profile) throws Exception {
        String chromium = findChromium();
        assumeTrue(chromium != null, "no Chromium on this machine");
        LearnedTemplates learned = new LearnedTemplates();
        learned.known(TemplateSettings.DEFAULT, "t5f0c2a9e41b7", "EXT3-fs error (device <*>): ext3_find_entry: reading "
                + "directory #<*> offset <*>", 243, Instant.parse("2026-12-02T10:02:00Z").toEpochMilli());
        RecentEvents recent = new RecentEvents(learned);
        ops.showing(recent);
        recent.add(PageEvents.line("combo", "known", "Jun 9 06:06:20 combo sshd[19939]: session opened for user "
                + "root by (uid=0)", "session opened for user <*> by (uid=<*>)", List.of("root", "uid=0"), 9.5, true));
        recent.add(PageEvents.line("combo", "fresh", "Jun 9 06:06:21 combo kernel: EXT3-fs error (device sda3): "
                + "ext3_find_entry: reading directory #2 offset 0", "<new template>", List.of(), 14, true));
        String url = "http://127.0.0.1:" + ops.port() + "/";

        String dom = run(chromium, profile, "--dump-dom", url);
        assertTrue(dom.contains("EXT3-fs error (device sda3): ext3_find_entry: reading directory #2 offset 0"), dom);
        assertTrue(dom.contains("a line of no known template"), dom);
        assertFalse(dom.contains("&lt;new template&gt;</span>"), "no placeholder where the line belongs");
        assertTrue(dom.contains("<span class=\"var\"") && dom.contains(">root</span>") && dom.contains(">uid=0</span>"),
                "the template's values are marked: " + dom);
        assertTrue(dom.contains("template: session opened for user &lt;*&gt; by (uid=&lt;*&gt;)"), dom);
        assertTrue(dom.contains("Templates learned while scoring") && dom.contains(">243<")
                && dom.contains("t5f0c2a9e41b7"), "the learned templates, with their counts: " + dom);

        Path screenshot = Path.of("target", "live-page-templates.png").toAbsolutePath();
        Files.deleteIfExists(screenshot);
        run(chromium, profile, "--screenshot=" + screenshot, "--window-size=1280,640", url);
        assertTrue(Files.size(screenshot) > 10_000, "a screenshot with something on it");
    }

    private static String run(String chromium, Path profile, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu",
                "--hide-scrollbars", "--user-data-dir=" + profile, "--virtual-time-budget=5000"));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(profile.getParent(), "chromium", ".out");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("Chromium did not finish within 90 s");
        }
        assertEquals(0, p.exitValue(), "Chromium's exit code");
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    private static String findChromium() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
                File candidate = new File(dir, name);
                if (candidate.canExecute()) {
                    return candidate.getPath();
                }
            }
        }
        return null;
    }
}
