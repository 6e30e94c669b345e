package io.hactl.controller.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code hactl}: the top-level command; without a subcommand it prints usage and fails. */
@Command(name = "hactl",
        description = "High-availability controller for pairs of stateful Linux firewalls.",
        mixinStandardHelpOptions = true,
        versionProvider = VersionCommand.Provider.class,
        subcommands = {StatusCommand.class, CommitCommand.class, FlushCommand.class, ResyncCommand.class,
            BulkSendCommand.class, RequestResyncCommand.class, PurgeCommand.class, CacheCommand.class,
            StatsCommand.class, NotifyCommand.class, ConfigCommand.class, KeygenCommand.class, DaemonCommand.class, VersionCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:the operation failed", "2:command-line misuse",
            "3:the daemon could not be reached (not running, not root, or no answer within --timeout)"})
public final class HactlCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a command is required");
    }
}
