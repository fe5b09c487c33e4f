package dev.surprisal.cli;

import dev.surprisal.avro.ModelRelease;
import dev.surprisal.avro.ShadowTrial;
import dev.surprisal.config.DefaultTopics;
import dev.surprisal.registry.SchemaRegistry;
import dev.surprisal.release.ModelReleases;
import dev.surprisal.release.ReleaseLog;
import dev.surprisal.shadow.ShadowTrials;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

@Command(name = "models", mixinStandardHelpOptions = true,
        footer = {"%nExamples:", "  java -jar surprisal.jar models list", "  java -jar surprisal.jar models promote v20261126190404-a1043286"},
        description = "Model releases: list, promote, request training.",
        subcommands = {ModelsCommand.ListReleases.class, ModelsCommand.Promote.class, ModelsCommand.Shadow.class,
                RequestTraining.class})
final class ModelsCommand {

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the releases on model-releases.")
    static final class ListReleases implements Runnable {
        @Mixin
        ClusterOptions cluster;

        @Override
        public void run() {
            Map<String, Object> props = cluster.clientProperties();
            Map<String, ModelRelease> releases = ReleaseLog.read(props, cluster.registry(props), cluster.releaseTopics());
            Optional<ModelRelease> current = ReleaseLog.promoted(releases);
            System.out.printf(Locale.ROOT, "%-2s %-26s %-10s %-8s %12s %10s  %s%n", "", "version", "status", "tokens",
                    "perplexity", "threshold", "created");
            for (ModelRelease r : releases.values()) {
                boolean inUse = current.isPresent() && current.get().getVersion().equals(r.getVersion());
                System.out.printf(Locale.ROOT, "%-2s %-26s %-10s %-8s %12.3f %10.3f  %s%n", inUse ? "*" : "",
                        r.getVersion(), r.getStatus(), r.getTokenizer(), r.getHeldOutPerplexity(),
                        r.getAnomalyThreshold(), r.getCreatedAt());
            }
            if (releases.isEmpty()) {
                System.out.println("no releases on " + cluster.releaseTopics().releases());
            }
            Map<String, ShadowTrial> trials = ShadowTrials.read(props, cluster.registry(props),
                    cluster.releaseTopics());
            if (!trials.isEmpty()) {
                System.out.println();
                System.out.println("shadow trials:");
            }
            for (ShadowTrial t : trials.values()) {
                System.out.printf(Locale.ROOT, "   %-26s %-9s vs %s, %d/%d events, since %s%s%n", t.getCandidateVersion(),
                        t.getState(), t.getPromotedVersion(), t.getComparedEvents(), t.getEvents(), t.getRequestedAt(),
                        t.getReason().isEmpty() ? "" : ": " + t.getReason());
            }
        }
    }

    @Command(name = "shadow", mixinStandardHelpOptions = true,
            description = "Scores a candidate release live beside the promoted one (its scores go to a shadow topic); "
                    + "the trainer promotes or rejects it once both scored enough events.")
    static final class Shadow implements java.util.concurrent.Callable<Integer> {
        @Mixin
        ClusterOptions cluster;

        @Parameters(index = "0", description = "Candidate version.")
        String version;

        @Option(names = "--events", defaultValue = "200", description = "Events both must score before deciding.")
        int events;

        @Option(names = "--live-topic", defaultValue = DefaultTopics.SCORES,
                description = "The scorers' output topic.")
        String liveTopic;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> props = cluster.clientProperties();
            SchemaRegistry registry = cluster.registry(props);
            Map<String, ModelRelease> releases = ReleaseLog.read(props, registry, cluster.releaseTopics());
            Optional<ModelRelease> promoted = ReleaseLog.promoted(releases);
            if (!releases.containsKey(version) || promoted.isEmpty()) {
                System.err.println(!releases.containsKey(version) ? "no release " + version
                        : "no promoted release to compare with");
                return 1;
            }
            ShadowTrial trial = ShadowTrials.begin(props, registry, cluster.releaseTopics(), version,
                    promoted.get().getVersion(), liveTopic, events);
            System.out.println("shadow trial of " + version + " against " + promoted.get().getVersion()
                    + " started; its scores go to " + trial.getShadowTopic() + "; `models list` shows it");
            return 0;
        }
    }

    @Command(name = "promote", mixinStandardHelpOptions = true,
            description = "Promotes a release: every scorer switches to it between two events.")
    static final class Promote implements java.util.concurrent.Callable<Integer> {
        @Mixin
        ClusterOptions cluster;

        @Parameters(index = "0", description = "Version to promote.")
        String version;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> props = cluster.clientProperties();
            SchemaRegistry registry = cluster.registry(props);
            ModelRelease release = ReleaseLog.read(props, registry, cluster.releaseTopics()).get(version);
            if (release == null) {
                System.err.println("no release " + version + " on " + cluster.releaseTopics().releases());
                return 1;
            }
            ModelReleases.load(release).close();
            ReleaseLog.publish(props, registry, cluster.releaseTopics(), ModelReleases.promoted(release));
            System.out.println("promoted " + version);
            return 0;
        }
    }
}
