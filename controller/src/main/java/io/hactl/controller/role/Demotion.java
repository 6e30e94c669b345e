package io.hactl.controller.role;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a node from taking MASTER with an empty or stale table, as pfsync holds CARP back: from
 * start, and again after the peer restarted (what it did meanwhile never reached us), until a bulk
 * from the healthy peer has arrived, a node that keepalived keeps as BACKUP (or FAULT) is demoted
 * through keepalived's track_file: hactl writes 1 there, and tracked by the sync group with
 * weight 0 that holds the group in FAULT. Only a role known not to be MASTER is demoted: a MASTER
 * owns the flows already, and a daemon that just restarted (role unknown) may be running on the
 * MASTER; demoting either would cause the very failover this guards against. The demotion is
 * lifted when the bulk completes, or when the peer stays silent for the grace period (then this
 * node is all there is). Time is injected.
 */
public final class Demotion {
    private static final Logger LOG = LoggerFactory.getLogger(Demotion.class);

    private final String node;
    private final Path trackFile;
    private final LongSupplier nanos;
    private long silentSince; // when the peer was last seen alive (or the start); it must stay silent for the grace
    private final long graceNanos;
    private boolean synced;
    private long awaitedFlows = -1; // after a bulk with losses: the count to reach
    private Boolean written;

    /**
     * @param trackFile the track_file keepalived reads, or null when none is configured
     * @param grace     how long a silent peer is waited for before giving up the demotion
     */
    public Demotion(String node, Path trackFile, LongSupplier nanos, java.time.Duration grace) {
        this.node = node;
        this.trackFile = trackFile;
        this.nanos = nanos;
        this.silentSince = nanos.getAsLong();
        this.graceNanos = grace.toNanos();
    }

    /** A bulk from the peer completed without losses: the external cache is complete. */
    public synchronized void bulkReceived() {
        synced = true;
        awaitedFlows = -1;
    }

    /**
     * A bulk of {@code flows} flows ended with losses: the lost ones are being resent, so the
     * cache is complete only once it holds that many.
     */
    public synchronized void bulkReceivedWithLosses(long flows) {
        if (!synced) {
            awaitedFlows = flows;
        }
    }

    /** Whether a bulk with losses is still being completed by resends. */
    public synchronized boolean awaitingResends() {
        return !synced && awaitedFlows >= 0;
    }

    /** The peer restarted: our copy of its flows may be stale until its next bulk arrives. */
    public synchronized void peerRestarted() {
        synced = false;
        awaitedFlows = -1;
        silentSince = nanos.getAsLong();
    }

    /**
     * Re-evaluates and writes the track file when the verdict changed; returns whether demoted.
     *
     * @param externalFlows flows in the external cache now
     */
    public synchronized boolean update(boolean peerAlive, Role role, long externalFlows) {
        if (!synced && awaitedFlows >= 0 && externalFlows >= awaitedFlows) {
            synced = true; // the resends completed what the bulk with losses left out
            awaitedFlows = -1;
        }
        return update(peerAlive, role);
    }

    /** Re-evaluates and writes the track file when the verdict changed; returns whether demoted. */
    public synchronized boolean update(boolean peerAlive, Role role) {
        long now = nanos.getAsLong();
        if (peerAlive) {
            silentSince = now;
        }
        // lifted for a dead peer only after it stayed silent for the whole grace period: a lossy
        // link that drops a few heartbeats must not release a node in the middle of its resync
        boolean graceOver = !peerAlive && now - silentSince >= graceNanos;
        boolean backup = role == Role.BACKUP || role == Role.FAULT;
        boolean demoted = backup && !synced && !graceOver;
        if (written == null || written != demoted) {
            write(demoted);
            if (written != null || demoted) {
                LOG.info("{}: {}", node, demoted ? "DEMOTED until the bulk resync from the peer completes"
                        : synced ? "demotion lifted: caches in sync with the peer" : "demotion lifted: the peer is silent");
            }
            written = demoted;
        }
        return demoted;
    }

    public synchronized boolean demoted() {
        return written != null && written;
    }

    private void write(boolean demoted) {
        if (trackFile == null) {
            return;
        }
        try {
            Path tmp = trackFile.resolveSibling(trackFile.getFileName() + ".tmp");
            Files.writeString(tmp, demoted ? "1\n" : "0\n", StandardCharsets.US_ASCII);
            Files.move(tmp, trackFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            LOG.error("{}: cannot write track file {}: {}", node, trackFile, e.getMessage());
        }
    }
}
