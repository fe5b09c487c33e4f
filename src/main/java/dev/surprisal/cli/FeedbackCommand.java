package dev.surprisal.cli;

import dev.surprisal.avro.Feedback;
import dev.surprisal.avro.FeedbackVerdict;
import dev.surprisal.feedback.FeedbackLog;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.Callable;

@Command(name = "feedback", mixinStandardHelpOptions = true,
        description = "Marks an event or a session as normal (a false positive) or anomalous, on the feedback topic. "
                + "Training keeps text marked normal even when it was flagged and leaves out text marked anomalous; "
                + "evaluate --labels feedback uses it as labels.",
        footer = {"%nExamples:",
                "  java -jar surprisal.jar feedback --event ev-42 --session user-7 --normal \\", "      --by alice --reason 'new SSO flow'",
                "  java -jar surprisal.jar feedback --session blk_-1608999687919862906 \\", "      --anomalous --by oncall"})
final class FeedbackCommand implements Callable<Integer> {

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--event", description = "The event's id.")
    String eventId;

    @Option(names = "--session", description = "The session's id (alone: the verdict covers the whole session).")
    String sessionId;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Verdict verdict;

    static final class Verdict {
        @Option(names = "--normal", required = true, description = "It was fine (a false positive when flagged).")
        boolean normal;

        @Option(names = "--anomalous", required = true, description = "It was a real anomaly.")
        boolean anomalous;
    }

    @Option(names = "--by", defaultValue = "${sys:user.name}", description = "Who says so (default: the user name).")
    String by;

    @Option(names = "--reason", defaultValue = "", description = "Why.")
    String reason;

    @Override
    public Integer call() throws Exception {
        Feedback f = Feedback.newBuilder().setFeedbackId(UUID.randomUUID().toString()).setEventId(eventId)
                .setSessionId(sessionId).setVerdict(verdict.normal ? FeedbackVerdict.NORMAL : FeedbackVerdict.ANOMALOUS)
                .setBy(by).setReason(reason).setTime(Instant.now()).build();
        String problem = FeedbackLog.problem(f);
        if (problem != null) {
            System.err.println(problem);
            return 2;
        }
        var props = cluster.clientProperties();
        String topic = cluster.releaseTopics().feedback();
        FeedbackLog.publish(props, cluster.registry(props), topic, f);
        System.out.println("marked " + (eventId != null ? "event " + eventId : "session " + sessionId) + " "
                + f.getVerdict().name().toLowerCase(java.util.Locale.ROOT) + " on " + topic);
        return 0;
    }
}
