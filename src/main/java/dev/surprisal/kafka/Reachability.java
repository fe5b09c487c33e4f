package dev.surprisal.kafka;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Whether the cluster answers, asked once before a command starts its clients: a wrong address or a
 * broker that is down ends the command with one line naming the address and the time waited, instead
 * of clients that retry for minutes (and an admin whose close waits out its own timeout).
 */
public final class Reachability {

    /** How long a command waits for the cluster before it gives up. */
    public static final Duration WAIT = Duration.ofSeconds(25);

    private Reachability() {
    }

    /** @throws ClusterException when no broker answers within {@code wait} */
    public static void require(Map<String, Object> clientProps, Duration wait) {
        Map<String, Object> props = new HashMap<>(clientProps);
        int ms = (int) wait.toMillis();
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(ms, 10_000));
        // named so that the log configuration can hide its retries: the one line that counts is the exception's
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "surprisal-reachability");
        Object servers = props.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
        long start = System.nanoTime();
        Admin admin = Admin.create(props);
        try {
            int nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(ms)).nodes()
                    .get(ms + 1000L, TimeUnit.MILLISECONDS).size();
            if (nodes == 0) {
                throw new ClusterException("the Kafka cluster at " + servers + " reports no brokers", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException("interrupted while reaching Kafka at " + servers, e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            if (cause instanceof AuthenticationException || cause instanceof AuthorizationException) {
                throw (RuntimeException) cause; // the cluster answered: its refusal says what to fix
            }
            throw new ClusterException(String.format("cannot reach Kafka at %s (bootstrap.servers) within %d s: %s; "
                    + "check the address, that the brokers run and, for a secured cluster, security.protocol and "
                    + "sasl.* / ssl.* in --config", servers, (System.nanoTime() - start) / 1_000_000_000L,
                    cause.getClass().getSimpleName()), cause);
        } finally {
            admin.close(Duration.ZERO);
        }
    }
}
