package io.hactl.controller.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.UnmatchedArgumentException;

/** Entry point of the {@code hactl} command. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new HactlCommand());
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
