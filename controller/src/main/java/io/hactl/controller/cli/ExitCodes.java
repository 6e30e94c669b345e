package io.hactl.controller.cli;

/** Exit codes of the hactl command. */
public final class ExitCodes {
    private ExitCodes() {}

    public static final int OK = 0;
    /** The operation ran and failed (or found problems, e.g. config check). */
    public static final int FAILED = 1;
    /** Command-line misuse (picocli's usage exit). */
    public static final int USAGE = 2;
    /** The daemon could not be reached: not running, no permission, or no answer within the timeout. */
    public static final int UNREACHABLE = 3;
}
