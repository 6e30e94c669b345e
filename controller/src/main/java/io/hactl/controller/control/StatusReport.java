package io.hactl.controller.control;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;

/**
 * The answer to {@code status}: the one schema the daemon writes and {@code hactl status}, its
 * {@code --json} readers and the lab read. Field names are the JSON keys scripts use; a reader
 * ignores keys it does not know, so a newer daemon does not break an older client. Durations
 * carry their unit in the name; -1 means unknown or not scheduled.
 *
 * @param verdict whether the pair is safe to fail over, with the evidence
 * @param drops datagrams or messages dropped, by reason
 * @param purgeInMillis the engine's scheduled purge (the same as {@code purge.inMillis})
 * @param lastCommit the last commit into the kernel, null before the first
 * @param lastTransition the role machine's last transition, null before the first
 * @param lastPreload the last preload (the peer handed over or went silent), null if none
 * @param transitions transitions kept in the history
 * @param conntrack the kernel's conntrack table size and hash size, as the daemon's network namespace sees them
 * @param vrrp hactl's own VRRP with role.source vrrp; null otherwise
 * @param running the transition or preload running now (role still shows where it comes from), null when none is
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record StatusReport(VerdictReport verdict, String node, long uptimeSeconds, String role, String roleSource,
                           String roleSince, long roleAgeMillis, boolean demoted, int transitionsPending, Peer peer,
                           Caches caches, Sync sync, Map<String, Long> drops, long messagesLost, long retransmissions,
                           long purgeInMillis, Purge purge, CommitReport lastCommit, TransitionReport lastTransition,
                           TransitionReport lastPreload, int transitions, Conntrack conntrack, VrrpReport vrrp,
                           Running running) {
    /** A report missing parts (an older or partial answer) reads as unknown, never as a null to trip on. */
    public StatusReport {
        peer = peer == null ? new Peer("", false, -1, -1) : peer;
        caches = caches == null ? new Caches(0, 0, 0, 0) : caches;
        sync = sync == null ? new Sync("", -1, -1, 0, 0, false, 0, "", 0, "", "", false, -1L, null, false, false) : sync;
        drops = drops == null ? Map.of() : drops;
        purge = purge == null ? new Purge(-1, null, false, null, 0, -1, false, 0) : purge;
        conntrack = conntrack == null ? new Conntrack(-1, -1) : conntrack;
    }

    /** A report without the {@code vrrp} section (role.source other than vrrp). */
    public StatusReport(VerdictReport verdict, String node, long uptimeSeconds, String role, String roleSource,
                        String roleSince, long roleAgeMillis, boolean demoted, int transitionsPending, Peer peer,
                        Caches caches, Sync sync, Map<String, Long> drops, long messagesLost, long retransmissions,
                        long purgeInMillis, Purge purge, CommitReport lastCommit, TransitionReport lastTransition,
                        TransitionReport lastPreload, int transitions, Conntrack conntrack) {
        this(verdict, node, uptimeSeconds, role, roleSource, roleSince, roleAgeMillis, demoted, transitionsPending, peer,
                caches, sync, drops, messagesLost, retransmissions, purgeInMillis, purge, lastCommit, lastTransition,
                lastPreload, transitions, conntrack, null, null);
    }

    /** A report with no transition running. */
    public StatusReport(VerdictReport verdict, String node, long uptimeSeconds, String role, String roleSource,
                        String roleSince, long roleAgeMillis, boolean demoted, int transitionsPending, Peer peer,
                        Caches caches, Sync sync, Map<String, Long> drops, long messagesLost, long retransmissions,
                        long purgeInMillis, Purge purge, CommitReport lastCommit, TransitionReport lastTransition,
                        TransitionReport lastPreload, int transitions, Conntrack conntrack, VrrpReport vrrp) {
        this(verdict, node, uptimeSeconds, role, roleSource, roleSince, roleAgeMillis, demoted, transitionsPending, peer,
                caches, sync, drops, messagesLost, retransmissions, purgeInMillis, purge, lastCommit, lastTransition,
                lastPreload, transitions, conntrack, vrrp, null);
    }

    /**
     * A transition (or a preload: {@code from} equals {@code to}) still running: the step it is in
     * (empty before the first) and the milliseconds since it began.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Running(String from, String to, String source, String step, long millis) {}

    /** Reads the daemon's answer. */
    public static StatusReport of(JsonNode json, ObjectMapper mapper) {
        try {
            return mapper.treeToValue(json, StatusReport.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("the daemon's status does not read: " + e.getOriginalMessage(), e);
        }
    }

    /** OK only when the daemon says so: a report without a verdict is not. */
    public boolean ok() {
        return verdict != null && verdict.ok();
    }

    /** {@code reasons} are {@code "name: detail"}, {@code evidence} says in one line what was checked. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record VerdictReport(boolean ok, List<String> reasons, String evidence) {
        public VerdictReport {
            reasons = reasons == null ? List.of() : List.copyOf(reasons);
        }
    }

    /** The peer as the sync link sees it; {@code lastHeardMillis} and {@code rttMicros} are -1 when never. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Peer(String address, boolean alive, long lastHeardMillis, long rttMicros) {}

    /** Flows in the internal cache (this node's) and the external one (the peer's), and the heap each retains. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Caches(long internal, long external, long internalBytes, long externalBytes) {}

    /**
     * Replication: mode, lag, queues, bulk, the active link and the key in use, and the kernel
     * work still to do: {@code standbyBacklog} flows warm standby has yet to write into the kernel
     * (-1: not a warm standby), {@code standbyReconcile} why a reconcile of the kernel with the
     * external cache is due (null: none), {@code kernelResync} whether the internal cache is to be
     * reloaded from the kernel (events were lost) or is being reloaded, {@code bulkOwed} whether a
     * MASTER transition's bulk waits for the peer to be heard again (it was silent then).
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Sync(String mode, long lagMillis, long lagMaxMillis, long resendQueue, long transmitQueue,
                       boolean bulkReceiving, long bulksReceived, String activeLink, int links, String keyFingerprint,
                       String encryption, boolean directInject, Long standbyBacklog, String standbyReconcile,
                       boolean kernelResync, boolean bulkOwed) {
        /** An older daemon's answer, without the key, reads as not a warm standby (boxed: 0 would read as current). */
        public Sync {
            standbyBacklog = standbyBacklog == null ? -1L : standbyBacklog;
        }

        /** Whether this node is a warm standby whose kernel holds the peer's flows as received. */
        public boolean standbyCurrent() {
            return standbyBacklog == 0 && standbyReconcile == null;
        }
    }

    /** The purge of the peer's stale flows: when it is due and why, and its last outcome. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Purge(long inMillis, String reason, boolean waitingForPeer, String last, long lastRemoved,
                        long lastMillisAgo, boolean running, long outcomes) {}

    /**
     * The kernel's conntrack table: {@code max} flows at most ({@code net.netfilter.nf_conntrack_max})
     * in a hash of {@code buckets} chains ({@code nf_conntrack_buckets}); -1 when not known (no
     * nf_conntrack module). Each flow is hashed twice, by its original and its reply tuple.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Conntrack(long buckets, long max) {
        /**
         * Flows per bucket above which the hash is too small. Linux before 5.15 sized the table at 8
         * flows per bucket by default (16 entries per chain, both directions hashed); since 5.15
         * (netfilter: conntrack: sanitize table size default settings) at 1. More than 8 is worse
         * than either default: every insert and lookup walks long chains, which a commit of the
         * peer's flows on a hand-over pays once per flow.
         */
        public static final long MAX_FLOWS_PER_BUCKET = 8;

        /**
         * The flows the table must hold well: its limit, or more when the caches (this node's
         * flows and the peer's, which a hand-over loads into the kernel) already hold more.
         */
        public long flowsToHold(long cachedFlows) {
            return Math.max(max, cachedFlows);
        }

        /** Whether the hash is too small for the flows it must hold; false when not known. */
        public boolean hashTooSmall(long cachedFlows) {
            return buckets > 0 && flowsToHold(cachedFlows) > MAX_FLOWS_PER_BUCKET * buckets;
        }
    }
}
