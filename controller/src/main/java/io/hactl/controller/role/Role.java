package io.hactl.controller.role;

/** The node's role in the pair, as VRRP decides it. */
public enum Role {
    /** Started, no role known yet. */
    INIT,
    BACKUP,
    MASTER,
    FAULT,
    /** VRRP stopped on this node (keepalived STOP / DELETED). */
    STOP;

    /** Parses keepalived's state words (MASTER, BACKUP, FAULT, STOP, DELETED), case-insensitive. */
    public static Role parse(String word) {
        return switch (word.toUpperCase(java.util.Locale.ROOT)) {
            case "MASTER" -> MASTER;
            case "BACKUP" -> BACKUP;
            case "FAULT" -> FAULT;
            case "STOP", "DELETED" -> STOP;
            default -> throw new IllegalArgumentException("unknown state '" + word
                    + "' (expected MASTER, BACKUP, FAULT, STOP or DELETED)");
        };
    }
}
