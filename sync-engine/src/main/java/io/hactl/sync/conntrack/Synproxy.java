package io.hactl.sync.conntrack;

/** SYN proxy state (CTA_SYNPROXY): initial sequence number, timestamp and timestamp offset. */
public record Synproxy(long isn, long its, long tsoff) {
    public Synproxy {
        Values.checkU32("isn", isn);
        Values.checkU32("its", its);
        Values.checkU32("tsoff", tsoff);
    }
}
