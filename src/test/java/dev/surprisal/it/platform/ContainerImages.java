package dev.surprisal.it.platform;

/** Image tags of the container platform; docker-compose.yml must use the same (checked by DeploymentFilesTest). */
public final class ContainerImages {

    public static final String KAFKA = "apache/kafka:4.1.0";
    public static final String SCHEMA_REGISTRY = "confluentinc/cp-schema-registry:8.0.0";

    private ContainerImages() {
    }
}
