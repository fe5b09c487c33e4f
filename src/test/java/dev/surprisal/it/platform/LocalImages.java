package dev.surprisal.it.platform;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether the local Docker engine already holds the container platform's images, asked over its socket
 * without Testcontainers: its own first call checks the engine by pulling a small image, and where no
 * registry answers, it and every missing image would be retried for minutes. Here the test skips at once.
 */
public final class LocalImages {

    private static final Path SOCKET = Path.of("/var/run/docker.sock");

    private LocalImages() {
    }

    /** For {@code @EnabledIf}: an engine answers on the socket, and it has every image the test starts. */
    public static boolean allPresent() {
        return present(ContainerImages.KAFKA) && present(ContainerImages.SCHEMA_REGISTRY);
    }

    static boolean present(String image) {
        if (!Files.exists(SOCKET)) {
            return false;
        }
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(SOCKET));
            channel.write(ByteBuffer.wrap(("GET /images/" + image + "/json HTTP/1.0\r\nHost: docker\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer reply = ByteBuffer.allocate(64);
            while (reply.hasRemaining() && channel.read(reply) > 0) {
                // the status line is all we need
            }
            String status = new String(reply.array(), 0, reply.position(), StandardCharsets.US_ASCII);
            return status.startsWith("HTTP/1.0 200") || status.startsWith("HTTP/1.1 200");
        } catch (IOException e) {
            return false;
        }
    }
}
