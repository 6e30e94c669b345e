package io.hactl.controller.keepalived;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One line keepalived writes to its notify_fifo, e.g. {@code INSTANCE "VI_1" MASTER 100} or
 * {@code GROUP "G1" BACKUP 0}. States: MASTER, BACKUP, FAULT, STOP, DELETED, and the priority
 * notices MASTER_RX_LOWER_PRI, MASTER_PRIORITY, BACKUP_PRIORITY (which change no role).
 */
public record FifoEvent(Kind kind, String name, String state, int priority) {
    /** HACTL: written by hactl's own hook for the single-state notify form; always drives the role. */
    public enum Kind { INSTANCE, GROUP, HACTL }

    private static final Pattern LINE = Pattern.compile("(INSTANCE|GROUP|HACTL)\\s+\"([^\"]*)\"\\s+([A-Z_]+)(?:\\s+(-?\\d+))?\\s*");

    /** Parses a line; null when it is not a notify line (keepalived may add kinds). */
    public static FifoEvent parse(String line) {
        Matcher m = LINE.matcher(line);
        if (!m.matches()) {
            return null;
        }
        return new FifoEvent(Kind.valueOf(m.group(1)), m.group(2), m.group(3),
                m.group(4) == null ? 0 : Integer.parseInt(m.group(4)));
    }

    /** Whether the state is a role (not a priority notice). */
    public boolean isRoleChange() {
        return switch (state) {
            case "MASTER", "BACKUP", "FAULT", "STOP", "DELETED" -> true;
            default -> false;
        };
    }
}
