package io.hactl.controller.cli;

import picocli.CommandLine;

/** The {@code hactl} command as a Java entry point and as picocli command lines for tests and tools. */
public final class Main {
    private Main() {}

    /** As {@code /usr/bin/hactl} runs it (its main class is {@link HactlMain}). */
    public static void main(String[] args) {
        HactlMain.main(args);
    }

    /** The whole command tree: {@code hactl}, its options and every subcommand. */
    public static CommandLine commandLine() {
        return CommandTree.whole();
    }

    /** The command line that runs {@code args}: only the named subcommand's model when one is named. */
    public static CommandLine commandLine(String... args) {
        return CommandTree.forArgs(args);
    }
}
