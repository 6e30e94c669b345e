package io.hactl.controller.verdict;

/**
 * Why the verdict is not OK, by name: the names are stable (status JSON, the Prometheus label
 * {@code hactl_verdict_reason{reason}}), the details carry the numbers.
 */
public enum Reason {
    /** The peer has not been heard within the dead interval: replication is down. */
    PEER_DEAD("peer-dead"),
    /** Messages to the peer stay unacknowledged beyond the bound: they do not reach it. */
    UNACKNOWLEDGED("unacknowledged"),
    /** The external cache differs from the peer's advertised count beyond what is in flight. */
    EXTERNAL_COUNT("external-count"),
    /** The peer is heard but advertises no cache count: nothing proves the caches agree. */
    NO_PEER_COUNT("no-peer-count"),
    /** The kernel's replicated flows and the internal cache differ beyond what events in flight explain. */
    KERNEL_COUNT("kernel-count"),
    /** A bulk resync from the peer is running: the external cache is being refilled. */
    BULK_RUNNING("bulk-running"),
    /** Demoted through keepalived's track_file until the bulk from the peer completes. */
    DEMOTED("demoted"),
    /** Replication is behind: many flows waiting, or a long acknowledged lag. */
    LAGGING("lagging"),
    /** A step of the last role transition failed. */
    TRANSITION_FAILED("transition-failed"),
    /** The last commit left flows out of the kernel. */
    COMMIT_FAILED("commit-failed");

    private final String label;

    Reason(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
