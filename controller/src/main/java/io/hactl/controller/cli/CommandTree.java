package io.hactl.controller.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.UnmatchedArgumentException;

/** The picocli command tree of {@code hactl}, for every command line {@link LeanCli} does not run. */
final class CommandTree {
    private CommandTree() {}

    /** The whole command tree: {@code hactl}, its options and every subcommand. */
    static CommandLine whole() {
        return withUsageOnMisuse(new CommandLine(new HactlCommand()));
    }

    /**
     * The command line that runs {@code args}. When the first argument names a subcommand, only
     * that subcommand's model is built: picocli inspects every command class it is given by
     * reflection, so building the fourteen others is most of a short command's start. Any other
     * first argument (none, an option, a typo) needs the whole tree for its usage and suggestions.
     */
    static CommandLine forArgs(String... args) {
        Optional<Class<?>> sub = args.length == 0 ? Optional.empty() : subcommand(args[0]);
        if (sub.isEmpty()) {
            return whole();
        }
        CommandLine root = new CommandLine(CommandSpec.wrapWithoutInspection(new HactlCommand()).name("hactl"));
        root.addSubcommand(args[0], sub.get());
        return withUsageOnMisuse(root);
    }

    /** The subcommand class named {@code name} in {@link HactlCommand}'s annotation. */
    private static Optional<Class<?>> subcommand(String name) {
        return Arrays.stream(HactlCommand.class.getAnnotation(Command.class).subcommands())
                .filter(c -> c.getAnnotation(Command.class).name().equals(name))
                .findFirst();
    }

    private static CommandLine withUsageOnMisuse(CommandLine cl) {
        // every misuse: the problem, suggestions if any, then the usage of the command concerned
        cl.setParameterExceptionHandler((ex, args) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("hactl: " + ex.getMessage());
            UnmatchedArgumentException.printSuggestions(ex, err);
            ex.getCommandLine().usage(err);
            err.flush();
            return ExitCodes.USAGE;
        });
        return cl;
    }
}
