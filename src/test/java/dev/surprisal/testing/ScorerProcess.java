package dev.surprisal.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A scorer in a child JVM, started from the packaged jar as a user would run it, so that a test can
 * kill it with SIGKILL (what an OOM killer or a lost node does) while the broker lives on.
 */
public final class ScorerProcess implements AutoCloseable {

    private static final Path JAR = Path.of("target", "surprisal.jar");

    private final Process process;
    private final Path log;

    private ScorerProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Runs {@code surprisal.jar score} with these arguments; its output goes to {@code log}. */
    public static ScorerProcess start(Path log, List<String> scoreArguments) throws IOException {
        if (!Files.exists(JAR)) {
            throw new IllegalStateException(JAR + " is missing: integration tests run after `package`");
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1",
                "-Dai.djl.pytorch.num_interop_threads=1"));
        String djlCache = System.getProperty("DJL_CACHE_DIR");
        if (djlCache != null) {
            command.add("-DDJL_CACHE_DIR=" + djlCache);
        }
        command.addAll(List.of("-jar", JAR.toString(), "score"));
        command.addAll(scoreArguments);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().put("OMP_NUM_THREADS", "1");
        return new ScorerProcess(builder.start(), log);
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed or committed. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the scorer survived SIGKILL for 30 s");
        }
    }

    /** SIGSTOP: the process is frozen as a long GC pause, a suspended VM or a cut-off network leave it. */
    public void freeze() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** SIGCONT after {@link #freeze}: it wakes believing no time has passed. */
    public void thaw() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The child's output so far, for a failure message. */
    public String log() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** SIGTERM and a bounded wait for a clean stop; SIGKILL after that. */
    @Override
    public void close() throws InterruptedException {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        if (!process.waitFor(Duration.ofSeconds(40).toSeconds(), TimeUnit.SECONDS)) {
            kill();
        }
    }
}
