package io.hactl.controller.control;

/** A control request that failed: the daemon unreachable, or an error it answered. */
public class ControlException extends Exception {
    private final boolean unreachable;

    public ControlException(String message, boolean unreachable) {
        super(message);
        this.unreachable = unreachable;
    }

    /** The daemon could not be reached (not running, no permission, or no answer in time). */
    public boolean unreachable() {
        return unreachable;
    }
}
