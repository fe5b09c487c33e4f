package dev.surprisal.cli;

import dev.surprisal.model.DjlRuntime;
import dev.surprisal.ops.FencedProducerLog;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code surprisal.jar}. */
@Command(name = "surprisal", mixinStandardHelpOptions = true, versionProvider = Versions.class,
        description = "Scores Kafka text streams with a recurrent language model.",
        subcommands = {DemoCommand.class, TrainCommand.class, ScoreCommand.class, ProduceCommand.class,
            ConsumeCommand.class, DemoModelCommand.class, TrainerCommand.class, EvaluateCommand.class, TemplatesCommand.class,
            ModelsCommand.class, FeedbackCommand.class, BenchCommand.class, SettingsCommand.class})
public final class Main {

    public static void main(String[] args) {
        DjlRuntime.configure();
        FencedProducerLog.install();
        System.exit(commandLine().execute(args));
    }

    /** The {@code surprisal} command as {@link #main} runs it (tests run it in-process the same way). */
    public static CommandLine commandLine() {
        return new CommandLine(new Main()).setExecutionExceptionHandler(Main::oneLine);
    }

    /**
     * A failure a user can fix (a setting, a refused login, a missing file) ends with one line naming
     * it; anything else keeps its stack trace, which is what a bug report needs.
     */
    private static int oneLine(Exception e, CommandLine command, CommandLine.ParseResult parsed) throws Exception {
        String line = UserErrors.describe(e);
        if (line == null) {
            throw e;
        }
        command.getErr().println("surprisal " + command.getCommandName() + ": " + line);
        return 1;
    }
}
