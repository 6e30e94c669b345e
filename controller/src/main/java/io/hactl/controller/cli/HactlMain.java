package io.hactl.controller.cli;

import java.io.PrintWriter;

/**
 * The main class of {@code /usr/bin/hactl}: {@link LeanCli} runs the command lines it knows, the
 * picocli tree ({@link CommandTree}) every other one. It has no public method but {@code main}:
 * the JVM looks {@code main} up among the public methods, which loads the classes they return,
 * and {@code hactl status} would load picocli's for nothing.
 */
public final class HactlMain {
    private HactlMain() {}

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out);
        PrintWriter err = new PrintWriter(System.err);
        int exit = LeanCli.run(args, out, err);
        out.flush();
        err.flush();
        System.exit(exit != LeanCli.NOT_MINE ? exit : CommandTree.forArgs(args).execute(args));
    }
}
