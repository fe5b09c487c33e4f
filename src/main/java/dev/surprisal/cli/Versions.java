package dev.surprisal.cli;

import ai.djl.engine.Engine;
import picocli.CommandLine.IVersionProvider;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** {@code --version}: the product and what it runs on, as a bug report needs them. */
final class Versions implements IVersionProvider {

    static final String PRODUCT = "0.1.0";

    /** Read as the Kafka clients read their own, from the properties file in their jar. */
    private static String kafka() {
        try (InputStream in = Versions.class.getResourceAsStream("/kafka/kafka-version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    @Override
    public String[] getVersion() {
        String pytorch;
        try {
            pytorch = Engine.getEngine("PyTorch").getVersion();
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            pytorch = "unavailable (" + e.getMessage() + ")";
        }
        return new String[] {"surprisal " + PRODUCT, "Kafka " + kafka(), "DJL " + Engine.getDjlVersion(),
            "PyTorch " + pytorch, "Java " + Runtime.version()};
    }
}
